"""Shipments as records: case serials per shipment (plain or as scanned; a serial ships once — and only when
issued to the lot and not destroyed), serial ranges, the detail page and packing list, the recall view through
genealogy, and the eligibility checks and warnings (pilot lots, certifications ending, grace periods)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lims.errors import DomainError
from lims.services import update_record
from production import services as production
from production.labelling import services as labelling
from production.labelling.serials import destroy_case_serials
from qc import services as qc
from regulatory import services
from regulatory.eligibility import evaluate
from regulatory.models import Shipment, ShipmentSerial
from tests.conftest import sig
from tests.helpers import Snapshot, assert_constant_queries
from tests.regulatory.factories import eligible_setup, make_certification, make_kind, make_market, make_rule

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
GS = "\x1d"


@pytest.fixture
def lot(admin_user):
    """An eligible released lot with 10 case serials issued (000001–000010)."""
    batch, market, kind = eligible_setup(admin_user)
    job = labelling.print_labels(batch, "case", None, 10, user=admin_user, reason="case labels")
    assert (job.serial_from, job.serial_to) == ("000001", "000010")
    return batch, market


def case_scan(batch, serial, gs=GS):
    """What a scanner sends for the case label's GS1 DataMatrix: ]d2, (01)(17)(10)<GS>(21). Through HTTP the
    separator arrives as the wedge's caret or ``<GS>`` notation (the input-hygiene layer refuses raw control
    characters); the service takes the raw form too."""
    return f"]d201{batch.product.gtin}17{batch.expiry_date:%y%m%d}10{batch.lot_number}{gs}21{serial}"


def hri(batch, serial):
    return f"(01){batch.product.gtin}(17){batch.expiry_date:%y%m%d}(10){batch.lot_number}(21){serial}"


def ship(batch, market, user, serials, quantity=5):
    return services.record_shipment(batch=batch, market=market, quantity=quantity, shipped_on=TODAY,
                                    consignee="Importer GmbH", serials=serials, user=user, reason="order 7")


def test_serials_plain_and_scanned_compress_into_ranges(lot, regulatory_user):
    batch, market = lot
    shipment = ship(batch, market, regulatory_user, ["000001", "2", case_scan(batch, "000003"), "000007"])
    assert shipment.serial_ranges == [["000001", "000003"], ["000007", "000007"]]
    assert sorted(shipment.serials.values_list("serial", flat=True)) == ["000001", "000002", "000003", "000007"]
    assert shipment.serial_ranges_text == "000001–000003, 000007"


def test_a_serial_ships_once(lot, regulatory_user):
    batch, market = lot
    ship(batch, market, regulatory_user, ["000001", "000002"])
    batch.refresh_from_db()
    snapshot = Snapshot(batch)
    with pytest.raises(DomainError) as exc:
        ship(batch, market, regulatory_user, ["000003", case_scan(batch, "000002")])
    assert exc.value.code == "serial_unavailable"
    assert [r["serial"] for r in exc.value.reasons] == ["000002"]
    snapshot.assert_unchanged()
    assert Shipment.objects.count() == 1 and ShipmentSerial.objects.count() == 2


def test_database_refuses_a_second_row_of_a_serial(lot, regulatory_user):
    batch, market = lot
    from lims.audit import audited

    shipment = ship(batch, market, regulatory_user, ["000001"])
    with pytest.raises(IntegrityError), transaction.atomic(), audited(user=regulatory_user, reason="test"):
        ShipmentSerial.objects.create(shipment=shipment, batch=batch, serial="000001")


@pytest.mark.parametrize("given,why", [
    ("000011", "never issued"), ("000999", "never issued"), ("ABC", "never issued"),
])
def test_not_issued(lot, regulatory_user, given, why):
    batch, market = lot
    with pytest.raises(DomainError) as exc:
        ship(batch, market, regulatory_user, [given])
    assert exc.value.code == "serial_unavailable" and why in exc.value.reasons[0]["detail"]
    assert not Shipment.objects.exists()


def test_destroyed_and_other_lot_and_twice(lot, admin_user, regulatory_user):
    batch, market = lot
    destroy_case_serials(batch, ["4"], user=admin_user, reason="label torn at kitting")
    other, _m, _k = eligible_setup(admin_user)
    for serials, code_text in ((["000004"], "destroyed"), ([case_scan(other, "000005")], "not " + batch.lot_number),
                               (["000005", "5"], "twice")):
        with pytest.raises(DomainError) as exc:
            ship(batch, market, regulatory_user, serials)
        assert exc.value.code == "serial_unavailable"
        assert code_text in exc.value.reasons[0]["detail"]
    assert not Shipment.objects.exists()


def test_unreadable_scan_is_a_field_error(lot, regulatory_user):
    from django.core.exceptions import ValidationError

    batch, market = lot
    with pytest.raises(ValidationError) as exc:
        ship(batch, market, regulatory_user, ["000001", "]d2 garbage (((("])
    assert "Line 2" in exc.value.message_dict["serials"][0]
    assert not Shipment.objects.exists()


def test_api_serials(api_for, lot, regulatory_user):
    batch, market = lot
    api = api_for(regulatory_user)
    body = {"batch": batch.lot_number, "market": market.code, "quantity": 5, "shipped_on": TODAY.isoformat(),
            "consignee": "Importer", "serials": ["000001", hri(batch, "000002")]}
    r = api.post("/api/v1/regulatory/shipments/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["serials"] == ["000001", "000002"] and r.json()["serial_ranges"] == [["000001", "000002"]]
    r = api.post("/api/v1/regulatory/shipments/", body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "serial_unavailable"
    batch.refresh_from_db()
    assert batch.quantity_shipped == 5


def test_detail_page_and_packing_list(client_for, lot, regulatory_user):
    import io

    from pypdf import PdfReader

    batch, market = lot
    shipment = ship(batch, market, regulatory_user, ["000001", "000002", "000003"])
    page = client_for(regulatory_user).get(shipment.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and "000001–000003" in html and "Importer GmbH" in html
    pdf = client_for(regulatory_user).get(f"/regulatory/shipments/{shipment.pk}/packing-list.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("Packing list", "Importer GmbH", batch.lot_number, "000001", "000003",
                     batch.expiry_date.isoformat(), "Released"):
        assert expected in text, expected


def test_shipment_form_takes_one_scan_per_line(client_for, lot, regulatory_user):
    batch, market = lot
    r = client_for(regulatory_user).post("/regulatory/shipments/new/", {
        "batch": batch.lot_number, "market": market.code, "quantity": 2, "shipped_on": TODAY.isoformat(),
        "consignee": "Hospital", "serials": f"000001\r\n{case_scan(batch, '000002', gs='<GS>')}\r\n"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Shipment.objects.get().serial_ranges == [["000001", "000002"]]


def test_recall_from_a_component_lot_through_genealogy(client_for, admin_user, regulatory_user):
    from tests.production.factories import make_consumption

    consumption = make_consumption(admin_user, "test")
    material_lot = consumption.material_lot
    batch = production.complete_batch(consumption.batch, quantity_made=6, user=admin_user, reason="done")
    qc.dispose_batch(batch, decision="release", **sig(admin_user), user=admin_user, reason="release")
    batch.refresh_from_db()
    market = make_market(admin_user)
    kind = make_kind(admin_user)
    make_rule(admin_user, market=market, kinds=[kind])
    make_certification(admin_user, product=batch.product, market=market, kind=kind)
    update_record(market, {"min_remaining_shelf_life_days": 0}, user=admin_user, reason="test")
    for consignee in ("Hospital A", "Distributor B"):
        services.record_shipment(batch=batch, market=market, quantity=2, shipped_on=TODAY, consignee=consignee,
                                 user=regulatory_user, reason="order")
    unrelated, m2, _ = eligible_setup(admin_user)
    services.record_shipment(batch=unrelated, market=m2, quantity=1, shipped_on=TODAY, consignee="Elsewhere",
                             user=regulatory_user, reason="order")
    client = client_for(regulatory_user)
    html = client.get("/regulatory/recall/", {"component_lot": material_lot.internal_lot}).content.decode()
    assert "Hospital A" in html and "Distributor B" in html and "Elsewhere" not in html
    csv = client.get("/regulatory/recall/", {"component_lot": material_lot.supplier_lot, "export": "csv"})
    body = b"".join(csv.streaming_content).decode()
    assert "Hospital A" in body and "Distributor B" in body and "Elsewhere" not in body
    xlsx = client.get("/regulatory/recall/", {"batch": batch.lot_number, "export": "xlsx"})
    assert xlsx.status_code == 200
    assert "Elsewhere" not in client.get("/regulatory/recall/").content.decode()  # ask for a lot first


def test_recall_query_count_does_not_grow(client_for, admin_user, regulatory_user):
    batch, market, _ = eligible_setup(admin_user)

    def add():
        for n in range(3):
            services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=TODAY, consignee=f"C{n}",
                                     user=regulatory_user, reason="order")

    services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=TODAY, consignee="C",
                             user=regulatory_user, reason="order")
    assert_constant_queries(client_for(regulatory_user), f"/regulatory/recall/?batch={batch.lot_number}", add)


# Eligibility explained -----------------------------------------------------------------------------------------

def test_every_check_is_listed(admin_user):
    batch, market, kind = eligible_setup(admin_user)
    result = evaluate(batch, market, TODAY)
    assert [c["code"] for c in result["checks"]] == ["release", "expiry", "shelf_life", "market_rule",
                                                     "certification", "pilot_lot", "quantity"]
    assert all(c["passed"] for c in result["checks"]) and result["eligible"]
    late = evaluate(batch, market, batch.expiry_date + timedelta(days=1))
    failed = [c["code"] for c in late["checks"] if not c["passed"]]
    assert failed == ["expiry", "shelf_life"] and [r["code"] for r in late["reasons"]] == ["expired",
                                                                                          "short_shelf_life"]


def test_pilot_lot_needs_a_certification_covering_pilot_lots(admin_user, regulatory_user):
    batch, market, kind = eligible_setup(admin_user)
    batch = update_record(batch, {"kind": "pilot"}, user=admin_user, reason="pilot manufacture")
    result = evaluate(batch, market, TODAY)
    assert [r["code"] for r in result["reasons"]] == ["pilot_not_covered"]
    cert = batch.product.certifications.get()
    services.update_certification(cert, {"covers_pilot_lots": True}, user=regulatory_user,
                                  reason="certificate scope includes pilot lots", expected_version=cert.version)
    assert evaluate(batch, market, TODAY)["eligible"]


def test_warnings_ending_and_grace(admin_user):
    batch, market, kind = eligible_setup(admin_user)
    other = make_kind(admin_user)
    rule = market.rules.get()
    update_record(rule, {"required_kinds": [kind.code, other.code]}, user=admin_user, reason="test")
    make_certification(admin_user, product=batch.product, market=market, kind=other,
                       valid_until=TODAY - timedelta(days=5))
    cert = batch.product.certifications.get(kind=other)
    assert [r["code"] for r in evaluate(batch, market, TODAY)["reasons"]] == ["no_certification"]
    update_record(cert, {"grace_until": TODAY + timedelta(days=40)}, user=admin_user, reason="HSC transition")
    result = evaluate(batch, market, TODAY)
    assert result["eligible"] and [w["code"] for w in result["warnings"]] == ["in_grace_period"]
    update_record(cert, {"grace_until": None, "valid_until": TODAY + timedelta(days=20)}, user=admin_user,
                  reason="renewed")
    result = evaluate(batch, market, TODAY)
    assert [w["code"] for w in result["warnings"]] == ["certification_ending"]
    assert "20 days" in result["warnings"][0]["detail"]


def test_eligibility_api_lists_checks_and_warnings(api_for, admin_user, regulatory_user):
    batch, market, kind = eligible_setup(admin_user)
    cert = batch.product.certifications.get()
    update_record(cert, {"valid_until": TODAY + timedelta(days=60)}, user=admin_user, reason="test")
    r = api_for(regulatory_user).get("/api/v1/regulatory/eligibility/", {"lot": batch.lot_number,
                                                                         "market": market.code})
    body = r.json()
    assert body["eligible"] is True and body["reasons"] == []
    assert {c["code"] for c in body["checks"]} >= {"release", "expiry", "shelf_life", "certification"}
    assert all(set(c) >= {"code", "passed", "detail"} for c in body["checks"])
    assert body["warnings"] == [{"code": "certification_ending", "detail": body["warnings"][0]["detail"]}]


def test_eligibility_page_shows_checks(client_for, admin_user, regulatory_user):
    batch, market, kind = eligible_setup(admin_user)
    html = client_for(regulatory_user).get("/regulatory/eligibility/", {"lot": batch.lot_number,
                                                                        "market": market.code}).content.decode()
    assert "Every check evaluated" in html and "Remaining shelf life" in html and "passed" in html


def test_destroy_refuses_unissued(lot, admin_user):
    from django.core.exceptions import ValidationError

    batch, _ = lot
    with pytest.raises(ValidationError):
        destroy_case_serials(batch, ["000050"], user=admin_user, reason="torn")
    assert Decimal(batch.destroyed_serials.count()) == 0
