"""Demo data of the quality statistics, through the services (idempotent), called by ``qc.demo.seed``:

- a two-level control of the reader's T/C ratio: level 1 with a baseline of 20 results and its established
  target, level 2 from the manufacturer's insert, then 12 runs with a 1-2s warning, a 2-2s rejection across the
  levels of one run (which opens a deviation) and a 1-3s rejection;
- a real-time stability study of 3 lots whose 18-month point fails on one lot (so it supports 12 months; the
  kit claims more, hence the warning) and an accelerated study at 45 °C shown as provisional;
- ISO 2859-1 switching history: a pouch-seal AQL test whose lots move the product to tightened inspection;
- a performance study with category, specimen type and Ct strata.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.demo import DEMO_PASSWORD
from lims.services import create_record
from production.models import Batch, Product
from qc import control, services, stability
from qc.models import (
    ControlMaterial,
    PerformanceStratum,
    PerformanceStudy,
    Specification,
    StabilityStudy,
    SwitchingState,
)

BASELINE = [0.52, 0.49, 0.50, 0.51, 0.48, 0.50, 0.53, 0.47, 0.50, 0.51, 0.49, 0.52, 0.50, 0.48, 0.51, 0.50, 0.49,
            0.52, 0.50, 0.47]
# (level 1, level 2) per run; level 1 target from the baseline (≈ 0.50 ± 0.017), level 2 insert 2.00 ± 0.10.
RUNS = [(0.50, 2.02), (0.51, 1.97), (0.49, 2.05), (0.52, 1.99), (0.537, 2.01), (0.50, 1.96), (0.48, 2.03),
        (0.51, 2.00), (0.538, 2.23), (0.50, 1.98), (0.56, 2.02), (0.49, 2.01)]


def seed(ctx):
    _control(ctx)
    kit = Product.objects.order_by("code").first()
    if kit is None:
        return
    _stability(ctx, kit)
    _switching(ctx, kit)
    _performance(ctx, kit)


def _control(ctx):
    if ControlMaterial.objects.exists():
        ctx.log("qc: control materials already seeded")
        return
    qc = ctx.users["qc"]
    expiry = timezone.localdate() + timedelta(days=240)
    low = control.create_control_material({"analyte": "T/C ratio", "level": "1 (low positive)", "lot": "CTL-L-2406",
                                           "expiry_date": expiry, "unit": "T/C"}, user=qc,
                                          reason="new control lot, baseline to follow")
    high = control.create_control_material({"analyte": "T/C ratio", "level": "2 (high positive)",
                                            "lot": "CTL-H-2406", "expiry_date": expiry, "unit": "T/C",
                                            "target_source": "insert", "target_mean": Decimal("2.00"),
                                            "target_sd": Decimal("0.10")}, user=qc, reason="insert rev. 4")
    start = timezone.now() - timedelta(days=40)
    control.record_control_results(
        [{"control": low, "run": f"BL-{i + 1:02d}", "value": v, "measured_at": start + timedelta(hours=6 * i)}
         for i, v in enumerate(BASELINE)], user=qc, reason="baseline")
    control.establish_target(low, user=qc, reason="20 baseline results")
    first = timezone.now() - timedelta(days=14)
    for i, (a, b) in enumerate(RUNS):
        at = first + timedelta(days=i)
        control.record_control_results([{"control": low, "run": f"R-{i + 1:02d}", "value": a, "measured_at": at},
                                        {"control": high, "run": f"R-{i + 1:02d}", "value": b, "measured_at": at}],
                                       user=qc, reason="daily controls")
    ctx.log("qc: T/C ratio controls: 20 baseline results, 12 runs with a 1-2s warning and two rejections")


def _stability(ctx, kit):
    if StabilityStudy.objects.exists():
        return
    qc, qa = ctx.users["qc"], ctx.users["qa"]
    batches = list(Batch.objects.filter(product=kit).exclude(status=Batch.Status.PLANNED)
                   .order_by("manufactured_on", "pk")[:3])
    if len(batches) < 3:
        return
    specs = {}
    for code, name, name_zh, kind, lower, upper, unit in (
            ("STB-LOD", "LoD reference still detected", "储存后检出限参考品仍检出", "attribute", None, None, ""),
            ("STB-FLOW", "Flow time after storage", "储存后层析时间", "numeric", Decimal("30"), Decimal("120"), "s")):
        specs[code] = Specification.objects.filter(product=kit, code=code).first() or services.create_specification(
            {"product": kit, "code": code, "name": name, "name_zh": name_zh, "kind": kind, "stage": "stability",
             "lower": lower, "upper": upper, "unit": unit, "required_for_release": False}, user=qc,
            reason="stability specification (EN ISO 23640)")
    started = timezone.localdate() - timedelta(days=int(18.5 * 30.4))
    real = stability.create_stability_study(product=kit, title="Real time 2–30 °C, 3 lots", protocol="real_time",
                                            started_on=started, lots=batches, months=[0, 3, 6, 9, 12, 18, 24],
                                            conditions="2–30 °C, 35 % RH, sealed pouches", user=qc,
                                            reason="stability protocol STB-01")
    for point in real.time_points.filter(months__lte=18):
        rows = []
        for lot in real.lots.select_related("batch"):
            failing = point.months == 18 and lot.batch_id == batches[1].pk
            rows.append({"lot": lot, "specification": specs["STB-LOD"], "passed": not failing})
            rows.append({"lot": lot, "specification": specs["STB-FLOW"],
                         "value": Decimal("128") if failing else Decimal("70") + point.months})
        stability.record_stability_results(point, rows, user=qc, reason="")
    stability.approve_stability_study(real, user=qa, reason="12 months supported; 18 months failed on one lot")
    hot = stability.create_stability_study(product=kit, title="Accelerated 45 °C", protocol="accelerated",
                                           temperature_c=Decimal("45"), started_on=started, lots=batches,
                                           months=[0, 6, 12, 24], conditions="equivalent months (Arrhenius, Q10 2)",
                                           user=qc, reason="stability protocol STB-02")
    for point in hot.time_points.all():
        stability.record_stability_results(point, [
            row for lot in hot.lots.all() for row in (
                {"lot": lot, "specification": specs["STB-LOD"], "passed": True},
                {"lot": lot, "specification": specs["STB-FLOW"], "value": Decimal("80")})], user=qc, reason="")
    ctx.log(f"qc: stability of {kit.code}: real time supports 12 months, accelerated 24 months (provisional)")


def _switching(ctx, kit):
    if SwitchingState.objects.filter(specification__code="SEAL").exists():
        return
    qc, qa2, qa = ctx.users["qc"], ctx.users["qa2"], ctx.users["qa"]
    batches = list(Batch.objects.filter(product=kit, status=Batch.Status.AWAITING_QC, quantity_made__gte=1201)
                   .order_by("-completed_at", "-pk")[:3])
    if len(batches) < 3:
        return
    seal = services.create_specification(
        {"product": kit, "code": "SEAL", "name": "Pouch seal integrity (AQL)", "name_zh": "铝箔袋封口完整性（AQL）",
         "kind": "attribute",
         "stage": "in_process", "aql": "0.65", "required_for_release": False, "method": "ISO 2859-1, level II"},
        user=qc, reason="pouch seal AQL after the sealer change")
    from qc.sampling import resolve_plan

    for batch, extra in zip(batches[::-1], (None, 1, 2), strict=True):
        plan = resolve_plan(batch.quantity_made, "0.65")
        defects = 0 if extra is None else plan.accept + extra  # the 2nd and 3rd lots are not accepted
        inspection = services.record_inspection(batch=batch, stage="in_process", lot_size=batch.quantity_made,
                                                aql="0.65", results=[{"specification": seal, "defects": defects}],
                                                user=qc, reason="pouch seal inspection")
        services.review_inspection(inspection, username=qa2.username, password=DEMO_PASSWORD, user=qa2,
                                   reason="second check of entries")
        services.approve_inspection(inspection, username=qa.username, password=DEMO_PASSWORD, user=qa,
                                    reason="results approved")
    state = SwitchingState.objects.get(specification=seal)
    ctx.log(f"qc: pouch seal AQL of {kit.code}: {state.get_state_display()} after {state.lots.count()} lots")


def _performance(ctx, kit):
    if PerformanceStratum.objects.exists():
        return
    qc = ctx.users["qc"]
    study = create_record(PerformanceStudy, {
        "product": kit, "kind": "clinical", "title": "Prospective field study, 2 sites", "category": "prospective",
        "specimen_type": "anterior nasal swab", "tp": 95, "fn": 5, "tn": 298, "fp": 2, "ci_method": "wilson"},
        user=qc, reason="clinical performance report CPR-01")
    for label, low, high, tp, fn in (("Ct < 25", None, 25, 61, 0), ("Ct 25–30", 25, 30, 28, 2),
                                     ("Ct ≥ 30", 30, None, 6, 3)):
        create_record(PerformanceStratum, {"study": study, "label": label, "ct_min": low, "ct_max": high, "tp": tp,
                                           "fn": fn}, user=qc, reason="Ct strata of CPR-01")
    ctx.log(f"qc: performance study with 3 Ct strata for {kit.code}")
