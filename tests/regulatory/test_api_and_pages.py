"""The regulatory API contract (API.md: eligibility, shipments, markets, certifications), permissions, pages
with their query counts, the matrix's expiry windows and the home warnings."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from regulatory import matrix, services
from regulatory.models import Certification
from tests.helpers import Snapshot, assert_constant_queries, assert_history
from tests.regulatory.factories import (
    eligible_setup,
    make_certification,
    make_kind,
    make_market,
    make_released_batch,
    make_rule,
)

URL = "/api/v1/regulatory/"


@pytest.fixture
def setup(admin_user):
    return eligible_setup(admin_user, made=300)


@pytest.mark.django_db
def test_eligibility_api_field_names(api_for, regulatory_user, setup):
    batch, market, _ = setup
    r = api_for(regulatory_user).get(f"{URL}eligibility/", {"lot": batch.lot_number, "market": market.code})
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"lot", "market", "date", "eligible", "reasons", "checks", "warnings"}
    assert body["eligible"] is True and body["reasons"] == [] and body["lot"] == batch.lot_number
    assert body["date"] == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_eligibility_api_lists_every_reason(api_for, regulatory_user, admin_user, setup):
    batch, market, kind = setup
    make_rule(admin_user, market=market, kinds=[kind, make_kind(admin_user)], valid_from=date(2021, 1, 1),
              version_number=2)
    late = (batch.expiry_date + timedelta(days=1)).isoformat()
    r = api_for(regulatory_user).get(f"{URL}eligibility/", {"lot": batch.lot_number, "market": market.code,
                                                            "date": late})
    body = r.json()
    assert body["eligible"] is False
    assert [x["code"] for x in body["reasons"]] == ["expired", "short_shelf_life", "no_certification"]
    assert all(set(x) == {"code", "detail"} and x["detail"] for x in body["reasons"])


@pytest.mark.django_db
def test_eligibility_api_bad_input_is_400_with_fields(api_for, regulatory_user, setup):
    batch, market, _ = setup
    api = api_for(regulatory_user)
    r = api.get(f"{URL}eligibility/", {"lot": "NOPE", "market": "ZZ"})
    assert r.status_code == 400 and {"lot", "market"} <= set(r.json()["fields"])
    r = api.get(f"{URL}eligibility/", {"lot": batch.lot_number, "market": market.code, "date": "2024-13-45"})
    assert r.status_code == 400 and "date" in r.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["qa_user", "auditor_user", "production_user", "regulatory_user"])
def test_eligibility_readers(request, api_for, persona, setup):
    batch, market, _ = setup
    r = api_for(request.getfixturevalue(persona)).get(f"{URL}eligibility/",
                                                      {"lot": batch.lot_number, "market": market.code})
    assert r.status_code == 200


@pytest.mark.django_db
def test_anonymous_401_outsider_403(api_for, outsider, setup):
    batch, market, _ = setup
    query = {"lot": batch.lot_number, "market": market.code}
    assert api_for(None).get(f"{URL}eligibility/", query).status_code == 401
    assert api_for(outsider).get(f"{URL}eligibility/", query).status_code == 403
    assert api_for(None).post(f"{URL}shipments/", {}, format="json").status_code == 401


@pytest.mark.django_db
def test_shipment_api_201_and_409s(api_for, regulatory_user, qa_user, setup):
    batch, market, _ = setup
    api = api_for(regulatory_user)
    body = {"batch": batch.lot_number, "market": market.code, "quantity": 100,
            "shipped_on": timezone.localdate().isoformat(), "consignee": "Importer GmbH", "reason": "PO 4711"}
    r = api.post(f"{URL}shipments/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["batch"] == batch.lot_number and r.json()["market"] == market.code
    batch.refresh_from_db()
    assert batch.quantity_shipped == 100
    snap = Snapshot(batch)
    r = api.post(f"{URL}shipments/", {**body, "quantity": 10_000}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "insufficient_quantity"
    r = api.post(f"{URL}shipments/", {**body, "shipped_on": (batch.expiry_date + timedelta(days=1)).isoformat()},
                 format="json")
    assert r.status_code == 409 and r.json()["code"] == "not_eligible"
    assert {x["code"] for x in r.json()["reasons"]} == {"expired", "short_shelf_life"}
    snap.assert_unchanged()
    assert api_for(qa_user).post(f"{URL}shipments/", body, format="json").status_code == 403


@pytest.mark.django_db
def test_markets_and_certifications_api(api_for, regulatory_user, admin_user, setup):
    batch, market, kind = setup
    api = api_for(regulatory_user)
    r = api.get(f"{URL}markets/")
    assert r.status_code == 200
    row = next(m for m in r.json()["results"] if m["code"] == market.code)
    assert {"code", "name", "min_remaining_shelf_life_days"} <= set(row)
    r = api.post(f"{URL}certifications/", {
        "product": batch.product.pk, "market": market.code, "kind": kind.code, "number": "NB-1",
        "valid_from": "2024-01-01", "valid_until": "2030-01-01", "reason": "certificate received"}, format="json")
    assert r.status_code == 201, r.content
    cert = Certification.objects.get(pk=r.json()["id"])
    assert {"id", "product", "market", "kind", "number", "valid_from", "valid_until", "status"} <= set(r.json())
    assert cert.status == "pending"
    assert_history(cert, user=regulatory_user, reason="certificate received")
    r = api.patch(f"{URL}certifications/{cert.pk}/", {"status": "active", "version": cert.version,
                                                      "reason": "issued"}, format="json")
    assert r.status_code == 200, r.content
    cert.refresh_from_db()
    assert cert.status == "active"
    r = api.patch(f"{URL}certifications/{cert.pk}/", {"reason": "corrected", "number": "NB-2", "version": 0},
                  format="json")
    assert r.status_code == 409


@pytest.mark.django_db
def test_expiry_windows(admin_user):
    today = timezone.localdate()
    batch = make_released_batch(admin_user)
    market = make_market(admin_user)
    kinds = [make_kind(admin_user) for _ in range(5)]
    make_rule(admin_user, market=market, kinds=kinds)
    product = batch.product
    for kind, days in zip(kinds[:3], [200, 60, 10], strict=True):
        make_certification(admin_user, product=product, market=market, kind=kind,
                           valid_until=today + timedelta(days=days))
    make_certification(admin_user, product=product, market=market, kind=kinds[3], status="suspended")
    _markets, rows = matrix.build(today)
    cell = next(c for r in rows if r["product"] == product for c in r["cells"] if c["market"] == market)
    assert [i["state"] for i in cell["items"]] == ["valid", "expires_90", "expires_30", "suspended", "missing"]
    assert cell["state"] == "missing"


@pytest.mark.django_db
def test_pages_and_home_warnings(client_for, regulatory_user, admin_user, setup):
    batch, market, kind = setup
    make_certification(admin_user, product=batch.product, market=market, kind=kind,
                       valid_until=timezone.localdate() + timedelta(days=10))
    client = client_for(regulatory_user)
    for url in ["/regulatory/matrix/", "/regulatory/markets/", "/regulatory/rules/", "/regulatory/certifications/",
                "/regulatory/shipments/", "/regulatory/shipments/new/", "/regulatory/shippable/",
                f"/regulatory/eligibility/?lot={batch.lot_number}&market={market.code}"]:
        assert client.get(url).status_code == 200, url
    assert batch.lot_number in client.get("/regulatory/shippable/").content.decode()
    assert "30" in client.get("/").content.decode()


@pytest.mark.django_db
def test_shipment_form_shows_every_reason(client_for, regulatory_user, admin_user, setup):
    batch, market, _ = setup
    r = client_for(regulatory_user).post("/regulatory/shipments/new/", {
        "batch": batch.lot_number, "market": market.code, "quantity": 5, "consignee": "X",
        "shipped_on": (batch.expiry_date + timedelta(days=1)).isoformat(), "reason": "order"})
    assert r.status_code == 200
    text = r.content.decode()
    assert "expired" in text and "shelf life" in text
    batch.refresh_from_db()
    assert batch.quantity_shipped == 0


@pytest.mark.django_db
def test_summary_and_lists_constant_queries(client_for, regulatory_user, admin_user, setup):
    batch, market, kind = setup
    client = client_for(regulatory_user)

    def more():
        other = make_released_batch(admin_user, product=batch.product)
        services.record_shipment(batch=other, market=market, quantity=1, shipped_on=timezone.localdate(),
                                 consignee="Y", user=admin_user, reason="r")
        b2 = make_released_batch(admin_user)
        make_certification(admin_user, product=b2.product, market=market, kind=kind)

    for url in ["/regulatory/shippable/", "/regulatory/shipments/", "/regulatory/certifications/",
                "/regulatory/matrix/"]:
        assert_constant_queries(client, url, more)
