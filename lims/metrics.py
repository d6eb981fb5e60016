"""Prometheus metrics at ``/metrics`` (issue #15, observability).

Requests and their latency (by route pattern, never by raw path: bounded label values), failed sign-ins, and,
read from the database at scrape time so that every web and worker process agrees, the task queue (runs
queued or running, by kind) and failed task runs. Under gunicorn with several workers the counters of every
process are merged through ``PROMETHEUS_MULTIPROC_DIR`` (``manage.py serve`` sets it).

Access: ``Authorization: Bearer $METRICS_TOKEN`` when a token is set; otherwise only from
``METRICS_ALLOWED_IPS`` (loopback by default). Anyone else gets 404, as if there were nothing here.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REQUESTS = Counter("lims_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("lims_http_request_duration_seconds", "Time to answer a request", ["route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SIGNIN_FAILURES = Counter("lims_signin_failures_total", "Failed sign-ins (pages and API token)")


def observe_request(request, response, seconds: float):
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else ("/healthz" if request.path_info == "/healthz" else "other")
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(route).observe(seconds)


class TaskCollector:
    """Queue depth and failed runs from the TaskRun table (the truth every process shares)."""

    def collect(self):
        from django.db.models import Count

        from lims.tasks.models import TaskRun

        depth = GaugeMetricFamily("lims_task_queue_depth", "Task runs queued or running", labels=["kind", "state"])
        failed = GaugeMetricFamily("lims_tasks_failed", "Task runs that failed", labels=["kind"])
        try:
            rows = (TaskRun.objects.filter(state__in=[TaskRun.State.QUEUED, TaskRun.State.RUNNING,
                                                      TaskRun.State.FAILED])
                    .values("kind", "state").annotate(n=Count("pk")).order_by())
            for row in rows:
                if row["state"] == TaskRun.State.FAILED:
                    failed.add_metric([row["kind"]], row["n"])
                else:
                    depth.add_metric([row["kind"], row["state"]], row["n"])
        except Exception:  # the database is down: /healthz says so; the metrics still answer
            pass
        yield depth
        yield failed


def _payload() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        from prometheus_client import REGISTRY as processes
    tasks = CollectorRegistry(auto_describe=False)
    tasks.register(TaskCollector())
    return generate_latest(processes) + generate_latest(tasks)


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


def metrics_view(request):
    if not allowed(request):
        return HttpResponse(status=404)
    response = HttpResponse(_payload(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def count_signin_failure(sender, **kwargs):
    SIGNIN_FAILURES.inc()
