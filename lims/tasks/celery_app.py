"""The Celery application of the LIMS: ``celery -A lims.tasks.celery_app worker`` / ``beat``.

Configuration comes from Django's settings (``CELERY_*``, lims/settings.py). Three tasks exist at the broker
level; everything else is data in ``lims.tasks.registry``: ``execute`` runs one TaskRun, ``tick`` (every minute,
from beat) starts the scheduled occurrences that are due and re-sends runs whose message was lost, and
``call`` runs a registered plain job (notification delivery) by name.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")

app = Celery("lims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {"lims-tick": {"task": "lims.tasks.tick", "schedule": 60.0}}


@app.task(name="lims.tasks.execute", ignore_result=True)
def execute(run_id: int):
    from lims.tasks.worker import execute_run

    execute_run(run_id)


@app.task(name="lims.tasks.tick", ignore_result=True)
def tick():
    from lims.tasks.worker import tick as _tick

    _tick()


@app.task(name="lims.tasks.call", ignore_result=True, acks_late=True)
def call(job: str, *args):
    from lims.tasks.registry import JOBS

    JOBS[job](*args)
