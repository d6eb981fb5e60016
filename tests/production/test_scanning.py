"""Scanning component lots (issue 21): a receiving label or a supplier's GS1 label names the lot; every refusal
says why and stores nothing; the pick list consumes a batch's whole BOM all or nothing (issue 19 point 2)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone

from lims.labels.gs1 import yymmdd
from lims.services import update_record
from production import services
from production.labelling.services import print_labels
from production.models import Consumption, MaterialLot
from production.scanning import LotScanRefused, resolve_material_lot
from tests.helpers import Snapshot, assert_constant_queries
from tests.lab.factories import make_sample
from tests.production.factories import gtin

BASE = "/api/v1/production"
GS = "\x1d"
SUPPLIER_GTIN = gtin(77)


def scanner_reads(fields) -> str:
    """What a scanner sends for a GS1 DataMatrix of ``fields``: encode the symbol, decode it with zxing-cpp (the
    scanner library), transmitted text without the symbology identifier, GS between variable-length fields."""
    text = "".join(f"[{ai}]{value}" for ai, value in fields)
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, gs1=True, forceSquare=True)
    result = zxingcpp.read_barcode(symbol.to_image(scale=4), text_mode=zxingcpp.TextMode.Plain)
    assert result is not None and result.symbology_identifier == "]d2"
    return result.text


def receiving_label(lot) -> str:
    """The receiving label's DataMatrix: (240) material code, (10) internal lot, (17) expiry."""
    return scanner_reads([("240", lot.material.code), ("10", lot.internal_lot), ("17", yymmdd(lot.expiry_date))])


def received(plant, code="MEM", supplier_lot="NEW-1", days=400, approve=True, qc=None):
    lot = services.receive_material_lot(material=plant.materials[code], supplier="Supplier", supplier_lot=supplier_lot,
                                        expiry_date=timezone.localdate() + timedelta(days=days), quantity=500,
                                        user=plant.user, reason="delivery")
    return services.approve_material_lot(lot, user=qc, reason="passed") if approve else lot


@pytest.fixture
def supplier_gtin(plant):
    return update_record(plant.materials["MEM"], {"supplier_gtin": SUPPLIER_GTIN}, user=plant.user,
                         reason="supplier prints GS1 labels")


# --- Resolution -------------------------------------------------------------------------------------------

def test_a_receiving_label_names_its_lot(plant):
    lot = plant.lots["CAS"]
    text = receiving_label(lot)
    assert GS in text and text.startswith("240CAS")
    assert resolve_material_lot(text) == lot
    # The human-readable form typed by hand, and the internal lot code alone, name it too.
    assert resolve_material_lot(f"(240)CAS(10){lot.internal_lot}") == lot
    assert resolve_material_lot(lot.internal_lot.lower()) == lot


def test_a_supplier_label_resolves_through_the_materials_supplier_gtin(plant, supplier_gtin):
    text = scanner_reads([("01", SUPPLIER_GTIN), ("10", "MEM-001")])
    assert resolve_material_lot(text) == plant.lots["MEM"]
    with_expiry = scanner_reads([("01", SUPPLIER_GTIN), ("17", yymmdd(plant.lots["MEM"].expiry_date)),
                                 ("10", "MEM-001")])
    assert resolve_material_lot(with_expiry) == plant.lots["MEM"]
    # Two receipts of the same supplier lot: the usable one expiring first.
    later = received(plant, supplier_lot="MEM-001", days=2000, qc=plant.user)
    assert resolve_material_lot(text) == plant.lots["MEM"]
    assert later.supplier_lot == "MEM-001"


