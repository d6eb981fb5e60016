"""The production pages: roles, lists with constant query counts, the batch record and its actions, material lot
decisions, genealogy with CSV export, the capacity dashboard, the home panel and the batch panel registry."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lims.registry import register_panel, unregister_panel
from lims.services import create_record
from production import services
from production.models import Batch, Consumption, Line, MaterialLot
from tests.helpers import Snapshot, assert_constant_queries, assert_history, table_counts
from tests.production.conftest import consume_for
from tests.production.factories import gtin

pytestmark = pytest.mark.django_db

LISTS = ["product-list", "material-list", "cleanroom-list", "line-list", "rejectreason-list", "materiallot-list",
         "batch-list"]


def url(name, *args):
    return reverse(f"production:{name}", args=args)


# --- Roles -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LISTS)
def test_lists_by_role(client_for, production_user, qc_user, auditor_user, outsider, plant, name):
    for user in (production_user, qc_user, auditor_user):
        assert client_for(user).get(url(name)).status_code == 200
    assert client_for(outsider).get(url(name)).status_code == 403
    anonymous = client_for(None).get(url(name))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_regulatory_sees_batches_but_not_lines(client_for, regulatory_user, batch):
    client = client_for(regulatory_user)
    assert client.get(url("batch-list")).status_code == 200
    assert client.get(url("batch-detail", batch.lot_number)).status_code == 200
    assert client.get(url("line-list")).status_code == 403
    assert client.get(url("capacity")).status_code == 403


@pytest.mark.parametrize("name", LISTS)
def test_lists_have_a_constant_query_count(client_for, production_user, plant, name):
    counter = iter(range(700, 800))

    def add_rows():
        n = next(counter)
        services.create_product({"code": f"P{n}", "name": "p", "gtin": gtin(n), "shelf_life_months": 12,
                                 "storage_min_c": 2, "storage_max_c": 30}, user=production_user)
        create_record(Line, {"code": f"Z{n}", "name": "z", "kind": "manual", "clean_room": plant.room,
                             "rated_units_per_hour": 1}, user=production_user, reason="x")
        services.receive_material_lot(material=plant.materials["MEM"], supplier_lot=f"X{n}",
                                      expiry_date=timezone.localdate(), quantity=1, user=production_user)
        services.create_batch(product=plant.product, line=plant.m1, planned_quantity=5, user=production_user)
        from production.models import CleanRoom, Material, RejectReason

        create_record(CleanRoom, {"code": f"C{n}", "name": "c", "iso_class": 8, "area_m2": 1}, user=production_user,
                      reason="x")
        create_record(Material, {"code": f"M{n}", "name": "m", "category": "pad", "unit": "pcs"},
                      user=production_user, reason="x")
        create_record(RejectReason, {"code": f"R{n}", "name": "r"}, user=production_user, reason="x")

    add_rows()
    assert_constant_queries(client_for(production_user), url(name), add_rows)


def test_batch_list_filters_search_and_export(client_for, production_user, plant, batch):
    client = client_for(production_user)
    page = client.get(url("batch-list"), {"q": batch.lot_number[-4:], "status": "planned"})
    assert batch.lot_number in page.content.decode()
    assert client.get(url("batch-list"), {"status": "awaiting_qc"}).context["count"].value == 0
    csv = client.get(url("batch-list"), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Lot number,Product,Line,Status")
    assert batch.lot_number in body
    xlsx = client.get(url("batch-list"), {"export": "xlsx"})
    content = b"".join(xlsx.streaming_content)
    assert xlsx.status_code == 200 and content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    assert batch.lot_number in [row[0] for row in sheet.iter_rows(values_only=True)]


# --- The batch record ------------------------------------------------------------------------------------

def test_batch_page_shows_the_record_and_links(client_for, production_user, running, plant):
    consume_for(running, plant, 10)
    html = client_for(production_user).get(url("batch-detail", running.lot_number)).content.decode()
    assert running.lot_number in html and "MEM-001" in html
    assert reverse("object-history", args=["production", "batch", running.pk]) in html
    assert url("batch-genealogy", running.lot_number) in html
    assert url("batch-complete", running.lot_number) in html and url("batch-step", running.lot_number) in html


def test_batch_page_offers_no_action_to_readers(client_for, qc_user, running):
    html = client_for(qc_user).get(url("batch-detail", running.lot_number)).content.decode()
    assert url("batch-complete", running.lot_number) not in html
    assert url("batch-consume", running.lot_number) not in html


def test_batch_page_has_a_constant_query_count(client_for, production_user, running, plant):
    counter = iter(range(1, 100))

    def add_rows():
        n = next(counter)
        services.consume_material(running, material_lot=plant.lots["MEM"], quantity=1, user=production_user)
        services.consume_material(running, material_lot=plant.lots["CAS"], quantity=1, user=production_user)
        now = timezone.now()
        services.record_step(running, step=plant.product.process_steps.get(sequence=n % 8 + 1),
                             started_at=now - timedelta(minutes=5), ended_at=now, user=production_user)
        lot = services.receive_material_lot(material=plant.materials["BUF"], supplier_lot=f"B{n}",
                                            expiry_date=timezone.localdate() + timedelta(days=30), quantity=5,
                                            user=production_user)
        services.approve_material_lot(lot, user=production_user)

    add_rows()
    assert_constant_queries(client_for(production_user), url("batch-detail", running.lot_number), add_rows)


def test_unknown_batch_is_404(client_for, production_user, plant):
    assert client_for(production_user).get(url("batch-detail", "NOPE")).status_code == 404


def test_new_batch_page_creates_through_the_service(client_for, production_user, plant):
    client = client_for(production_user)
    assert client.get(url("batch-create")).status_code == 200
    response = client.post(url("batch-create"), {"product": plant.product.pk, "line": plant.a1.pk,
                                                 "planned_quantity": 500, "manufactured_on": "2026-03-15",
                                                 "reason": "order 17"})
    batch = Batch.objects.get(lot_number="SC260315A101")
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert_history(batch, user=production_user, reason="order 17", type="+")


def test_new_batch_page_shows_errors_and_creates_nothing(client_for, production_user, plant):
    before = table_counts(Batch)
    response = client_for(production_user).post(url("batch-create"), {"product": plant.product.pk,
                                                                     "line": plant.a1.pk, "planned_quantity": 0})
    assert response.status_code == 200 and response.context["form"].errors
    assert table_counts(Batch) == before
    assert client_for(production_user).get(url("batch-create")).status_code == 200


def test_readers_cannot_open_a_batch(client_for, qc_user, plant):
    assert client_for(qc_user).get(url("batch-create")).status_code == 403
    before = table_counts(Batch)
    assert client_for(qc_user).post(url("batch-create"), {"product": plant.product.pk, "line": plant.a1.pk,
                                                          "planned_quantity": 5}).status_code == 403
    assert table_counts(Batch) == before


def test_the_batch_actions_through_the_pages(client_for, production_user, batch, plant):
    client = client_for(production_user)
    client.post(url("batch-start", batch.lot_number), {"reason": "line cleared"})
    batch.refresh_from_db()
    assert batch.status == Batch.Status.IN_PRODUCTION
    assert_history(batch, user=production_user, reason="line cleared")
    now = timezone.localtime().replace(second=0, microsecond=0)
    client.post(url("batch-step", batch.lot_number), {
        "step": plant.product.process_steps.get(code="dispensing").pk, "equipment": "Dispenser D-1",
        "started_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"), "room_temperature_c": "22.0", "reason": "shift 1"})
    assert batch.steps.get().equipment == "Dispenser D-1"
    for code, quantity in (("MEM", "100"), ("CAS", "100"), ("BUF", "35")):
        client.post(url("batch-consume", batch.lot_number), {"material_lot": plant.lots[code].pk,
                                                             "quantity": quantity, "reason": "dispensed"})
    assert batch.consumptions.count() == 3
    response = client.post(url("batch-complete", batch.lot_number), {
        "quantity_made": "97", f"reject_{plant.reasons['SEAL'].pk}": "3", "reason": "end of shift"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.quantity_made, batch.quantity_rejected) == (Batch.Status.AWAITING_QC, 97, 3)


def test_a_refused_page_action_explains_and_changes_nothing(client_for, production_user, running, plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="QUAR",
                                        expiry_date=timezone.localdate() + timedelta(days=30), quantity=10,
                                        user=production_user)
    snap = Snapshot(running, lot)
    response = client_for(production_user).post(url("batch-consume", running.lot_number),
                                                {"material_lot": lot.pk, "quantity": "1"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("not approved" in m for m in messages), messages
    snap.assert_unchanged()
    assert Consumption.objects.count() == 0
    response = client_for(production_user).post(url("batch-complete", running.lot_number), {"quantity_made": "10"},
                                                follow=True)
    assert any("Not enough material" in str(m) for m in response.context["messages"])
    snap.assert_unchanged()


def test_page_actions_need_the_run_permission(client_for, qc_user, running, plant):
    snap = Snapshot(running)
    for name, data in (("batch-start", {}), ("batch-complete", {"quantity_made": "1"}),
                       ("batch-consume", {"material_lot": plant.lots["MEM"].pk, "quantity": "1"})):
        assert client_for(qc_user).post(url(name, running.lot_number), data).status_code == 403
    snap.assert_unchanged()


def test_registered_batch_panels_render(client_for, production_user, batch, tmp_path, settings):
    (tmp_path / "panel.html").write_text("<p>{{ panel.note }} · {{ batch.lot_number }}</p>")
    (tmp_path / "hidden.html").write_text("<p>HIDDEN</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    register_panel("batch", "panel.html", lambda request, b: {"note": "QC results"})
    register_panel("batch", "hidden.html", lambda request, b: None)
    try:
        html = client_for(production_user).get(url("batch-detail", batch.lot_number)).content.decode()
    finally:
        unregister_panel("batch", "panel.html")
        unregister_panel("batch", "hidden.html")
    assert f"<p>QC results · {batch.lot_number}</p>" in html and "HIDDEN" not in html


# --- Material lots ---------------------------------------------------------------------------------------

def test_receiving_a_lot_through_the_page(client_for, production_user, plant):
    response = client_for(production_user).post(url("materiallot-create"), {
        "material": plant.materials["MEM"].pk, "supplier": "Sartorius", "supplier_lot": "NC-9",
        "received_on": "2026-01-05", "expiry_date": "2028-01-05", "quantity": "300", "reason": "delivery 9"})
    lot = MaterialLot.objects.get(supplier_lot="NC-9")
    assert response.status_code == 302 and lot.status == MaterialLot.Status.QUARANTINE
    assert_history(lot, user=production_user, reason="delivery 9", type="+")


def test_qc_decides_on_the_lot_page(client_for, qc_user, production_user, plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="NC-10",
                                        expiry_date=timezone.localdate() + timedelta(days=300), quantity=10,
                                        user=production_user)
    assert url("materiallot-approve", lot.pk) not in client_for(production_user).get(
        url("materiallot-detail", lot.pk)).content.decode()
    page = client_for(qc_user).get(url("materiallot-detail", lot.pk)).content.decode()
    assert url("materiallot-approve", lot.pk) in page
    snap = Snapshot(lot)
    response = client_for(qc_user).post(url("materiallot-reject", lot.pk), {"reason": ""}, follow=True)
    assert any("reason" in str(m).lower() for m in response.context["messages"])
    snap.assert_unchanged()
    assert client_for(production_user).post(url("materiallot-approve", lot.pk), {}).status_code == 403
    snap.assert_unchanged()
    client_for(qc_user).post(url("materiallot-reject", lot.pk), {"reason": "wrong pore size"})
    lot.refresh_from_db()
    assert lot.status == MaterialLot.Status.REJECTED
    assert_history(lot, user=qc_user, reason="wrong pore size")


# --- Genealogy pages -------------------------------------------------------------------------------------

def test_genealogy_pages_both_ways_with_csv(client_for, qa_user, production_user, running, plant):
    consume_for(running, plant, 10)
    client = client_for(qa_user)
    down = client.get(url("batch-genealogy", running.lot_number))
    assert down.status_code == 200
    assert all(lot in down.content.decode() for lot in ("MEM-001", "CAS-001", "BUF-001"))
    csv = b"".join(client.get(url("batch-genealogy", running.lot_number), {"export": "csv"}).streaming_content)
    rows = csv.decode("utf-8-sig").splitlines()
    assert len(rows) == 4 and "BUF-001" in csv.decode() and ",3.5," in csv.decode().replace(".500", ".5")
    up = client.get(url("materiallot-batches", plant.lots["MEM"].pk))
    assert up.status_code == 200 and running.lot_number in up.content.decode()
    recall = b"".join(client.get(url("materiallot-batches", plant.lots["MEM"].pk),
                                 {"export": "csv"}).streaming_content).decode("utf-8-sig").splitlines()
    assert len(recall) == 2 and recall[1].startswith(running.lot_number)
    assert client_for(None).get(url("batch-genealogy", running.lot_number)).status_code == 302


def test_genealogy_pages_have_a_constant_query_count(client_for, production_user, plant):
    batches = []

    def add_rows():
        b = services.start_batch(services.create_batch(product=plant.product, line=plant.a1, planned_quantity=1,
                                                       user=production_user), user=production_user)
        batches.append(b)
        services.consume_material(b, material_lot=plant.lots["MEM"], quantity=1, user=production_user)
        lot = services.approve_material_lot(services.receive_material_lot(
            material=plant.materials["CAS"], supplier_lot=f"C{len(batches)}",
            expiry_date=timezone.localdate() + timedelta(days=30), quantity=5, user=production_user),
            user=production_user)
        services.consume_material(batches[0], material_lot=lot, quantity=1, user=production_user)

    add_rows()
    client = client_for(production_user)
    assert_constant_queries(client, url("materiallot-batches", plant.lots["MEM"].pk), add_rows)
    assert_constant_queries(client, url("batch-genealogy", batches[0].lot_number), add_rows)


# --- Capacity and home -----------------------------------------------------------------------------------

def test_capacity_page_charts_the_output_and_plans(client_for, production_user, running, plant):
    consume_for(running, plant, 100)
    services.complete_batch(running, quantity_made=100, user=production_user)
    month = timezone.localdate().strftime("%Y-%m")
    response = client_for(production_user).get(url("capacity"), {"month": month, "demand": "5000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="output-chart"' in html and 'id="output-chart"' in html
    assert "<script>" not in html and "style=" not in html
    report = response.context["report"]
    assert report["output_kits"] == 100 and report["nameplate_tests"] == 3_000_000
    assert response.context["plan"].stations_needed > 0


def test_capacity_page_without_output_says_so(client_for, production_user, plant):
    response = client_for(production_user).get(url("capacity"), {"month": "2020-01"})
    assert response.status_code == 200 and not response.context["has_output"]
    assert client_for(production_user).get(url("capacity"), {"month": "garbage"}).status_code == 200


def test_home_panel_for_production(client_for, production_user, qc_user, running, plant):
    services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="SOON",
                                  expiry_date=timezone.localdate() + timedelta(days=10), quantity=Decimal(5),
                                  user=production_user)
    panels = client_for(production_user).get("/").context["panels"]
    production = next(p for p in panels if p["title"] == "Production")
    texts = [i["text"] for i in production["items"]]
    assert texts == ["1 batch in production", "0 batches awaiting QC", "1 component lot expires within 30 days"]
    assert production["level"] == "warning"
    assert not any(p["title"] == "Production" for p in client_for(qc_user).get("/").context["panels"])


def test_menu_by_role(client_for, production_user, regulatory_user, plant):
    html = client_for(production_user).get("/").content.decode()
    assert url("capacity") in html and url("batch-create") in html
    html = client_for(regulatory_user).get("/").content.decode()
    assert url("batch-list") in html and url("capacity") not in html


def test_product_page(client_for, production_user, plant):
    html = client_for(production_user).get(url("product-detail", plant.product.pk)).content.decode()
    assert "Cassette assembly" in html and "MEM Nitrocellulose membrane" in html


def test_pages_and_refusals_speak_chinese(client_for, api_for, production_user, running, plant):
    from lims.models import UserPreference

    UserPreference.objects.create(user=production_user, language="zh-hans")
    html = client_for(production_user).get(url("batch-detail", running.lot_number)).content.decode()
    assert "批生产记录" in html and "完成并提交质检" in html
    response = api_for(production_user).post(f"/api/v1/production/batches/{running.lot_number}/complete/",
                                             {"quantity_made": 10}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409 and response.json()["code"] == "bom_shortfall"
    assert "记录的物料不足" in response.json()["detail"]
