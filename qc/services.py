"""Every state change of QC and release (STYLE.md §1): specifications, inspections with their server-side
judgement, the second check and approval (signed), deviations and CAPA, and the signed batch disposition.
Each function takes the acting ``user`` and a ``reason`` (keyword-only), runs in one transaction, locks what it
changes and refuses with a DomainError code."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from lims.models import Signature
from lims.permissions import require
from lims.services import create_record, require_reason
from lims.signatures import SigningAction, sign
from production import services as production_services
from production.models import Batch, MaterialLot
from qc.gates import release_blockers
from qc.models import Capa, Deviation, Disposition, Inspection, InspectionResult, Specification, Stage
from qc.sampling import PlanInputError, resolve_plan

# --- Specifications --------------------------------------------------------------------------------------


@service
def create_specification(data: dict, *, user, reason: str = ""):
    """A test of a product's specification; limits are validated in ``Specification.clean``."""
    return create_record(Specification, data, user=user, reason=reason)


# --- Judging ---------------------------------------------------------------------------------------------


def _decimal(value, field):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("A number is required.")]}) from None


def judge(spec: Specification, *, value=None, passed=None, defects=None, accept=None, reject=None) -> str:
    """The outcome of one result, decided by the server, never by the client:

    - numeric: pass when lower ≤ value ≤ upper (limits inclusive; a missing limit is open);
    - attribute with an AQL plan: defects ≤ Ac pass, defects ≥ Re fail (ISO 2859-1 single sampling);
    - attribute without a plan: the pass/fail observation as entered.
    """
    p, f = InspectionResult.Outcome.PASS, InspectionResult.Outcome.FAIL
    if spec.kind == Specification.Kind.NUMERIC:
        if spec.lower is not None and value < spec.lower:
            return f
        if spec.upper is not None and value > spec.upper:
            return f
        return p
    if defects is not None and accept is not None:
        if defects <= accept:
            return p
        return f  # with single sampling Re = Ac + 1, so anything above Ac is at least Re
    return p if passed else f


ATTRIBUTE_WORDS = {"pass": True, "passed": True, "true": True, "fail": False, "failed": False, "false": False}


def _clean_result(spec, row: dict, index: int, inspection: Inspection) -> dict:
    key = f"results.{index}"
    passed = row.get("passed")
    defects = row.get("defects")
    raw = row.get("value")
    if spec.kind == Specification.Kind.NUMERIC:
        value = _decimal(raw, f"{key}.value")
    else:
        value = None
        if passed is None and isinstance(raw, str) and raw.strip().lower() in ATTRIBUTE_WORDS:
            passed = ATTRIBUTE_WORDS[raw.strip().lower()]
    if spec.kind == Specification.Kind.NUMERIC:
        if value is None:
            raise ValidationError({f"{key}.value": [_("%(spec)s needs a numeric value.") % {"spec": spec.code}]})
        passed = None  # a client's verdict is never trusted for a number
        defects = None
    else:
        value = None
        if spec.aql and inspection.accept is not None:
            if defects in (None, ""):
                raise ValidationError({f"{key}.defects": [
                    _("%(spec)s is judged by AQL: the number of defects found is required.") % {"spec": spec.code}]})
            try:
                defects = int(defects)
            except (TypeError, ValueError):
                raise ValidationError({f"{key}.defects": [_("A whole number is required.")]}) from None
            if defects < 0 or defects > inspection.sample_size:
                raise ValidationError({f"{key}.defects": [
                    _("The defects must be between 0 and the sample size (%(n)s).") % {"n": inspection.sample_size}]})
            passed = None
        else:
            if defects not in (None, ""):
                try:
                    defects = int(defects)
                except (TypeError, ValueError):
                    raise ValidationError({f"{key}.defects": [_("A whole number is required.")]}) from None
            else:
                defects = None
            if passed is None:
                raise ValidationError({f"{key}.passed": [
                    _("%(spec)s is a pass/fail test: say whether it passed.") % {"spec": spec.code}]})
            passed = bool(passed)
    outcome = judge(spec, value=value, passed=passed, defects=defects,
                    accept=inspection.accept if spec.aql else None, reject=inspection.reject if spec.aql else None)
    return {"value": value, "passed": passed, "defects": defects, "text": str(row.get("text") or "")[:500],
            "outcome": outcome}


