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


EDIT_REASON_HELP = _("Required: every change of a record says why (EU GMP Annex 11 §9).")


class VersionedForm(forms.ModelForm):
    """An edit form that carries the version it was read at, so a stale edit is refused (409 stale_version)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if "reason" in self.fields:
                # Every change of an existing record says why (EU GMP Annex 11 §9; API 400 reason_required).
                self.fields["reason"].required = True
                self.fields["reason"].help_text = EDIT_REASON_HELP

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data if f in self._meta.fields}


class ReasonField(forms.CharField):
    def __init__(self, required=False, **kwargs):
        kwargs.setdefault("label", _("Reason for the change"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("max_length", 2000)
        super().__init__(required=required, **kwargs)


class SignatureForm(forms.Form):
    """The signing dialog: both components typed again — user id and password (21 CFR 11.200(a)(1)) — and the
    reason. The meaning is not chosen: it follows from the action (``lims.signatures.SigningAction``)."""

    username = forms.CharField(label=_("Your user name"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(label=_("Your password"), max_length=4096, strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    reason = ReasonField(required=False)

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required

    def signing_kwargs(self) -> dict:
        """The keyword arguments a signing service takes from this form."""
        d = self.cleaned_data
        return {"username": d["username"], "password": d["password"], "reason": d.get("reason", "")}
