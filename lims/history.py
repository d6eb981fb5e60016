"""Reading the audit trail: field-level diffs of one record and its child records, and the global log.

Both read simple-history's tables only; nothing here writes. Query counts do not grow with the number of rows:
one query per historical table involved, one for the users, one per foreign-key target shown.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

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


def diffed_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if f.name not in NOT_DIFFED and f.name != model._meta.pk.name
    ]


def _display(field, value, fk_cache):
    if value is None or value == "":
        return ""
    if field.is_relation:
        target = fk_cache.get(field.related_model, {}).get(value)
        return str(target) if target is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


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
    fk_cache = {m: m._default_manager.in_bulk(ids) for m, ids in wanted.items() if ids}
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


def audit_log(*, user_id=None, model_label=None, object_id=None, date_from=None, date_to=None):
    """One queryset over every historical table (UNION ALL), newest first: the global audit log."""
    selected = tracked_models()
    if model_label:
        selected = [m for m in selected if m._meta.label_lower == model_label]
    parts = []
    for model in selected:
        qs = get_history_model_for_model(model).objects.all()
        if user_id:
            qs = qs.filter(history_user_id=user_id)
        if object_id and model_label:
            qs = qs.filter(id=object_id)
        if date_from:
            qs = qs.filter(history_date__gte=date_from)
        if date_to:
            qs = qs.filter(history_date__lt=date_to)
        parts.append(
            qs.order_by().values_list(
                "history_id", "history_date", "history_user_id", "history_type", "history_change_reason", "id",
                "history_reason_system",
            ).annotate(model=Value(model._meta.label_lower, output_field=CharField()))
        )
    if not parts:
        return None
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-history_id")


def audit_rows(page_rows):
    """Turn raw audit-log tuples into dicts with user names (one query for the users of the page)."""
    users = get_user_model().objects.in_bulk({r[2] for r in page_rows if r[2]})
    labels = {m._meta.label_lower: m for m in tracked_models()}
    out = []
    for history_id, date, uid, htype, reason, obj_id, system, label in page_rows:
        model = labels.get(label)
        user = users.get(uid)
        kind = TYPE_LABELS.get(htype, htype)
        out.append({
            "history_id": history_id, "history_date": date, "user": user.get_username() if user else "",
            "type": kind, "type_display": TYPE_DISPLAY.get(kind, kind), "reason": reason_display(reason, system),
            "reason_system": bool(system),
            "model": label, "model_name": str(model._meta.verbose_name) if model else label, "object_id": obj_id,
            "history_url": reverse("object-history", args=[*label.split("."), obj_id]),
        })
    return out

