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
    reconciled = LabelReconciliation.objects.get(batch=done)
    assert reconciled.issued == reconciled.used + reconciled.destroyed + reconciled.returned > 90
    first = table_counts(PrintJob, LabelReconciliation)
    demo.seed(ctx)
    assert table_counts(PrintJob, LabelReconciliation) == first
