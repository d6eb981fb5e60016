"""Factories of the quality statistics models (issue 17), each through qc's services; merged into
``tests.qc.factories.FACTORIES``."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record
from qc import control, services, stability
from qc.models import (
    ControlMaterial,
    ControlResult,
    ControlRun,
    ControlRunUse,
    PerformanceStratum,
    StabilityGate,
    StabilityLot,
    StabilityResult,
    StabilityStudy,
    StabilityTimePoint,
    SwitchingLot,
    SwitchingMove,
    SwitchingState,
    WestgardConfig,
)
from tests.conftest import sig
from tests.qc.factories import make_batch, make_inspection, make_line, make_product, make_spec, make_study


def _approved_lot(user, reason, spec, defects):
    """An AQL lot recorded and reviewed by two other people and approved by ``user`` (who counts the lot)."""
    from django.contrib.auth import get_user_model

    batch = make_batch(user, reason, product=spec.product, made=3200)
    n = get_user_model().objects.count()
    recorder = get_user_model().objects.create_superuser(f"rec{n}", password="lims-demo")
    reviewer = get_user_model().objects.create_superuser(f"rev{n}", password="lims-demo")
    inspection = services.record_inspection(batch=batch, stage="release", lot_size=3200, aql="1.0",
                                            results=[{"specification": spec, "defects": defects}], user=recorder,
                                            reason=reason)
    services.review_inspection(inspection, **sig(reviewer), user=reviewer, reason=reason)
    return services.approve_inspection(inspection, **sig(user), user=user, reason=reason)


def _aql_spec(user, reason):
    return make_spec(user, reason, product=make_product(user, reason), kind="attribute", lower=None, upper=None,
                     unit="", aql="1.0")


def make_switching_lot(user, reason="test"):
    return SwitchingLot.objects.get(inspection=_approved_lot(user, reason, _aql_spec(user, reason), 5))


def make_switching_state(user, reason="test"):
    return make_switching_lot(user, reason).switching


def make_switching_move(user, reason="test"):
    spec = _aql_spec(user, reason)
    _approved_lot(user, reason, spec, 5)
    _approved_lot(user, reason, spec, 5)
    return SwitchingMove.objects.get(switching__specification=spec)


def make_westgard_config(user, reason="test"):
    return control.set_westgard_rules(f"analyte {ControlMaterial.objects.count()}", ["1-3s", "R-4s"], user=user,
                                      reason=reason)


def make_control_material(user, reason="test"):
    n = ControlMaterial.objects.count()
    return control.create_control_material({
        "analyte": "T/C ratio", "level": f"L{n}", "lot": f"CM-{n}", "expiry_date": timezone.localdate()
        + timedelta(days=200), "target_source": "insert", "target_mean": Decimal("1.0"),
        "target_sd": Decimal("0.1")}, user=user, reason=reason)


def make_control_result(user, reason="test"):
    material = make_control_material(user, reason)
    return control.record_control_results([{"control": material, "run": f"run {material.pk}", "value": "1.05"}],
                                          user=user, reason=reason)[0]


def make_control_run(user, reason="test"):
    return make_control_result(user, reason).run


def make_control_run_use(user, reason="test"):
    run = make_control_run(user, reason)
    return control.use_control_run(run, make_inspection(user, reason), user=user, reason=reason)


def make_stability_study(user, reason="test"):
    product = make_product(user, reason)
    line = make_line(user, reason)
    batches = [make_batch(user, reason, product=product, line=line, made=100) for _ in range(3)]
    make_spec(user, reason, product=product, code="STB-FLOW", stage="stability")
    return stability.create_stability_study(product=product, title="Real time", protocol="real_time",
                                            started_on=date(2024, 1, 1), lots=batches, months=[0, 6, 12],
                                            user=user, reason=reason)


def make_stability_result(user, reason="test"):
    study = make_stability_study(user, reason)
    spec = stability.stability_specs(study.product).get()
    point = study.time_points.get(months=0)
    return stability.record_stability_results(point, [{"lot": lot, "specification": spec, "value": "3"}
                                                      for lot in study.lots.all()], user=user, reason=reason)[0]


def make_stability_gate(user, reason="test"):
    return stability.set_stability_gate(make_product(user, reason), enforced=True, user=user, reason=reason)


def make_stratum(user, reason="test"):
    return create_record(PerformanceStratum, {"study": make_study(user, reason), "label": "Ct < 25",
                                              "ct_max": Decimal("25"), "tp": 50, "fn": 1}, user=user,
                         reason=reason)


FACTORIES = {
    SwitchingState: make_switching_state,
    SwitchingLot: make_switching_lot,
    SwitchingMove: make_switching_move,
    WestgardConfig: make_westgard_config,
    ControlMaterial: make_control_material,
    ControlRun: make_control_run,
    ControlResult: make_control_result,
    ControlRunUse: make_control_run_use,
    StabilityStudy: make_stability_study,
    StabilityLot: lambda user, reason="test": make_stability_study(user, reason).lots.first(),
    StabilityTimePoint: lambda user, reason="test": make_stability_study(user, reason).time_points.first(),
    StabilityResult: make_stability_result,
    StabilityGate: make_stability_gate,
    PerformanceStratum: make_stratum,
}