def _open_oos(result: InspectionResult, *, user):
    inspection = result.inspection
    spec = result.specification
    subject = inspection.batch.lot_number if inspection.batch_id else str(inspection.material_lot)
    from lims.notifications import notify

    deviation = Deviation.objects.create(
        kind=Deviation.Kind.OOS, batch=inspection.batch, result=result, opened_by=user,
        title=_("OOS %(spec)s on %(subject)s") % {"spec": spec.code, "subject": subject},
        description=_("%(spec)s %(name)s: result %(value)s, specification %(limits)s.") % {
            "spec": spec.code, "name": spec.name, "value": result.display_value, "limits": spec.limits_display})
    notify("qc.oos", deviation, key=f"oos:{deviation.pk}",
           params={"deviation": str(deviation), "spec": spec.code, "subject": subject,
                   "value": str(result.display_value), "limits": str(spec.limits_display)})
    return deviation


# --- Inspections -----------------------------------------------------------------------------------------


def resolve_inspection_plan(*, batch=None, sample_size=None, lot_size=None, aql=None, level: str = "II",
                            severity: str = "normal") -> dict:
    """The sampling plan of an inspection as its field values: resolved from ISO 2859-1 (``lot_size`` + ``aql``,
    the batch's quantity made when no lot size is given) or a given ``sample_size``. Bad input raises a
    ValidationError on the field at fault (``lot_size``, ``aql``, ``level``, ``sample_size``)."""
    level = level or "II"
    if aql not in (None, ""):
        if lot_size in (None, ""):
            lot_size = batch.quantity_made if batch is not None and batch.quantity_made else None
        if lot_size in (None, ""):
            raise ValidationError({"lot_size": [_("The lot size is needed to choose the sampling plan.")]})
        try:
            plan = resolve_plan(int(lot_size), aql, level, severity)
        except PlanInputError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        except (ValueError, TypeError) as exc:
            raise ValidationError({"lot_size": [str(exc)]}) from None
        size = plan.sample_size if sample_size in (None, "") else int(sample_size)
        if size < plan.sample_size:
            raise ValidationError({"sample_size": [
                _("The plan needs at least %(n)s units (code letter %(letter)s).")
                % {"n": plan.sample_size, "letter": plan.code_letter}]})
        return {"lot_size": plan.lot_size, "aql": plan.aql, "level": plan.level, "code_letter": plan.code_letter,
                "accept": plan.accept, "reject": plan.reject, "sample_size": size, "severity": plan.severity}
    if sample_size in (None, ""):
        raise ValidationError({"sample_size": [_("Give the sample size, or the lot size and AQL.")]})
    if int(sample_size) < 1:
        raise ValidationError({"sample_size": [_("The sample size must be at least 1.")]})
    return {"lot_size": int(lot_size) if lot_size not in (None, "") else None, "aql": "", "level": level,
            "sample_size": int(sample_size)}


def _result_spec(row: dict, index: int, product, seen: set) -> Specification:
    spec = row.get("specification")
    if not isinstance(spec, Specification):
        spec = Specification.objects.filter(pk=spec).first()
    if spec is None:
        raise ValidationError({f"results.{index}.specification": [_("Unknown specification.")]})
    if product is not None and spec.product_id != product.pk:
        raise ValidationError({f"results.{index}.specification": [
            _("%(spec)s is not a specification of %(product)s.") % {"spec": spec.code, "product": product.code}]})
    if spec.pk in seen:
        raise ValidationError({f"results.{index}.specification": [
            _("%(spec)s is listed twice.") % {"spec": spec.code}]})
    seen.add(spec.pk)
    return spec


def _retested(row: dict, index: int, spec, inspection) -> InspectionResult | None:
    """The earlier result a row retests (``retest_of``: a result id): same batch (or lot) and same test."""
    ref = row.get("retest_of")
    if ref in (None, ""):
        return None
    original = ref if isinstance(ref, InspectionResult) else InspectionResult.objects.filter(pk=ref).first()
    key = f"results.{index}.retest_of"
    if original is None:
        raise ValidationError({key: [_("Unknown result.")]})
    same_subject = (original.inspection.batch_id == inspection.batch_id
                    and original.inspection.material_lot_id == inspection.material_lot_id)
    if not same_subject or original.specification_id != spec.pk:
        raise ValidationError({key: [_("A retest repeats a result of the same test on the same batch or lot.")]})
    return original


