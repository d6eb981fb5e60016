"""Export eligibility: each reason alone, several together, and the rule in force on the date."""

from datetime import date, timedelta

import pytest

from production.models import Batch
from qc import services as qc
from regulatory import services
from regulatory.eligibility import eligibility
from tests.conftest import sig
from tests.qc.factories import make_batch
from tests.regulatory.factories import (
    eligible_setup,
    make_certification,
    make_kind,
    make_market,
    make_released_batch,
    make_rule,
)

pytestmark = pytest.mark.django_db


def codes(reasons):
    return sorted(r["code"] for r in reasons)


@pytest.fixture
def setup(admin_user):
    return eligible_setup(admin_user)


def test_eligible_today(setup):
    batch, market, _ = setup
    assert eligibility(batch, market, date.today()) == (True, [])


def test_not_released(admin_user, setup):
    _, market, kind = setup
    batch = make_batch(admin_user)
    make_certification(admin_user, product=batch.product, market=market, kind=kind)
    ok, reasons = eligibility(batch, market, date.today())
    assert not ok and codes(reasons) == ["not_released"]


def test_rejected(admin_user, setup):
    _, market, kind = setup
    batch = make_batch(admin_user)
    qc.dispose_batch(batch, decision="reject", **sig(admin_user), user=admin_user, reason="failed")
    batch.refresh_from_db()
    make_certification(admin_user, product=batch.product, market=market, kind=kind)
    assert codes(eligibility(batch, market, date.today())[1]) == ["rejected"]


def test_short_shelf_life_gives_the_numbers(setup):
    batch, market, _ = setup
    on = batch.expiry_date - timedelta(days=100)  # market minimum is 180
    ok, reasons = eligibility(batch, market, on)
    assert codes(reasons) == ["short_shelf_life"]
    assert "100" in reasons[0]["detail"] and "180" in reasons[0]["detail"]


def test_expired_also_fails_the_shelf_life_minimum(admin_user, setup):
    batch, market, _ = setup
    zero = make_market(admin_user, min_remaining_shelf_life_days=0)
    kind = make_kind(admin_user)
    make_rule(admin_user, market=zero, kinds=[kind])
    make_certification(admin_user, product=batch.product, market=zero, kind=kind, valid_until=None)
    on = batch.expiry_date + timedelta(days=1)
    assert codes(eligibility(batch, zero, on)[1]) == ["expired", "short_shelf_life"]


def test_no_rule(admin_user, setup):
    batch, _, _ = setup
    market = make_market(admin_user)
    assert codes(eligibility(batch, market, date.today())[1]) == ["no_rule"]


def test_rule_in_force_is_the_latest_valid_from(admin_user, setup):
    batch, market, kind = setup
    other = make_kind(admin_user)
    make_rule(admin_user, market=market, kinds=[kind, other], valid_from=date.today() + timedelta(days=10),
              version_number=2)
    assert eligibility(batch, market, date.today())[0]
    ok, reasons = eligibility(batch, market, date.today() + timedelta(days=10))
    assert codes(reasons) == ["no_certification"] and other.code in reasons[0]["detail"]


def test_one_no_certification_reason_per_missing_kind(admin_user, setup):
    batch, market, kind = setup
    a, b = make_kind(admin_user), make_kind(admin_user)
    make_rule(admin_user, market=market, kinds=[kind, a, b], version_number=2, valid_from=date(2021, 1, 1))
    ok, reasons = eligibility(batch, market, date.today())
    assert codes(reasons) == ["no_certification", "no_certification"]
    assert {a.code, b.code} == {k for r in reasons for k in (a.code, b.code) if k in r["detail"]}


def test_certification_outside_its_validity_is_missing(admin_user, setup):
    batch, market, kind = setup
    cert = batch.product.certifications.get()
    services.update_certification(cert, {"valid_until": date.today() - timedelta(days=1)}, user=admin_user,
                                  reason="lapsed")
    assert codes(eligibility(batch, market, date.today())[1]) == ["no_certification"]
    assert eligibility(batch, market, date.today() - timedelta(days=2))[0]


def test_pending_certification_does_not_count(admin_user, setup):
    batch, market, kind = setup
    product = batch.product
    other = make_released_batch(admin_user, product=product)
    cert = product.certifications.get()
    services.withdraw_certification(cert, user=admin_user, reason="withdrawn by the body")
    make_certification(admin_user, product=product, market=market, kind=kind, status="pending")
    assert codes(eligibility(other, market, date.today())[1]) == ["no_certification"]


def test_certification_suspended(admin_user, setup):
    batch, market, _ = setup
    cert = batch.product.certifications.get()
    services.suspend_certification(cert, user=admin_user, reason="audit finding")
    ok, reasons = eligibility(batch, market, date.today())
    assert codes(reasons) == ["certification_suspended"] and cert.number in reasons[0]["detail"]


def test_nothing_to_ship(admin_user, setup):
    batch, market, _ = setup
    services.record_shipment(batch=batch, market=market, quantity=batch.quantity_released, shipped_on=date.today(),
                             consignee="Importer", user=admin_user, reason="all of it")
    batch.refresh_from_db()
    assert codes(eligibility(batch, market, date.today())[1]) == ["nothing_to_ship"]


def test_every_reason_together(admin_user):
    batch = make_batch(admin_user)
    assert batch.status == Batch.Status.AWAITING_QC
    market = make_market(admin_user)
    a, b, c = make_kind(admin_user), make_kind(admin_user), make_kind(admin_user)
    make_rule(admin_user, market=market, kinds=[a, b, c])
    cert = make_certification(admin_user, product=batch.product, market=market, kind=c)
    services.suspend_certification(cert, user=admin_user, reason="audit finding")
    on = batch.expiry_date + timedelta(days=1)
    cert.refresh_from_db()
    ok, reasons = eligibility(batch, market, on)
    assert not ok
    assert codes(reasons) == ["certification_suspended", "expired", "no_certification", "no_certification",
                              "not_released", "short_shelf_life"]
    rejected = make_batch(admin_user, product=batch.product)
    qc.dispose_batch(rejected, decision="reject", **sig(admin_user), user=admin_user, reason="failed")
    rejected.refresh_from_db()
    assert codes(eligibility(rejected, make_market(admin_user), on)[1]) == ["expired", "no_rule", "rejected",
                                                                            "short_shelf_life"]
