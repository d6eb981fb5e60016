from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


def bootstrap(form):
    """Give every widget of ``form`` its Bootstrap class (one place for the look of all forms and filters)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        if "class" not in widget.attrs:
            widget.attrs["class"] = css
    return form


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Please enter a correct user name and password. Both fields may be case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class ReasonField(forms.CharField):
    def __init__(self, required=False, **kwargs):
        kwargs.setdefault("label", _("Reason for the change"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("max_length", 2000)
        super().__init__(required=required, **kwargs)


class SignatureForm(forms.Form):
    """The signing dialog: the password again (two components: the signed-in user id + password), the meaning
    and the reason (21 CFR 11.200(a))."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}), strip=False)
    reason = ReasonField(required=False)

    def __init__(self, *args, meanings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meanings:
            self.fields["meaning"] = forms.ChoiceField(label=_("Meaning of this signature"), choices=meanings)