def record_results(inspection, results, *, product, user) -> list[InspectionResult]:
    """Judge and save the results of a new inspection (``judge``); each failing result opens an OOS deviation
    linked to the batch and the result; a row's ``retest_of`` links it to the result it retests."""
    if not results:
        raise ValidationError({"results": [_("Record at least one result.")]})
    seen: set = set()
    saved = []
    for index, row in enumerate(results):
        spec = _result_spec(row, index, product, seen)
        result = InspectionResult.objects.create(inspection=inspection, specification=spec,
                                                 retest_of=_retested(row, index, spec, inspection),
                                                 **_clean_result(spec, row, index, inspection))
        if result.outcome == InspectionResult.Outcome.FAIL:
            _open_oos(result, user=user)
        saved.append(result)
    return saved


@service
def record_inspection(*, stage: str, results, batch=None, material_lot=None, sample_size=None, lot_size=None,
                      aql=None, level: str = "II", notes: str = "", user, reason: str = ""):
    """Record an inspection of a batch or a material lot (exactly one) with its results: the plan from
    ``resolve_inspection_plan``, the results through ``record_results`` (DESIGN.md, Inspection)."""
    errors = {}
    if (batch is None) == (material_lot is None):
        errors["batch"] = [_("Inspect either a batch or a material lot.")]
    if stage not in Stage.values:
        errors["stage"] = [_("Unknown stage.")]
    if not results:
        errors["results"] = [_("Record at least one result.")]
    if errors:
        raise ValidationError(errors)
    from qc.switching import severity_for_results

    severity = severity_for_results(results)  # ISO 2859-1 switching; 409 while discontinued
    if batch is not None:
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.status in (Batch.Status.PLANNED, Batch.Status.RELEASED, Batch.Status.REJECTED):
            raise DomainError(_("Batch %(lot)s is %(status)s and takes no new inspection.")
                              % {"lot": batch.lot_number, "status": batch.get_status_display()}, "invalid_state")
        product = batch.product
    else:
        material_lot = MaterialLot.objects.select_for_update().get(pk=material_lot.pk)
        product = None
    plan = resolve_inspection_plan(batch=batch, sample_size=sample_size, lot_size=lot_size, aql=aql, level=level,
                                   severity=severity)
    inspection = Inspection(batch=batch, material_lot=material_lot, stage=stage, recorded_by=user, notes=notes,
                            **plan)
    inspection.full_clean()
    inspection.save()
    record_results(inspection, results, product=product, user=user)
    return inspection


def _lock_inspection(inspection) -> Inspection:
    return (Inspection.objects.select_for_update(of=("self",)).select_related("batch", "material_lot")
            .get(pk=inspection.pk))


def _not_reviewer(user, inspection):
    if inspection.recorded_by_id == user.pk:
        return _("You recorded these results; another person must review them.")
    return None


def _not_approver(user, inspection):
    if inspection.recorded_by_id == user.pk:
        return _("You recorded these results; another person must approve them.")
    if inspection.reviewed_by_id == user.pk:
        return _("You reviewed these results; another person must approve them.")
    return None


def _not_releaser(user, batch):
    from qc.gates import four_eyes_reason

    return four_eyes_reason(batch, user)


REVIEW_INSPECTION = SigningAction("qc.review_inspection", ("reviewed",), may_sign=_not_reviewer,
                                  permission="qc.review_inspection")
APPROVE_INSPECTION = SigningAction("qc.approve_inspection", ("approved",), may_sign=_not_approver,
                                   permission="qc.approve_inspection")
CLOSE_DEVIATION = SigningAction("qc.close_deviation", ("closed",), permission="qc.close_deviation")


def _refuse_signer(action: SigningAction, user, obj):
    why = action.may_sign(user, obj) if action.may_sign else None
    if why:
        raise DomainError(why, "four_eyes")


