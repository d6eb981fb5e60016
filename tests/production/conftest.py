"""A small plant for the production tests: one product with a three-material BOM, approved lots, an automated
and a manual line, reject reasons — all made through the services by the production persona."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lims.services import create_record
from production import services
from production.models import CleanRoom, Line, Material, Plant, RejectReason
from tests.production.factories import gtin


@pytest.fixture
def plant(production_user, qc_user):
    user, why = production_user, "test plant"
    room = create_record(CleanRoom, {"code": "CR-01", "name": "Assembly", "iso_class": 8, "area_m2": Decimal("700")},
                         user=user, reason=why)
    create_record(Plant, {"name": "Plant", "nameplate_tests_per_month": 3_000_000}, user=user, reason=why)
    a1 = create_record(Line, {"code": "A1", "name": "Automated 1", "kind": "automated", "clean_room": room,
                              "rated_units_per_hour": 3000}, user=user, reason=why)
    m1 = create_record(Line, {"code": "M1", "name": "Manual 1", "kind": "manual", "clean_room": room,
                              "rated_units_per_hour": 1000}, user=user, reason=why)
    materials = {
        code: create_record(Material, {"code": code, "name": name, "category": category, "unit": unit},
                            user=user, reason=why)
        for code, name, category, unit in [
            ("MEM", "Nitrocellulose membrane", "membrane", "cm2"),
            ("CAS", "Cassette top", "plastic", "pcs"),
            ("BUF", "Extraction buffer", "buffer", "mL"),
            ("SWAB", "Sterile swab", "accessory", "pcs"),  # not in the BOM
        ]
    }
    product = services.create_product(
        {"code": "AG-1", "name": "SARS-CoV-2 antigen rapid test", "gtin": gtin(1), "tests_per_kit": 1,
         "shelf_life_months": 24, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30"),
         "ifu_version": "3.1"}, user=user, reason=why)
    bom = services.create_bom(product, [(materials["MEM"], Decimal("1.0")), (materials["CAS"], Decimal("1")),
                                        (materials["BUF"], Decimal("0.35"))], user=user, reason=why)
    expiry = timezone.localdate() + timedelta(days=3 * 365)  # outlives the kits (24 months): no expiry cap
    lots = {}
    for code, material in materials.items():
        lot = services.receive_material_lot(material=material, supplier="Supplier", supplier_lot=f"{code}-001",
                                            expiry_date=expiry, quantity=Decimal("1000"), user=user, reason=why)
        lots[code] = services.approve_material_lot(lot, user=qc_user, reason="incoming QC passed")
    reasons = {code: create_record(RejectReason, {"code": code, "name": name}, user=user, reason=why)
               for code, name in [("SEAL", "Pouch seal defect"), ("PRINT", "Print defect")]}
    return SimpleNamespace(room=room, a1=a1, m1=m1, materials=materials, product=product, bom=bom, lots=lots,
                           reasons=reasons, user=user)


@pytest.fixture
def batch(plant):
    return services.create_batch(product=plant.product, line=plant.a1, planned_quantity=100, user=plant.user,
                                 reason="plan")


@pytest.fixture
def running(batch, plant):
    return services.start_batch(batch, user=plant.user, reason="line ready")


def consume_for(batch, plant, kits):
    """Consume exactly the BOM quantity for ``kits`` kits."""
    for line in plant.bom.lines.select_related("material"):
        services.consume_material(batch, material_lot=plant.lots[line.material.code],
                                  quantity=line.quantity_per_kit * kits, user=plant.user, reason="dispensed")
