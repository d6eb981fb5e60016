from django import forms
from django.utils.translation import gettext_lazy as _

from lims.roles import ROLES


class RequiredReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Reason"))
        kwargs.setdefault("help_text", _("Required: changes of accounts and roles are part of the audit trail."))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("max_length", 2000)
        super().__init__(required=True, **kwargs)


def role_choices():
    return [(name, label) for name, label in ROLES.items()]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=role_choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    reason = RequiredReasonField()


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    reason = RequiredReasonField()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    reason = RequiredReasonField()


class ReasonForm(forms.Form):
    reason = RequiredReasonField()
