"""Background work (issue #15): a generic task layer on Celery that any app plugs into.

* ``register_kind(TaskKind(...))`` declares a long task a person starts (a dossier bundle, a label job, an
  export): its handler receives a ``TaskContext`` to report progress, run idempotent steps and store the result.
* ``start_task(kind, params, user=..., key=...)`` records a ``TaskRun`` (history: who, when, what) and queues it
  once the surrounding transaction commits; the person follows it on ``/tasks/<id>/``.
* ``register_periodic(Periodic(...))`` declares scheduled work (celery beat reads the schedule from here).

See README, "Background tasks", for how to add a kind.
"""

from lims.tasks.registry import Periodic, TaskKind, register_kind, register_periodic  # noqa: F401


def start_task(*args, **kwargs):
    from lims.tasks.services import start_task as _start

    return _start(*args, **kwargs)
