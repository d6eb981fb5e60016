"""Factories of every tracked production model, each through the services so that its history carries the
acting user and the reason (used by tests/core/test_every_model_audited.py and by the production tests)."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record
from production import services
from production.models import (
    Batch,
    BatchReject,
    BatchStep,
    BillOfMaterials,
    BomLine,
    CleanRoom,
    Consumption,
    Line,
    Material,
    MaterialLot,
    Plant,
    ProcessStep,
    Product,
    RejectReason,
)
from production.validators import gtin_check_digit

_numbers = itertools.count(1)


def number() -> int:
    return next(_numbers)


def gtin(n: int) -> str:
    data = f"0690123{n:06d}"
    return data + str(gtin_check_digit(data))


def make_product(user, reason, **overrides):
    n = number()
    data = {"code": f"KIT-{n}", "name": f"Antigen kit {n}", "gtin": gtin(n), "tests_per_kit": 1,
            "shelf_life_months": 24, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30"),
            "ifu_version": "1.0", **overrides}
    return services.create_product(data, user=user, reason=reason)


def make_material(user, reason, **overrides):
    n = number()
    data = {"code": f"MAT-{n}", "name": f"Component {n}", "category": Material.Category.MEMBRANE,
            "unit": Material.Unit.SQUARE_CM, **overrides}
    return create_record(Material, data, user=user, reason=reason)


def make_bom(user, reason):
    product = make_product(user, reason)
    return services.create_bom(product, [(make_material(user, reason), Decimal("1.5"))], user=user, reason=reason)


def make_bom_line(user, reason):
    return make_bom(user, reason).lines.get()


def make_process_step(user, reason):
    return make_product(user, reason).process_steps.order_by("sequence").first()


def make_reject_reason(user, reason, **overrides):
    n = number()
    return create_record(RejectReason, {"code": f"R{n}", "name": f"Reason {n}", **overrides}, user=user,
                         reason=reason)


def make_plant(user, reason):
    return create_record(Plant, {"name": "Plant", "nameplate_tests_per_month": 3_000_000}, user=user, reason=reason)


def make_clean_room(user, reason):
    n = number()
    return create_record(CleanRoom, {"code": f"CR-{n}", "name": f"Clean room {n}", "iso_class": 8,
                                     "area_m2": Decimal("700")}, user=user, reason=reason)


def make_line(user, reason, **overrides):
    n = number()
    data = {"code": f"L{n}", "name": f"Line {n}", "kind": Line.Kind.AUTOMATED,
            "clean_room": make_clean_room(user, reason), "rated_units_per_hour": 3000, **overrides}
    return create_record(Line, data, user=user, reason=reason)


def make_material_lot(user, reason, material=None, quantity=Decimal("1000"), **overrides):
    data = {"material": material or make_material(user, reason), "supplier": "Supplier Co.",
            "supplier_lot": f"S-{number()}", "expiry_date": timezone.localdate() + timedelta(days=365),
            "quantity": quantity, **overrides}
    return services.receive_material_lot(**data, user=user, reason=reason)


def make_batch(user, reason, product=None, line=None, planned_quantity=100):
    return services.create_batch(product=product or make_product(user, reason), line=line or make_line(user, reason),
                                 planned_quantity=planned_quantity, user=user, reason=reason)


def make_batch_step(user, reason):
    batch = services.start_batch(make_batch(user, reason), user=user, reason=reason)
    now = timezone.now()
    return services.record_step(batch, step=batch.product.process_steps.first(), started_at=now - timedelta(hours=1),
                                ended_at=now, equipment="Dispenser D-1", user=user, reason=reason)


def make_consumption(user, reason):
    bom = make_bom(user, reason)
    material = bom.lines.get().material
    lot = services.approve_material_lot(make_material_lot(user, reason, material=material), user=user,
                                        reason=reason)
    batch = services.start_batch(make_batch(user, reason, product=bom.product), user=user, reason=reason)
    return services.consume_material(batch, material_lot=lot, quantity=Decimal("10"), user=user, reason=reason)


def make_batch_reject(user, reason):
    batch = services.start_batch(make_batch(user, reason), user=user, reason=reason)
    batch = services.complete_batch(batch, quantity_made=90, rejects=[(make_reject_reason(user, reason), 5)],
                                    user=user, reason=reason)
    return batch.rejects.get()


FACTORIES = {
    Product: make_product,
    Material: make_material,
    BillOfMaterials: make_bom,
    BomLine: make_bom_line,
    ProcessStep: make_process_step,
    RejectReason: make_reject_reason,
    Plant: make_plant,
    CleanRoom: make_clean_room,
    Line: make_line,
    MaterialLot: make_material_lot,
    Batch: make_batch,
    BatchStep: make_batch_step,
    Consumption: make_consumption,
    BatchReject: make_batch_reject,
}
