"""Assertions that make the right test the short one (STYLE.md §4)."""

from __future__ import annotations

from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext


def latest_history(obj):
    return obj.history.order_by("-history_id").first()


def assert_history(obj, *, user, reason: str | None = None, type: str | None = None):
    """The newest history row of ``obj`` was written by ``user`` with ``reason`` (and history_type ``type``:
    "+" created, "~" changed, "-" deleted)."""
    row = latest_history(obj)
    assert row is not None, f"{obj!r} has no history"
    assert row.history_user_id == user.pk, f"history user {row.history_user_id} != {user.pk}"
    if reason is not None:
        assert row.history_change_reason == reason, f"reason {row.history_change_reason!r} != {reason!r}"
    if type is not None:
        assert row.history_type == type
    return row


class Snapshot:
    """Everything about some records that a refused action must leave untouched: field values and the number
    of history rows. ``assert_unchanged()`` after the refused call."""

    def __init__(self, *objs):
        self.objs = objs
        self.before = [self._state(o) for o in objs]

    @staticmethod
    def _state(obj):
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        history = fresh.history.count() if hasattr(fresh, "history") else None
        return model_to_dict(fresh), history

    def assert_unchanged(self):
        for obj, before in zip(self.objs, self.before, strict=True):
            assert self._state(obj) == before, f"{obj!r} changed"


def table_counts(*models):
    return {m._meta.label: m._default_manager.count() for m in models}


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def assert_constant_queries(client, url: str, add_rows, *, status: int = 200):
    """GET ``url``, call ``add_rows()`` to create more rows, GET again: the number of queries must not grow."""

    def get():
        response = client.get(url)
        assert response.status_code == status, (response.status_code, url)

    get()  # warm caches (content types, sessions) so both measured runs are alike
    first = count_queries(get)
    add_rows()
    second = count_queries(get)
    assert second == first, f"{url}: {first} queries with fewer rows, {second} with more"
    return first
