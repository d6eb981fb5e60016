"""Issue 20 demo: QC of INC-09's combined antigen test in pilot manufacture — two pilot lots pass and are
released (four eyes), one fails its flow time and keeps its open OOS deviation; and the clinical performance study
the testing lab ran (its 150 samples are the lab demo's INC-09 samples). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from lims.demo import DEMO_PASSWORD
from lims.services import create_record
from production.models import Batch, Product
from qc import services
from qc.models import PerformanceStudy, Specification

COMBO = "SC-FLU-AG-1"
STUDY = "Combined antigen test clinical performance (testing lab, INC-09)"


def seed_pilot(ctx, inspect):
    combo = Product.objects.filter(code=COMBO).first()
    if combo is None:
        return
    qa, qc_user = ctx.users["qa"], ctx.users["qc"]
    pilots = list(Batch.objects.filter(product=combo, kind=Batch.Kind.PILOT, status=Batch.Status.AWAITING_QC,
                                       inspections__isnull=True).order_by("manufactured_on", "pk"))
    specs = list(Specification.objects.filter(product=combo, stage="release").order_by("code"))
    for index, batch in enumerate(pilots):
        if index == 1:
            inspect(batch, specs, ctx, fail="FLOW")
            oos = batch.deviations.get()
            services.investigate_deviation(oos, root_cause="Influenza conjugate pad dries unevenly on the manual line",
                                           user=qc_user, reason="investigation started")
            services.add_capa(oos, action="Validate the drying time of the conjugate pad for the combined test",
                              owner=qc_user, due_date=timezone.localdate() + timedelta(days=45), user=qa,
                              reason="CAPA")
            continue
        inspect(batch, specs, ctx)
        services.dispose_batch(batch, decision="release", username=qa.username, password=DEMO_PASSWORD, user=qa,
                               reason="pilot lot: all release tests passed")
    if not PerformanceStudy.objects.filter(product=combo, title=STUDY).exists():
        create_record(PerformanceStudy, {
            "product": combo, "kind": "clinical", "title": STUDY, "category": PerformanceStudy.Category.PROSPECTIVE,
            "specimen_type": "Nasopharyngeal swab", "tp": 46, "fn": 4, "tn": 98, "fp": 2,
            "ci_method": PerformanceStudy.CiMethod.WILSON}, user=qc_user,
            reason="clinical performance study of the combined test, samples tested by the testing lab")
    if pilots:
        ctx.log(f"qc: {len(pilots)} pilot lots of {COMBO} decided (1 failed with its open OOS), performance study")
