"""Control charts (DOMAIN.md §6): control materials with their target mean and SD, runs, results by run and level,
the Westgard multirule across runs and levels of an analyte (``qc.westgard``), Levey–Jennings and p-chart data.

A material's target comes from the manufacturer's insert, or from a baseline: results recorded before the
target is set are baseline results (no z, no rules); ``establish_target`` needs at least 20 of them and sets the
mean and the sample SD. Every later result gets its z-score and the rules it violates; a run with a rejecting
rule becomes ``rejected``, opens a deviation and blocks every inspection that used it (``inspection_blockers``,
applied by ``approve_inspection`` and the release gates).
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from lims.permissions import require
from lims.services import create_record
from qc import westgard
from qc.models import (
    ControlMaterial,
    ControlResult,
    ControlRun,
    ControlRunUse,
    Inspection,
    InspectionResult,
    Specification,
    Stage,
    WestgardConfig,
)

BASELINE_MINIMUM = 20


def rules_for(analyte: str) -> tuple[str, ...]:
    config = WestgardConfig.objects.filter(analyte=analyte).first()
    return tuple(config.rules) if config else westgard.RULES


def validate_material(material: ControlMaterial) -> None:
    errors = {}
    if material.target_source == ControlMaterial.TargetSource.INSERT:
        if material.target_mean is None:
            errors["target_mean"] = [_("The manufacturer's insert gives the target mean: enter it.")]
        if material.target_sd is None or material.target_sd <= 0:
            errors["target_sd"] = [_("The target SD must be positive.")]
    elif material.baseline_n is None and (material.target_mean is not None or material.target_sd is not None):
        errors["target_mean"] = [_("A baseline target is computed from at least %(n)s results, not typed in.")
                                 % {"n": BASELINE_MINIMUM}]
    if errors:
        raise ValidationError(errors)


@service
def create_control_material(data: dict, *, user, reason: str = ""):
    """A control material lot at one level; with ``target_source=insert`` the mean and SD are required."""
    return create_record(ControlMaterial, data, user=user, reason=reason)


@service
def set_westgard_rules(analyte: str, rules, *, user, reason: str = ""):
    """Choose the Westgard rules that judge an analyte's control results (all six by default)."""
    rules = [r for r in westgard.RULES if r in set(rules or ())]
    unknown = set(rules or ()) - set(westgard.RULES)
    if unknown or not rules:
        raise ValidationError({"rules": [_("Choose at least one of: %(rules)s.") % {
            "rules": ", ".join(westgard.RULES)}]})
    config = WestgardConfig.objects.select_for_update().filter(analyte=analyte).first()
    if config is None:
        config = WestgardConfig(analyte=analyte, rules=rules)
    config.rules = rules
    config.full_clean()
    config.save()
    _reevaluate(analyte, user=user)
    return config


@service
def establish_target(material, *, user, reason: str = ""):
    """Set a baseline material's target mean and SD from its baseline results (at least 20)."""
    material = ControlMaterial.objects.select_for_update().get(pk=material.pk)
    if material.target_source != ControlMaterial.TargetSource.BASELINE:
        raise DomainError(_("This material's target comes from the manufacturer's insert."), "invalid_state")
    if material.has_target:
        raise DomainError(_("The target of %(material)s is already established.") % {"material": material},
                          "invalid_state")
    values = [float(v) for v in material.results.filter(baseline=True).values_list("value", flat=True)]
    if len(values) < BASELINE_MINIMUM:
        raise DomainError(
            _("A baseline needs at least %(n)s results; %(material)s has %(have)s.")
            % {"n": BASELINE_MINIMUM, "material": material, "have": len(values)}, "baseline_too_small")
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    if not sd > 0:
        raise DomainError(_("The baseline results do not vary: no SD can be established."), "baseline_too_small")
    material.target_mean = Decimal(f"{mean:.5f}")
    material.target_sd = Decimal(f"{sd:.5f}")
    material.baseline_n = len(values)
    material.save()
    return material


def _parse_value(value, key):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({f"{key}.value": [_("A number is required.")]}) from None
    if not number.is_finite():
        raise ValidationError({f"{key}.value": [_("A number is required.")]})
    return number