@service(signs=REVIEW_INSPECTION)
def review_inspection(inspection, *, username: str, password: str, meaning: str = "", user, reason: str = ""):
    """recorded → reviewed: the second check of manually entered results (EU GMP Annex 11 §6), signed
    "reviewed". The reviewer is not the person who recorded them (``four_eyes``)."""
    require(user, "qc.review_inspection")
    inspection = _lock_inspection(inspection)
    if inspection.status != Inspection.Status.RECORDED:
        raise DomainError(_("Only a recorded inspection can be reviewed; this one is %(status)s.")
                          % {"status": inspection.get_status_display()}, "invalid_state")
    _refuse_signer(REVIEW_INSPECTION, user, inspection)
    inspection.status = Inspection.Status.REVIEWED
    inspection.reviewed_by, inspection.reviewed_at = user, timezone.now()
    inspection.save()
    sign(inspection, user=user, meaning=meaning, reason=reason)
    return inspection


@service(signs=APPROVE_INSPECTION)
def approve_inspection(inspection, *, username: str, password: str, meaning: str = "", user, reason: str = ""):
    """reviewed → approved, signed by QA; the approver neither recorded nor reviewed the results. An approved incoming
    inspection of a material lot decides the lot: every result passed → approved, otherwise rejected."""
    require(user, "qc.approve_inspection")
    inspection = _lock_inspection(inspection)
    if inspection.status != Inspection.Status.REVIEWED:
        raise DomainError(_("Only a reviewed inspection can be approved; this one is %(status)s.")
                          % {"status": inspection.get_status_display()}, "invalid_state")
    _refuse_signer(APPROVE_INSPECTION, user, inspection)
    from qc.control import inspection_blockers

    blocked = inspection_blockers(inspection)  # a control run rejected by the Westgard rules
    if blocked:
        raise DomainError(blocked[0]["detail"], "control_run_rejected", reasons=blocked)
    inspection.status = Inspection.Status.APPROVED
    inspection.approved_by, inspection.approved_at = user, timezone.now()
    inspection.save()
    sign(inspection, user=user, meaning=meaning, reason=reason)
    from qc.switching import count_lots

    count_lots(inspection, user=user)  # ISO 2859-1 switching rules count the approved original inspection
    lot = inspection.material_lot
    if lot is not None and inspection.stage == Stage.INCOMING and lot.status == MaterialLot.Status.QUARANTINE:
        note = reason or _("Incoming inspection %(id)s") % {"id": inspection.pk}
        if inspection.passed:
            production_services.approve_material_lot(lot, user=user, reason=note)
        else:
            production_services.reject_material_lot(lot, user=user, reason=note)
    return inspection


INVALIDATE_INSPECTION = SigningAction("qc.invalidate_inspection", ("invalidated",),
                                      permission="qc.invalidate_inspection")


@service(signs=INVALIDATE_INSPECTION)
def invalidate_inspection(inspection, *, deviation, username: str, password: str, meaning: str = "", user,
                          reason: str = ""):
    """Invalidate (supersede) an inspection, signed by QA with the reason and the deviation that justifies it
    (e.g. the OOS investigation that found a laboratory error). Its results no longer count for release; pages,
    the CoA and the batch record show it as superseded with who and why. Refused for an inspection already
    invalidated (``invalid_state``); the reason is required (400 ``reason_required``)."""
    require(user, "qc.invalidate_inspection")
    require_reason(reason)
    inspection = _lock_inspection(inspection)
    if inspection.status == Inspection.Status.INVALIDATED:
        raise DomainError(_("This inspection is already invalidated."), "invalid_state")
    if not isinstance(deviation, Deviation):
        deviation = Deviation.objects.filter(pk=deviation).first() if str(deviation or "").isdigit() else None
    if deviation is None:
        raise ValidationError({"deviation": [_("Name the deviation that justifies the invalidation.")]})
    if inspection.batch_id is None or deviation.batch_id != inspection.batch_id:
        raise ValidationError({"deviation": [_("The deviation must belong to the inspected batch.")]})
    inspection.status = Inspection.Status.INVALIDATED
    inspection.invalidated_by, inspection.invalidated_at = user, timezone.now()
    inspection.invalidation_reason = reason
    inspection.invalidating_deviation = deviation
    inspection.save()
    sign(inspection, user=user, meaning=meaning, reason=reason)
    return inspection


