"""Forms of the QC pages that call a service (lims.pages.ActionView): the investigation of a deviation and its
CAPA, with the owner chosen among the people who may own one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, bootstrap
from lims.signatures import printed_name
from qc.services import capa_owners


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{printed_name(obj)} ({obj.get_username()})"


class InvestigationForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    impact_assessment = forms.CharField(label=_("Impact assessment"), required=False, max_length=5000,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    reason = ReasonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CapaForm(forms.Form):
    action = forms.CharField(label=_("CAPA action"), max_length=2000)
    owner = PersonChoiceField(label=_("Owner"), queryset=None,
                              help_text=_("Someone in QA, QC or Production, who carries the action out."))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    effectiveness_check = forms.CharField(label=_("Effectiveness check"), required=False, max_length=2000)
    reason = ReasonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = capa_owners()
        bootstrap(self)
