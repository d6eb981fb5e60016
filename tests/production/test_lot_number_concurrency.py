"""Lot numbers stay unique when many creators number batches of the same day and line at once (PostgreSQL:
the counter row of the prefix is locked with SELECT … FOR UPDATE until the batch is saved)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from lims.services import create_record
from production import services
from production.models import Batch, CleanRoom, Line, LotSequence
from tests.production.factories import make_product

CREATORS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creators_never_share_a_lot_number(production_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    product = make_product(production_user, "setup")
    room = create_record(CleanRoom, {"code": "CR-9", "name": "Room", "iso_class": 8, "area_m2": Decimal("700")},
                         user=production_user, reason="setup")
    line = create_record(Line, {"code": "A1", "name": "Line", "kind": "automated", "clean_room": room,
                                "rated_units_per_hour": 3000}, user=production_user, reason="setup")
    start = threading.Barrier(CREATORS)
    numbers, errors = [], []

    def create():
        try:
            start.wait()
            batch = services.create_batch(product=product, line=line, planned_quantity=10,
                                          manufactured_on=date(2026, 3, 15), user=production_user, reason="rush")
            numbers.append(batch.lot_number)
        except Exception as exc:  # collected and asserted below, so a failing thread fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(CREATORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"SC260315A1{n:02d}" for n in range(1, CREATORS + 1)]
    assert Batch.objects.count() == CREATORS
    assert LotSequence.objects.get().last_value == CREATORS
