from django import forms
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, SignatureForm
from production.models import CleanRoom
from production.monitoring.models import ExcursionAssessment, Parameter

WINDOWS = [("1d", _("1 day")), ("7d", _("7 days")), ("30d", _("30 days")), ("90d", _("90 days")),
           ("365d", _("1 year"))]


class TrendForm(forms.Form):
    parameter = forms.ChoiceField(label=_("parameter"), choices=Parameter.choices, required=False)
    window = forms.ChoiceField(label=_("window"), choices=WINDOWS, required=False)
    end = forms.DateTimeField(label=_("ending at"), required=False,
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class LimitForm(forms.Form):
    clean_room = forms.ModelChoiceField(label=_("clean room"), queryset=CleanRoom.objects.all())
    parameter = forms.ChoiceField(label=_("parameter"), choices=Parameter.choices)
    alert_low = forms.FloatField(label=_("alert low"), required=False)
    alert_high = forms.FloatField(label=_("alert high"), required=False)
    action_low = forms.FloatField(label=_("action low"), required=False)
    action_high = forms.FloatField(label=_("action high"), required=False)
    valid_from = forms.DateTimeField(label=_("valid from"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("Empty: from now on."))
    source = forms.CharField(label=_("source"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = ReasonField(required=True)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "A particle counter's export with a header row: point (id or code), measured_at (ISO 8601 with time zone) "
        "and any of particles_0_5um, particles_5um, temperature_c, humidity_pct, pressure_pa."))


class AssessmentForm(SignatureForm):
    """QA's impact assessment, signed "assessed" with both components (user id and password)."""

    impact = forms.CharField(label=_("impact assessment"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(label=_("conclusion"), choices=ExcursionAssessment.Conclusion.choices)
    field_order = ["impact", "conclusion", "username", "password", "reason"]
