"""bench/dataset.py at a tiny scale: the rows it writes are valid records (model rules), carry the history the
services would write (user, action code as a system reason, versions), continue the lot counters, and the lists
page them by key."""

import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from lab.models import Sample
from production.models import Batch
from production.monitoring.models import Reading
from production.services import create_batch
from qc.models import Inspection, InspectionResult
from tests.lab.factories import make_assay, make_client
from tests.monitoring import factories as monitoring
from tests.qc.factories import make_line, make_product, make_spec

pytestmark = pytest.mark.django_db(transaction=False)


def load():
    spec = importlib.util.spec_from_file_location("bench_dataset", Path(__file__).parents[2] / "bench/dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_five_year_dataset_is_valid_and_attributed(production_user, qc_user, qa_user, lab_user, admin_user,
                                                        client_for):
    product = make_product(production_user)
    line = make_line(production_user)
    make_spec(qc_user, product=product)
    make_spec(qc_user, product=product, kind="attribute", lower=None, upper=None, code="VIS")
    room = monitoring.make_room(production_user, "room")
    monitoring.make_point(production_user, "point", room=room)
    make_client(lab_user)
    make_assay(lab_user)
    stats = load().generate(0.0004, quiet=True)  # 20 batches, 400 samples, 4,000 readings
    assert stats["batches"] == {"rows": 20, "history": 80, "seconds": stats["batches"]["seconds"]}
    assert stats["inspection_results"]["rows"] == 40 and stats["samples"]["history"] == 1200
    assert Reading.objects.count() == stats["readings"]["rows"] >= 3990
    for batch in Batch.objects.all():
        batch.full_clean()
        assert batch.expiry_date == product.expiry_for(batch.manufactured_on)
        rows = list(batch.history.order_by("history_id"))
        assert [r.history_type for r in rows] == ["+", "~", "~", "~"]
        assert [r.version for r in rows] == [1, 2, 3, 4]
        assert all(r.history_user_id and r.history_change_reason and r.history_reason_system for r in rows)
        assert rows[-1].status == batch.status and batch.status in ("released", "rejected", "quarantined")
    for inspection in Inspection.objects.all():
        inspection.full_clean()
        assert inspection.reviewed_by_id != inspection.recorded_by_id != inspection.approved_by_id
    for result in InspectionResult.objects.all():
        result.full_clean()
    for sample in Sample.objects.all()[:50]:
        sample.full_clean()
        assert sample.reported_at > sample.started_at > sample.received_at
    # The ids and lot counters continue: a batch made through the service gets a fresh number.
    newest = Batch.objects.order_by("-manufactured_on").first()
    made = create_batch(product=product, line=line, planned_quantity=10, manufactured_on=newest.manufactured_on,
                        user=production_user, reason="after the generator")
    assert made.lot_number != newest.lot_number and made.pk > Batch.objects.exclude(pk=made.pk).order_by("-pk")[0].pk
    page = client_for(admin_user).get(reverse("production:batch-list"), {"page_size": 5}).context["page"]
    assert len(page.rows) == 5 and page.next_cursor


def test_generated_history_is_linked_into_the_integrity_chain(production_user, qc_user, qa_user, lab_user):
    """The generator hashes its history rows as the services would: the whole trail verifies, before and after a
    service writes on top of it; a generated row changed afterwards is caught."""
    from django.db import connection

    from lims.integrity import drop_triggers, install_triggers, verify_audit

    product = make_product(production_user)
    line = make_line(production_user)
    make_spec(qc_user, product=product)
    make_spec(qc_user, product=product, kind="attribute", lower=None, upper=None, code="VIS")
    monitoring.make_point(production_user, "point", room=monitoring.make_room(production_user, "room"))
    make_client(lab_user)
    make_assay(lab_user)
    load().generate(0.0004, quiet=True)
    generated = Sample.history.model.objects.filter(barcode__startswith="G")
    assert generated.count() == 1200 and not generated.filter(history_hash="").exists()
    result = verify_audit()
    assert result.ok, result.breaks[:3]
    assert result.rows_checked >= 1200 + 80 + 60 + 40 + 20
    create_batch(product=product, line=line, planned_quantity=10, user=production_user, reason="on top")
    assert verify_audit().ok
    row = generated.order_by("history_id")[10]
    table = Sample.history.model._meta.db_table
    drop_triggers(connection, [table])
    try:
        Sample.history.model.objects.filter(pk=row.pk).update(result="tampered")
    finally:
        install_triggers(connection, [table])
    broken = verify_audit()
    assert not broken.ok and [b["id"] for b in broken.breaks] == [row.pk]
