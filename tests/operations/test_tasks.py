"""Issue #15, background tasks: idempotent start, retries that never write a record twice, progress and the
download, the schedule, and silent sensors closing their excursions with the gap recorded."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from incubator.models import Project
from lims.services import create_record
from lims.tasks import TaskKind, register_kind
from lims.tasks.models import TaskRun
from lims.tasks.registry import KINDS
from lims.tasks.services import claim, start_task, system_user
from lims.tasks.worker import due_slot, execute_run, tick
from tests.regulatory.factories import make_document

FLAKY = {"failures": 1}


def _flaky_handler(ctx):
    """Writes a tracked record in a step, then fails once with a database error (a dropped connection) after
    the step committed: the retry must find the step done and not create the project again."""
    ctx.once("create", lambda: create_record(Project, {"code": ctx.params["code"], "name": "Retry test",
                                                        "focus_area": "neurodevelopment", "entered_on": "2025-01-01"},
                                             user=ctx.user, reason="task").pk)
    ctx.progress(1, 2, force=True)
    if FLAKY["failures"] > 0:
        FLAKY["failures"] -= 1
        raise OperationalError("server closed the connection unexpectedly")
    ctx.save_result(data={"project": Project.objects.get(code=ctx.params["code"]).pk})


@pytest.fixture
def flaky_kind():
    register_kind(TaskKind("tests.flaky", "Flaky", _flaky_handler))
    FLAKY["failures"] = 1
    yield "tests.flaky"
    KINDS.pop("tests.flaky", None)


def test_starting_twice_with_the_same_key_is_one_run(incubator_user, flaky_kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = start_task(flaky_kind, {"code": "T-1"}, user=incubator_user, key="project-T-1")
        second = start_task(flaky_kind, {"code": "T-1"}, user=incubator_user, key="project-T-1")
    assert first.pk == second.pk
    assert TaskRun.objects.filter(key="project-T-1").count() == 1
    assert len(callbacks) == 1  # queued once


def test_a_retried_task_never_writes_its_records_twice(incubator_user, flaky_kind,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = start_task(flaky_kind, {"code": "T-2"}, user=incubator_user)
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED
    assert run.attempts == 2  # failed once (transient), retried
    assert Project.objects.filter(code="T-2").count() == 1
    assert run.result == {"project": Project.objects.get(code="T-2").pk}
    # A duplicate delivery after success changes nothing.
    version = run.version
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.version == version and Project.objects.filter(code="T-2").count() == 1
    # History: every state change by the person who started it.
    states = list(run.history.order_by("history_id").values_list("state", "history_user__username"))
    assert states[0] == ("queued", "incubator")
    assert ("queued", "incubator") in states[2:]  # back to queued for the retry
    assert states[-1] == ("succeeded", "incubator")


def test_a_run_held_by_a_live_worker_is_not_claimed_twice(incubator_user, flaky_kind):
    run = start_task(flaky_kind, {"code": "T-3"}, user=incubator_user)
    assert claim(run.pk, user=incubator_user) is not None
    assert claim(run.pk, user=incubator_user) is None  # a second delivery while the first runs
    later = timezone.now() + timedelta(minutes=11)
    assert claim(run.pk, user=incubator_user, now=later) is not None  # the first worker died: lease expired


def test_a_failing_task_is_failed_with_its_error(incubator_user, django_capture_on_commit_callbacks):
    def broken(ctx):
        raise ValueError("no such dossier")

    register_kind(TaskKind("tests.broken", "Broken", broken))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = start_task("tests.broken", {}, user=incubator_user)
        run.refresh_from_db()
        assert run.state == TaskRun.State.FAILED and run.attempts == 1
        assert "no such dossier" in run.error
    finally:
        KINDS.pop("tests.broken")


def test_dossier_bundle_in_the_background_with_progress_and_download(client_for, regulatory_user, qa_user,
                                                                     django_capture_on_commit_callbacks):
    doc = make_document(regulatory_user)
    dossier = doc.item.dossier
    client = client_for(regulatory_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/regulatory/dossiers/{dossier.pk}/bundle/")
    run = TaskRun.objects.get(kind="regulatory.dossier_bundle")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{run.pk}/"
    assert run.state == TaskRun.State.SUCCEEDED and run.started_by == regulatory_user
    assert (run.progress_done, run.progress_total) == (2, 2)  # the index, then the one document
    page = client.get(f"/tasks/{run.pk}/")
    assert page.status_code == 200 and b"lims/tasks.js" in page.content and b"<script>" not in page.content
    status = client.get(f"/tasks/{run.pk}/status/").json()
    assert status["percent"] == 100 and status["finished"] and status["download_url"] == f"/tasks/{run.pk}/download/"
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store, private"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert names == ["index.pdf", f"01/{doc.original_name}"]
    # Somebody else's run is not theirs to see.
    assert client_for(qa_user).get(f"/tasks/{run.pk}/").status_code == 404
    assert client_for(qa_user).get(f"/tasks/{run.pk}/download/").status_code == 404


def test_starting_a_task_needs_its_permission(client_for, qa_user, regulatory_user, outsider):
    dossier = make_document(regulatory_user).item.dossier
    assert client_for(outsider).post(f"/regulatory/dossiers/{dossier.pk}/bundle/").status_code == 403
    assert not TaskRun.objects.exists()


def test_the_schedule_runs_each_occurrence_once(db, django_capture_on_commit_callbacks):
    from lims.tasks.registry import SCHEDULE

    daily = SCHEDULE["regulatory.expire_certifications"]
    at = timezone.localtime().replace(hour=0, minute=10)
    assert due_slot(daily, at) is None  # scheduled for 00:15
    assert due_slot(daily, at.replace(minute=20)) == at.date().isoformat()
    every5 = SCHEDULE["monitoring.silent_points"]
    assert due_slot(every5, at.replace(hour=9, minute=7)) == f"{at.date().isoformat()}T09:05"

    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = tick(now)
        second = tick(now)
    assert {r.kind for r in first} >= {"monitoring.silent_points"}
    assert [r.pk for r in first] == [r.pk for r in second]  # the same occurrences, not new runs
    assert all(r.started_by == system_user() for r in first)
    assert TaskRun.objects.filter(kind="monitoring.silent_points").count() == 1
    assert all(r.state == TaskRun.State.SUCCEEDED for r in TaskRun.objects.all())
    assert not system_user().is_active and not system_user().has_usable_password()


def test_a_runs_page_names_people_and_groups_large_counts(client_for, incubator_user):
    """The run page says who started it and who moved it by their printed names, and a 40,000-label count reads
    as 20,000 / 40,000, not 20000 / 40000."""
    incubator_user.first_name, incubator_user.last_name = "Li", "Na"
    incubator_user.save()
    from lims.audit import audited

    with audited(user=incubator_user, reason="test"):
        run = TaskRun.objects.create(kind="tests.flaky", started_by=incubator_user, params={},
                                     state=TaskRun.State.RUNNING, progress_done=20000, progress_total=40000)
    page = client_for(incubator_user).get(f"/tasks/{run.pk}/").content.decode()
    assert "20,000 / 40,000" in page and "20000 / 40000" not in page
    assert page.count("Li Na") >= 1 and f"<td>{incubator_user.username}</td>" not in page
