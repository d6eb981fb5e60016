"""Shipments: recorded with the batch's shipped quantity, refused (nothing changed) when not eligible or when
more than released − shipped is asked, and never oversold by concurrent requests on PostgreSQL."""

import threading
from datetime import date, timedelta

import pytest
from django.db import close_old_connections, connection

from lims.errors import DomainError
from regulatory import services
from regulatory.models import Shipment
from tests.helpers import Snapshot, assert_history
from tests.regulatory.factories import eligible_setup


@pytest.mark.django_db
def test_shipment_counts_on_the_batch_with_history(admin_user, regulatory_user):
    batch, market, _ = eligible_setup(admin_user, made=500)
    shipment = services.record_shipment(batch=batch, market=market, quantity=200, shipped_on=date.today(),
                                        consignee="Importer", user=regulatory_user, reason="order 17")
    batch.refresh_from_db()
    assert batch.quantity_shipped == 200 and shipment.shipped_by == regulatory_user
    assert_history(shipment, user=regulatory_user, reason="order 17")
    assert_history(batch, user=regulatory_user, reason="order 17")


@pytest.mark.django_db
def test_not_eligible_changes_nothing(admin_user, regulatory_user):
    batch, market, _ = eligible_setup(admin_user)
    snapshot = Snapshot(batch)
    with pytest.raises(DomainError) as exc:
        services.record_shipment(batch=batch, market=market, quantity=1,
                                 shipped_on=batch.expiry_date - timedelta(days=1), consignee="X",
                                 user=regulatory_user, reason="late")
    assert exc.value.code == "not_eligible"
    assert [r["code"] for r in exc.value.reasons] == ["short_shelf_life"]
    snapshot.assert_unchanged()
    assert not Shipment.objects.exists()


@pytest.mark.django_db
def test_insufficient_quantity(admin_user, regulatory_user):
    batch, market, _ = eligible_setup(admin_user, made=100)
    services.record_shipment(batch=batch, market=market, quantity=60, shipped_on=date.today(), consignee="A",
                             user=regulatory_user)
    batch.refresh_from_db()
    snapshot = Snapshot(batch)
    for quantity in (41, 1000):
        with pytest.raises(DomainError) as exc:
            services.record_shipment(batch=batch, market=market, quantity=quantity, shipped_on=date.today(),
                                     consignee="B", user=regulatory_user)
        assert exc.value.code == "insufficient_quantity"
    snapshot.assert_unchanged()
    services.record_shipment(batch=batch, market=market, quantity=40, shipped_on=date.today(), consignee="B",
                             user=regulatory_user)
    with pytest.raises(DomainError) as exc:
        services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=date.today(), consignee="C",
                                 user=regulatory_user)
    assert exc.value.code == "insufficient_quantity"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_shipments_cannot_oversell(admin_user, regulatory_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    batch, market, _ = eligible_setup(admin_user, made=100)
    barrier = threading.Barrier(2)
    outcomes = []

    def ship():
        try:
            barrier.wait()
            services.record_shipment(batch=batch, market=market, quantity=100, shipped_on=date.today(),
                                     consignee="Race", user=regulatory_user, reason="race")
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=ship) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    batch.refresh_from_db()
    assert sorted(outcomes) == ["insufficient_quantity", "ok"]
    assert batch.quantity_shipped == 100
    assert Shipment.objects.filter(batch=batch).count() == 1


@pytest.mark.django_db
def test_an_open_label_reconciliation_deviation_blocks_the_shipment(admin_user, regulatory_user):
    from production.labelling import services as labelling
    from qc.models import Deviation

    batch, market, _ = eligible_setup(admin_user, made=100)
    labelling.print_labels(batch, "unit", None, 10, user=admin_user, reason="print")
    labelling.reconcile_labels(batch, "unit", 8, 0, 0, user=admin_user, reason="two labels not found")
    snapshot = Snapshot(batch)
    with pytest.raises(DomainError) as exc:
        services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=date.today(), consignee="X",
                                 user=regulatory_user, reason="order")
    assert exc.value.code == "not_eligible"
    assert [r["code"] for r in exc.value.reasons] == ["open_deviation"]
    assert str(Deviation.objects.get()) in exc.value.reasons[0]["detail"]
    snapshot.assert_unchanged()
    assert not Shipment.objects.exists()
