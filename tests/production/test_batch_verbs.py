"""Production writes its own batch: the verbs qc and regulatory call (disposition outcome, shipped quantity,
expiry cap) and the one BOM rule shared by the batch page and completion."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lims.errors import DomainError
from production import services
from production.models import Batch
from tests.helpers import Snapshot, assert_history
from tests.production.conftest import consume_for

pytestmark = pytest.mark.django_db


def _awaiting(running, plant, made=10):
    consume_for(running, plant, made)
    return services.complete_batch(running, quantity_made=made, user=plant.user, reason="done")


def test_apply_disposition_sets_status_and_released_with_the_reason(running, plant, qa_user):
    batch = _awaiting(running, plant)
    services.apply_disposition(batch, status="released", quantity_released=8, user=qa_user, reason="QA release")
    batch = Batch.objects.get(pk=batch.pk)
    assert (batch.status, batch.quantity_released) == ("released", 8)
    assert_history(batch, user=qa_user, reason="QA release")


@pytest.mark.parametrize("kwargs", [{"status": "planned"}, {"status": "released", "quantity_released": 11}])
def test_apply_disposition_refuses_bad_input_and_changes_nothing(running, plant, qa_user, kwargs):
    batch = _awaiting(running, plant)
    snap = Snapshot(batch)
    with pytest.raises(ValidationError):
        services.apply_disposition(batch, **kwargs, user=qa_user, reason="x")
    snap.assert_unchanged()


def test_add_shipped_quantity_never_beyond_released(running, plant, qa_user):
    batch = _awaiting(running, plant)
    services.apply_disposition(batch, status="released", quantity_released=5, user=qa_user, reason="release")
    services.add_shipped_quantity(batch, 3, user=qa_user, reason="shipment 1")
    snap = Snapshot(batch)
    with pytest.raises(DomainError) as err:
        services.add_shipped_quantity(batch, 3, user=qa_user, reason="shipment 2")
    assert err.value.code == "insufficient_quantity"
    snap.assert_unchanged()
    assert Batch.objects.get(pk=batch.pk).quantity_shipped == 3


def test_cap_expiry_only_shortens(batch, plant):
    original = batch.expiry_date
    assert services.cap_expiry(batch, original + timedelta(days=1), user=plant.user, reason="later") is False
    assert services.cap_expiry(batch, original - timedelta(days=30), user=plant.user, reason="component X") is True
    batch = Batch.objects.get(pk=batch.pk)
    assert batch.expiry_date == original - timedelta(days=30)
    assert_history(batch, user=plant.user, reason="component X")


def test_bom_rows_and_shortfalls_are_one_rule(running, plant):
    consume_for(running, plant, 10)
    rows = {r["material"].code: r for r in services.bom_rows(running, 12)}
    assert rows["BUF"]["required"] == Decimal("0.35") * 12
    assert rows["BUF"]["short"] == Decimal("0.35") * 2
    assert {r["material"].code for r in services.bom_shortfalls(running, 12)} == {"MEM", "CAS", "BUF"}
    assert services.bom_shortfalls(running, 10) == []
