"""Case serials stay gap-free and unique when several print jobs of one batch run at once (PostgreSQL: the
batch's counter row is locked with SELECT … FOR UPDATE until the job is saved)."""

import threading

import pytest
from django.db import connection, connections

from production.labelling import services
from production.labelling.models import CaseSerialCounter, PrintJob
from tests.labelling.factories import make_started_batch

PRINTERS = 8
COPIES = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_case_jobs_never_share_or_skip_a_serial(production_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    batch = make_started_batch(production_user, "setup")
    start = threading.Barrier(PRINTERS)
    errors = []

    def print_job():
        try:
            start.wait()
            services.print_labels(batch, "case", None, COPIES, user=production_user, reason="rush")
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=print_job) for _ in range(PRINTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(n for job in PrintJob.objects.filter(batch=batch)
                     for n in range(int(job.serial_from), int(job.serial_to) + 1))
    assert serials == list(range(1, PRINTERS * COPIES + 1))
    assert CaseSerialCounter.objects.get(batch=batch).last_value == PRINTERS * COPIES
