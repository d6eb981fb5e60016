from django import forms
from django.utils.translation import gettext_lazy as _

from lab.models import Assay, Client, Sample
from lab.throughput import BUCKETS
from lims.forms import ReasonField, VersionedForm
from lims.scan_fields import ScanInput

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


CONTROL_LINE = [("", "—"), ("true", _("Present")), ("false", _("Absent"))]


class ReceiveForm(forms.Form):
    """One sample at the counter: scan the tube (its barcode is taken, or the sample already received is
    found), or type the barcode; it is generated when left empty."""

    scan = forms.CharField(label=_("Scan the tube"), required=False, max_length=200, widget=ScanInput(
        attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}, submit=True),
        help_text=_("A scanner types the tube's barcode here; a sample already received opens."))
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False, widget=ScanInput(next_field=True),
                              help_text=_("Scan the tube, or leave empty to generate one."))
    client = forms.ModelChoiceField(queryset=Client.objects.filter(active=True), label=_("Client"))
    assay = forms.ModelChoiceField(queryset=Assay.objects.filter(active=True), label=_("Assay"))
    received_at = forms.DateTimeField(label=_("Received at"), required=False, widget=DATETIME,
                                      help_text=_("Leave empty for now."))
    reason = ReasonField()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_(
        "Columns: barcode (optional), client (code), assay (code), received_at, reported_at (optional), result, "
        "result_value, result_unit. UTF-8 or GB18030."))
    reason = ReasonField()

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return f


class StartForm(forms.Form):
    reason = ReasonField()


class ReportForm(forms.Form):
    """The result in the form the assay's result type asks for: outcome and control line (qualitative), value
    in the assay's unit (quantitative) or text (descriptive); the service checks it (lab.services.check_result)."""

    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", "—"), *Sample.Outcome.choices])
    control_line = forms.TypedChoiceField(label=_("Control line"), required=False, choices=CONTROL_LINE,
                                          coerce=lambda v: v == "true", empty_value=None)
    result_value = forms.DecimalField(label=_("Result value"), required=False, max_digits=14, decimal_places=4)
    result_unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reported_at = forms.DateTimeField(label=_("Reported at"), required=False, widget=DATETIME,
                                      help_text=_("Leave empty for now."))
    reason = ReasonField()

    def __init__(self, *args, assay=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assay is None:
            return
        kind = assay.result_type
        if kind == Assay.ResultType.QUALITATIVE:
            for name in ("result_value", "result_unit"):
                del self.fields[name]
            self.fields["outcome"].required = True
            self.fields["control_line"].required = True
            self.fields["result"].label = _("Comment")
        else:
            del self.fields["outcome"], self.fields["control_line"]
        if kind == Assay.ResultType.QUANTITATIVE:
            self.fields["result_value"].required = True
            self.fields["result_unit"].initial = assay.unit
            self.fields["result_value"].help_text = (
                _("Reference range: %(range)s") % {"range": assay.reference_range} if assay.reference_range
                else "")
            self.fields["result"].label = _("Comment")


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why is the sample unfit?"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class CorrectForm(VersionedForm):
    reason = ReasonField(required=True)

    class Meta:
        model = Sample
        fields = ["barcode", "client", "assay", "received_at"]
        widgets = {"received_at": DATETIME}


class ThroughputForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=DATE)
    bucket = forms.ChoiceField(label=_("Per"), choices=[
        ("day", _("day")), ("week", _("ISO week")), ("month", _("month"))], required=False)
    assay = forms.ModelChoiceField(queryset=Assay.objects.all(), required=False, label=_("Assay"))
    client = forms.ModelChoiceField(queryset=Client.objects.all(), required=False, label=_("Client"))

    def clean_bucket(self):
        return self.cleaned_data.get("bucket") or BUCKETS[0]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data
