from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
