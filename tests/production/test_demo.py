"""The demo plant seeds through the services, is idempotent and deterministic (STYLE.md §7)."""

import io

import pytest
from django.apps import apps
from django.db import transaction

from lims import demo as core_demo
from lims.management.commands.seed_demo import DemoContext
from production import demo
from production.models import Batch, Line, MaterialLot, Plant, Product, RejectReason

pytestmark = pytest.mark.django_db


def counts():
    models = list(apps.get_app_config("production").get_models())
    return {m._meta.label: (m._default_manager.count(), m.history.count() if hasattr(m, "history") else None)
            for m in models}


@pytest.fixture
def short_window(monkeypatch):
    monkeypatch.setattr(demo, "DAYS", 21)
    monkeypatch.setattr(demo, "DENSE_DAYS", 4)


def seed():
    ctx = DemoContext(io.StringIO(), False, 20261122)
    core_demo.seed(ctx)
    demo.seed(ctx)


def test_the_demo_plant_is_seeded_once_with_history(short_window):
    seed()
    first = counts()
    seed()
    assert counts() == first
    plant = Plant.objects.get()
    assert plant.nameplate_tests_per_month == 3_000_000
    lines = {line.code: line for line in Line.objects.all()}
    assert sorted(lines) == ["A1", "A2", "M1", "M2", "M3"]
    assert sum(line.daily_capacity for line in lines.values()) == 120_000  # × 25 working days ≈ 3 million
    assert set(Product.objects.values_list("gtin", flat=True)) == {"06901234000016", "06901234000023"}
    statuses = set(Batch.objects.values_list("status", flat=True))
    assert {"planned", "in_production", "awaiting_qc"} <= statuses
    assert set(MaterialLot.objects.values_list("status", flat=True)) == {"quarantine", "approved", "rejected"}
    batch = Batch.objects.filter(status="awaiting_qc").first()
    assert batch.steps.count() == 8 and batch.consumptions.count() >= 17
    row = batch.history.order_by("-history_id").first()
    assert row.history_user.username == "production" and row.history_change_reason == "end of batch"
    names_zh = dict(RejectReason.objects.values_list("code", "name_zh"))
    assert len(names_zh) == len(demo.REJECT_REASONS) and all(names_zh.values())
    assert names_zh["DESIC"] == "缺少干燥剂"  # the reject reason, not the material of the same code (干燥剂)


def test_the_demo_is_deterministic(short_window):
    def snapshot():
        return sorted(Batch.objects.values_list("lot_number", "line__code", "planned_quantity", "quantity_made",
                                                "quantity_rejected"))

    with transaction.atomic():
        seed()
        first = snapshot()
        transaction.set_rollback(True)
    assert Batch.objects.count() == 0
    seed()
    assert snapshot() == first and len(first) > 5
