"""Component expiry and the real date of manufacture (DOMAIN.md §8; API.md production/batches, consume):
a lot expired on the day is refused; a short-dated lot caps the kit's expiry (API says so, history says why,
the page warns first); manufactured_on becomes the day the batch started."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lims.services import update_record
from production import services
from production.models import Batch, Consumption
from tests.helpers import Snapshot, latest_history, table_counts

pytestmark = pytest.mark.django_db
BASE = "/api/v1/production"


def _lot(plant, qc_user, code, expiry):
    lot = services.receive_material_lot(material=plant.materials[code], supplier="S", supplier_lot=f"{code}-{expiry}",
                                        expiry_date=expiry, quantity=Decimal("100"), user=plant.user, reason="in")
    return services.approve_material_lot(lot, user=qc_user, reason="ok")


def _set_expiry(lot, day, user):
    """The calendar moved on: an approved lot whose expiry date is now behind us (an edit with a reason)."""
    update_record(lot, {"expiry_date": day}, user=user, reason="expiry corrected by the supplier")


def test_expired_component_refused_with_material_expired(running, plant, qc_user, api_for):
    # approved while valid, then the calendar moved on: its expiry was yesterday
    lot = _lot(plant, qc_user, "BUF", timezone.localdate() + timedelta(days=1))
    _set_expiry(lot, timezone.localdate() - timedelta(days=1), qc_user)
    snap = Snapshot(running, lot)
    counts = table_counts(Consumption)
    response = api_for(plant.user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                        {"material_lot": lot.pk, "quantity": "1"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "material_expired"
    snap.assert_unchanged()
    assert table_counts(Consumption) == counts


def test_a_lot_is_usable_on_its_expiry_day(running, plant, qc_user):
    lot = _lot(plant, qc_user, "BUF", timezone.localdate())
    consumption = services.consume_material(running, material_lot=lot, quantity=1, user=plant.user, reason="ok")
    assert consumption.pk and Batch.objects.get(pk=running.pk).expiry_date == timezone.localdate()


def test_short_dated_component_caps_the_expiry_api_and_history(running, plant, qc_user, api_for):
    short = timezone.localdate() + timedelta(days=200)
    before = Batch.objects.get(pk=running.pk).expiry_date
    lot = _lot(plant, qc_user, "BUF", short)
    response = api_for(plant.user).post(f"{BASE}/batches/{running.lot_number}/consume/",
                                        {"material_lot": lot.pk, "quantity": "2"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["batch_expiry_date"] == short.isoformat()
    assert body["expiry_shortened"] == {"from": before.isoformat(), "to": short.isoformat()}
    batch = Batch.objects.get(pk=running.pk)
    assert batch.expiry_date == short
    row = latest_history(batch)
    assert str(lot) in row.history_change_reason and short.isoformat() in row.history_change_reason
    assert api_for(plant.user).get(f"{BASE}/batches/{running.lot_number}/").json()["expiry_date"] == short.isoformat()
    # a later, longer-dated lot does not lengthen it again
    services.consume_material(running, material_lot=plant.lots["BUF"], quantity=1, user=plant.user, reason="more")
    assert Batch.objects.get(pk=running.pk).expiry_date == short


def test_the_page_warns_before_a_short_dated_lot_is_consumed(running, plant, qc_user, client_for):
    lot = _lot(plant, qc_user, "BUF", timezone.localdate() + timedelta(days=100))
    client = client_for(plant.user)
    page = client.get(running.get_absolute_url()).content.decode()
    assert "shortens the kit expiry" in page
    url = f"/production/batches/{running.lot_number}/consume/"
    snap = Snapshot(running, lot)
    response = client.post(url, {"material_lot": lot.pk, "quantity": "1", "reason": "x"}, follow=True)
    assert any("shortens" in str(m) for m in response.context["messages"])
    snap.assert_unchanged()
    response = client.post(url, {"material_lot": lot.pk, "quantity": "1", "reason": "x",
                                 "accept_shorter_expiry": "on"}, follow=True)
    assert Batch.objects.get(pk=running.pk).expiry_date == lot.expiry_date
    assert any("expiry is now" in str(m) for m in response.context["messages"])


def test_a_started_batch_is_manufactured_on_the_day_it_started(batch, plant):
    planned_on, planned_expiry = batch.manufactured_on, batch.expiry_date
    started_at = timezone.make_aware(datetime.combine(planned_on + timedelta(days=-20), datetime.min.time())
                                     + timedelta(hours=9))
    started = services.start_batch(batch, user=plant.user, reason="line ready", at=started_at)
    assert started.manufactured_on == planned_on - timedelta(days=20) != planned_on
    assert started.expiry_date == plant.product.expiry_for(started.manufactured_on) != planned_expiry
    row = latest_history(started)
    previous = row.prev_record
    assert (previous.manufactured_on, row.manufactured_on) == (planned_on, started.manufactured_on)
    assert row.history_change_reason == "line ready"
