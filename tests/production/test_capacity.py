"""Capacity arithmetic on worked examples (production.capacity), and the month's output read from the batches.

The demo plant: A1, A2 automated at 3,000 kits/h × 16 h = 48,000 kits/day each; M1–M3 manual at 1,000 kits/h × 8 h
= 8,000 kits/day each; 120,000 kits/day in all. February 2026 starts on a Sunday: 24 Monday–Saturday days.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from production import services
from production.capacity import LineRate, monthly_output, plan, utilisation_pct, working_days
from tests.helpers import Snapshot
from tests.production.conftest import consume_for
from tests.production.factories import gtin

DEMO = [LineRate("A1", "automated", 3000, Decimal(16)), LineRate("A2", "automated", 3000, Decimal(16)),
        LineRate("M1", "manual", 1000, Decimal(8)), LineRate("M2", "manual", 1000, Decimal(8)),
        LineRate("M3", "manual", 1000, Decimal(8))]


@pytest.mark.parametrize(("year", "month", "per_week", "days"), [
    (2026, 2, 6, 24), (2026, 2, 5, 20), (2026, 2, 7, 28), (2026, 3, 6, 26), (2024, 2, 6, 25), (2026, 11, 5, 21),
])
def test_working_days_of_a_month(year, month, per_week, days):
    assert working_days(year, month, per_week) == days


def demo_plan(demand_tests, tests_per_kit=1, rate=1000, hours=Decimal(8)):
    return plan(demand_tests=demand_tests, tests_per_kit=tests_per_kit, lines=DEMO, days=24, station_rate=rate,
                station_hours=hours)


def test_the_demo_plant_makes_2_88_million_kits_in_february_2026():
    result = demo_plan(0)
    assert result.capacity_kits == 2_880_000
    assert [row["kits_per_month"] for row in result.lines] == [1_152_000, 1_152_000, 192_000, 192_000, 192_000]


@pytest.mark.parametrize(("demand", "enough", "short", "stations"), [
    (2_880_000, True, 0, 0),          # exactly the capacity
    (2_880_001, False, 1, 1),         # one kit short still needs a whole station
    (3_000_000, False, 120_000, 1),   # 120,000 ÷ 192,000 = 0.63 → 1
    (3_072_000, False, 192_000, 1),   # exactly one station
    (3_072_001, False, 192_001, 2),
    (3_500_000, False, 620_000, 4),   # 620,000 ÷ 192,000 = 3.23 → 4
])
def test_stations_needed_for_a_surge(demand, enough, short, stations):
    result = demo_plan(demand)
    assert (result.enough, result.shortfall_kits, result.station_kits_per_month, result.stations_needed) == (
        enough, short, 192_000, stations)


def test_a_station_of_another_rate():
    # 620,000 short; 600 kits/h × 12 h × 24 days = 172,800 a station → 3.59 → 4
    result = demo_plan(3_500_000, rate=600, hours=Decimal(12))
    assert (result.station_kits_per_month, result.stations_needed) == (172_800, 4)


def test_demand_in_tests_becomes_kits_by_tests_per_kit():
    assert demo_plan(3_000_000, tests_per_kit=20).demand_kits == 150_000
    assert demo_plan(3_000_001, tests_per_kit=20).demand_kits == 150_001  # a part kit is a kit
    big = demo_plan(60_000_000, tests_per_kit=20)  # 3,000,000 kits
    assert (big.demand_kits, big.capacity_tests, big.stations_needed) == (3_000_000, 57_600_000, 1)


def test_utilisation():
    assert utilisation_pct(56_000, 48_000) == 116.7
    assert utilisation_pct(24_000, 48_000) == 50.0
    assert utilisation_pct(10, 0) is None
    assert demo_plan(1_440_000).utilisation_pct == 50.0


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        demo_plan(-1)
    with pytest.raises(ValueError):
        demo_plan(1, tests_per_kit=0)
    with pytest.raises(ValueError):
        working_days(2026, 2, 8)


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.django_db
def test_monthly_output_per_line_and_day_against_capacity(plant):
    pack = services.create_product({"code": "AG-20", "name": "20 tests", "gtin": gtin(20), "tests_per_kit": 20,
                                    "shelf_life_months": 24, "storage_min_c": 2, "storage_max_c": 30},
                                   user=plant.user)
    made = [(plant.product, plant.a1, date(2026, 2, 2), 24_000), (plant.product, plant.a1, date(2026, 2, 2), 30_000),
            (pack, plant.m1, date(2026, 2, 3), 4_000), (plant.product, plant.m1, date(2026, 2, 1), 800)]
    for product, line, day, quantity in made:
        batch = services.create_batch(product=product, line=line, planned_quantity=quantity, manufactured_on=day,
                                      user=plant.user)
        batch = services.start_batch(batch, user=plant.user, at=_at(day, 6))
        if product == plant.product:  # the fixture's lots hold 1,000 units: a lot per material for this batch
            bom_lots = {}
            for line_item in plant.bom.lines.select_related("material"):
                lot = services.receive_material_lot(material=line_item.material, supplier_lot=f"BIG-{batch.pk}",
                                                    expiry_date=date(2030, 1, 1), quantity=Decimal(quantity),
                                                    user=plant.user)
                bom_lots[line_item.material.code] = services.approve_material_lot(lot, user=plant.user)
            for line_item in plant.bom.lines.select_related("material"):
                services.consume_material(batch, material_lot=bom_lots[line_item.material.code],
                                          quantity=line_item.quantity_per_kit * quantity, user=plant.user)
        services.complete_batch(batch, quantity_made=quantity, user=plant.user, at=_at(day, 20))
    report = monthly_output(2026, 2)
    assert report["working_days"] == 24
    assert [line.code for line in report["lines"]] == ["A1", "M1"]
    feb1, feb2, feb3 = report["days"][0], report["days"][1], report["days"][2]
    assert feb1["working"] is False and feb1["cells"][1] == {"line": "M1", "output": 800, "capacity": 0,
                                                              "utilisation_pct": None}
    assert feb2["cells"][0] == {"line": "A1", "output": 54_000, "capacity": 48_000, "utilisation_pct": 112.5}
    assert feb3["cells"][1] == {"line": "M1", "output": 4_000, "capacity": 8_000, "utilisation_pct": 50.0}
    assert (report["output_kits"], report["output_tests"]) == (58_800, 54_800 + 80_000)
    assert report["capacity_kits"] == (48_000 + 8_000) * 24
    assert report["nameplate_pct"] == round(134_800 * 100 / 3_000_000, 1)
    per_line = {p["code"]: p for p in report["per_line"]}
    assert per_line["A1"]["output"] == 54_000 and per_line["M1"]["output"] == 4_800


@pytest.mark.django_db
def test_completion_in_the_future_is_refused(running, plant):
    consume_for(running, plant, 1)
    snap = Snapshot(running)
    with pytest.raises(ValidationError) as err:
        services.complete_batch(running, quantity_made=1, user=plant.user, at=timezone.now() + timedelta(days=1))
    assert "future" in str(err.value)
    snap.assert_unchanged()
