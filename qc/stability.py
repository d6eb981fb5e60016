"""Stability studies (EN ISO 23640; IVDR Annex II §6.3; DOMAIN.md §6): protocol (real time, accelerated at a
temperature, in use, transport), at least 3 lots, time points with pull dates, results against the product's
stability specifications, and the shelf life they support.

- Per study: the longest time point at which every lot meets every active stability specification, time
  points taken in order: a time point with a failing result ends the support, and so does one not yet complete
  (a later point cannot support a claim an earlier one has not shown).
- Per product: the claim comes from **approved real-time** studies only (the longest of them); accelerated
  studies are shown as provisional. The claim is stored on the product through
  ``production.services.record_supported_shelf_life`` (``supported_shelf_life_months`` in the products API).
- A product whose shelf-life setting exceeds the claim shows a warning on its page and on every batch release
  check; QA can make it a release gate per product (``set_stability_gate``, blocker ``shelf_life_unsupported``).
- ``due_stability_pulls`` lists the time points whose pull date is due: the notifications work wires it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from lims.permissions import require
from production.models import Batch, Product, add_months
from qc.models import (
    InspectionResult,
    Specification,
    StabilityGate,
    StabilityLot,
    StabilityResult,
    StabilityStudy,
    StabilityTimePoint,
    Stage,
)

MINIMUM_LOTS = 3
PASS, FAIL = InspectionResult.Outcome.PASS, InspectionResult.Outcome.FAIL


def stability_specs(product):
    return Specification.objects.filter(product=product, stage=Stage.STABILITY, active=True).order_by("code")


# --- Creating a study ----------------------------------------------------------------------------------------


@service
def create_stability_study(*, product, title: str, protocol: str, started_on, lots, months, temperature_c=None,
                           conditions: str = "", user, reason: str = ""):
    """A study of ``product`` on at least 3 lots (batches of the product), with time points at ``months`` after
    ``started_on`` (the pull dates). An accelerated study names its temperature."""
    require(user, "qc.add_stabilitystudy")
    errors = {}
    if protocol not in StabilityStudy.Protocol.values:
        errors["protocol"] = [_("Choose real time, accelerated, in use or transport.")]
    if protocol == StabilityStudy.Protocol.ACCELERATED and temperature_c in (None, ""):
        errors["temperature_c"] = [_("An accelerated study is run at a stated temperature.")]
    batches = []
    for lot in lots or ():
        batch = lot if isinstance(lot, Batch) else Batch.objects.filter(lot_number=str(lot).strip()).first()
        if batch is None or batch.product_id != getattr(product, "pk", None):
            errors.setdefault("lots", []).append(_("%(lot)s is not a batch of this product.") % {"lot": lot})
        elif batch not in batches:
            batches.append(batch)
    if len(batches) < MINIMUM_LOTS and "lots" not in errors:
        errors["lots"] = [_("A stability study needs at least %(n)s lots (EN ISO 23640).") % {"n": MINIMUM_LOTS}]
    try:
        points = sorted({int(m) for m in months or ()})
    except (TypeError, ValueError):
        points = []
        errors["months"] = [_("Time points are whole numbers of months.")]
    if not points and "months" not in errors:
        errors["months"] = [_("Give the time points in months (e.g. 0, 3, 6, 12, 18, 24).")]
    elif points and (points[0] < 0 or points[-1] > 120):
        errors["months"] = [_("Time points are between 0 and 120 months.")]
    if errors:
        raise ValidationError(errors)
    study = StabilityStudy(product=product, title=title, protocol=protocol, started_on=started_on,
                           temperature_c=temperature_c if temperature_c not in ("",) else None,
                           conditions=conditions)
    study.full_clean()
    study.save()
    for batch in batches:
        StabilityLot.objects.create(study=study, batch=batch)
    for m in points:
        StabilityTimePoint.objects.create(study=study, months=m, pull_date=add_months(study.started_on, m))
    return study


# --- Results ---------------------------------------------------------------------------------------------------


def _judge(spec, value, passed):
    if spec.kind == Specification.Kind.NUMERIC:
        if spec.lower is not None and value < spec.lower:
            return FAIL
        if spec.upper is not None and value > spec.upper:
            return FAIL
        return PASS
    return PASS if passed else FAIL


@service
def record_stability_results(time_point, rows, *, user, reason: str = ""):
    """Results of a time point: ``[{"lot": lot number or StabilityLot, "specification", "value" | "passed"}]``,
    judged against the stability specifications. The time point is marked pulled on the first result."""
    require(user, "qc.add_stabilityresult")
    time_point = StabilityTimePoint.objects.select_for_update().select_related("study__product").get(
        pk=time_point.pk)
    study = time_point.study
    if study.status == StabilityStudy.Status.APPROVED and not reason:
        from lims.errors import ReasonRequired

        raise ReasonRequired()
    if not rows:
        raise ValidationError({"results": [_("Record at least one result.")]})
    lots = {lot.batch.lot_number: lot for lot in study.lots.select_related("batch")}
    created = []
    for index, row in enumerate(rows):
        key = f"results.{index}"
        lot = row.get("lot")
        lot = lot if isinstance(lot, StabilityLot) and lot.study_id == study.pk else lots.get(str(lot))
        if lot is None:
            raise ValidationError({f"{key}.lot": [_("Not a lot of this study.")]})
        spec = row.get("specification")
        if not isinstance(spec, Specification):
            spec = Specification.objects.filter(pk=spec).first() if str(spec).isdigit() else None
        if spec is None or spec.product_id != study.product_id or spec.stage != Stage.STABILITY:
            raise ValidationError({f"{key}.specification": [_("Not a stability specification of this product.")]})
        value, passed = None, None
        if spec.kind == Specification.Kind.NUMERIC:
            try:
                value = Decimal(str(row.get("value")))
            except (InvalidOperation, ValueError, TypeError):
                raise ValidationError({f"{key}.value": [_("A number is required.")]}) from None
        else:
            if row.get("passed") is None:
                raise ValidationError({f"{key}.passed": [_("Say whether it passed.")]})
            passed = bool(row.get("passed"))
        result = StabilityResult.objects.filter(time_point=time_point, lot=lot, specification=spec).first()
        if result is not None:
            if not reason:
                raise ValidationError({f"{key}.lot": [_("This result exists; correcting it needs a reason.")]})
        else:
            result = StabilityResult(time_point=time_point, lot=lot, specification=spec)
        result.value, result.passed, result.outcome = value, passed, _judge(spec, value, passed)
        result.save()
        created.append(result)
    if time_point.pulled_on is None:
        time_point.pulled_on = timezone.localdate()
        time_point.save()
    refresh_product_support(study.product, user=user)
    return created


@service
def approve_stability_study(study, *, user, reason: str = ""):
    """ongoing → approved by QA: from then on a real-time study's supported shelf life is the product's claim."""
    require(user, "qc.approve_stabilitystudy")
    study = StabilityStudy.objects.select_for_update().select_related("product").get(pk=study.pk)
    if study.status == StabilityStudy.Status.APPROVED:
        raise DomainError(_("This study is already approved."), "invalid_state")
    if study.lots.count() < MINIMUM_LOTS:
        raise DomainError(_("A stability study needs at least %(n)s lots.") % {"n": MINIMUM_LOTS}, "too_few_lots")
    if supported_months(study) is None:
        raise DomainError(_("No time point is complete and passing yet: nothing to approve."), "no_supported_point")
    study.status = StabilityStudy.Status.APPROVED
    study.approved_by, study.approved_at = user, timezone.now()
    study.save()
    refresh_product_support(study.product, user=user)
    return study


@service
def set_stability_gate(product, *, enforced: bool, user, reason: str = ""):
    """QA enables (or disables) the release gate ``shelf_life_unsupported`` for ``product``."""
    require(user, "qc.change_stabilitygate")
    gate = StabilityGate.objects.select_for_update().filter(product=product).first() or StabilityGate(
        product=product)
    gate.enforced = bool(enforced)
    gate.save()
    return gate


# --- What the data support -------------------------------------------------------------------------------------


def point_table(study) -> list[dict]:
    """Per time point: its results by lot and specification, complete (every lot × every spec) and passed."""
    specs = list(stability_specs(study.product_id))
    lots = list(study.lots.select_related("batch"))
    results = {}
    for r in StabilityResult.objects.filter(time_point__study=study).select_related("specification"):
        results[r.time_point_id, r.lot_id, r.specification_id] = r
    table = []
    for point in study.time_points.all():
        cells = {(lot.pk, spec.pk): results.get((point.pk, lot.pk, spec.pk)) for lot in lots for spec in specs}
        present = [c for c in cells.values() if c is not None]
        complete = bool(specs) and bool(lots) and len(present) == len(cells)
        failed = [c for c in present if c.outcome == FAIL]
        table.append({"point": point, "cells": cells, "complete": complete, "failed": failed,
                      "passed": complete and not failed,
                      "rows": [{"lot": lot, "cells": [(spec, cells[lot.pk, spec.pk]) for spec in specs]}
                               for lot in lots]})
    return table


def supported_months(study) -> int | None:
    """The longest time point (months) at which every lot still meets every specification, points in order;
    None when no point is complete and passing."""
    supported = None
    for row in point_table(study):
        if not row["passed"]:
            break
        supported = row["point"].months
    return supported


def product_support(product) -> dict:
    """``claim``: the longest support of approved real-time studies (None without one); ``provisional``: the
    longest support of accelerated studies (shown, never claimed); ``studies``: each study with its support."""
    studies = []
    claim = provisional = None
    for study in StabilityStudy.objects.filter(product=product).order_by("started_on", "pk"):
        months = supported_months(study)
        studies.append({"study": study, "months": months})
        if months is None:
            continue
        if study.protocol == StabilityStudy.Protocol.REAL_TIME and study.status == StabilityStudy.Status.APPROVED:
            claim = months if claim is None else max(claim, months)
        elif study.protocol == StabilityStudy.Protocol.ACCELERATED:
            provisional = months if provisional is None else max(provisional, months)
    return {"claim": claim, "provisional": provisional, "studies": studies}


def refresh_product_support(product, *, user) -> None:
    from production.services import record_supported_shelf_life

    claim = product_support(product)["claim"]
    product = Product.objects.get(pk=product.pk)
    if product.supported_shelf_life_months != claim:
        record_supported_shelf_life(product, claim, user=user, reason=_("Stability data"))


def shelf_life_warning(product) -> str | None:
    """The warning shown on the product's page and on every release check, or None when stability supports
    the product's shelf-life setting."""
    if product.supported_shelf_life_months is None:
        return _("%(code)s claims %(months)s months of shelf life, but no approved real-time stability study "
                 "supports it yet.") % {"code": product.code, "months": product.shelf_life_months}
    if product.shelf_life_months > product.supported_shelf_life_months:
        return _("%(code)s claims %(months)s months of shelf life; approved real-time stability data support "
                 "%(supported)s months.") % {"code": product.code, "months": product.shelf_life_months,
                                             "supported": product.supported_shelf_life_months}
    return None


