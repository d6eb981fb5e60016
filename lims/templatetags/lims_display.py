"""How pages show people and master data: ``{{ user|person }}`` (the printed name, never the user name) and
``{{ product|local_name }}`` (the Chinese name for a zh-Hans reader when the record has one)."""

from django import template

from lims.signatures import printed_name

register = template.Library()


@register.filter
def person(user):
    return printed_name(user) if user is not None and hasattr(user, "get_username") else ""


@register.filter
def local_name(obj):
    """The record's name in the reader's language (``lims.models.BilingualName.display_name``)."""
    if obj is None:
        return ""
    return getattr(obj, "display_name", None) or getattr(obj, "name", "") or str(obj)