@pytest.mark.parametrize("case, code", [
    ("unreadable", "scan_unreadable"), ("unknown_internal", "scan_unknown_lot"),
    ("unknown_material", "scan_unknown_lot"), ("unknown_gtin", "scan_unknown_lot"),
    ("kit_label", "scan_unknown_lot"), ("other_material", "scan_other_material"),
    ("quarantine", "material_not_approved"), ("rejected", "material_not_approved"),
    ("expired", "material_expired"),
])
def test_each_refusal_has_its_code_and_reason(plant, qc_user, supplier_gtin, case, code):
    lot = plant.lots["MEM"]
    material = None
    if case == "unreadable":
        text = "hello world"
    elif case == "unknown_internal":
        text = scanner_reads([("240", "MEM"), ("10", "ML999999")])
    elif case == "unknown_material":
        text = scanner_reads([("240", "NOPE"), ("10", lot.internal_lot)])
    elif case == "unknown_gtin":
        text = scanner_reads([("01", gtin(78)), ("10", "MEM-001")])
    elif case == "kit_label":
        text = scanner_reads([("01", plant.product.gtin), ("17", "291231"), ("10", "SC1")])
    elif case == "other_material":
        text, material = receiving_label(plant.lots["CAS"]), plant.materials["MEM"]
    elif case == "quarantine":
        text = receiving_label(received(plant, approve=False))
    elif case == "rejected":
        bad = received(plant, approve=False)
        services.reject_material_lot(bad, user=qc_user, reason="failed incoming QC")
        text = receiving_label(bad)
    else:  # expired yesterday, approved while it was still good
        old = received(plant, days=400, qc=qc_user)
        MaterialLot.objects.filter(pk=old.pk).update(expiry_date=timezone.localdate() - timedelta(days=1))
        old.refresh_from_db()
        text = receiving_label(old)
    with pytest.raises(LotScanRefused) as refused:
        resolve_material_lot(text, material=material)
    assert refused.value.code == code
    assert str(refused.value.message)


def test_reasons_say_what_is_wrong(plant, qc_user, supplier_gtin):
    with pytest.raises(LotScanRefused, match="No material carries the supplier's GTIN"):
        resolve_material_lot(scanner_reads([("01", gtin(78)), ("10", "X")]))
    with pytest.raises(LotScanRefused, match="one of our kits"):
        resolve_material_lot(scanner_reads([("01", plant.product.gtin), ("10", "X")]))
    with pytest.raises(LotScanRefused, match="in quarantine"):
        resolve_material_lot(receiving_label(received(plant, approve=False)))
    with pytest.raises(LotScanRefused, match="not MEM Nitrocellulose"):
        resolve_material_lot(receiving_label(plant.lots["CAS"]), material=plant.materials["MEM"])


def test_the_scanner_prefix_and_suffix_are_dropped(plant, settings):
    settings.LIMS_SCAN_PREFIX, settings.LIMS_SCAN_SUFFIX = "\x02", "#"
    lot = plant.lots["BUF"]
    assert resolve_material_lot("\x02" + receiving_label(lot) + "#") == lot


# --- API: consume by scan ---------------------------------------------------------------------------------

def test_a_receiving_label_posted_as_scan_consumes_that_lot(api_for, production_user, running, plant):
    lot = plant.lots["BUF"]
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                             {"scan": receiving_label(lot), "quantity": "35"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["material_lot"] == lot.pk
    consumption = Consumption.objects.get()
    assert (consumption.batch, consumption.material_lot, consumption.quantity) == (running, lot, Decimal("35"))
    lot.refresh_from_db()
    assert lot.quantity_remaining == Decimal("965")


def test_a_supplier_label_posted_as_scan_consumes_the_lot(api_for, production_user, running, plant, supplier_gtin):
    text = scanner_reads([("01", SUPPLIER_GTIN), ("10", "MEM-001")])
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                             {"scan": text, "quantity": 10}, format="json")
    assert response.status_code == 201, response.json()
    assert Consumption.objects.get().material_lot == plant.lots["MEM"]


@pytest.mark.parametrize("case, status, code", [
    ("unreadable", 400, "scan_unreadable"), ("unknown", 400, "scan_unknown_lot"),
    ("quarantine", 409, "material_not_approved"), ("expired", 409, "material_expired"),
    ("other_material", 409, "not_in_bom"),
])
def test_a_refused_scan_says_why_and_stores_nothing(api_for, production_user, qc_user, running, plant, case,
                                                    status, code):
    if case == "unreadable":
        text = "]d2 not a label"
    elif case == "unknown":
        text = scanner_reads([("240", "MEM"), ("10", "ML999999")])
    elif case == "quarantine":
        text = receiving_label(received(plant, approve=False))
    elif case == "expired":
        old = received(plant, qc=qc_user)
        MaterialLot.objects.filter(pk=old.pk).update(expiry_date=timezone.localdate() - timedelta(days=3))
        text = receiving_label(old)
    else:
        text = receiving_label(plant.lots["SWAB"])  # a swab is not in the BOM
    lots = list(MaterialLot.objects.all())
    snap = Snapshot(running, *lots)
    response = api_for(production_user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                             {"scan": text, "quantity": 1}, format="json")
    body = response.json()
    assert response.status_code == status, body
    if status == 400:
        assert body["code"] == "invalid" and body["fields"]["scan"] and body["reasons"][0]["code"] == code
    else:
        assert body["code"] == code and body["detail"]
    snap.assert_unchanged()
    assert Consumption.objects.count() == 0


