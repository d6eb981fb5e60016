"""The batch page shows its shipments (issue 19): regulatory's panel on production's batch page."""

import pytest

from tests.regulatory.factories import make_shipment

pytestmark = pytest.mark.django_db


def test_the_batch_page_shows_its_shipments(client_for, admin_user, qa_user):
    shipment = make_shipment(admin_user)
    url = shipment.batch.get_absolute_url()
    html = client_for(qa_user).get(url).content.decode()
    assert 'id="shipments-panel-title"' in html
    assert shipment.market.code in html and "Importer Ltd" in html and "10 kits shipped" in html
    assert f"/regulatory/shipments/?batch={shipment.batch.lot_number}" in html
    assert "Admin Tester" in html  # shipped by, by name


def test_a_batch_not_shipped_says_so(client_for, qa_user, production_user):
    from tests.qc.factories import make_batch

    batch = make_batch(production_user)
    assert "Not shipped yet." in client_for(qa_user).get(batch.get_absolute_url()).content.decode()
