"""Factories of every tracked qc model, each through qc.services (used by tests/core/test_every_model_audited.py
and the qc tests), plus a product with the lateral-flow release specifications and batches awaiting QC."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record
from production import services as production
from production.models import CleanRoom, Line, Material
from production.validators import gtin_check_digit
from qc import services
from qc.models import Capa, Deviation, Disposition, Inspection, InspectionResult, PerformanceStudy, Specification
from tests.conftest import sig

PASSWORD = "lims-demo"
_numbers = itertools.count(9000)


def _gtin(n: int) -> str:
    data = f"0697777{n:06d}"
    return data + str(gtin_check_digit(data))


def make_product(user, reason="test"):
    n = next(_numbers)
    return production.create_product(
        {"code": f"QC-{n}", "name": f"Antigen kit {n}", "gtin": _gtin(n), "tests_per_kit": 1,
         "shelf_life_months": 24, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30")},
        user=user, reason=reason)


def make_line(user, reason="test"):
    n = next(_numbers)
    room = create_record(CleanRoom, {"code": f"CR{n}", "name": "Room", "iso_class": 8, "area_m2": Decimal("700")},
                         user=user, reason=reason)
    return create_record(Line, {"code": f"L{n}", "name": "Line", "kind": "automated", "clean_room": room,
                                "rated_units_per_hour": 1000}, user=user, reason=reason)


def make_spec(user, reason="test", *, product=None, **overrides):
    data = {"product": product or make_product(user, reason), "code": f"S{next(_numbers)}", "name": "Flow time",
            "kind": "numeric", "stage": "release", "lower": Decimal("1"), "upper": Decimal("5"), "unit": "min",
            "required_for_release": True, **overrides}
    return services.create_specification(data, user=user, reason=reason)


def make_batch(user, reason="test", *, product=None, line=None, made=3200):
    """A batch awaiting QC (no BOM, so completion needs no consumption)."""
    batch = production.create_batch(product=product or make_product(user, reason), line=line or make_line(user, reason),
                                    planned_quantity=made, user=user, reason=reason)
    production.start_batch(batch, user=user, reason=reason)
    return production.complete_batch(batch, quantity_made=made, user=user, reason=reason)


def make_inspection(user, reason="test", *, batch=None, results=None, stage="release", sample_size=20):
    if batch is None:
        batch = make_batch(user, reason)
    if results is None:
        spec = make_spec(user, reason, product=batch.product)
        results = [{"specification": spec, "value": Decimal("3")}]
    return services.record_inspection(batch=batch, stage=stage, sample_size=sample_size, results=results,
                                      user=user, reason=reason)


def make_result(user, reason="test"):
    return make_inspection(user, reason).results.get()


def make_deviation(user, reason="test"):
    return services.open_deviation(title="Seal temperature drift", description="Found at line check",
                                   batch=make_batch(user, reason), user=user, reason=reason)


def make_capa(user, reason="test"):
    return services.add_capa(make_deviation(user, reason), action="Recalibrate the sealer", owner=user,
                             due_date=timezone.localdate() + timedelta(days=14), user=user, reason=reason)


def make_disposition(user, reason="test"):
    return services.dispose_batch(make_batch(user, reason), decision="quarantine", **sig(user), user=user,
                                  reason=reason)


def make_material_lot(user, reason="test"):
    material = create_record(Material, {"code": f"M{next(_numbers)}", "name": "Membrane", "category": "membrane",
                                         "unit": "cm2"}, user=user, reason=reason)
    return production.receive_material_lot(material=material, supplier_lot="S-1", quantity=Decimal("100"),
                                           expiry_date=timezone.localdate() + timedelta(days=365), user=user,
                                           reason=reason)


def make_study(user, reason="test", **overrides):
    data = {"product": make_product(user, reason), "kind": "clinical", "tp": 95, "fn": 5, "tn": 198, "fp": 2,
            **overrides}
    return create_record(PerformanceStudy, data, user=user, reason=reason)


FACTORIES = {
    Specification: make_spec,
    Inspection: make_inspection,
    InspectionResult: make_result,
    Deviation: make_deviation,
    Capa: make_capa,
    Disposition: make_disposition,
    PerformanceStudy: make_study,
}


from tests.qc.statistics_factories import FACTORIES as _STATISTICS_FACTORIES  # noqa: E402  (issue 17)

FACTORIES.update(_STATISTICS_FACTORIES)
