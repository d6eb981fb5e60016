"""QC demo data through the services (idempotent): the lateral-flow release specifications of DOMAIN.md §6 for
every product, release inspections of batches awaiting QC (recorded by qc, reviewed by admin, approved by qa —
four eyes), released and rejected batches signed by qa, and a failed lot with its open OOS and CAPA."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.demo import DEMO_PASSWORD
from production.models import Batch, Product
from qc import services
from qc.demo_pilot import seed_pilot
from qc.demo_statistics import seed as seed_statistics
from qc.gates import release_blockers
from qc.models import Inspection, Specification

# code, name, kind, lower, upper, unit, method, AQL (DOMAIN.md §6: typical release tests of a lateral-flow kit)
RELEASE_SPECS = [
    ("APPEAR", "Appearance (cassette, window, print, pouch seal, desiccant)", "attribute", None, None, "", "Visual",
     ""),
    ("WIDTH", "Strip width", "numeric", "3.90", "4.10", "mm", "Caliper", ""),
    ("FLOW", "Flow (migration) time", "numeric", "30", "120", "s", "Timer", ""),
    ("NEG", "Negative reference panel all negative", "attribute", None, None, "", "Reference panel", ""),
    ("POS", "Positive reference panel all positive", "attribute", None, None, "", "Reference panel", ""),
    ("LOD", "Limit-of-detection reference detected", "attribute", None, None, "", "LoD reference", ""),
    ("REPEAT", "Repeatability (10 replicates consistent)", "attribute", None, None, "", "10 replicates", ""),
    ("HOOK", "High-dose sample still positive (hook effect)", "attribute", None, None, "", "High-dose sample", ""),
    ("CTRL", "Control line present on every device", "attribute", None, None, "", "Visual", ""),
    ("FILL", "Buffer fill volume", "numeric", "0.330", "0.370", "mL", "Gravimetric", ""),
    ("AQL", "AQL attribute inspection of finished kits", "attribute", None, None, "", "ISO 2859-1, level II", "1.0"),
]
# The Chinese names of the release tests (issue 19: master data people read in both languages).
NAMES_ZH = {"APPEAR": "外观（卡壳、观察窗、印刷、铝箔袋封口、干燥剂）", "WIDTH": "试纸条宽度",
            "FLOW": "层析（迁移）时间", "NEG": "阴性参考品全部阴性", "POS": "阳性参考品全部阳性",
            "LOD": "检出限参考品检出",
            "REPEAT": "重复性（10 次重复结果一致）", "HOOK": "高浓度样本仍为阳性（钩状效应）",
            "CTRL": "每个检测卡均出现质控线", "FILL": "缓冲液灌装量", "AQL": "成品试剂盒 AQL 计数检验"}
GOOD = {"WIDTH": Decimal("4.00"), "FLOW": Decimal("75"), "FILL": Decimal("0.350")}


def _specs(product, user):
    specs = []
    for code, name, kind, lower, upper, unit, method, aql in RELEASE_SPECS:
        spec = Specification.objects.filter(product=product, code=code).first()
        if spec is None:
            spec = services.create_specification(
                {"product": product, "code": code, "name": name, "name_zh": NAMES_ZH.get(code, ""), "kind": kind,
                 "stage": "release",
                 "lower": Decimal(lower) if lower else None, "upper": Decimal(upper) if upper else None,
                 "unit": unit, "method": method, "aql": aql, "required_for_release": True},
                user=user, reason="release specification (DOMAIN.md §6)")
        specs.append(spec)
    return specs


def _results(specs, *, fail=None):
    rows = []
    for spec in specs:
        if spec.kind == "numeric":
            value = GOOD[spec.code] if spec.code != fail else spec.upper + Decimal("15")
            rows.append({"specification": spec, "value": value})
        elif spec.aql:
            rows.append({"specification": spec, "defects": 1})
        else:
            rows.append({"specification": spec, "passed": True})
    return rows


def _inspect(batch, specs, ctx, *, fail=None):
    qc, admin, qa = ctx.users["qc"], ctx.users["qa2"], ctx.users["qa"]
    inspection = services.record_inspection(
        batch=batch, stage="release", lot_size=max(batch.quantity_made, 2), aql="1.0",
        results=_results(specs, fail=fail), user=qc, reason="release testing")
    if fail:
        return inspection
    services.review_inspection(inspection, username=admin.username, password=DEMO_PASSWORD, user=admin,
                               reason="second check of entries")
    return services.approve_inspection(inspection, username=qa.username, password=DEMO_PASSWORD, user=qa,
                                       reason="results approved")


def seed(ctx):
    products = list(Product.objects.order_by("code"))
    if not products:
        ctx.log("qc: no products yet, nothing to seed")
        return
    for product in products:
        _specs(product, ctx.users["qc"])
    ctx.log(f"qc: release specifications for {len(products)} product(s)")
    if Inspection.objects.exists():
        ctx.log("qc: inspections already seeded")
        seed_pilot(ctx, _inspect)  # issue 20: INC-09's pilot lots and its performance study
        seed_statistics(ctx)
        return
    batches = list(Batch.objects.filter(status=Batch.Status.AWAITING_QC, quantity_made__gte=2, kind="commercial")
                   .select_related("product").order_by("completed_at", "pk")[:5])
    qa = ctx.users["qa"]
    released = rejected = 0
    for index, batch in enumerate(batches):
        specs = list(Specification.objects.filter(product=batch.product, stage="release").order_by("code"))
        if index == 2:
            _inspect(batch, specs, ctx, fail="FLOW")
            oos = batch.deviations.get()
            services.investigate_deviation(oos, root_cause="Membrane lot with slow wicking suspected",
                                           user=ctx.users["qc"], reason="investigation started")
            services.add_capa(oos, action="Tighten incoming flow test of membrane lots", owner=ctx.users["qc"],
                              due_date=timezone.localdate() + timedelta(days=30), user=qa, reason="CAPA")
            continue
        if index == 4:
            services.dispose_batch(batch, decision="reject", username=qa.username, password=DEMO_PASSWORD, user=qa,
                                   reason="pouch seal failures found at final inspection")
            rejected += 1
            continue
        _inspect(batch, specs, ctx)
        blockers = release_blockers(batch, qa)
        if index < 2 and blockers:
            ctx.log(f"qc: {batch.lot_number} not released: {', '.join(b['code'] for b in blockers)}")
        elif index < 2:
            services.dispose_batch(batch, decision="release", username=qa.username, password=DEMO_PASSWORD, user=qa,
                                   reason="all release tests passed")
            released += 1
    ctx.log(f"qc: {len(batches)} batches inspected or decided ({released} released, {rejected} rejected, "
            "1 open OOS with CAPA)")
    seed_pilot(ctx, _inspect)  # issue 20: INC-09's pilot lots and its performance study
    seed_statistics(ctx)
