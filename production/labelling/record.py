"""Labelling's part of the batch record (production/record.py): the label print jobs and the reconciliation of
issued against used, destroyed and returned labels, with the deviation a discrepancy opened (DOMAIN.md §2).
Registered from LabellingConfig.ready()."""

from django.utils.translation import gettext as _

from lims.pdf import Section, local
from lims.signatures import printed_name

from .models import LabelReconciliation, PrintJob
from .services import discrepancy_records


def _who(user) -> str:
    return printed_name(user) if user else "—"


def label_sections(batch) -> list[Section]:
    rows = [[_("Printed at"), _("Template"), _("Stock"), _("Copies"), _("Serials"), _("Printed by")]]
    for job in PrintJob.objects.filter(batch=batch).select_related("printed_by").order_by("printed_at", "pk"):
        serials = f"{job.serial_from} – {job.serial_to}" if job.serial_from else "—"
        rows.append([local(job.printed_at), job.template, job.stock, job.copies, serials, _who(job.printed_by)])
    jobs = Section(_("Label print jobs"), rows if len(rows) > 1 else (), text=_("No labels printed."))

    rows = [[_("Recorded at"), _("Template"), _("Issued"), _("Used"), _("Destroyed"), _("Returned"),
             _("Discrepancy"), _("Recorded by")]]
    for rec in LabelReconciliation.objects.filter(batch=batch).select_related("recorded_by", "batch").order_by(
            "recorded_at"):
        discrepancy = "0"
        if rec.discrepancy:
            opened = ", ".join(str(d) for d in discrepancy_records(rec))
            discrepancy = f"{rec.discrepancy:+d} — {rec.reason}" + (f" ({opened})" if opened else "")
        rows.append([local(rec.recorded_at), rec.template, rec.issued, rec.used, rec.destroyed, rec.returned,
                     discrepancy, _who(rec.recorded_by)])
    reconciliation = Section(_("Label reconciliation"), rows if len(rows) > 1 else (),
                             text=_("Labels not reconciled yet."),
                             widths=(0.16, 0.09, 0.08, 0.08, 0.09, 0.09, 0.26, 0.15))
    return [jobs, reconciliation]
