"""Keyset pagination and bounded counts for every list (pages, API, exports).

A list's order is normalised to keys ending in a unique tie-breaker that runs in the same direction as the last
key (``-manufactured_on, -id``), so that one index serves page 1, any deep page and the export. A page after (or
before) a row is the rows beyond that row's key values: the cost of a deep page is the cost of the first one.

Counts are exact up to ``WINDOW`` rows; above it they are an estimate (PostgreSQL: the planner's row estimate for
the query; SQLite: an exact count cached for a few minutes), flagged as such.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import F, Q

WINDOW = 10_000  # ?page= works and counts are exact up to this many rows (API.md, General)
COUNT_CACHE_SECONDS = 300


class BadCursor(ValueError):
    """A cursor that was not made by this list (edited by hand, or for another order)."""


@dataclass(frozen=True)
class Key:
    path: str
    desc: bool
    field: models.Field
    nullable: bool

    def order(self, reverse=False):
        desc = self.desc != reverse
        expr = F(self.path)
        if not self.nullable:
            return expr.desc() if desc else expr.asc()
        # NULLs after every value ascending, before every value descending (PostgreSQL's own default), so that a
        # reversed order is exactly the mirror image of the forward one.
        return expr.desc(nulls_first=True) if desc else expr.asc(nulls_last=True)


def _resolve(model, path):
    """The field a ``__`` path ends on (following relations)."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        f = model._meta.get_field(part)
        if i < len(parts) - 1:
            model = f.related_model
    return f


def order_keys(qs) -> list[Key] | None:
    """The normalised keys of ``qs``'s order (explicit or the model's Meta.ordering), ending in a unique key;
    None when the order cannot be keyed (random, expressions)."""
    model = qs.model
    ordering = list(qs.query.order_by) or (list(model._meta.ordering) if qs.query.default_ordering else [])
    keys: list[Key] = []
    pk = model._meta.pk
    nullable_path = False
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            return None
        desc = item.startswith("-")
        path = item.lstrip("-+")
        if path == "pk":
            path = pk.name
        try:
            f = _resolve(model, path)
        except FieldDoesNotExist:
            return None
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.concrete:
            if path.split("__")[-1] == f.name:
                path = f"{path}_id"
            f = f.target_field
        if f.many_to_many or f.one_to_many:
            return None
        nullable = bool(getattr(f, "null", False)) or "__" in path  # an outer join may yield NULL too
        nullable_path = nullable_path or nullable
        if any(k.path == path for k in keys):
            continue
        keys.append(Key(path, desc, f, nullable))
        if "__" not in path and (f.primary_key or f.unique) and not nullable:
            return keys
    last_desc = keys[-1].desc if keys else False
    keys.append(Key(pk.name, last_desc, pk, False))
    return keys


def ordered(qs, keys: list[Key], reverse=False):
    return qs.order_by(*[k.order(reverse) for k in keys])


