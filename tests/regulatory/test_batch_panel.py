"""The batch page shows its shipments (issue 19): regulatory's panel on production's batch page (with the
notified-body batch verification, issue 18)."""

import pytest

from tests.regulatory.factories import make_shipment

pytestmark = pytest.mark.django_db


def test_the_batch_page_shows_its_shipments(client_for, admin_user, qa_user):
    shipment = make_shipment(admin_user)
    html = client_for(qa_user).get(shipment.batch.get_absolute_url()).content.decode()
    assert 'id="regulatory-panel-title"' in html
    assert shipment.get_absolute_url() in html
    assert shipment.market.code in html and shipment.consignee in html


def test_the_panel_is_hidden_from_a_role_that_may_not_see_shipments(client_for, admin_user, lab_user):
    shipment = make_shipment(admin_user)
    response = client_for(lab_user).get(shipment.batch.get_absolute_url())
    assert 'id="regulatory-panel-title"' not in response.content.decode()
