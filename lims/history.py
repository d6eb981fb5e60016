"""Reading the audit trail: field-level diffs of one record and its child records, and the global log.

Both read simple-history's tables only; nothing here writes. Query counts do not grow with the number of rows:
one query per historical table involved, one for the users, one per foreign-key target shown.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
from collections import defaultdict
from datetime import UTC

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, models
from django.db.models import CharField, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

from lims import paging
from lims.audit import reason_display

HISTORY_META_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
                       "history_relation"}
NOT_DIFFED = {"version", "updated_at", "created_at"}
TYPE_LABELS = {"+": "created", "~": "changed", "-": "deleted"}
TYPE_DISPLAY = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}


def tracked_models() -> list[type[models.Model]]:
    """Every model of the project that carries a history (the domain apps and the core)."""
    from lims.registry import app_config, installed

    result = []
    for module in installed():
        for model in app_config(module).get_models():
            if hasattr(model._meta, "simple_history_manager_attribute"):
                result.append(model)
    return result


def audited_models() -> list[type[models.Model]]:
    """What the audit trail shows: the tracked domain models and the user accounts (lims.users)."""
    user_model = get_user_model()
    result = tracked_models()
    if hasattr(user_model._meta, "simple_history_manager_attribute") and user_model not in result:
        result.append(user_model)
    return result


def diffed_fields(model):
    tracked = {f.attname for f in get_history_model_for_model(model).tracked_fields}  # without excluded fields
    return [
        f for f in model._meta.concrete_fields
        if f.name not in NOT_DIFFED and f.name != model._meta.pk.name and f.attname in tracked
    ]


def display_value(field, value, fk_cache) -> str:
    """A stored value as people read it: a choice by its label, a foreign key by its record's name, a time in
    the local zone with the zone named, a date as ISO, a yes/no (never ``2026-12-01 08:23:13.637077+00:00``)."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        target = fk_cache.get(field.related_model, {}).get(value)
        return str(target) if target is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        value = _as_datetime(value) if isinstance(value, str) else value
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")
    if isinstance(field, models.DateField) and hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return str(value)


_display = display_value


def fk_targets(wanted: dict) -> dict:
    """``{model: {pk: instance}}`` for the foreign keys shown: one query per target model, its own foreign keys
    joined (their names often appear in the target's ``__str__``)."""
    cache = {}
    for model, ids in wanted.items():
        if not ids:
            continue
        related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is not model]
        cache[model] = model._default_manager.select_related(*related).in_bulk(ids)
    return cache


def _collect(model, filters: dict):
    hist = get_history_model_for_model(model)
    return list(hist.objects.filter(**filters).order_by("history_id"))


