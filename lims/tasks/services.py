"""Every state change of a task run (STYLE.md §1). The acting user is the person who started the run (or the
system account for scheduled work); each change is a history row with that user and a system reason."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import service
from lims.permissions import require
from lims.tasks.models import TaskRun
from lims.tasks.registry import KINDS

log = logging.getLogger("lims.tasks")

# A running run whose worker has not reported for this long is taken to be dead (its message is redelivered).
LEASE = timedelta(minutes=10)


def system_user():
    """The account scheduled work acts as: inactive, no usable password, so nobody can sign in as it."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=settings.LIMS_SYSTEM_USERNAME, defaults={"first_name": "LIMS", "last_name": "system",
                                                          "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def enqueue(run_id: int) -> bool:
    """Send the run to the broker. A broker outage leaves it queued: ``tick`` re-sends it later."""
    from lims.tasks.celery_app import execute

    try:
        execute.apply_async(args=[run_id], retry=False)
        return True
    except Exception as exc:
        log.warning("task run %s stays queued: the broker cannot be reached (%s)", run_id, exc)
        return False


@service(action="task_started")
def start_task(kind: str, params: dict | None = None, *, user, reason: str = "", key: str | None = None):
    """Record a run of ``kind`` and queue it once the surrounding transaction commits. With ``key``, starting is
    idempotent: a second start with the same key (a double click, a retried request, a scheduler firing twice)
    returns the first run and queues nothing."""
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Unknown task kind %(kind)s.") % {"kind": kind}]})
    if KINDS[kind].permission and user.username != settings.LIMS_SYSTEM_USERNAME:
        require(user, KINDS[kind].permission)
    if key:
        existing = TaskRun.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            run = TaskRun.objects.create(kind=kind, key=key or None, started_by=user, params=params or {})
    except IntegrityError:  # the same key started concurrently: the other start won
        return TaskRun.objects.get(key=key)
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def _locked(run_id):
    return TaskRun.objects.select_for_update().select_related("started_by").get(pk=run_id)


@service(action="task_running")
def claim(run_id: int, *, user, reason: str = "", now=None):
    """queued → running (attempt + 1). None when there is nothing to do: the run finished already (a duplicate
    delivery, a retry after success) or another worker holds it (reported within the lease)."""
    now = now or timezone.now()
    run = _locked(run_id)
    if run.finished:
        return None
    if run.state == TaskRun.State.RUNNING and run.updated_at > now - LEASE:
        return None
    run.state = TaskRun.State.RUNNING
    run.attempts += 1
    run.started_at = run.started_at or now
    run.error = ""
    run.save()
    return run


@service(action="task_progress")
def record_progress(run_id: int, done: int, total: int, message: str = "", *, user, reason: str = ""):
    run = _locked(run_id)
    run.progress_done, run.progress_total = max(0, int(done)), max(0, int(total))
    if message:
        run.message = str(message)[:300]
    run.save()
    return run


@service(action="task_result")
def store_result(run_id: int, *, name: str = "", content: bytes | None = None, url: str = "", data=None, user,
                 reason: str = "", stored: str = "", expires_at=None):
    """The run's result: ``content`` (saved as a file), or ``stored`` (the storage name of a file the task
    wrote itself, e.g. a streamed export), a link, data; ``expires_at``: when the file is removed."""
    run = _locked(run_id)
    if content is not None:
        run.result_file.save(name, ContentFile(content), save=False)
        run.result_name = name
    elif stored:
        run.result_file.name = stored
        run.result_name = name
    if expires_at is not None:
        run.expires_at = expires_at
    if url:
        run.result_url = url
    if data is not None:
        run.result = data
    run.save()
    return run


@service(action="task_succeeded")
def finish(run_id: int, *, user, reason: str = ""):
    run = _locked(run_id)
    run.state = TaskRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    if run.progress_total:
        run.progress_done = run.progress_total
    run.save()
    return run


@service(action="task_failed")
def fail(run_id: int, error: str, *, retry: bool, user, reason: str = ""):
    """running → queued again (a transient failure with attempts left) or → failed with the error shown."""
    run = _locked(run_id)
    run.error = str(error)[:2000]
    if retry:
        run.state = TaskRun.State.QUEUED
    else:
        run.state = TaskRun.State.FAILED
        run.finished_at = timezone.now()
    run.save()
    return run


@service(action="task_result_downloaded")
def record_download(run_id: int, *, user, reason: str = ""):
    """Who downloaded the result and when: a history row of the run with that user (and the count)."""
    run = _locked(run_id)
    run.downloads += 1
    run.save()
    return run


@service(action="task_result_expired")
def expire_result(run_id: int, *, user, reason: str = ""):
    """Remove a result file past its ``expires_at`` (the run and its history stay)."""
    run = _locked(run_id)
    if run.result_file:
        run.result_file.delete(save=False)
        run.result_file = ""
        run.save()
    return run