@service
def correct_result(result, *, value=None, passed=None, defects=None, text=None, user, reason: str = ""):
    """Correct one result, with a reason (Annex 11 §9). After review or approval the inspection goes back to
    ``recorded`` for a new review and approval (its earlier signatures show "changed after signature"). A
    correction that makes the result fail opens an OOS."""
    reason = require_reason(reason)
    result = InspectionResult.objects.select_for_update().select_related("specification").get(pk=result.pk)
    inspection = _lock_inspection(result.inspection)
    if inspection.status == Inspection.Status.INVALIDATED:
        raise DomainError(_("An invalidated inspection is superseded: record a retest instead."), "invalid_state")
    row = {"value": value if value is not None else result.value,
           "passed": passed if passed is not None else result.passed,
           "defects": defects if defects is not None else result.defects,
           "text": text if text is not None else result.text}
    before = result.outcome
    for field, new in _clean_result(result.specification, row, 0, inspection).items():
        setattr(result, field, new)
    result.save()
    if result.outcome == InspectionResult.Outcome.FAIL and before != result.outcome:
        _open_oos(result, user=user)
    if inspection.status != Inspection.Status.RECORDED:
        inspection.status = Inspection.Status.RECORDED
        inspection.reviewed_by = inspection.reviewed_at = inspection.approved_by = inspection.approved_at = None
    inspection.save()
    return result


# --- Deviations ------------------------------------------------------------------------------------------


@service
def open_deviation(*, title: str, description: str = "", batch=None, kind: str = Deviation.Kind.DEVIATION,
                   user, reason: str = ""):
    """A deviation raised by hand (production or QC)."""
    deviation = Deviation(kind=kind, batch=batch, title=title, description=description, opened_by=user)
    deviation.full_clean()
    deviation.save()
    return deviation


@service
def investigate_deviation(deviation, *, root_cause: str = "", impact_assessment: str = "", user, reason: str = ""):
    """open → investigating (or, while investigating, record findings)."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.status == Deviation.Status.CLOSED:
        raise DomainError(_("This deviation is closed."), "invalid_state")
    deviation.status = Deviation.Status.INVESTIGATING
    if root_cause:
        deviation.root_cause = root_cause
    if impact_assessment:
        deviation.impact_assessment = impact_assessment
    deviation.save()
    return deviation


CAPA_OWNER_ROLES = ("QA", "QC", "Production")


def capa_owners():
    """Who may own a CAPA: active people holding QA, QC or Production (an administrator too)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(groups__name__in=CAPA_OWNER_ROLES) | Q(is_superuser=True))
            .distinct().order_by("first_name", "last_name", "username"))