def _parse_time(value, key):
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationError({f"{key}.measured_at": [_("A date and time is required.")]})
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@service
def record_control_results(rows, *, user, reason: str = "") -> list[ControlResult]:
    """Record control results ``[{"control": material, "run": "name", "value", "measured_at"}]``; runs are
    found or created by analyte and name. Each result is judged across runs and levels of its analyte."""
    require(user, "qc.add_controlresult")
    if not rows:
        raise ValidationError({"results": [_("Record at least one result.")]})
    created, analytes = [], set()
    for index, row in enumerate(rows):
        key = f"results.{index}"
        material = row.get("control")
        material = getattr(material, "pk", material)  # always the stored row: its target decides baseline or not
        material = ControlMaterial.objects.filter(pk=material).first() if str(material).isdigit() else None
        if material is None:
            raise ValidationError({f"{key}.control": [_("Unknown control material.")]})
        name = str(row.get("run") or "").strip()
        if not name:
            raise ValidationError({f"{key}.run": [_("Name the run.")]})
        value = _parse_value(row.get("value"), key)
        measured_at = _parse_time(row.get("measured_at"), key)
        if measured_at.date() > material.expiry_date:
            raise ValidationError({f"{key}.control": [_("Control lot %(lot)s expired on %(date)s.") % {
                "lot": material.lot, "date": material.expiry_date}]})
        run = ControlRun.objects.select_for_update().filter(analyte=material.analyte, name=name).first()
        if run is None:
            run = ControlRun.objects.create(analyte=material.analyte, name=name[:100], started_at=measured_at)
        if ControlResult.objects.filter(material=material, run=run).exists():
            raise ValidationError({f"{key}.run": [_("Run %(run)s already has a result for %(material)s.") % {
                "run": name, "material": material}]})
        created.append(ControlResult.objects.create(material=material, run=run, value=value,
                                                    measured_at=measured_at, baseline=not material.has_target))
        analytes.add(material.analyte)
    for analyte in sorted(analytes):
        _reevaluate(analyte, user=user)
    return list(ControlResult.objects.filter(pk__in=[r.pk for r in created]).select_related("material", "run")
                .order_by("pk"))


def _reevaluate(analyte: str, *, user) -> None:
    """Judge every non-baseline result of ``analyte`` across runs and levels, and update the runs' status."""
    results = list(ControlResult.objects.filter(material__analyte=analyte, baseline=False)
                   .select_related("material", "run").order_by("run__started_at", "run_id", "material__level"))
    observations, by_key = [], {}
    for result in results:
        material = result.material
        if not material.has_target:
            continue
        z = (float(result.value) - float(material.target_mean)) / float(material.target_sd)
        observations.append(westgard.Observation(result.pk, result.run_id, material.level, z))
        by_key[result.pk] = (result, round(z, 4))
    judged = westgard.evaluate_runs(observations, rules_for(analyte))
    rules_by_run: dict[int, list[list[str]]] = {}
    for key, rules in judged.items():
        result, z = by_key[key]
        if result.z is None or not math.isclose(result.z, z, abs_tol=1e-9) or result.rules != rules:
            result.z, result.rules = z, rules
            result.save()
        rules_by_run.setdefault(result.run_id, []).append(rules)
    for run in ControlRun.objects.select_for_update().filter(analyte=analyte):
        status = westgard.run_status(rules_by_run.get(run.pk, [])) if run.pk in rules_by_run else \
            ControlRun.Status.OPEN
        if status != run.status:
            run.status = status
            if status == ControlRun.Status.REJECTED and run.deviation_id is None:
                run.deviation = _open_run_deviation(run, user=user)
            run.save()


def _open_run_deviation(run, *, user):
    from qc.services import open_deviation

    broken = sorted({rule for r in ControlResult.objects.filter(run=run) for rule in r.rules
                     if rule in westgard.REJECTING})
    return open_deviation(
        title=_("Control run %(run)s of %(analyte)s rejected (%(rules)s)") % {
            "run": run.name, "analyte": run.analyte, "rules": ", ".join(broken)},
        description=_("The Westgard rules %(rules)s rejected run %(run)s: results measured in it may not be "
                      "used until the deviation is investigated.") % {"rules": ", ".join(broken),
                                                                         "run": run.name},
        user=user, reason=_("Westgard rejection"))


@service
def use_control_run(run, inspection, *, user, reason: str = ""):
    """Record that ``inspection`` was measured in ``run``; refused (409) when the run is rejected."""
    require(user, "qc.change_inspection")
    run = ControlRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ControlRun.Status.REJECTED:
        raise DomainError(_("Run %(run)s is rejected by the Westgard rules and cannot be used.") % {
            "run": run.name}, "control_run_rejected")
    use, _created = ControlRunUse.objects.get_or_create(run=run, inspection=inspection)
    return use


def inspection_blockers(inspection) -> list[dict]:
    """Rejected control runs used by ``inspection`` (each ``{"code": "control_run_rejected", "detail"}``)."""
    runs = ControlRun.objects.filter(uses__inspection=inspection, status=ControlRun.Status.REJECTED).distinct()
    return [{"code": "control_run_rejected", "detail": _("Control run %(run)s (%(analyte)s) used by inspection "
                                                          "%(id)s was rejected by the Westgard rules.") % {
        "run": run.name, "analyte": run.analyte, "id": inspection.pk}} for run in runs.order_by("pk")]


def batch_blockers(batch) -> list[dict]:
    reasons = []
    for inspection in Inspection.objects.filter(batch=batch, control_run_uses__run__status=ControlRun.Status.REJECTED
                                                ).distinct().order_by("pk"):
        reasons.extend(inspection_blockers(inspection))
    return reasons


# --- Chart data ----------------------------------------------------------------------------------------------