def test_scan_accepts_the_group_separator_and_no_other_control_character(api_for, production_user, running, plant):
    api = api_for(production_user)
    url = f"{BASE}/batches/{running.lot_number}/consume/"
    refused = api.post(url, {"scan": receiving_label(plant.lots["MEM"]) + "\x07", "quantity": 1}, format="json")
    assert refused.status_code == 400 and "scan" in refused.json()["fields"]
    both = api.post(url, {"scan": plant.lots["MEM"].internal_lot, "material_lot": plant.lots["MEM"].pk,
                          "quantity": 1}, format="json")
    assert both.status_code == 400 and "material_lot" in both.json()["fields"]
    assert Consumption.objects.count() == 0


def test_the_supplier_gtin_needs_a_valid_check_digit(api_for, production_user, plant):
    material = plant.materials["MEM"]
    response = api_for(production_user).patch(f"{BASE}/materials/{material.pk}/", {
        "supplier_gtin": SUPPLIER_GTIN[:-1] + str((int(SUPPLIER_GTIN[-1]) + 1) % 10), "version": material.version,
        "reason": "typo"}, format="json")
    assert response.status_code == 400 and "supplier_gtin" in response.json()["fields"]
    ok = api_for(production_user).patch(f"{BASE}/materials/{material.pk}/", {
        "supplier_gtin": SUPPLIER_GTIN, "version": material.version, "reason": "supplier label"}, format="json")
    assert ok.status_code == 200 and ok.json()["supplier_gtin"] == SUPPLIER_GTIN


# --- Batch page ---------------------------------------------------------------------------------------------

def test_the_batch_page_consumes_a_scanned_lot_with_the_bom_quantity(client_for, production_user, running, plant):
    client = client_for(production_user)
    page = client.get(running.get_absolute_url())
    assert b"data-scan" in page.content and b"lims/scan.js" in page.content
    response = client.post(reverse("production:batch-consume", args=[running.lot_number]),
                           {"scan": receiving_label(plant.lots["BUF"]), "quantity": "", "reason": ""})
    assert response.status_code == 302
    consumption = Consumption.objects.get()
    assert consumption.material_lot == plant.lots["BUF"]
    assert consumption.quantity == Decimal("35")  # 0.35 mL per kit × 100 planned kits


def test_the_batch_page_says_why_a_scan_is_refused(client_for, production_user, running, plant):
    client = client_for(production_user)
    response = client.post(reverse("production:batch-consume", args=[running.lot_number]),
                           {"scan": receiving_label(received(plant, approve=False)), "quantity": "1"}, follow=True)
    assert "in quarantine" in response.content.decode()
    assert Consumption.objects.count() == 0


# --- Pick list ----------------------------------------------------------------------------------------------

def _rows(plant, **overrides):
    rows = []
    for code in ("BUF", "CAS", "MEM"):
        row = {"material": plant.materials[code], "material_lot": plant.lots[code], "scan": "",
               "quantity": {"BUF": Decimal("35"), "CAS": Decimal("100"), "MEM": Decimal("100")}[code]}
        row.update(overrides.get(code, {}))
        rows.append(row)
    return rows


def test_the_pick_list_consumes_every_row(running, plant):
    done = services.consume_pick_list(running, _rows(plant, CAS={"material_lot": None,
                                                                 "scan": receiving_label(plant.lots["CAS"])}),
                                      user=plant.user, reason="picked")
    assert len(done) == 3
    assert services.bom_shortfalls(running, 100) == []


def test_the_pick_list_is_all_or_nothing_with_an_error_per_row(running, plant):
    quarantined = received(plant, code="CAS", approve=False)
    snap = Snapshot(running, *MaterialLot.objects.all())
    rows = _rows(plant, CAS={"material_lot": None, "scan": receiving_label(quarantined)},
                 MEM={"quantity": Decimal("5000")}, BUF={"material_lot": plant.lots["CAS"]})
    with pytest.raises(Exception) as refused:
        services.consume_pick_list(running, rows, user=plant.user, reason="picked")
    errors = refused.value.message_dict
    assert set(errors) == {"rows.0.material_lot", "rows.1.scan", "rows.2.quantity"}
    assert "not BUF Extraction buffer" in errors["rows.0.material_lot"][0]
    assert "not approved" in errors["rows.1.scan"][0]
    assert "left" in errors["rows.2.quantity"][0]
    snap.assert_unchanged()
    assert Consumption.objects.count() == 0