@service
def add_capa(deviation, *, action: str, owner, due_date, effectiveness_check: str = "", user, reason: str = ""):
    """A CAPA with its owner, who must be someone able to carry it out (``capa_owners``)."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.status == Deviation.Status.CLOSED:
        raise DomainError(_("This deviation is closed."), "invalid_state")
    if owner is None or not capa_owners().filter(pk=owner.pk).exists():
        raise ValidationError({"owner": [_("The owner of a CAPA must be an active user in QA, QC or Production.")]})
    capa = Capa(deviation=deviation, action=action, owner=owner, due_date=due_date,
                effectiveness_check=effectiveness_check)
    capa.full_clean()
    capa.save()
    return capa


@service
def complete_capa(capa, *, effectiveness_check: str = "", user, reason: str = ""):
    capa = Capa.objects.select_for_update().get(pk=capa.pk)
    capa.done = True
    if effectiveness_check:
        capa.effectiveness_check = effectiveness_check
    capa.save()
    return capa


@service(signs=CLOSE_DEVIATION)
def close_deviation(deviation, *, username: str, password: str, meaning: str = "", root_cause: str = "",
                    impact_assessment: str = "", no_capa_reason: str = "", user, reason: str = ""):
    """→ closed, signed by QA. Refused (``incomplete_investigation``) without a root cause, an impact assessment
    and at least one CAPA or an explicit reason why none is needed."""
    require(user, "qc.close_deviation")
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.status == Deviation.Status.CLOSED:
        raise DomainError(_("This deviation is already closed."), "invalid_state")
    deviation.root_cause = root_cause or deviation.root_cause
    deviation.impact_assessment = impact_assessment or deviation.impact_assessment
    deviation.no_capa_reason = no_capa_reason or deviation.no_capa_reason
    reasons = []
    if not deviation.root_cause.strip():
        reasons.append({"code": "root_cause_missing", "detail": _("The root cause is not recorded.")})
    if not deviation.impact_assessment.strip():
        reasons.append({"code": "impact_missing", "detail": _("The impact assessment is not recorded.")})
    if not deviation.capas.exists() and not deviation.no_capa_reason.strip():
        reasons.append({"code": "capa_missing",
                        "detail": _("Add a CAPA, or state why no CAPA is needed.")})
    if reasons:
        raise DomainError(_("The deviation cannot be closed: %(list)s")
                          % {"list": " ".join(str(r["detail"]) for r in reasons)},
                          "incomplete_investigation", reasons=reasons)
    deviation.status = Deviation.Status.CLOSED
    deviation.closed_by, deviation.closed_at = user, timezone.now()
    deviation.save()
    sign(deviation, user=user, meaning=meaning, reason=reason)
    return deviation


# --- Disposition -----------------------------------------------------------------------------------------

DECISION_STATUS = {
    Disposition.Decision.RELEASE: Batch.Status.RELEASED,
    Disposition.Decision.REJECT: Batch.Status.REJECTED,
    Disposition.Decision.QUARANTINE: Batch.Status.QUARANTINED,
}
DECISION_MEANING = {
    Disposition.Decision.RELEASE: Signature.Meaning.RELEASED,
    Disposition.Decision.REJECT: Signature.Meaning.REJECTED,
    Disposition.Decision.QUARANTINE: Signature.Meaning.QUARANTINED,
}
ALLOWED_FROM = {
    Disposition.Decision.RELEASE: (Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED),
    Disposition.Decision.REJECT: (Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED),
    Disposition.Decision.QUARANTINE: (Batch.Status.AWAITING_QC,),
}


DISPOSE_BATCH = SigningAction(
    "qc.dispose_batch", ("released", "rejected", "quarantined"),
    derive=lambda kwargs: DECISION_MEANING[kwargs["decision"]], may_sign=_not_releaser,
    permission="qc.add_disposition")


@service(signs=DISPOSE_BATCH)
def dispose_batch(batch, *, decision: str, username: str, password: str, meaning: str = "", quantity_released=None,
                  user, reason: str = ""):
    """QA's signed disposition of a batch (DESIGN.md, Disposition): release, reject or quarantine.

    Release is refused with every reason of ``qc.gates.release_blockers`` (the first reason's code is the
    error's code); a refusal raises inside the transaction, so nothing is written: no disposition, no status
    change, no signature.

    The decision and its signature belong to QC; the batch's ``status`` and ``quantity_released`` are written by
    production (``production.services.apply_disposition``) inside this audited transaction."""
    require(user, "qc.add_disposition")
    if decision not in Disposition.Decision.values:
        raise ValidationError({"decision": [_("Choose release, reject or quarantine.")]})
    batch = Batch.objects.select_for_update().select_related("product").get(pk=batch.pk)
    if decision == Disposition.Decision.RELEASE:
        blockers = release_blockers(batch, user)
        if blockers:
            raise DomainError(
                _("Batch %(lot)s cannot be released: %(list)s")
                % {"lot": batch.lot_number, "list": " ".join(str(b["detail"]) for b in blockers)},
                blockers[0]["code"], reasons=blockers)
    elif batch.status not in ALLOWED_FROM[decision]:
        raise DomainError(_("Batch %(lot)s is %(status)s and cannot be given this decision.")
                          % {"lot": batch.lot_number, "status": batch.get_status_display()}, "invalid_state",
                          reasons=[{"code": "invalid_state", "detail": _("The batch is %(status)s.")
                                    % {"status": batch.get_status_display()}}])
    released = 0
    if decision == Disposition.Decision.RELEASE:
        released = batch.quantity_made if quantity_released in (None, "") else quantity_released
        try:
            released = int(released)
        except (TypeError, ValueError):
            raise ValidationError({"quantity_released": [_("A whole number is required.")]}) from None
    batch = production_services.apply_disposition(batch, status=DECISION_STATUS[decision],
                                                  quantity_released=released, user=user, reason=reason)
    disposition = Disposition.objects.create(batch=batch, decision=decision, quantity_released=released,
                                             decided_by=user, comment=reason)
    sign(disposition, user=user, meaning=meaning, reason=reason)
    return disposition