def object_history(obj) -> list[dict]:
    """Entries (newest first) of ``obj`` and of its child records named in ``history_children`` (recursively),
    each with its field-level changes."""
    groups: list[tuple[type, list]] = [(type(obj), _collect(type(obj), {"id": obj.pk}))]
    frontier = [(type(obj), {obj.pk})]
    while frontier:
        parent_model, parent_ids = frontier.pop()
        for rel_name in getattr(parent_model, "history_children", ()):
            rel = parent_model._meta.get_field(rel_name)
            child_model = rel.related_model
            rows = _collect(child_model, {f"{rel.field.attname}__in": parent_ids})
            groups.append((child_model, rows))
            ids = {r.id for r in rows}
            if ids and getattr(child_model, "history_children", ()):
                frontier.append((child_model, ids))

    # Resolve every foreign key shown, one query per target model.
    wanted: dict[type, set] = defaultdict(set)
    user_ids = set()
    for model, rows in groups:
        rel_fields = [f for f in diffed_fields(model) if f.is_relation]
        for row in rows:
            user_ids.add(row.history_user_id)
            for f in rel_fields:
                value = getattr(row, f.attname)
                if value is not None:
                    wanted[f.related_model].add(value)
    fk_cache = fk_targets(wanted)
    users = get_user_model().objects.in_bulk({u for u in user_ids if u})

    entries = []
    for model, rows in groups:
        fields = diffed_fields(model)
        previous: dict = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            for f in fields:
                new = getattr(row, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is None and row.history_type == "+":
                    if new in (None, ""):
                        continue
                elif new == old:
                    continue
                changes.append({
                    "field": f.name,
                    "label": str(f.verbose_name),
                    "old": _display(f, old, fk_cache) if before is not None else "",
                    "new": _display(f, new, fk_cache),
                })
            previous[row.id] = row
            user = users.get(row.history_user_id)
            kind = TYPE_LABELS.get(row.history_type, row.history_type)
            entries.append({
                "history_id": row.history_id,
                "history_date": row.history_date,
                "user": user.get_username() if user else None,
                "user_name": (user.get_full_name() or user.get_username()) if user else "",
                "type": kind,
                "type_display": TYPE_DISPLAY.get(kind, kind),
                "reason": reason_display(row.history_change_reason, row.history_reason_system),
                "reason_system": bool(row.history_reason_system),
                "model": model._meta.label_lower,
                "model_name": str(model._meta.verbose_name),
                "object_id": row.id,
                "object_repr": _row_repr(model, row),
                "changes": changes,
            })
    entries.sort(key=lambda e: (e["history_date"], e["history_id"]), reverse=True)
    return entries


def _row_repr(model, row):
    """A label for a historical row without touching related rows (``history_label_field`` of the model)."""
    field = getattr(model, "history_label_field", None)
    if field and getattr(row, field, None):
        return f"{model._meta.verbose_name} {getattr(row, field)}"
    return f"{model._meta.verbose_name} #{row.id}"


AUDIT_FIELDS = ("history_id", "history_date", "history_user_id", "history_type", "history_change_reason", "id",
                "history_reason_system")


def _label_field(model):
    """The column that names a record in its historical table (``history_label_field``), or None."""
    name = getattr(model, "history_label_field", None)
    return name if name and any(f.name == name for f in model._meta.concrete_fields) else None


def _audit_parts(*, user_id=None, model_label=None, object_id=None, date_from=None, date_to=None, reason_text=None,
                 record_text=None):
    """(label, filtered queryset) for each historical table the filters select. ``reason_text`` searches the
    reasons; ``record_text`` the records' names (tables whose records have a name: ``history_label_field``)."""
    selected = audited_models()
    if model_label:
        selected = [m for m in selected if m._meta.label_lower == model_label]
    if record_text:
        selected = [m for m in selected if _label_field(m)]
    parts = []
    for model in selected:
        qs = get_history_model_for_model(model).objects.all()
        if reason_text:
            qs = qs.filter(history_change_reason__icontains=reason_text)
        if record_text:
            qs = qs.filter(**{f"{_label_field(model)}__icontains": record_text})
        if user_id:
            qs = qs.filter(history_user_id=user_id)
        if object_id and model_label:
            qs = qs.filter(id=object_id)
        if date_from:
            qs = qs.filter(history_date__gte=date_from)
        if date_to:
            qs = qs.filter(history_date__lt=date_to)
        parts.append((model._meta.label_lower, qs))
    return parts


def audit_log(**filters):
    """One queryset over every historical table (UNION ALL), newest first: the global audit log. Pages and
    exports use :func:`audit_page` and :func:`audit_iter` (by key, no OFFSET, no global count)."""
    filters = {k: v for k, v in filters.items() if k not in ("reason_text", "record_text")}
    parts = [
        qs.order_by().values_list(*AUDIT_FIELDS).annotate(model=Value(label, output_field=CharField()))
        for label, qs in _audit_parts(**filters)
    ]
    if not parts:
        return None
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-history_id")


# --- the audit trail by key ----------------------------------------------------------------------------------
# Rows are ordered newest first by (history_date, table, history_id): history_id alone repeats across tables, the
# table's position in the sorted list of tracked models makes the key unique. A page is one query: per table its
# next rows by key (an index scan on history_date), merged and cut to the page in SQL.

def _table_numbers():
    return {label: i for i, label in enumerate(sorted(m._meta.label_lower for m in audited_models()))}


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _raw_beyond(number, boundary, reverse, date_col, id_col, adapt):
    """The condition for one table's rows beyond ``boundary = (date, table number, history_id)``, as SQL (the
    page query is built without the ORM: compiling ~50 querysets per page cost more than running them)."""
    if boundary is None:
        return "", []
    date, table, hid = boundary
    d = adapt(date)
    older, newer = ("<", "<=") if not reverse else (">", ">=")
    if (number < table) != reverse and number != table:
        return f"{date_col} {newer} %s", [d]
    if number != table:
        return f"{date_col} {older} %s", [d]
    return f"{date_col} {newer} %s AND ({date_col} {older} %s OR {id_col} {older} %s)", [d, d, hid]


def _fetch(parts, numbers, size, boundary, reverse, filters=None):
    """Up to ``size`` raw rows ``(history_id, date, user_id, type, reason, object_id, system reason, label,
    record name)`` beyond the boundary: one SQL statement, per table its next rows by key (index on
    history_date), merged."""
    filters = filters or {}
    qn = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    direction = "ASC" if reverse else "DESC"
    sqls, params = [], []
    for label, hist in parts:
        n = numbers[label]
        col = {name: qn(hist._meta.get_field(name).column) for name in
               ("history_id", "history_date", "history_user", "history_type", "history_change_reason",
                "history_reason_system", "id")}
        name_field = _label_field(hist.instance_type)
        name_col = qn(hist._meta.get_field(name_field).column) if name_field else None
        if filters.get("record_text") and not name_col:
            continue
        where, p = [], []
        if filters.get("reason_text"):
            where.append(f"LOWER({col['history_change_reason']}) LIKE LOWER(%s)")
            p.append(f"%{filters['reason_text']}%")
        if filters.get("record_text"):
            where.append(f"LOWER({name_col}) LIKE LOWER(%s)")
            p.append(f"%{filters['record_text']}%")
        if filters.get("user_id"):
            where.append(f"{col['history_user']} = %s")
            p.append(filters["user_id"])
        if filters.get("object_id") and filters.get("model_label"):
            where.append(f"{col['id']} = %s")
            p.append(filters["object_id"])
        if filters.get("date_from"):
            where.append(f"{col['history_date']} >= %s")
            p.append(adapt(filters["date_from"]))
        if filters.get("date_to"):
            where.append(f"{col['history_date']} < %s")
            p.append(adapt(filters["date_to"]))
        cond, cp = _raw_beyond(n, boundary, reverse, col["history_date"], col["history_id"], adapt)
        if cond:
            where.append(f"({cond})")
            p.extend(cp)
        sqls.append(
            f"SELECT * FROM (SELECT {col['history_id']} AS hid, {col['history_date']} AS hdate, "
            f"{col['history_user']} AS huser, {col['history_type']} AS htype, "
            f"{col['history_change_reason']} AS hreason, {col['id']} AS oid, "
            f"{col['history_reason_system']} AS hsystem, {n} AS part, "
            f"CAST({name_col or 'NULL'} AS VARCHAR(300)) AS hname FROM {qn(hist._meta.db_table)}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY {col['history_date']} {direction}, {col['history_id']} {direction}"
            f" LIMIT {int(size)}) AS p{n}")
        params.extend(p)
    if not sqls:
        return []
    sql = (f"SELECT * FROM ({' UNION ALL '.join(sqls)}) AS audit ORDER BY hdate {direction}, part {direction}, "
           f"hid {direction} LIMIT {int(size)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    labels = {n: label for label, n in numbers.items()}
    rows = [(r[0], _as_datetime(r[1]), r[2], r[3], r[4], r[5], bool(r[6]), labels[r[7]], r[8]) for r in raw]
    if reverse:
        rows.reverse()
    return rows


def _audit_tables(model_label=None):
    return [(m._meta.label_lower, get_history_model_for_model(m)) for m in audited_models()
            if not model_label or m._meta.label_lower == model_label]


def _key(row, numbers):
    return (row[1], numbers[row[7]], row[0])


def encode_audit_cursor(row, numbers, reverse):
    raw = json.dumps([row[1].isoformat(), numbers[row[7]], row[0], 1 if reverse else 0], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_audit_cursor(token):
    try:
        date, table, hid, reverse = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        date = _as_datetime(date)
        if date is None or not isinstance(table, int) or not isinstance(hid, int):
            raise ValueError
    except Exception as exc:
        raise paging.BadCursor("unreadable audit cursor") from exc
    return (date, table, hid), bool(reverse)


def audit_page(*, size=50, cursor=None, **filters) -> paging.Page:
    """One page of the audit trail (newest first) after or before ``cursor``; no global count."""
    parts = _audit_tables(filters.get("model_label"))
    numbers = _table_numbers()
    boundary, reverse = decode_audit_cursor(cursor) if cursor else (None, False)
    rows = _fetch(parts, numbers, size + 1, boundary, reverse, filters)
    more = len(rows) > size
    rows = rows[1:] if (more and reverse) else rows[:size]
    page = paging.Page(rows=rows, keys=None, size=size, number=None if cursor else 1,
                       has_next=bool(rows) and (more if not reverse else True),
                       has_previous=bool(rows) and (bool(cursor) if not reverse else more))
    if rows and page.has_next:
        page.next_cursor = encode_audit_cursor(rows[-1], numbers, False)
    if rows and page.has_previous:
        page.previous_cursor = encode_audit_cursor(rows[0], numbers, True)
    return page


def audit_iter(*, chunk=1000, **filters):
    """Every audit row (newest first) for exports: each table read by key in chunks, merged in order. The rate
    does not fall with depth and memory holds one chunk per table."""
    numbers = _table_numbers()

    models_by_label = {m._meta.label_lower: m for m in audited_models()}

    def table_rows(label, qs):
        cond = Q()
        name_field = _label_field(models_by_label[label])
        fields = (*AUDIT_FIELDS, name_field) if name_field else AUDIT_FIELDS
        while True:
            part = list(qs.filter(cond).order_by("-history_date", "-history_id").values_list(*fields)[:chunk])
            for r in part:
                yield (r[0], _as_datetime(r[1]), r[2], r[3], r[4], r[5], bool(r[6]), label,
                       r[7] if name_field else None)
            if len(part) < chunk:
                return
            last = part[-1]
            cond = Q(history_date__lte=last[1]) & (Q(history_date__lt=last[1]) | Q(history_id__lt=last[0]))

    streams = [table_rows(label, qs) for label, qs in _audit_parts(**filters)]
    yield from heapq.merge(*streams, key=lambda r: _key(r, numbers), reverse=True)


def audit_count(**filters) -> paging.Count:
    """Exact up to ``paging.WINDOW`` rows, else an estimate (PostgreSQL: the planner's; SQLite: cached). Only the
    API answers a count (its contract); the page shows none."""
    parts = [qs.order_by().values_list("history_id") for _label, qs in _audit_parts(**filters)]
    if not parts:
        return paging.Count(0, False)
    sqls, params = [], []
    for qs in parts:
        sql, p = qs.query.sql_with_params()
        sqls.append(f"SELECT 1 AS one FROM ({sql}) AS t")
        params.extend(p)
    union = " UNION ALL ".join(sqls)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM ({union}) AS u LIMIT {paging.WINDOW + 1}) AS b", params)
        bounded = cursor.fetchone()[0]
        if bounded <= paging.WINDOW:
            return paging.Count(bounded, False)
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {union}", params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return paging.Count(max(int(plan[0]["Plan"]["Plan Rows"]), paging.WINDOW + 1), True)
    key = "lims-audit-count:" + hashlib.sha256(repr((union, params)).encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = sum(qs.count() for qs in parts)
        cache.set(key, total, paging.COUNT_CACHE_SECONDS)
    return paging.Count(total, True)


def audit_rows(page_rows, *, urls=True):
    """Turn raw audit-log tuples into dicts with user names (one query for the users of the page)."""
    ids = {r[2] for r in page_rows if r[2]}
    users = get_user_model().objects.in_bulk(ids) if ids else {}
    labels = {m._meta.label_lower: m for m in audited_models()}
    out = []
    for history_id, date, uid, htype, reason, obj_id, system, label, *rest in page_rows:
        model = labels.get(label)
        user = users.get(uid)
        kind = TYPE_LABELS.get(htype, htype)
        model_name = str(model._meta.verbose_name) if model else label
        name = rest[0] if rest and rest[0] else None
        out.append({
            "record_name": f"{model_name} {name}" if name else f"{model_name} #{obj_id}",
            "user_name": (user.get_full_name() or user.get_username()) if user else "",
            "history_id": history_id, "history_date": date, "user": user.get_username() if user else "",
            "type": kind, "type_display": TYPE_DISPLAY.get(kind, kind), "reason": reason_display(reason, system),
            "reason_system": bool(system),
            "model": label, "model_name": str(model._meta.verbose_name) if model else label, "object_id": obj_id,
            "history_url": reverse("object-history", args=[*label.split("."), obj_id]) if urls else "",
        })
    return out