def levey_jennings(material) -> dict:
    """Chart.js configuration of a material's Levey–Jennings chart: the values in run order, the mean and the
    ±1/2/3 SD lines, and the violations marked (red for rejecting rules, orange for 1-2s)."""
    from lims.pages import chart_config

    results = list(material.results.filter(baseline=False).select_related("run")
                   .order_by("run__started_at", "run_id"))
    labels = [r.run.name for r in results]
    values = [float(r.value) for r in results]
    datasets = [{"label": _("Value"), "data": values, "borderColor": "#0d6efd", "backgroundColor": "#0d6efd",
                 "pointRadius": 3, "tension": 0, "order": 0}]
    if material.has_target:
        mean, sd = float(material.target_mean), float(material.target_sd)
        styles = {0: ("#198754", []), 1: ("#6c757d", [2, 2]), 2: ("#fd7e14", [6, 3]), 3: ("#dc3545", [6, 3])}
        for k in (3, 2, 1, 0, -1, -2, -3):
            color, dash = styles[abs(k)]
            label = _("Mean") if k == 0 else f"{'+' if k > 0 else '−'}{abs(k)} SD"
            datasets.append({"label": label, "data": [round(mean + k * sd, 5)] * len(results),
                             "borderColor": color, "borderDash": dash, "borderWidth": 1, "pointRadius": 0,
                             "fill": False, "order": 5})
    rejects = [float(r.value) if set(r.rules) & westgard.REJECTING else None for r in results]
    warnings = [float(r.value) if r.rules and not set(r.rules) & westgard.REJECTING else None for r in results]
    datasets.append({"label": _("Rejecting rule"), "data": rejects, "showLine": False, "pointRadius": 7,
                     "pointStyle": "crossRot", "borderColor": "#dc3545", "backgroundColor": "#dc3545",
                     "borderWidth": 3, "order": -1})
    datasets.append({"label": _("Warning (1-2s)"), "data": warnings, "showLine": False, "pointRadius": 7,
                     "pointStyle": "triangle", "borderColor": "#fd7e14", "backgroundColor": "#fd7e14",
                     "order": -1})
    return chart_config("line", labels, datasets, plugins={"legend": {"position": "bottom"}},
                        scales={"y": {"title": {"display": True, "text": material.unit or _("Value")}}})


def p_chart(product) -> dict:
    """The p-chart of a product's release attribute results over its batches: for each AQL specification, the
    fraction nonconforming of each batch's approved release sample, the centre line p̄ and the 3-sigma limits
    p̄ ± 3√(p̄(1−p̄)/nᵢ) (lower limit at least 0)."""
    specs = list(Specification.objects.filter(product=product, stage=Stage.RELEASE, kind="attribute")
                 .exclude(aql="").order_by("code"))
    charts = []
    for spec in specs:
        rows = list(InspectionResult.objects.filter(
            specification=spec, inspection__status=Inspection.Status.APPROVED, defects__isnull=False,
            inspection__batch__isnull=False).select_related("inspection__batch")
            .order_by("inspection__approved_at", "inspection_id"))
        points = [(r.inspection.batch.lot_number, r.defects, r.inspection.sample_size) for r in rows]
        total_n = sum(n for _lot, _d, n in points)
        pbar = sum(d for _lot, d, _n in points) / total_n if total_n else 0.0
        table = []
        for lot, d, n in points:
            sigma = math.sqrt(pbar * (1 - pbar) / n) if n else 0.0
            ucl, lcl = pbar + 3 * sigma, max(0.0, pbar - 3 * sigma)
            p = d / n if n else 0.0
            table.append({"lot": lot, "defects": d, "n": n, "p": round(p, 5), "ucl": round(ucl, 5),
                          "lcl": round(lcl, 5), "out": p > ucl or p < lcl})
        from lims.pages import chart_config

        config = chart_config("line", [row["lot"] for row in table], [
            {"label": _("Fraction nonconforming"), "data": [row["p"] for row in table], "borderColor": "#0d6efd",
             "backgroundColor": "#0d6efd", "tension": 0},
            {"label": "p̄", "data": [round(pbar, 5)] * len(table), "borderColor": "#198754", "pointRadius": 0,
             "borderWidth": 1},
            {"label": _("Upper control limit"), "data": [row["ucl"] for row in table], "borderColor": "#dc3545",
             "borderDash": [6, 3], "pointRadius": 0, "borderWidth": 1, "stepped": "middle"},
            {"label": _("Lower control limit"), "data": [row["lcl"] for row in table], "borderColor": "#dc3545",
             "borderDash": [6, 3], "pointRadius": 0, "borderWidth": 1, "stepped": "middle"},
            {"label": _("Out of control"), "data": [row["p"] if row["out"] else None for row in table],
             "showLine": False, "pointRadius": 7, "pointStyle": "crossRot", "borderColor": "#dc3545",
             "borderWidth": 3},
        ], plugins={"legend": {"position": "bottom"}})
        charts.append({"spec": spec, "chart_id": f"pchart-{spec.pk}", "pbar": round(pbar, 5), "rows": table,
                       "config": config})
    return {"charts": charts}

