"""The batch record PDF (device history record).

Higher apps (QC results, deviations) add a section through ``lims.registry.register_record_section`` from their
``AppConfig.ready()``; a function returning ``None`` adds nothing for that batch.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lims.pdf import RecordPdf, Section
from lims.registry import record_section_funcs
from lims.signatures import printed_name, signature_rows

from .models import LabelReconciliation, PrintJob
from .services import discrepancy_records


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def _d(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _who(user) -> str:
    return printed_name(user) if user else "—"


def batch_record_sections(batch) -> list[Section]:
    sections = []
    if batch.bom_id:
        rows = [[_("Material"), _("Name"), _("Quantity per kit"), _("Unit")]]
        for line in batch.bom.lines.select_related("material").order_by("material__code"):
            rows.append([line.material.code, line.material.name, line.quantity_per_kit,
                         line.material.get_unit_display()])
        sections.append(Section(_("Bill of materials (version %(n)s)") % {"n": batch.bom.version_number}, rows))
    else:
        sections.append(Section(_("Bill of materials"), text=_("No bill of materials recorded.")))

    rows = [[_("Material"), _("Supplier"), _("Supplier lot"), _("Expiry date"), _("Quantity"), _("Consumed at"),
             _("Consumed by")]]
    for c in batch.consumptions.select_related("material_lot__material", "consumed_by").order_by("consumed_at",
                                                                                                  "pk"):
        lot = c.material_lot
        rows.append([lot.material.code, lot.supplier, lot.supplier_lot, _d(lot.expiry_date), c.quantity,
                     _dt(c.consumed_at), _who(c.consumed_by)])
    sections.append(Section(_("Consumed component lots"), rows if len(rows) > 1 else (),
                            text=_("No component lots consumed."),
                            widths=(0.12, 0.16, 0.16, 0.12, 0.11, 0.17, 0.16)))

    rows = [[_("Step"), _("Operator"), _("Equipment"), _("Started at"), _("Ended at"), _("Room")]]
    for s in batch.steps.select_related("step", "operator").order_by("started_at", "pk"):
        room = " / ".join(x for x in (f"{s.room_temperature_c} °C" if s.room_temperature_c is not None else "",
                                      f"{s.room_humidity_pct} % RH" if s.room_humidity_pct is not None else "") if x)
        rows.append([f"{s.step.sequence}. {s.step.name}", _who(s.operator), s.equipment or "—", _dt(s.started_at),
                     _dt(s.ended_at), room or "—"])
    sections.append(Section(_("Process steps"), rows if len(rows) > 1 else (), text=_("No steps recorded.")))

    rows = [[_("Reject reason"), _("Quantity")]]
    for r in batch.rejects.select_related("reason").order_by("reason__code"):
        rows.append([f"{r.reason.code} — {r.reason.name}", r.quantity])
    sections.append(Section(_("Rejects"), rows if len(rows) > 1 else (), text=_("No rejects.")))

    rows = [[_("Printed at"), _("Template"), _("Stock"), _("Copies"), _("Serials"), _("Printed by")]]
    for job in PrintJob.objects.filter(batch=batch).select_related("printed_by").order_by("printed_at", "pk"):
        serials = f"{job.serial_from} – {job.serial_to}" if job.serial_from else "—"
        rows.append([_dt(job.printed_at), job.template, job.stock, job.copies, serials, _who(job.printed_by)])
    sections.append(Section(_("Label print jobs"), rows if len(rows) > 1 else (), text=_("No labels printed.")))

    rows = [[_("Recorded at"), _("Template"), _("Issued"), _("Used"), _("Destroyed"), _("Returned"),
             _("Discrepancy"), _("Recorded by")]]
    for rec in LabelReconciliation.objects.filter(batch=batch).select_related("recorded_by", "batch").order_by(
            "recorded_at"):
        discrepancy = "0"
        if rec.discrepancy:
            opened = ", ".join(str(d) for d in discrepancy_records(rec))
            discrepancy = f"{rec.discrepancy:+d} — {rec.reason}" + (f" ({opened})" if opened else "")
        rows.append([_dt(rec.recorded_at), rec.template, rec.issued, rec.used, rec.destroyed, rec.returned,
                     discrepancy, _who(rec.recorded_by)])
    sections.append(Section(_("Label reconciliation"), rows if len(rows) > 1 else (),
                            text=_("Labels not reconciled yet.")))

    for func in record_section_funcs():
        section = func(batch)
        if isinstance(section, list | tuple):
            sections.extend(section)
        elif section is not None:
            sections.append(section)
    return sections


def batch_record_pdf(batch, *, printed_by: str = "") -> bytes:
    facts = [
        (_("Product"), f"{batch.product.code} — {batch.product.name}"),
        (_("GTIN"), batch.product.gtin),
        (_("Lot"), batch.lot_number),
        (_("Kind"), batch.get_kind_display()),
        (_("Status"), batch.get_status_display()),
        (_("BOM version"), batch.bom.version_number if batch.bom_id else "—"),
        (_("Line"), str(batch.line)),
        (_("Manufactured on"), _d(batch.manufactured_on)),
        (_("Expiry date"), _d(batch.expiry_date)),
        (_("Started at"), _dt(batch.started_at)),
        (_("Completed at"), _dt(batch.completed_at)),
        (_("Planned quantity"), batch.planned_quantity),
        (_("Quantity made"), batch.quantity_made),
        (_("Quantity rejected"), batch.quantity_rejected),
        (_("Quantity released"), batch.quantity_released),
        (_("Yield: made / planned"), _pct(batch.yield_pct)),
        (_("Released / made"), _pct(batch.release_yield_pct)),
    ]
    return RecordPdf(title=_("Batch record"), reference=_("Lot %(lot)s") % {"lot": batch.lot_number}, facts=facts,
                     sections=batch_record_sections(batch), signatures=signature_rows(batch),
                     printed_by=printed_by).build()
