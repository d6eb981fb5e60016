"""Exports over LIMS_EXPORT_INLINE_MAX rows run as background tasks (issue #14 point 4, issue #15): the request
answers with the progress page, the file holds every row exactly once, only the requester may download it, each
download is recorded, and the file is removed when it expires."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from incubator.models import Project
from lims import exports, history
from lims.services import create_record
from lims.tasks.models import TaskRun

pytestmark = pytest.mark.django_db

N = 23


@pytest.fixture
def projects(incubator_user):
    return [create_record(Project, {"code": f"P-{i:03d}", "name": f"=cmd {i}", "focus_area": "microbiology",
                                    "entered_on": "2025-05-01"}, user=incubator_user, reason="application")
            for i in range(N)]


@pytest.fixture
def small_threshold(settings):
    settings.LIMS_EXPORT_INLINE_MAX = 5


def _start(client, url, capture):
    with capture(execute=True):
        response = client.get(url)
    assert response.status_code == 302
    run = TaskRun.objects.get(kind=exports.EXPORT_TASK)
    assert response["Location"] == f"/tasks/{run.pk}/"
    return run


def _body(response):
    return b"".join(response.streaming_content)


def test_a_large_list_export_runs_as_a_task_with_every_row_once(client_for, incubator_user, admin_user, projects,
                                                                small_threshold, django_capture_on_commit_callbacks):
    client = client_for(incubator_user)
    run = _start(client, "/incubator/projects/?export=csv", django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED and run.started_by == incubator_user
    assert (run.progress_done, run.progress_total) == (N, N) and run.result == {"rows": N}
    assert run.result_file.name.startswith("exports/") and run.expires_at > timezone.now()
    status = client.get(f"/tasks/{run.pk}/status/").json()
    assert status["percent"] == 100 and status["download_url"] == f"/tasks/{run.pk}/download/"
    download = client.get(status["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(download).decode("utf-8-sig"))))
    codes = [r[0] for r in rows[1:]]
    assert sorted(codes) == [p.code for p in projects] and len(set(codes)) == N  # every row, exactly once
    assert all(r[1].startswith("'=") for r in rows[1:])  # the same safe cells as inline
    # the download is recorded: a history row of the run with the person who downloaded
    run.refresh_from_db()
    assert run.downloads == 1
    last = run.history.order_by("-history_id").first()
    assert last.history_user == incubator_user and last.history_change_reason == "task_result_downloaded"
    # nobody else may download it, not even an administrator who may see every run
    assert client_for(admin_user).get(status["download_url"]).status_code == 404
    run.refresh_from_db()
    assert run.downloads == 1


def test_xlsx_and_the_audit_trail_in_the_background(client_for, auditor_user, projects, small_threshold,
                                                   django_capture_on_commit_callbacks):
    client = client_for(auditor_user)
    run = _start(client, "/audit/?export=xlsx", django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    sheet = openpyxl.load_workbook(io.BytesIO(_body(client.get(f"/tasks/{run.pk}/download/")))).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    expected = {(r[7], r[0]) for r in history.audit_iter()}
    assert len(rows) == len(expected) == run.result["rows"]
    assert {(r[4], r[0]) for r in rows} == expected  # every history row of every table, exactly once


def test_below_the_threshold_the_export_streams_in_the_request(client_for, incubator_user, projects, settings):
    settings.LIMS_EXPORT_INLINE_MAX = N
    response = client_for(incubator_user).get("/incubator/projects/?export=csv")
    assert response.status_code == 200 and response.streaming
    assert TaskRun.objects.count() == 0


def test_the_task_checks_the_role_again(client_for, incubator_user, projects, small_threshold,
                                        django_capture_on_commit_callbacks):
    run = _start(client_for(incubator_user), "/incubator/projects/?export=csv", django_capture_on_commit_callbacks)
    assert TaskRun.objects.get(pk=run.pk).state == TaskRun.State.SUCCEEDED
    # a person without the list's permission gets no run at all
    from tests.conftest import make_user

    stranger = make_user("stranger")
    assert client_for(stranger).get("/incubator/projects/?export=csv").status_code == 403
    assert TaskRun.objects.count() == 1


def test_an_expired_export_is_removed_and_gone(client_for, incubator_user, projects, small_threshold,
                                              django_capture_on_commit_callbacks):
    client = client_for(incubator_user)
    run = _start(client, "/incubator/projects/?export=csv", django_capture_on_commit_callbacks)
    run.refresh_from_db()
    path = run.result_file.path
    assert exports.expire_exports(now=timezone.now()) == 0
    assert exports.expire_exports(now=run.expires_at + timedelta(seconds=1)) == 1
    run.refresh_from_db()
    assert not run.result_file
    import os

    assert not os.path.exists(path)
    TaskRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/tasks/{run.pk}/download/")
    assert response.status_code == 410 and b"start the export again" in response.content