def test_the_pick_list_page_prefills_and_records_all_or_nothing(client_for, production_user, running, plant):
    client = client_for(production_user)
    url = reverse("production:batch-pick-list", args=[running.lot_number])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    lines = {line["material"].code: line for line in form.bound_lines()}
    assert lines["BUF"]["quantity"].value() == Decimal("35")
    assert lines["MEM"]["lot"].value() == plant.lots["MEM"].pk
    data = {"reason": "picked"}
    for line in lines.values():
        data[line["quantity"].html_name] = str(line["quantity"].value())
        data[line["lot"].html_name] = str(line["lot"].value())
    data[lines["CAS"]["scan"].html_name] = "(240)CAS(10)ML999999"
    refused = client.post(url, data)
    assert refused.status_code == 200 and Consumption.objects.count() == 0
    assert "No lot ML999999 of material CAS" in refused.content.decode()
    data[lines["CAS"]["scan"].html_name] = receiving_label(plant.lots["CAS"])
    done = client.post(url, data, follow=True)
    assert "3 consumptions recorded." in done.content.decode()
    assert Consumption.objects.count() == 3


def test_the_pick_list_page_queries_do_not_grow_with_lots(client_for, production_user, running, plant):
    url = reverse("production:batch-pick-list", args=[running.lot_number])

    def more_lots():
        for n in range(4):
            for code in ("MEM", "CAS", "BUF"):
                received(plant, code=code, supplier_lot=f"{code}-X{n}", qc=plant.user)

    assert_constant_queries(client_for(production_user), url, more_lots)


def test_the_pick_list_is_for_production_only(client_for, qc_user, running):
    url = reverse("production:batch-pick-list", args=[running.lot_number])
    assert client_for(qc_user).get(url).status_code == 403
    assert client_for(qc_user).post(url, {}).status_code == 403


# --- Find by scan -------------------------------------------------------------------------------------------

def test_find_by_scan_opens_the_record_of_any_label(client_for, production_user, admin_user, running, plant,
                                                    supplier_gtin):
    client = client_for(production_user)
    url = reverse("find-by-scan")
    lot = plant.lots["CAS"]
    assert client.get(url, {"scan": receiving_label(lot)})["Location"] == lot.get_absolute_url()
    supplier = scanner_reads([("01", SUPPLIER_GTIN), ("10", "MEM-001")])
    assert client.get(url, {"scan": supplier})["Location"] == plant.lots["MEM"].get_absolute_url()
    kit = scanner_reads([("01", plant.product.gtin), ("17", yymmdd(running.expiry_date)), ("10", running.lot_number)])
    assert client.get(url, {"scan": kit})["Location"] == running.get_absolute_url()
    print_labels(running, "case", None, 3, user=production_user, reason="cases")
    case = kit + GS + "21000002"
    listed = client.get(url, {"scan": case, "list": "1"})
    assert "Case 000002 of batch" in listed.content.decode()
    not_issued = client.get(url, {"scan": kit + GS + "21000009", "list": "1"}).content.decode()
    assert "Case serial 000009 was never issued for lot" in not_issued
    sample = make_sample(admin_user, barcode="TUBE-0042")
    assert client_for(admin_user).get(url, {"scan": "TUBE-0042"})["Location"] == sample.get_absolute_url()


def test_find_by_scan_says_when_nothing_matches(client_for, production_user, plant):
    page = client_for(production_user).get(reverse("find-by-scan"), {"scan": "(240)MEM(10)ML999999"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "No record you may see matches" in text and "(240)" in text
    assert "No lot ML999999 of material MEM has been received." in text


def test_find_by_scan_needs_a_role(client_for, outsider, auditor_user):
    url = reverse("find-by-scan")
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert client_for(auditor_user).get(url).status_code == 200


def test_the_find_by_scan_menu_entry_is_shown_only_to_those_the_page_lets_in(client_for, outsider, auditor_user):
    url = reverse("find-by-scan")
    assert f'href="{url}"' not in client_for(outsider).get(reverse("home")).content.decode()
    assert f'href="{url}"' in client_for(auditor_user).get(reverse("home")).content.decode()
