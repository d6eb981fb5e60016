"""What kinds of background task exist and what runs on a schedule: declared as data by each app from its
``AppConfig.ready()`` (imports point downward: an app registers into ``lims.tasks``, never the reverse)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

KINDS: dict[str, TaskKind] = {}
SCHEDULE: dict[str, Periodic] = {}
# Plain background jobs without a TaskRun (short, idempotent by their own keys: notification delivery).
JOBS: dict[str, Callable] = {}


@dataclass(frozen=True)
class TaskKind:
    """``code``: stable, e.g. ``"regulatory.dossier_bundle"``; ``handler(ctx)`` does the work;
    ``permission``: who may start it and see others' runs of it; ``label``: translatable name."""

    code: str
    label: object
    handler: Callable
    permission: str = ""
    max_attempts: int | None = None


@dataclass(frozen=True)
class Periodic:
    """Scheduled work: ``run(ctx)`` at ``schedule`` — a crontab as a dict of its fields
    (``{"hour": 1, "minute": 5}``) or ``{"every_minutes": 5}``. ``slot`` names one occurrence so that a
    scheduler firing twice, or a retry, never runs the same occurrence twice ("daily" → the local date)."""

    code: str
    label: object
    run: Callable
    schedule: dict = field(default_factory=dict)
    slot: str = "daily"  # "daily" | "hourly" | "minute"


def register_kind(kind: TaskKind) -> TaskKind:
    KINDS[kind.code] = kind
    return kind


def register_periodic(periodic: Periodic) -> Periodic:
    """A periodic job is also a task kind: each occurrence is a TaskRun started by the system account."""
    SCHEDULE[periodic.code] = periodic
    register_kind(TaskKind(periodic.code, periodic.label, periodic.run, permission="tasks.view_all_taskruns"))
    return periodic


def kind(code: str) -> TaskKind:
    return KINDS[code]


def register_job(name: str, func: Callable) -> Callable:
    JOBS[name] = func
    return func


def send_job(name: str, *args) -> bool:
    """Queue ``JOBS[name](*args)``; False when the broker cannot be reached (the caller's sweep retries)."""
    import logging

    from lims.tasks.celery_app import call

    try:
        call.apply_async(args=[name, *args], retry=False)
        return True
    except Exception as exc:  # the broker is down: never fail the action that queued the job
        logging.getLogger("lims.tasks").warning("could not queue %s: %s", name, exc)
        return False
