"""The batch record PDF: the device history record (ISO 13485 7.5.1, 8.2.6; 21 CFR 820.184 (a)–(f); DOMAIN.md
§2). Production prints what it owns — the batch, its BOM version, the component lots with their expiry, the steps
with operator, equipment, room conditions and times, the rejects by reason — and every other app adds its
sections through ``lims.registry.register_record_section`` (room conditions and excursions, label jobs and
reconciliation, QC records, deviations and CAPA, the release decision, shipments). The signature block is the
batch story's (lims.story): every signature of every record of the batch, each marked signed or changed after
signature, and the release decision "not signed yet" while there is none.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lims.pdf import RecordPdf, Section, local
from lims.registry import record_section_funcs
from lims.signatures import printed_name
from lims.story import batch_story, story_signatures
from production.models import Batch


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
        rows.append([f"{lot.material.code} {lot.material.name}", lot.supplier, lot.supplier_lot,
                     _d(lot.expiry_date), c.quantity, local(c.consumed_at), _who(c.consumed_by)])
    sections.append(Section(_("Consumed component lots"), rows if len(rows) > 1 else (),
                            text=_("No component lots consumed."),
                            widths=(0.18, 0.14, 0.14, 0.11, 0.1, 0.18, 0.15)))

    rows = [[_("Step"), _("Operator"), _("Equipment"), _("Started at"), _("Ended at"), _("Room")]]
    for s in batch.steps.select_related("step", "operator").order_by("started_at", "pk"):
        room = " / ".join(x for x in (f"{s.room_temperature_c} °C" if s.room_temperature_c is not None else "",
                                      f"{s.room_humidity_pct} % RH" if s.room_humidity_pct is not None else "") if x)
        rows.append([f"{s.step.sequence}. {s.step.name}", _who(s.operator), s.equipment or "—", local(s.started_at),
                     local(s.ended_at), room or "—"])
    sections.append(Section(_("Process steps"), rows if len(rows) > 1 else (), text=_("No steps recorded."),
                            widths=(0.26, 0.14, 0.14, 0.16, 0.16, 0.14)))

    rows = [[_("Reject reason"), _("Quantity")]]
    for r in batch.rejects.select_related("reason").order_by("reason__code"):
        rows.append([f"{r.reason.code} — {r.reason.display_name}", r.quantity])
    sections.append(Section(_("Rejects"), rows if len(rows) > 1 else (), text=_("No rejects.")))

    for func in record_section_funcs():
        section = func(batch)
        if isinstance(section, list | tuple):
            sections.extend(section)
        elif section is not None:
            sections.append(section)
    return sections


DECIDED = {Batch.Status.RELEASED, Batch.Status.REJECTED}


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
        (_("Started at"), local(batch.started_at)),
        (_("Completed at"), local(batch.completed_at)),
        (_("Planned quantity"), batch.planned_quantity),
        (_("Quantity made"), batch.quantity_made),
        (_("Quantity rejected"), batch.quantity_rejected),
        (_("Quantity released"), batch.quantity_released),
        (_("Quantity shipped"), batch.quantity_shipped),
        (_("Yield: made / planned"), _pct(batch.yield_pct)),
        (_("Released / made"), _pct(batch.release_yield_pct)),
    ]
    story = batch_story(batch)
    signatures = story_signatures(story)
    pending = [] if batch.status in DECIDED else [_("Release decision (QA)")]
    changed = any(getattr(s, "changed_after", False) for s in signatures)
    facts.append((_("Audit trail"), _("%(n)s entries in the batch story (page “Story” of the batch)")
                  % {"n": len(story)}))
    return RecordPdf(title=_("Batch record"), reference=_("Lot %(lot)s") % {"lot": batch.lot_number}, facts=facts,
                     sections=batch_record_sections(batch), signatures=signatures, pending=pending,
                     printed_by=printed_by,
                     note=_("A record changed after it was signed: see the signatures marked as changed.")
                     if changed else "").build()
