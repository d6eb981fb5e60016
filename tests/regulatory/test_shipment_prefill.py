"""The shipment started from the released batch (issue 19 item 5): the batch page links to the form with the
first market the lot is eligible for; the form prefills the lot, that market, the kits released and not shipped
and the market's last consignee. The service still checks everything: a refused shipment records nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from regulatory import services
from regulatory.eligibility import eligible_markets
from regulatory.models import Shipment
from tests.helpers import assert_constant_queries
from tests.regulatory.factories import (
    eligible_setup,
    make_certification,
    make_kind,
    make_market,
    make_released_batch,
    make_rule,
)

pytestmark = pytest.mark.django_db


def test_the_batch_page_links_to_a_shipment_to_an_eligible_market(client_for, admin_user, regulatory_user,
                                                                   qa_user):
    batch, market, _kind = eligible_setup(admin_user)
    make_market(admin_user)  # a market without any certification: not eligible
    assert eligible_markets(batch, timezone.localdate()) == [market]
    html = client_for(regulatory_user).get(batch.get_absolute_url()).content.decode()
    assert (reverse("regulatory:shipment-create") + f"?batch={batch.lot_number}&amp;market={market.code}") in html
    assert 'id="record-shipment"' not in client_for(qa_user).get(batch.get_absolute_url()).content.decode()


def test_no_eligible_market_says_so(client_for, admin_user, regulatory_user):
    batch = make_released_batch(admin_user)
    html = client_for(regulatory_user).get(batch.get_absolute_url()).content.decode()
    assert 'id="record-shipment"' not in html and "No market accepts this lot today." in html


def test_the_shipment_form_is_prefilled_from_the_batch(client_for, admin_user, regulatory_user):
    batch, market, _kind = eligible_setup(admin_user, made=1000)
    services.record_shipment(batch=batch, market=market, quantity=100, shipped_on=timezone.localdate(),
                             consignee="Importer Ltd", user=admin_user, reason="first order")
    form = client_for(regulatory_user).get(
        reverse("regulatory:shipment-create") + f"?batch={batch.lot_number}").context["form"]
    assert form.initial["batch"] == batch.lot_number and form.initial["market"] == market.code
    assert form.initial["quantity"] == 900 and form.initial["consignee"] == "Importer Ltd"


def test_a_prefilled_shipment_to_an_ineligible_market_is_refused(client_for, admin_user, regulatory_user):
    batch, _market, _kind = eligible_setup(admin_user)
    other = make_market(admin_user)
    client = client_for(regulatory_user)
    page = client.get(reverse("regulatory:shipment-create") + f"?batch={batch.lot_number}&market={other.code}")
    assert page.context["form"].initial["market"] == other.code  # the market asked for, as given
    response = client.post(reverse("regulatory:shipment-create"), {
        "batch": batch.lot_number, "market": other.code, "quantity": 10, "shipped_on": timezone.localdate(),
        "consignee": "X"})
    assert response.status_code == 200 and Shipment.objects.count() == 0


def test_the_batch_page_checks_every_market_in_a_fixed_number_of_queries(client_for, admin_user, regulatory_user):
    """The shipment link asks every market whether the lot may go there: markets, their rules, kinds and the
    product's certifications are loaded once, so more markets (eligible or not) cost no more queries."""
    batch, market, _kind = eligible_setup(admin_user)

    def more_markets():
        for _ in range(3):
            other = make_market(admin_user)
            kind = make_kind(admin_user)
            make_rule(admin_user, market=other, kinds=[kind])
            make_certification(admin_user, product=batch.product, market=other, kind=kind)
        make_market(admin_user)  # and one without a rule

    assert_constant_queries(client_for(regulatory_user), batch.get_absolute_url(), more_markets)
    assert len(eligible_markets(batch, timezone.localdate())) == 4
