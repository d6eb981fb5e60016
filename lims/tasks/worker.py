"""What a worker does with a task run, and the per-minute tick of the scheduler."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lims.audit import audited
from lims.logs import is_outage, task_var
from lims.tasks import services
from lims.tasks.models import TaskRun, TaskStep
from lims.tasks.registry import KINDS, SCHEDULE

log = logging.getLogger("lims.tasks")


class TaskContext:
    """What a handler gets: ``params``, ``user`` (who started the run), ``progress(done, total)``,
    ``once(name, fn)`` for steps that write records, ``save_result(...)`` for the download or link."""

    PROGRESS_EVERY = 1.0  # seconds between progress rows (history stays small; the page polls every second)

    def __init__(self, run: TaskRun):
        self.run = run
        self.params = run.params
        self.user = run.started_by
        self._last_progress = 0.0

    def progress(self, done: int, total: int, message: str = "", *, force: bool = False):
        now = time.monotonic()
        if force or done >= total or now - self._last_progress >= self.PROGRESS_EVERY:
            self._last_progress = now
            services.record_progress(self.run.pk, done, total, message, user=self.user)

    def once(self, name: str, fn):
        """Run ``fn()`` (which writes records through services) exactly once for this run: its writes and the
        step's ledger row commit together, under the run's lock, so a retried or redelivered run returns the
        stored value instead of writing the records again. ``fn`` returns a JSON value."""
        with transaction.atomic():
            TaskRun.objects.select_for_update().filter(pk=self.run.pk).first()
            step = TaskStep.objects.filter(run_id=self.run.pk, name=name).first()
            if step is not None:
                return step.result.get("value")
            value = fn()
            TaskStep.objects.create(run_id=self.run.pk, name=name, result={"value": value})
            return value

    def save_result(self, *, name: str = "", content: bytes | None = None, url: str = "", data=None,
                    stored: str = "", expires_at=None):
        self.run = services.store_result(self.run.pk, name=name, content=content, url=url, data=data,
                                         user=self.user, stored=stored, expires_at=expires_at)


def _max_attempts(kind) -> int:
    return (kind.max_attempts if kind and kind.max_attempts else settings.LIMS_TASK_MAX_ATTEMPTS)


def execute_run(run_id: int):
    """Run one TaskRun: claim it, call its handler, record success or failure. Safe to call any number of times
    for the same run (duplicate deliveries, retries): a finished run is left alone."""
    run = TaskRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        return
    user = run.started_by
    try:
        run = services.claim(run_id, user=user)
    except Exception as exc:
        if not is_outage(exc) or settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        # The database is busy or away: try again shortly (nothing was written; the run is still queued).
        log.warning("task run %s: could not be claimed (%s); retrying", run_id, exc)
        from lims.tasks.celery_app import execute

        execute.apply_async(args=[run_id], countdown=5, retry=False)
        return
    if run is None:
        return
    kind = KINDS.get(run.kind)
    token = task_var.set((run.pk, user.get_username()))
    try:
        if kind is None:
            services.fail(run.pk, f"unknown task kind {run.kind}", retry=False, user=user)
            return
        with audited(user=user, reason=run.kind, system=True):
            kind.handler(TaskContext(run))
        services.finish(run.pk, user=user)
    except Exception as exc:
        transient = is_outage(exc)
        retry = transient and run.attempts < _max_attempts(kind)
        if transient:
            log.warning("task run %s (%s) attempt %s: %s", run.pk, run.kind, run.attempts, exc)
        else:
            log.exception("task run %s (%s) failed", run.pk, run.kind)
        try:
            services.fail(run.pk, _public_error(exc), retry=retry, user=user)
        except Exception:  # the database is still down: the lease expires and the message is redelivered
            log.warning("task run %s: could not record the failure", run.pk)
            return
        if retry:
            from lims.tasks.celery_app import execute

            if settings.CELERY_TASK_ALWAYS_EAGER:
                execute_run(run.pk)
            else:
                execute.apply_async(args=[run.pk], countdown=min(300, 10 * 2 ** run.attempts), retry=False)
    finally:
        task_var.reset(token)


def _public_error(exc) -> str:
    """What the person who started the run sees: the message of a domain or validation error, else its type."""
    from django.core.exceptions import ValidationError

    from lims.errors import DomainError

    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"[:500]


def due_slot(periodic, local: datetime) -> str | None:
    """The occurrence of ``periodic`` that is due at local time ``local``, or None."""
    schedule = periodic.schedule
    if "every_minutes" in schedule:
        step = int(schedule["every_minutes"])
        minute = (local.hour * 60 + local.minute) // step * step
        return f"{local.date().isoformat()}T{minute // 60:02d}:{minute % 60:02d}"
    hour, minute = int(schedule.get("hour", 0)), int(schedule.get("minute", 0))
    if (local.hour, local.minute) >= (hour, minute):
        return local.date().isoformat()  # catches up after a scheduler outage, once per day
    return None


def tick(now=None):
    """Start every scheduled occurrence that is due (once: the key is code + occurrence) and re-send runs that
    stayed queued (their message was lost in a broker outage)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    system = services.system_user()
    started = []
    for periodic in SCHEDULE.values():
        slot = due_slot(periodic, local)
        if slot:
            run = services.start_task(periodic.code, {"slot": slot}, user=system, key=f"{periodic.code}:{slot}")
            started.append(run)
    for run_id in TaskRun.objects.filter(state=TaskRun.State.QUEUED, updated_at__lt=now - timedelta(minutes=2)) \
            .values_list("pk", flat=True)[:100]:
        services.enqueue(run_id)
    from lims.tasks.registry import JOBS

    for job in JOBS.values():
        if getattr(job, "sweep", None):
            job.sweep()
    return started
