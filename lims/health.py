"""Health of the processes' dependencies for ``/healthz`` (issue #15, outages).

Every check runs in a small thread pool and is waited for at most ``HEALTH_TIMEOUT_SECONDS`` (1.5 s): a database
that hangs (a dropped network) answers 503 as fast as one that refuses connections. The answer needs no session,
no user and no template, so it is the same for anonymous, signed-in and token callers.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _database():
    # A wrapper of its own, discarded after use (a pooled PostgreSQL connection goes back to the pool): the check
    # never reuses a connection that looked fine before the database went away.
    wrapper = connections.create_connection("default")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    finally:
        raw = wrapper.connection
        wrapper.close()
        if wrapper.connection is not None and raw is not None:  # SQLite in memory ignores close(): do it here
            raw.close()


def _broker():
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        os.makedirs(folder, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise OSError(f"{folder} is not writable")
        return "ok"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
    return "ok"


def check() -> dict:
    futures = {"database": _pool.submit(_database)}
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # a broker is configured (API.md: "where one is configured")
        futures["broker"] = _pool.submit(_broker)
    report = {}
    for name, future in futures.items():
        try:
            report[name] = future.result(timeout=settings.HEALTH_TIMEOUT_SECONDS)
        except FutureTimeout:
            report[name] = "timeout"
        except Exception:  # any failure of a dependency means "not healthy", never a 500
            report[name] = "unavailable"
    return report


def healthz_response() -> JsonResponse:
    report = check()
    ok = all(v == "ok" for v in report.values())
    response = JsonResponse({"status": "ok" if ok else "error", **report}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    if not ok:
        response["Retry-After"] = "5"
    return response
