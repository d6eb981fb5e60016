"""Receiving a material lot by scanning the supplier's GS1 label (issue 19): the DataMatrix's (01) GTIN names the
material, (10) the supplier lot, (17) the expiry — they fill in the receipt form; a bad scan says which part is
wrong and fills in nothing; nothing is received until the person sends the form."""

from datetime import date

import pytest
from django.urls import reverse

from production.models import MaterialLot
from production.scanning import receipt_from_scan
from tests.production.factories import gtin
from tests.production.test_scanning import GS, SUPPLIER_GTIN, receiving_label, scanner_reads, supplier_gtin  # noqa: F401

pytestmark = pytest.mark.django_db

NEW = reverse("production:materiallot-create")
SCAN = reverse("production:materiallot-scan")


def supplier_label(lot="SUP-2607", expiry="271231", gtin_=SUPPLIER_GTIN):
    return scanner_reads([("01", gtin_), ("17", expiry), ("10", lot)] if expiry else [("01", gtin_), ("10", lot)])


def test_a_supplier_label_fills_in_material_lot_and_expiry(plant, supplier_gtin):  # noqa: F811
    fields = receipt_from_scan(supplier_label())
    assert fields == {"material": plant.materials["MEM"], "gtin": SUPPLIER_GTIN, "supplier_lot": "SUP-2607",
                      "expiry_date": date(2027, 12, 31)}
    assert receipt_from_scan(supplier_label(expiry=None))["expiry_date"] is None  # the person enters it


@pytest.mark.parametrize(("text", "code", "words"), [
    ("hello", "scan_unreadable", "is not GS1 data"),
    (f"01{SUPPLIER_GTIN}10SUP-1{GS}17271341", "scan_bad_element", "The expiry date (17) 271341 is not a date"),
    ("10SUP-1", "scan_no_gtin", "no GTIN (01)"),
    (f"01{SUPPLIER_GTIN[:-1]}{(int(SUPPLIER_GTIN[-1]) + 1) % 10}10SUP-1", "scan_bad_gtin", "check digit is wrong"),
    (f"01{gtin(1)}10L-1", "scan_kit_label", "one of our kits"),
    (f"01{gtin(4242)}10L-1", "scan_unknown_gtin", "No material carries the supplier's GTIN"),
    (f"01{SUPPLIER_GTIN}17271231", "scan_no_lot", "carries no lot (10)"),
])
def test_a_bad_scan_says_which_part_is_wrong(plant, supplier_gtin, text, code, words):  # noqa: F811
    from production.scanning import LotScanRefused

    with pytest.raises(LotScanRefused) as refused:
        receipt_from_scan(text)
    assert refused.value.code == code
    assert words in str(refused.value.message)


def test_our_own_receiving_label_is_not_a_delivery(plant, supplier_gtin):  # noqa: F811
    from production.scanning import LotScanRefused

    with pytest.raises(LotScanRefused) as refused:
        receipt_from_scan(receiving_label(plant.lots["BUF"]))
    assert refused.value.code == "scan_receiving_label" and "received already" in refused.value.message


def test_the_page_asks_what_a_scan_fills_in(client_for, production_user, plant, supplier_gtin):  # noqa: F811
    client = client_for(production_user)
    page = client.get(NEW).content.decode()
    assert f'data-receipt-scan="{SCAN}"' in page and "production/lot_receipt" in page
    answer = client.get(SCAN, {"scan": supplier_label()})
    assert answer.status_code == 200
    assert answer.json() | {"message": ""} == {
        "ok": True, "material": plant.materials["MEM"].pk, "material_label": str(plant.materials["MEM"]),
        "gtin": SUPPLIER_GTIN, "supplier_lot": "SUP-2607", "expiry_date": "2027-12-31", "message": ""}
    assert "SUP-2607" in answer.json()["message"]
    bad = client.get(SCAN, {"scan": f"01{SUPPLIER_GTIN}10SUP-1{GS}17271341"})
    assert bad.status_code == 200  # the page asked about a scan; the browser must not log a failed request
    assert bad.json()["ok"] is False
    assert bad.json()["code"] == "scan_bad_element" and "(17)" in bad.json()["detail"]
    chinese = client.get(SCAN, {"scan": f"01{gtin(4242)}10L-1"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["ok"] is False and "GTIN" in chinese["detail"] and "No material" not in chinese["detail"]


def test_without_script_the_scan_alone_fills_in_the_form_and_receives_nothing(client_for, production_user, plant,
                                                                              supplier_gtin):  # noqa: F811
    client = client_for(production_user)
    before = MaterialLot.objects.count()
    filled = client.post(NEW, {"scan": supplier_label(), "received_on": "2026-12-01", "reason": ""})
    assert filled.status_code == 200 and MaterialLot.objects.count() == before
    form = filled.context["form"]
    assert (form.initial["material"], form.initial["supplier_lot"], form.initial["expiry_date"]) == (
        plant.materials["MEM"].pk, "SUP-2607", date(2027, 12, 31))
    assert "data-scan-filled" in filled.content.decode()

    refused = client.post(NEW, {"scan": f"01{gtin(4242)}10L-1", "supplier": "Typed by hand"})
    assert refused.status_code == 200 and MaterialLot.objects.count() == before
    form = refused.context["form"]
    assert not any(form.initial.get(f) for f in ("material", "supplier_lot", "expiry_date"))  # nothing filled in
    assert form.initial["supplier"] == "Typed by hand"  # what the person typed stays
    body = refused.content.decode()
    assert "data-scan-error" in body and f"No material carries the supplier&#x27;s GTIN {gtin(4242)}" in body

    received = client.post(NEW, {"scan": supplier_label(), "material": plant.materials["MEM"].pk,
                                 "supplier_lot": "SUP-2607", "received_on": "2026-12-01", "expiry_date": "2027-12-31",
                                 "quantity": "250", "reason": ""})
    assert received.status_code == 302
    lot = MaterialLot.objects.get(supplier_lot="SUP-2607")
    assert (lot.material, lot.expiry_date, lot.status) == (plant.materials["MEM"], date(2027, 12, 31), "quarantine")


def test_only_who_receives_lots_may_ask(client_for, qa_user, auditor_user, plant, supplier_gtin):  # noqa: F811
    for user in (qa_user, auditor_user):
        assert client_for(user).get(SCAN, {"scan": supplier_label()}).status_code == 403
    assert client_for(None).get(SCAN, {"scan": supplier_label()}).status_code == 302
