"""The release gates of a batch (DESIGN.md, Disposition; DOMAIN.md §3 four eyes). ``release_blockers`` returns
every reason a signer may not release a batch now, each ``{"code", "detail"}`` with the stable codes of API.md.
Other apps (the ERP check, monitoring's tests) may call it; it only reads."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from production.models import Batch
from qc.models import Deviation, Inspection, InspectionResult, Specification, Stage

RELEASABLE = (Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED)


def required_release_specs(product):
    return Specification.objects.filter(product=product, stage=Stage.RELEASE, required_for_release=True,
                                        active=True).order_by("code")


def release_results(batch) -> dict:
    """specification id → the latest result of an approved release inspection of ``batch``."""
    results = (InspectionResult.objects
               .filter(inspection__batch=batch, inspection__stage=Stage.RELEASE,
                       inspection__status=Inspection.Status.APPROVED)
               .select_related("specification", "inspection")
               .order_by("inspection__approved_at", "inspection_id"))
    return {r.specification_id: r for r in results}


def _unassessed_excursions(batch):
    try:
        from production.monitoring.gates import unassessed_excursions
    except ImportError:  # monitoring not installed or not built yet: no excursion can block
        return []
    return list(unassessed_excursions(batch))


def release_blockers(batch, signer) -> list[dict]:
    """Every reason ``signer`` may not release ``batch`` now (empty: release allowed):

    - ``invalid_state``: the batch is not awaiting QC or quarantined;
    - ``qc_incomplete``: a required release specification has no result in an approved release inspection;
    - ``qc_failed``: the latest approved result of a required release specification failed;
    - ``open_deviation``: a deviation or OOS of the batch is not closed;
    - ``unassessed_excursion``: an environmental excursion during the batch's production is not assessed;
    - ``control_run_rejected``: an inspection of the batch used a control run the Westgard rules rejected;
    - ``shelf_life_unsupported``: the product's stability gate is on and its shelf life exceeds what approved
      real-time stability studies support;
    - ``four_eyes``: the signer recorded or reviewed an inspection of this batch (DOMAIN.md §3).
    """
    reasons = []
    if batch.status not in RELEASABLE:
        reasons.append({"code": "invalid_state", "detail": _("Batch %(lot)s is %(status)s, not awaiting QC.")
                        % {"lot": batch.lot_number, "status": batch.get_status_display()}})
    results = release_results(batch)
    missing, failed = [], []
    for spec in required_release_specs(batch.product_id):
        result = results.get(spec.pk)
        if result is None:
            missing.append(spec.code)
        elif result.outcome != InspectionResult.Outcome.PASS:
            failed.append(f"{spec.code} ({result.display_value})")
    if missing:
        reasons.append({"code": "qc_incomplete", "detail": _(
            "No approved release result for: %(list)s.") % {"list": ", ".join(missing)}})
    if failed:
        reasons.append({"code": "qc_failed", "detail": _("Failed release tests: %(list)s.")
                        % {"list": ", ".join(failed)}})
    open_deviations = list(Deviation.objects.filter(batch=batch).exclude(status=Deviation.Status.CLOSED)
                           .order_by("pk"))
    if open_deviations:
        reasons.append({"code": "open_deviation", "detail": _("Deviations not closed: %(list)s.")
                        % {"list": ", ".join(str(d) for d in open_deviations)}})
    from qc.control import batch_blockers
    from qc.stability import release_gate_reasons

    reasons.extend(batch_blockers(batch))  # control_run_rejected: a rejected Westgard run behind a result
    reasons.extend(release_gate_reasons(batch))  # shelf_life_unsupported, when QA enabled the stability gate
    excursions = _unassessed_excursions(batch)
    if excursions:
        listed = ", ".join(str(e) for e in excursions)
        reasons.append({"code": "unassessed_excursion", "detail": _(
            "Environmental excursions not assessed by QA: %(list)s.") % {"list": listed}})
    why = four_eyes_reason(batch, signer) if signer is not None else None
    if why:
        reasons.append({"code": "four_eyes", "detail": why})
    return reasons


def four_eyes_reason(batch, signer):
    """Why ``signer`` may not decide ``batch`` (they recorded or reviewed its QC; DOMAIN.md §3), or None."""
    if Inspection.objects.filter(batch=batch).filter(Q(recorded_by=signer) | Q(reviewed_by=signer)).exists():
        return _("You recorded or reviewed QC results of this batch; another person must release it.")
    return None