def gate_enforced(product) -> bool:
    return StabilityGate.objects.filter(product=product, enforced=True).exists()


def release_gate_reasons(batch) -> list[dict]:
    product = Product.objects.get(pk=batch.product_id)
    warning = shelf_life_warning(product)
    if warning and gate_enforced(product):
        return [{"code": "shelf_life_unsupported", "detail": warning}]
    return []


def release_warnings(batch) -> list[dict]:
    """The shelf-life warning of every release check when the gate is off (when on, it is a blocker)."""
    product = Product.objects.get(pk=batch.product_id)
    warning = shelf_life_warning(product)
    if warning and not gate_enforced(product):
        return [{"code": "shelf_life_unsupported", "detail": warning}]
    return []


def due_stability_pulls(on=None, *, within_days: int = 7):
    """Pull-date reminders: the time points of ongoing studies not yet pulled whose pull date is on or before
    ``on`` + ``within_days`` (today by default), earliest first. For the notifications to send."""
    from datetime import timedelta

    day = (on or timezone.localdate()) + timedelta(days=within_days)
    return (StabilityTimePoint.objects.filter(pulled_on__isnull=True, pull_date__lte=day,
                                              study__status=StabilityStudy.Status.ONGOING)
            .select_related("study__product").order_by("pull_date", "pk"))
