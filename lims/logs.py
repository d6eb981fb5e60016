"""Structured logs: one JSON object per line carrying the request id and the signed-in user (issue #15).

``RequestContextMiddleware`` (lims/middleware.py) sets the request in a context variable; ``RequestFilter`` adds
``request_id`` and ``user`` to every record written while that request runs, in web and worker processes alike
(a worker sets the task run's id instead). ``OutageFilter`` turns a database outage into one warning line
without a traceback: an outage is an operating condition, not a bug, and it would otherwise flood the log.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

request_var: contextvars.ContextVar = contextvars.ContextVar("lims_request", default=None)
task_var: contextvars.ContextVar = contextvars.ContextVar("lims_task", default=None)


def current_user_name(request) -> str:
    """The user of a request, only if authentication already ran (never a database query from a log line)."""
    if request is None:
        return ""
    user = request.__dict__.get("_cached_user") or getattr(request, "_lims_user", None)
    if user is None:
        return ""
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


class RequestFilter(logging.Filter):
    def filter(self, record):
        # Django logs a request's outcome after the middleware returned: it passes the request along.
        request = request_var.get() or getattr(record, "request", None)
        if not hasattr(request, "META"):
            request = None
        task = task_var.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", "") or (f"task-{task[0]}" if task else "")
        if not hasattr(record, "user"):
            record.user = current_user_name(request) or (task[1] if task else "")
        return True


def is_outage(exc) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


class OutageFilter(logging.Filter):
    def filter(self, record):
        if record.exc_info and is_outage(record.exc_info[1]):
            record.msg = "database unavailable: %s"
            record.args = (str(record.exc_info[1]).strip().splitlines()[0] if str(record.exc_info[1]) else "",)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request",
                                                                          "status_code", "taskName"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", "user", ...extra}``; exceptions as ``exc``."""

    def format(self, record):
        body = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "user": getattr(record, "user", ""),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            body["status"] = status
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in body:
                body[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            body["exc"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)
