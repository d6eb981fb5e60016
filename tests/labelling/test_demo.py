"""The labelling demo prints through the services and is idempotent."""

import io

import pytest

from lims import demo as core_demo
from lims.management.commands.seed_demo import DemoContext
from production import services as production_services
from production.labelling import demo
from production.labelling.models import LabelReconciliation, PrintJob
from tests.helpers import table_counts
from tests.labelling.factories import make_started_batch


@pytest.mark.django_db
def test_demo_prints_and_reconciles_once(production_user, started):
    done = production_services.complete_batch(make_started_batch(production_user, "setup"), quantity_made=90,
                                              user=production_user, reason="done")
    ctx = DemoContext(io.StringIO(), False, 20261122)
    core_demo.seed(ctx)
    demo.seed(ctx)
    assert PrintJob.objects.filter(batch=started).count() == 2
    assert not LabelReconciliation.objects.filter(batch=started).exists()
    for reconciled in LabelReconciliation.objects.filter(batch=done):
        assert reconciled.issued == reconciled.used + reconciled.destroyed + reconciled.returned
        assert reconciled.discrepancy == 0
    assert {r.template: r.issued > 0 for r in LabelReconciliation.objects.filter(batch=done)} == {
        "unit": True, "case": True}
    first = table_counts(PrintJob, LabelReconciliation)
    demo.seed(ctx)
    assert table_counts(PrintJob, LabelReconciliation) == first
