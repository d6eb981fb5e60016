"""Audit verification as a background task (issue #15): started from /audit/verify/ with progress, nightly on
the schedule, and a failed verification notifies the Auditor and Admin roles with a link to the result (a row
tampered with as an attacker with SQL access would)."""

import pytest
from django.db import connection
from django.urls import reverse

from incubator.models import Project
from lims.models import AuditVerification
from lims.notifications.models import Event, Notification
from lims.services import create_record, update_record
from lims.tasks import worker
from lims.tasks.builtin import VERIFY_FAILED, VERIFY_NIGHTLY, VERIFY_TASK
from lims.tasks.models import TaskRun
from tests.core.test_integrity import without_triggers

pytestmark = pytest.mark.django_db
HIST = Project.history.model


@pytest.fixture
def projects(incubator_user):
    for i in range(3):
        p = create_record(Project, {"code": f"P-{i}", "name": f"Project {i}", "focus_area": "microbiology",
                                    "entered_on": "2025-05-01"}, user=incubator_user, reason="application")
        update_record(p, {"name": f"Project {i} (renamed)"}, user=incubator_user, reason="typo")


def tamper():
    target = HIST.objects.order_by("history_id").last()
    with without_triggers(HIST._meta.db_table), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(HIST._meta.db_table)} SET name = 'rewritten' "
                       "WHERE history_id = %s", [target.history_id])
    return target


def test_a_failed_verification_notifies_auditors_and_admins(client_for, auditor_user, admin_user, qa_user,
                                                           production_user, projects,
                                                           django_capture_on_commit_callbacks):
    target = tamper()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(qa_user).post(reverse("audit-verify"))
    task = TaskRun.objects.get(kind=VERIFY_TASK)
    assert response["Location"] == f"/tasks/{task.pk}/" and task.state == TaskRun.State.SUCCEEDED
    run = AuditVerification.objects.get()
    assert not run.ok and run.breaks[0]["id"] == target.history_id
    event = Event.objects.get(kind=VERIFY_FAILED)
    assert event.url == f"/audit/verify/?run={run.pk}" and task.result_url == event.url
    told = set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))
    assert {auditor_user.username, admin_user.username} <= told
    assert qa_user.username not in told and production_user.username not in told
    page = client_for(auditor_user).get(event.url)
    assert page.status_code == 200 and b"Not intact" in page.content
    assert str(target.history_id).encode() in page.content


def test_an_intact_trail_notifies_nobody(client_for, auditor_user, projects, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(auditor_user).post(reverse("audit-verify"))
    assert AuditVerification.objects.get().ok
    assert not Event.objects.filter(kind=VERIFY_FAILED).exists()


def test_the_nightly_verification_runs_once_per_night(projects, django_capture_on_commit_callbacks):
    from datetime import datetime

    from django.utils import timezone

    night = timezone.make_aware(datetime(2026, 3, 1, 2, 45))
    tamper()
    with django_capture_on_commit_callbacks(execute=True):
        worker.tick(now=night)
        worker.tick(now=night)
    runs = TaskRun.objects.filter(kind=VERIFY_NIGHTLY)
    assert runs.count() == 1 and runs.get().state == TaskRun.State.SUCCEEDED
    assert AuditVerification.objects.count() == 1
    assert Event.objects.filter(kind=VERIFY_FAILED).count() == 1


def test_only_the_verifying_roles_may_start_it(client_for, production_user, projects):
    assert client_for(production_user).post(reverse("audit-verify")).status_code == 403
    assert TaskRun.objects.count() == 0