def _beyond(keys: list[Key], values: list, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (before them when ``reverse``)."""
    cond = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        desc = key.desc != reverse
        p = key.path
        if value is None:
            if desc:  # NULLs come first descending: everything non-null is beyond
                beyond, equal = Q(**{f"{p}__isnull": False}), Q(**{f"{p}__isnull": True})
            else:  # NULLs come last ascending: nothing is beyond
                beyond, equal = None, Q(**{f"{p}__isnull": True})
        else:
            beyond = Q(**{f"{p}__{'lt' if desc else 'gt'}": value})
            if key.nullable and not desc:
                beyond |= Q(**{f"{p}__isnull": True})
            equal = Q(**{p: value})
        if cond is None:
            cond = beyond if beyond is not None else Q(pk__in=[])
        else:
            tail = equal & cond
            cond = tail if beyond is None else (beyond | tail)
    first = keys[0]
    if values and values[0] is not None and not first.nullable:
        # A redundant bound on the first key lets the index range-scan (PostgreSQL does not infer it from the OR).
        cond = Q(**{f"{first.path}__{'lte' if first.desc != reverse else 'gte'}": values[0]}) & cond
    return cond


# --- cursors -----------------------------------------------------------------------------------------------
def _encode_value(v):
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _decode_value(key: Key, v):
    if v is None:
        return None
    try:
        return key.field.to_python(v)
    except Exception as exc:
        raise BadCursor(str(exc)) from exc


def _signature(keys):
    return hashlib.blake2s(",".join(("-" if k.desc else "") + k.path for k in keys).encode(), digest_size=4).hexdigest()


def encode_cursor(keys: list[Key], values: list, reverse: bool) -> str:
    raw = json.dumps([_signature(keys), 1 if reverse else 0, [_encode_value(v) for v in values]],
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(keys: list[Key], token: str) -> tuple[list, bool]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sig, reverse, values = json.loads(raw)
    except Exception as exc:
        raise BadCursor("unreadable cursor") from exc
    if sig != _signature(keys) or not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor("cursor of another order")
    return [_decode_value(k, v) for k, v in zip(keys, values, strict=True)], bool(reverse)


# --- pages -------------------------------------------------------------------------------------------------
def _key_names(keys):
    return [f"_key{i}" for i in range(len(keys))]


def with_keys(qs, keys):
    """Annotate each row with its key values (read back to make the cursors of the page)."""
    return qs.annotate(**{name: F(k.path) for name, k in zip(_key_names(keys), keys, strict=False)})


def row_values(row, keys):
    return [getattr(row, name) for name in _key_names(keys)]


@dataclass
class Page:
    rows: list
    keys: list[Key] | None
    has_next: bool
    has_previous: bool
    number: int | None = None  # the page number when reached by ?page= (position known), else None
    size: int = 50
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def start_index(self):
        return (self.number - 1) * self.size + 1 if self.number and self.rows else None

    @property
    def end_index(self):
        return self.start_index + len(self.rows) - 1 if self.start_index else None


def keyset_page(qs, *, size: int, cursor: str | None = None, keys: list[Key] | None = None) -> Page:
    """One page of ``qs`` after (or, for a backward cursor, before) the cursor's row; the first page without one."""
    keys = keys or order_keys(qs)
    if keys is None:
        raise BadCursor("this list's order cannot be paged by cursor")
    reverse = False
    base = with_keys(qs, keys)
    if cursor:
        values, reverse = decode_cursor(keys, cursor)
        base = base.filter(_beyond(keys, values, reverse))
    rows = list(ordered(base, keys, reverse)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
    page = Page(rows=rows, keys=keys, size=size, number=None if cursor else 1,
                has_next=(more if not reverse else True) and bool(rows),
                has_previous=(bool(cursor) if not reverse else more) and bool(rows))
    _cursors(page)
    return page


def number_page(qs, *, number: int, size: int) -> Page:
    """Page ``number`` by OFFSET (only inside the first WINDOW rows); its next link is a cursor when possible."""
    keys = order_keys(qs)
    base = ordered(with_keys(qs, keys), keys) if keys else qs
    offset = (number - 1) * size
    rows = list(base[offset: offset + size + 1])
    more = len(rows) > size
    page = Page(rows=rows[:size], keys=keys, size=size, has_next=more, has_previous=number > 1, number=number)
    if keys:
        _cursors(page)
    return page


def _cursors(page: Page):
    if page.keys and page.rows:
        if page.has_next:
            page.next_cursor = encode_cursor(page.keys, row_values(page.rows[-1], page.keys), False)
        if page.has_previous and page.number is None:
            page.previous_cursor = encode_cursor(page.keys, row_values(page.rows[0], page.keys), True)


def iterate(qs, *, chunk: int = 2000):
    """Every row of ``qs`` in its order, fetched ``chunk`` rows at a time by key (the rate does not fall with
    depth, memory stays flat)."""
    keys = order_keys(qs)
    if keys is None:
        yield from qs.iterator(chunk_size=chunk)
        return
    base = with_keys(qs, keys)
    cond = None
    while True:
        part = base.filter(cond) if cond is not None else base
        rows = list(ordered(part, keys)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        cond = _beyond(keys, row_values(rows[-1], keys), False)


def iterate_values(qs, fields: list[str], *, chunk: int = 2000):
    """Every row of ``qs`` in its order as a tuple of ``fields`` (``values_list`` paths), fetched ``chunk`` rows
    at a time by key like :func:`iterate` but without a model instance per row (exports)."""
    keys = order_keys(qs)
    if keys is None:
        yield from qs.values_list(*fields).iterator(chunk_size=chunk)
        return
    n = len(fields)
    extra = [k.path for k in keys if k.path not in fields]  # key columns not already read
    base = qs.values_list(*fields, *extra)
    where = [fields.index(k.path) if k.path in fields else n + extra.index(k.path) for k in keys]
    order = [k.order() for k in keys]
    cond = None
    while True:
        part = base.filter(cond) if cond is not None else base
        rows = list(part.order_by(*order)[:chunk])
        if extra:
            for row in rows:
                yield row[:n]
        else:
            yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]
        cond = _beyond(keys, [last[i] for i in where], False)


# --- counts ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Count:
    value: int
    estimate: bool


def bounded_count(qs, *, window: int | None = None) -> Count:
    """Exact up to ``window`` rows (counting at most window + 1 of them); an estimate above. A list found to be
    over the window is remembered for ``OVER_WINDOW_SECONDS``: its next pages go straight to the estimate while
    the estimate is over the window too (counting window + 1 rows on every page of a large list was one of the
    largest queries of the page); a list at or under the window is counted exactly every time."""
    window = WINDOW if window is None else window
    key = _over_key(qs, window)
    if key is not None and cache.get(key):
        estimate = estimate_count(qs)
        if estimate > window:  # still over by the estimate's reckoning; else count again
            return Count(estimate, True)
    bounded = qs.order_by().values("pk")[: window + 1].count()
    if bounded <= window:
        return Count(bounded, False)
    if key is not None:
        cache.set(key, 1, OVER_WINDOW_SECONDS)
    return Count(max(estimate_count(qs), window + 1), True)


OVER_WINDOW_SECONDS = 60


def _over_key(qs, window):
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except Exception:  # an empty result set (``qs.none()``) has no SQL
        return None
    return "lims-over:" + hashlib.sha256(repr((qs.db, window, sql, params)).encode()).hexdigest()


def estimate_count(qs) -> int:
    conn = connections[qs.db]
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
    key = "lims-count:" + hashlib.sha256(repr((conn.alias, sql, params)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = qs.order_by().count()
        cache.set(key, value, COUNT_CACHE_SECONDS)
    return value
