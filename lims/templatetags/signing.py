"""``{% signing_refusal signing obj as why %}``: why the signed-in person may not sign ``obj`` (None: they may),
so that the dialog says it before anyone types a password (four eyes, no self-review)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signing_refusal(context, signing, obj=None):
    request = context.get("request")
    if signing is None or request is None:
        return None
    return signing.refusal(request.user, obj)
