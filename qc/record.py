"""The QC part of the batch record PDF (device history record, 21 CFR 820.184 (e)–(f); DOMAIN.md §2): the
acceptance (QC) records (a superseded inspection marked so), the deviations with their CAPAs, and the release
decision with who authorised it. Registered into production's batch record from QcConfig.ready()."""

from django.utils.translation import gettext as _

from lims.pdf import Section, local
from lims.signatures import signature_rows
from qc.models import Deviation, Disposition, Inspection, InspectionResult


def _when(value):
    return local(value)


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else "—"


def qc_summary_section(batch):
    inspections = (Inspection.objects.filter(batch=batch)
                   .select_related("recorded_by", "reviewed_by", "approved_by", "invalidated_by",
                                   "invalidating_deviation")
                   .prefetch_related("results__specification").order_by("pk"))
    rows = [[_("Inspection"), _("Stage"), _("Sample size"), _("Results"), _("Status"),
             _("Recorded / reviewed / approved")]]
    for inspection in inspections:
        results = list(inspection.results.all())
        failed = sum(1 for r in results if r.outcome == InspectionResult.Outcome.FAIL)
        rows.append([
            f"#{inspection.pk}", inspection.get_stage_display(), inspection.sample_size,
            _("%(n)s results, %(failed)s failing") % {"n": len(results), "failed": failed},
            (_("SUPERSEDED") + " — " if inspection.superseded else "") + inspection.get_status_display() + (
                " — " + _("superseded by %(who)s on %(when)s: %(why)s (%(deviation)s)") % {
                    "who": _name(inspection.invalidated_by), "when": _when(inspection.invalidated_at),
                    "why": inspection.invalidation_reason, "deviation": inspection.invalidating_deviation}
                if inspection.superseded else ""),
            " / ".join(_name(u) for u in (inspection.recorded_by, inspection.reviewed_by, inspection.approved_by)),
        ])
    return Section(_("Acceptance (QC) records"), rows if len(rows) > 1 else (),
                   text=_("No QC inspection recorded for this batch."),
                   widths=(0.1, 0.14, 0.1, 0.2, 0.12, 0.34))


def deviations_section(batch):
    rows = [[_("Deviation"), _("Kind"), _("Status"), _("Opened"), _("Closed"), _("Root cause"), _("CAPA")]]
    for deviation in Deviation.objects.filter(batch=batch).prefetch_related("capas").order_by("pk"):
        capas = "\n".join(f"{c.action} ({_('done') if c.done else _('open')}, {c.due_date.isoformat()})"
                          for c in deviation.capas.all()) or "—"
        rows.append([str(deviation), deviation.get_kind_display(), deviation.get_status_display(),
                     _when(deviation.opened_at), _when(deviation.closed_at), deviation.root_cause or "—", capas])
    return Section(_("Deviations and CAPA"), rows if len(rows) > 1 else (), text=_("No deviation on this batch."),
                   widths=(0.2, 0.09, 0.1, 0.13, 0.13, 0.15, 0.2))


def disposition_section(batch):
    rows = [[_("Decision"), _("Quantity released"), _("Reason"), _("Electronic signature")]]
    for disposition in Disposition.objects.filter(batch=batch).select_related("decided_by").order_by("pk"):
        signed = "; ".join(
            f"{s.printed_name} ({s.signer.get_username()}), {s.get_meaning_display()}, {_when(s.signed_at)}"
            + (f" — {_('changed after signature')}" if s.changed_after else "")
            for s in signature_rows(disposition)) or _("not signed")
        rows.append([disposition.get_decision_display(), disposition.quantity_released,
                     disposition.comment or "—", signed])
    return Section(_("Release decision"), rows if len(rows) > 1 else (),
                   text=_("No release decision yet."), widths=(0.14, 0.14, 0.3, 0.42))
