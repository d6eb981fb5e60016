"""Issue #15: tasks and notification delivery through a real broker and a real Celery worker (not eager mode).
SQLite runs use the embedded filesystem transport; CI's PostgreSQL pass sets BROKER_URL to Redis."""

import time

import pytest
from django.core import mail

from lims.tasks.celery_app import app
from lims.tasks.models import TaskRun
from lims.tasks.services import start_task
from tests.regulatory.factories import make_certification, make_document

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(settings):
    """A real Celery worker (in a thread) consuming this test process's own queue on the configured broker."""
    from celery.contrib.testing.worker import start_worker

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                          queues=[app.conf.task_default_queue]):
            yield app.conf.broker_url
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, seconds=60):
    from django.db import OperationalError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database: the worker holds a table lock
            pass
        time.sleep(0.5)
    return False


def test_a_dossier_bundle_runs_on_the_worker(worker, regulatory_user):
    dossier = make_document(regulatory_user).item.dossier
    run = start_task("regulatory.dossier_bundle", {"dossier": dossier.pk}, user=regulatory_user)
    assert wait_for(lambda: TaskRun.objects.get(pk=run.pk).finished), f"not finished through {worker}"
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED and run.result_file and run.attempts == 1


def test_a_notification_is_delivered_by_the_worker(worker, regulatory_user, admin_user):
    from lims.notifications.models import Notification
    from regulatory import services

    regulatory_user.email = "reg@example.invalid"
    regulatory_user.save()
    cert = make_certification(admin_user, valid_until=__import__("datetime").date(2021, 1, 1))
    services.expire_certification(cert, user=admin_user, reason="validity ended")
    assert wait_for(lambda: Notification.objects.filter(recipient=regulatory_user).exists())
    note = Notification.objects.get(recipient=regulatory_user)
    assert note.event.url == cert.get_absolute_url()
    assert wait_for(lambda: Notification.objects.get(pk=note.pk).emailed_at is not None)
    assert [m.to for m in mail.outbox] == [["reg@example.invalid"]]
