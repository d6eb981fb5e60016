"""Yield (made / planned, released / made) on the batch, the API, the list (sorted, exported), the batch record
and the capacity dashboard per line and month."""

import pytest
from django.utils import timezone

from production import services
from production.capacity import monthly_output
from tests.labels.scanning import pdf_reader
from tests.production.conftest import consume_for

pytestmark = pytest.mark.django_db


def _batch(plant, planned, made, released=None, qa=None, line=None):
    batch = services.create_batch(product=plant.product, line=line or plant.a1, planned_quantity=planned,
                                  user=plant.user, reason="plan")
    batch = services.start_batch(batch, user=plant.user, reason="go")
    consume_for(batch, plant, made)
    batch = services.complete_batch(batch, quantity_made=made, user=plant.user, reason="done")
    if released is not None:
        batch = services.apply_disposition(batch, status="released", quantity_released=released, user=qa,
                                           reason="release")
    return batch


def test_yield_on_the_batch_and_the_api(plant, qa_user, api_for):
    batch = _batch(plant, 100, 90, 81, qa_user)
    assert (batch.yield_pct, batch.release_yield_pct) == (90.0, 90.0)
    body = api_for(plant.user).get(f"/api/v1/production/batches/{batch.lot_number}/").json()
    assert (body["yield_pct"], body["release_yield_pct"]) == (90.0, 90.0)
    planned = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=5, user=plant.user)
    body = api_for(plant.user).get(f"/api/v1/production/batches/{planned.lot_number}/").json()
    assert (body["yield_pct"], body["release_yield_pct"]) == (None, None)


def test_list_sorts_and_exports_by_yield(plant, qa_user, client_for):
    low = _batch(plant, 100, 50)
    high = _batch(plant, 100, 95)
    client = client_for(plant.user)
    html = client.get("/production/batches/?sort=-made_yield").content.decode()
    assert html.index(high.lot_number) < html.index(low.lot_number)
    html = client.get("/production/batches/?sort=made_yield").content.decode()
    assert html.index(low.lot_number) < html.index(high.lot_number)
    response = client.get("/production/batches/", {"export": "csv", "sort": "-made_yield"})
    export = b"".join(response.streaming_content).decode()
    assert "Yield: made / planned (%)" in export and "95.0" in export and "50.0" in export


def test_batch_page_and_record_show_yield(plant, qa_user, client_for):
    batch = _batch(plant, 200, 150, 120, qa_user)
    assert "75.0 %" in client_for(plant.user).get(batch.get_absolute_url()).content.decode()
    pdf = client_for(qa_user).get(f"/production/batches/{batch.lot_number}/record.pdf").content
    text = "".join(page.extract_text() for page in pdf_reader(pdf).pages)
    assert "Yield: made / planned" in text and "75.0 %" in text and "80.0 %" in text


def test_capacity_yield_per_line_per_month(plant, qa_user):
    _batch(plant, 100, 90, 90, qa_user)
    _batch(plant, 100, 70)  # not yet disposed: counts for made / planned only
    _batch(plant, 50, 50, 25, qa_user, line=plant.m1)
    today = timezone.localdate()
    report = monthly_output(today.year, today.month)
    by_line = {p["code"]: p for p in report["per_line"]}
    assert (by_line["A1"]["made_yield_pct"], by_line["A1"]["release_yield_pct"]) == (80.0, 100.0)
    assert (by_line["M1"]["made_yield_pct"], by_line["M1"]["release_yield_pct"]) == (100.0, 50.0)
