"""The client report of a tested sample (ISO 15189 7.4.1.6: identification of the sample, the client and the
examination, the result with its unit and reference interval, times of receipt and report, the people who
entered and reviewed the result), printed with lims.pdf.RecordPdf and its signature block."""

from django.utils import timezone
from django.utils.translation import gettext as _

from lab.models import Assay
from lims.pdf import RecordPdf, Section
from lims.signatures import printed_name, signature_rows


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "—"


def client_report(sample, *, printed_by=None) -> bytes:
    assay = sample.assay
    facts = [
        (_("Sample"), sample.barcode),
        (_("Client"), f"{sample.client.code} {sample.client.display_name}"),
        (_("Assay"), f"{assay.code} {assay.display_name}"),
        (_("Method"), assay.method),
        (_("Received at"), _when(sample.received_at)),
        (_("Reported at"), _when(sample.reported_at)),
        (_("Turnaround (hours)"), f"{sample.tat_hours:.2f}" if sample.tat_hours is not None else "—"),
    ]
    if assay.result_type == Assay.ResultType.QUALITATIVE:
        rows = [[_("Outcome"), _("Control line"), _("Comment")],
                [sample.get_outcome_display() or "—",
                 _("present") if sample.control_line else _("absent") if sample.control_line is False else "—",
                 sample.result or ""]]
    elif assay.result_type == Assay.ResultType.QUANTITATIVE:
        value = f"{sample.result_value.normalize():f}" if sample.result_value is not None else "—"
        rows = [[_("Result"), _("Unit"), _("Reference range"), _("Interpretation"), _("Comment")],
                [value, sample.result_unit, assay.reference_range or "—", sample.get_flag_display() or "—",
                 sample.result or ""]]
    else:
        rows = [[_("Result")], [sample.result_display or "—"]]
    review = [[_("Result entered by"), _("Result reviewed by"), _("Reviewed at")],
              [printed_name(sample.reported_by) if sample.reported_by else "—",
               printed_name(sample.reviewed_by) if sample.reviewed_by else _("Not reviewed yet"),
               _when(sample.reviewed_at)]]
    note = "" if sample.reviewed_by_id else _(
        "This result has not been reviewed by a second person yet: the report is preliminary.")
    return RecordPdf(
        title=_("Laboratory report"), reference=_("Sample %(barcode)s") % {"barcode": sample.barcode},
        facts=facts,
        sections=[Section(_("Result"), rows), Section(_("Entry and review"), review)],
        signatures=signature_rows(sample),
        printed_by=printed_name(printed_by) if printed_by else "", note=note,
    ).build()
