"""The production rows of API.md: field names, references, actions with their 409 codes, history, genealogy,
the planner, and who may do what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from production import services
from production.models import Batch, Consumption, MaterialLot, Product
from tests.helpers import Snapshot, assert_constant_queries, assert_history, table_counts
from tests.production.conftest import consume_for
from tests.production.factories import gtin

pytestmark = pytest.mark.django_db

BASE = "/api/v1/production"


def product_body(n=500, **overrides):
    return {"code": f"AG-{n}", "name": "Antigen kit, 20 tests", "gtin": gtin(n), "tests_per_kit": 20,
            "shelf_life_months": 24, "storage_min_c": 2, "storage_max_c": 30, "project": None, **overrides}


# --- Field names of the contract -------------------------------------------------------------------------

def test_products_carry_the_contract_fields(api_for, production_user, plant):
    api = api_for(production_user)
    created = api.post(f"{BASE}/products/", product_body(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {"id", "code", "name", "gtin", "tests_per_kit", "shelf_life_months", "storage_min_c", "storage_max_c",
            "project"} <= set(body)
    assert (body["gtin"], body["tests_per_kit"], body["storage_min_c"]) == (gtin(500), 20, 2)
    product = Product.objects.get(pk=body["id"])
    assert product.process_steps.count() == 8
    assert_history(product, user=production_user, type="+")
    listed = api.get(f"{BASE}/products/").json()
    assert {"count", "next", "previous", "results"} <= set(listed)


@pytest.mark.parametrize("bad", ["06901234000017", "6901234000016", "0690123400001X", ""])
def test_a_bad_gtin_is_400_with_the_field_and_nothing_is_created(api_for, production_user, bad):
    before = table_counts(Product)
    response = api_for(production_user).post(f"{BASE}/products/", product_body(gtin=bad), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "gtin" in response.json()["fields"]
    assert table_counts(Product) == before


def test_clean_rooms_and_lines_carry_the_contract_fields(api_for, production_user, plant):
    api = api_for(production_user)
    room = api.post(f"{BASE}/clean-rooms/", {"code": "CR-02", "name": "Packing", "iso_class": 8, "area_m2": 120},
                    format="json")
    assert room.status_code == 201, room.json()
    assert set(room.json()) >= {"id", "code", "name", "iso_class", "area_m2"}
    line = api.post(f"{BASE}/lines/", {"code": "M4", "name": "Manual 4", "kind": "manual",
                                       "clean_room": room.json()["id"], "rated_units_per_hour": 900,
                                       "active": True}, format="json")
    assert line.status_code == 201, line.json()
    assert set(line.json()) >= {"id", "code", "name", "kind", "clean_room", "rated_units_per_hour", "active"}
    assert line.json()["hours_per_day"] == 8 and line.json()["daily_capacity"] == 7200
    bad = api.post(f"{BASE}/lines/", {"code": "M5", "name": "x", "kind": "robotic", "clean_room": room.json()["id"],
                                      "rated_units_per_hour": 900}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]


def test_material_lots_are_created_in_quarantine_with_read_only_status(api_for, production_user, plant):
    api = api_for(production_user)
    response = api.post(f"{BASE}/material-lots/", {
        "material": plant.materials["MEM"].pk, "supplier_lot": "NC-2026-17", "expiry_date": "2028-01-31",
        "status": "approved"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "material", "supplier_lot", "expiry_date", "status"} <= set(body)
    assert body["status"] == "quarantine"
    full = api.post(f"{BASE}/material-lots/", {
        "material": plant.materials["MEM"].pk, "supplier": "Sartorius", "supplier_lot": "NC-2026-18",
        "received_on": "2026-01-05", "expiry_date": "2028-01-31", "quantity": "2500.5"}, format="json").json()
    assert (full["quantity_received"], full["quantity_remaining"], full["received_on"]) == (2500.5, 2500.5,
                                                                                            "2026-01-05")


def test_batches_carry_the_contract_fields(api_for, production_user, plant):
    api = api_for(production_user)
    response = api.post(f"{BASE}/batches/", {"product": plant.product.pk, "line": plant.a1.pk,
                                             "planned_quantity": 50000, "manufactured_on": "2026-03-15"},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"lot_number", "product", "line", "planned_quantity", "status", "manufactured_on", "expiry_date",
            "quantity_made", "quantity_rejected", "quantity_released", "quantity_shipped", "gtin", "label_url",
            "history_url", "version"} <= set(body)
    batch = Batch.objects.get(lot_number=body["lot_number"])
    assert body == {**body, "lot_number": "SC260315A101", "product": plant.product.pk, "line": plant.a1.pk,
                    "status": "planned", "expiry_date": "2028-03-15", "gtin": plant.product.gtin,
                    "quantity_made": 0, "label_url": "/api/v1/production/labels/SC260315A101/print-jobs/",
                    "history_url": f"/history/production/batch/{batch.pk}/", "version": 1}
    detail = api.get(f"{BASE}/batches/SC260315A101/")
    assert detail.status_code == 200 and detail.json()["lot_number"] == "SC260315A101"
    assert api.get(f"{BASE}/batches/NOPE/").status_code == 404


def test_read_only_batch_fields_are_ignored_on_create(api_for, production_user, plant):
    response = api_for(production_user).post(f"{BASE}/batches/", {
        "product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": 10, "status": "released",
        "quantity_released": 10, "lot_number": "MINE"}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["quantity_released"]) == ("planned", 0)
    assert response.json()["lot_number"] != "MINE"
    assert response.json()["manufactured_on"] == timezone.localdate().isoformat()


def test_bad_batch_input_is_400_and_nothing_is_created(api_for, production_user, plant):
    before = table_counts(Batch)
    api = api_for(production_user)
    for body in ({"product": 99999, "line": plant.a1.pk, "planned_quantity": 10},
                 {"product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": 0},
                 {"product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": 10,
                  "manufactured_on": "15/03/2026"}):
        response = api.post(f"{BASE}/batches/", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", response.json()
    assert table_counts(Batch) == before


def test_batch_filters(api_for, production_user, plant):
    api = api_for(production_user)
    for line, day in ((plant.a1, "2026-03-01"), (plant.m1, "2026-03-10"), (plant.a1, "2026-03-20")):
        services.create_batch(product=plant.product, line=line, planned_quantity=10,
                              manufactured_on=timezone.datetime.fromisoformat(day).date(), user=production_user)
    services.start_batch(Batch.objects.get(lot_number="SC260310M101"), user=production_user,
                         at=timezone.make_aware(timezone.datetime(2026, 3, 10, 9)))

    def lots(query):
        response = api.get(f"{BASE}/batches/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(b["lot_number"] for b in response.json()["results"])

    assert lots(f"line={plant.a1.pk}") == ["SC260301A101", "SC260320A101"]
    assert lots("status=in_production") == ["SC260310M101"]
    assert lots("manufactured_after=2026-03-05&manufactured_before=2026-03-15") == ["SC260310M101"]
    assert lots(f"product={plant.product.pk}&status=planned") == ["SC260301A101", "SC260320A101"]
    assert api.get(f"{BASE}/batches/?status=shipped").status_code == 400


def test_stale_version_is_409_and_changes_nothing(api_for, production_user, plant):
    snap = Snapshot(plant.a1)
    response = api_for(production_user).patch(f"{BASE}/lines/{plant.a1.pk}/", {
        "reason": "corrected", "rated_units_per_hour": 1,
                                                                               "version": 99}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale_version"
    snap.assert_unchanged()
    ok = api_for(production_user).patch(f"{BASE}/lines/{plant.a1.pk}/", {
        "rated_units_per_hour": 3100, "version": plant.a1.version, "reason": "new dispenser"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == plant.a1.version + 1


def test_patching_a_batch_plan(api_for, production_user, batch):
    api = api_for(production_user)
    response = api.patch(f"{BASE}/batches/{batch.lot_number}/", {"planned_quantity": 120, "version": 1,
                                                                 "reason": "bigger order"}, format="json")
    assert response.status_code == 200 and response.json()["planned_quantity"] == 120
    response = api.patch(f"{BASE}/batches/{batch.lot_number}/",
                         {"reason": "corrected", "planned_quantity": 130, "version": 1},
                         format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale_version"


# --- Actions ---------------------------------------------------------------------------------------------

def test_the_whole_batch_through_the_api(api_for, production_user, plant):
    api = api_for(production_user)
    lot = api.post(f"{BASE}/batches/", {"product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": 100},
                   format="json").json()["lot_number"]
    started = api.post(f"{BASE}/batches/{lot}/start/", {"reason": "line cleared"}, format="json")
    assert started.status_code == 200 and started.json()["status"] == "in_production"
    for code, per_kit in (("MEM", 1), ("CAS", 1), ("BUF", Decimal("0.35"))):
        consumed = api.post(f"{BASE}/batches/{lot}/consume/", {"material_lot": plant.lots[code].pk,
                                                               "quantity": str(per_kit * 100)}, format="json")
        assert consumed.status_code == 201, consumed.json()
    assert set(consumed.json()) >= {"id", "batch", "material_lot", "quantity", "consumed_at", "consumed_by"}
    assert consumed.json()["batch"] == lot
    done = api.post(f"{BASE}/batches/{lot}/complete/", {
        "quantity_made": 96, "rejects": [{"reason": plant.reasons["SEAL"].pk, "quantity": 3},
                                         {"reason": "PRINT", "quantity": 1}], "reason": "shift end"},
        format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["quantity_made"], done.json()["quantity_rejected"]) == (
        "awaiting_qc", 96, 4)
    assert_history(Batch.objects.get(lot_number=lot), user=production_user, reason="shift end")


def test_starting_twice_is_409_invalid_state(api_for, production_user, running):
    snap = Snapshot(running)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/start/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert response.json()["detail"]
    snap.assert_unchanged()


def test_consuming_a_lot_in_quarantine_is_409(api_for, production_user, running, plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="Q-1",
                                        expiry_date=timezone.localdate() + timedelta(days=90), quantity=100,
                                        user=production_user)
    snap = Snapshot(running, lot)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                             {"material_lot": lot.pk, "quantity": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "material_not_approved"
    assert response.json()["reasons"] == [{"code": "material_not_approved", "detail": response.json()["detail"]}]
    snap.assert_unchanged()
    assert Consumption.objects.count() == 0


def test_consuming_an_expired_lot_is_409(api_for, production_user, running, plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="OLD-1",
                                        expiry_date=timezone.localdate() - timedelta(days=1), quantity=100,
                                        user=production_user)
    snap = Snapshot(running, lot)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                             {"material_lot": lot.pk, "quantity": 1}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "material_expired"
    snap.assert_unchanged()


@pytest.mark.parametrize("body", [{"material_lot": 99999, "quantity": 1}, {"quantity": 1}, {"material_lot": None},
                                  {"material_lot": 1, "quantity": 0}, {"material_lot": 1, "quantity": "x"}])
def test_bad_consumption_input_is_400(api_for, production_user, running, body):
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_bom_shortfall_is_409_listing_each_material(api_for, production_user, running, plant):
    consume_for(running, plant, 50)
    snap = Snapshot(running)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/complete/",
                                             {"quantity_made": 100}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "bom_shortfall"
    assert {s["material_code"] for s in body["shortfalls"]} == {"MEM", "CAS", "BUF"}
    assert len(body["reasons"]) == 3
    snap.assert_unchanged()


@pytest.mark.parametrize("body", [{}, {"quantity_made": -1}, {"quantity_made": 5, "rejects": [{"reason": "NOPE",
                                                                                              "quantity": 1}]},
                                  {"quantity_made": 5, "rejects": [{"reason": "SEAL", "quantity": 0}]},
                                  {"quantity_made": 5, "rejects": "SEAL"}])
def test_bad_completion_input_is_400(api_for, production_user, running, plant, body):
    snap = Snapshot(running)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/complete/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid", response.json()
    snap.assert_unchanged()


def test_history_lists_the_batch_and_its_children_with_user_and_reason(api_for, production_user, running, plant):
    consume_for(running, plant, 10)
    services.complete_batch(running, quantity_made=10, user=production_user, reason="closing the batch")
    response = api_for(production_user).get(f"{BASE}/batches/{running.lot_number}/history/")
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert body["count"] == 6  # the batch created, started, completed; its three consumptions
    newest = body["results"][-1]  # in time order (API.md)
    assert set(newest) >= {"history_date", "user", "type", "reason", "changes"}
    assert (newest["user"], newest["type"], newest["reason"]) == ("production", "changed", "closing the batch")
    changes = {c["field"]: c for c in newest["changes"]}
    assert changes["status"]["old"] == "In production" and changes["status"]["new"] == "Awaiting QC"
    assert set(changes["quantity_made"]) == {"field", "old", "new"}
    assert {r["model"] for r in body["results"]} == {"production.batch", "production.consumption"}


# --- Genealogy -------------------------------------------------------------------------------------------

def test_genealogy_both_ways(api_for, production_user, plant):
    api = api_for(production_user)
    first = services.start_batch(services.create_batch(product=plant.product, line=plant.a1, planned_quantity=10,
                                                       user=production_user), user=production_user)
    second = services.start_batch(services.create_batch(product=plant.product, line=plant.m1, planned_quantity=10,
                                                        user=production_user), user=production_user)
    consume_for(first, plant, 10)
    services.consume_material(first, material_lot=plant.lots["MEM"], quantity=2, user=production_user)
    services.consume_material(second, material_lot=plant.lots["MEM"], quantity=3, user=production_user)
    down = api.get(f"{BASE}/batches/{first.lot_number}/genealogy/")
    assert down.status_code == 200
    lots = {row["supplier_lot"]: row for row in down.json()["material_lots"]}
    assert set(lots) == {"MEM-001", "CAS-001", "BUF-001"}
    assert lots["MEM-001"]["quantity_consumed"] == 12 and lots["MEM-001"]["material_code"] == "MEM"
    up = api.get(f"{BASE}/material-lots/{plant.lots['MEM'].pk}/batches/")
    assert up.status_code == 200
    rows = {row["lot_number"]: row["quantity_consumed"] for row in up.json()["results"]}
    assert rows == {first.lot_number: 12, second.lot_number: 3}
    unused = api.get(f"{BASE}/material-lots/{plant.lots['SWAB'].pk}/batches/").json()
    assert unused["count"] == 0


# --- Incoming decision -----------------------------------------------------------------------------------

def test_qc_approves_and_rejects_lots_through_the_api(api_for, qc_user, production_user, plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="NEW",
                                        expiry_date=timezone.localdate() + timedelta(days=90), quantity=10,
                                        user=production_user)
    assert api_for(production_user).post(f"{BASE}/material-lots/{lot.pk}/approve/", {}).status_code == 403
    no_reason = api_for(qc_user).post(f"{BASE}/material-lots/{lot.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    approved = api_for(qc_user).post(f"{BASE}/material-lots/{lot.pk}/approve/", {"reason": "CoA ok"},
                                     format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert_history(MaterialLot.objects.get(pk=lot.pk), user=qc_user, reason="CoA ok")
    again = api_for(qc_user).post(f"{BASE}/material-lots/{lot.pk}/reject/", {"reason": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


# --- Roles -----------------------------------------------------------------------------------------------

READS = ["products/", "clean-rooms/", "lines/", "material-lots/", "batches/", "materials/", "reject-reasons/"]


@pytest.mark.parametrize("persona", ["qc_user", "qa_user", "auditor_user", "admin_user", "production_user"])
def test_readers_read_every_production_list(api_for, persona, request, plant):
    api = api_for(request.getfixturevalue(persona))
    for path in READS:
        assert api.get(f"{BASE}/{path}").status_code == 200, path


def test_regulatory_reads_products_and_batches_only(api_for, regulatory_user, batch):
    api = api_for(regulatory_user)
    assert api.get(f"{BASE}/products/").status_code == 200
    assert api.get(f"{BASE}/batches/{batch.lot_number}/").status_code == 200
    assert api.get(f"{BASE}/batches/{batch.lot_number}/history/").status_code == 200
    assert api.get(f"{BASE}/lines/").status_code == 403
    assert api.get(f"{BASE}/material-lots/").status_code == 403


@pytest.mark.parametrize("persona", ["qc_user", "qa_user", "auditor_user", "regulatory_user", "outsider",
                                     "lab_user", "incubator_user"])
def test_only_production_writes(api_for, persona, request, plant, running):
    api = api_for(request.getfixturevalue(persona))
    snap = Snapshot(running, plant.lots["MEM"], plant.product)
    before = table_counts(Batch, Product, MaterialLot, Consumption)
    attempts = [
        api.post(f"{BASE}/products/", product_body(501), format="json"),
        api.patch(f"{BASE}/products/{plant.product.pk}/", {"reason": "corrected", "name": "x"}, format="json"),
        api.post(f"{BASE}/batches/", {"product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": 1},
                 format="json"),
        api.post(f"{BASE}/batches/{running.lot_number}/consume/", {"material_lot": plant.lots["MEM"].pk,
                                                                   "quantity": 1}, format="json"),
        api.post(f"{BASE}/batches/{running.lot_number}/complete/", {"quantity_made": 0}, format="json"),
        api.post(f"{BASE}/material-lots/", {"material": plant.materials["MEM"].pk, "supplier_lot": "X",
                                            "expiry_date": "2030-01-01"}, format="json"),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    snap.assert_unchanged()
    assert table_counts(Batch, Product, MaterialLot, Consumption) == before


def test_outsider_reads_nothing(api_for, outsider, batch):
    api = api_for(outsider)
    for path in [*READS, f"batches/{batch.lot_number}/history/", "capacity/plan/?demand=1"]:
        assert api.get(f"{BASE}/{path}").status_code == 403, path


def test_anonymous_gets_401(api_for, batch):
    api = api_for(None)
    for path in [*READS, f"batches/{batch.lot_number}/", "capacity/plan/?demand=1"]:
        response = api.get(f"{BASE}/{path}")
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated", path
    assert api.post(f"{BASE}/batches/{batch.lot_number}/start/", {}).status_code == 401


# --- Capacity --------------------------------------------------------------------------------------------

def test_capacity_plan_api(api_for, production_user, plant):
    api = api_for(production_user)
    # A1 3,000 kits/h × 16 h + M1 1,000 kits/h × 8 h = 56,000 kits a day; February 2026 has 24 Mon–Sat days.
    ok = api.get(f"{BASE}/capacity/plan/?month=2026-02&demand=1000000").json()
    assert (ok["working_days"], ok["capacity_kits"], ok["enough"], ok["stations_needed"]) == (24, 1_344_000, True,
                                                                                              0)
    surge = api.get(f"{BASE}/capacity/plan/?month=2026-02&demand=1500000").json()
    # short 156,000 kits; a station makes 1,000 × 8 × 24 = 192,000 a month → 1 station
    assert (surge["shortfall_kits"], surge["station_kits_per_month"], surge["stations_needed"]) == (156_000, 192_000,
                                                                                                    1)
    assert surge["nameplate_tests"] == 3_000_000
    twenty = services.create_product({"code": "AG-20", "name": "20 tests", "gtin": gtin(777), "tests_per_kit": 20,
                                      "shelf_life_months": 24, "storage_min_c": 2, "storage_max_c": 30},
                                     user=production_user)
    kits = api.get(f"{BASE}/capacity/plan/?month=2026-02&demand=30000000&product={twenty.pk}").json()
    assert (kits["demand_kits"], kits["tests_per_kit"], kits["enough"]) == (1_500_000, 20, False)
    assert api.get(f"{BASE}/capacity/plan/?month=2026-13&demand=1").status_code == 400
    assert api.get(f"{BASE}/capacity/plan/?demand=-1").status_code == 400
    assert api.get(f"{BASE}/capacity/plan/").status_code == 400


def test_capacity_output_api_matches_the_batches(api_for, production_user, running, plant):
    consume_for(running, plant, 100)
    services.complete_batch(running, quantity_made=100, user=production_user)
    month = timezone.localdate().strftime("%Y-%m")
    body = api_for(production_user).get(f"{BASE}/capacity/output/?month={month}").json()
    assert body["output_kits"] == 100 and body["output_tests"] == 100
    a1 = next(line for line in body["lines"] if line["code"] == "A1")
    assert a1["output"] == 100


# --- Query counts ----------------------------------------------------------------------------------------

def test_batch_list_api_has_a_constant_query_count(api_for, production_user, plant):
    api = api_for(production_user)

    def add_rows():
        for line in (plant.a1, plant.m1):
            services.create_batch(product=plant.product, line=line, planned_quantity=5, user=production_user)

    add_rows()
    assert_constant_queries(api, f"{BASE}/batches/", add_rows)


@pytest.mark.parametrize("path", ["material-lots/", "lines/", "products/"])
def test_master_data_lists_have_a_constant_query_count(api_for, production_user, plant, path):
    api = api_for(production_user)
    counter = iter(range(600, 700))

    def add_rows():
        n = next(counter)
        services.receive_material_lot(material=plant.materials["MEM"], supplier_lot=f"X{n}",
                                      expiry_date=timezone.localdate(), quantity=1, user=production_user)
        services.create_product(product_body(n), user=production_user)
        from lims.services import create_record
        from production.models import Line

        create_record(Line, {"code": f"Z{n}", "name": "z", "kind": "manual", "clean_room": plant.room,
                             "rated_units_per_hour": 1}, user=production_user, reason="x")

    assert_constant_queries(api, f"{BASE}/{path}", add_rows)


def test_steps_are_logged_and_listed_through_the_api(api_for, production_user, qc_user, running, plant):
    api = api_for(production_user)
    path = f"{BASE}/batches/{running.lot_number}/steps/"
    now = timezone.now().replace(microsecond=0)
    logged = api.post(path, {"step": "lamination", "started_at": (now - timedelta(hours=1)).isoformat(),
                             "ended_at": now.isoformat(), "equipment": "Laminator L-2", "room_humidity_pct": 38,
                             "reason": "shift 1"}, format="json")
    assert logged.status_code == 201, logged.json()
    assert (logged.json()["step_code"], logged.json()["operator"], logged.json()["batch"]) == (
        "lamination", "production", running.lot_number)
    listed = api_for(qc_user).get(path).json()
    assert [row["equipment"] for row in listed["results"]] == ["Laminator L-2"]
    snap = Snapshot(running)
    backwards = api.post(path, {"step": "slitting", "started_at": now.isoformat(),
                                "ended_at": (now - timedelta(hours=1)).isoformat()}, format="json")
    assert backwards.status_code == 400 and "ended_at" in backwards.json()["fields"]
    unknown = api.post(path, {"step": "painting", "started_at": now.isoformat(), "ended_at": now.isoformat()},
                       format="json")
    assert unknown.status_code == 400 and "step" in unknown.json()["fields"]
    assert api_for(qc_user).post(path, {"step": "slitting", "started_at": now.isoformat(),
                                        "ended_at": now.isoformat()}, format="json").status_code == 403
    snap.assert_unchanged()
    assert running.steps.count() == 1
