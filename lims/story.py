"""The batch story: one timeline of everything that belongs to a batch, in any app (DESIGN.md, The batch story).

Each app registers what belongs to a batch with ``lims.registry.register_batch_part(key, func)``; ``func(batch)``
returns :class:`BatchPart` entries, each a tracked model and a ``Q`` on its *historical* table (so that a deleted
record's rows stay in the story). The engine reads every part's rows (one query per part), resolves the foreign
keys shown (one query per target model), the people (one query) and the signatures of every record in the story
(one query), so the query count does not grow with the length of the story.

A story entry is a dict: ``history_date`` (aware), ``user`` (user name), ``user_name`` (printed name), ``type``
(``created`` / ``changed`` / ``deleted`` / ``signed``), ``app``, ``model``, ``object_id``, ``record``
(``"qc.inspection 12"``, API.md), ``record_name`` (readable), ``record_url``, ``reason``, ``reason_system``,
``changes`` (``[{field, label, old, new}]`` with readable values).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_history_model_for_model

from lims.audit import reason_display
from lims.history import TYPE_DISPLAY, TYPE_LABELS, diffed_fields, display_value, fk_targets
from lims.registry import batch_parts

KINDS = ("created", "changed", "deleted", "signed")
KIND_DISPLAY = {**TYPE_DISPLAY, "signed": gettext_lazy("signed")}


@dataclass(frozen=True)
class BatchPart:
    """Records of ``model`` that belong to a batch: ``q`` filters ``model``'s historical table (its columns are
    the model's attnames: ``batch_id``, ``inspection_id``…; subqueries on other historical tables are fine).
    ``label_fields`` name the fields whose readable values name a record (e.g. ``("step",)`` → "1. Dispensing");
    a model's ``history_label_field`` is used otherwise."""

    model: type
    q: Q
    label_fields: tuple[str, ...] = ()


def ids_of(model, q: Q, field: str = "id"):
    """A subquery of ``field`` over the historical rows of ``model`` matching ``q`` (for a child's part)."""
    return get_history_model_for_model(model).objects.filter(q).values(field)


def story_parts(batch, viewer=None) -> list[BatchPart]:
    """The registered parts of ``batch``; with ``viewer``, only those whose records that person may see."""
    from lims.permissions import can

    parts = []
    for _key, func in batch_parts():
        parts.extend(p for p in (func(batch) or ()) if viewer is None or can(viewer, "view", p.model))
    return parts


def _label(model, row, label_fields, fk_cache) -> str:
    name = str(model._meta.verbose_name)
    bits = []
    for field_name in label_fields:
        field = model._meta.get_field(field_name)
        value = display_value(field, getattr(row, field.attname), fk_cache)
        if value:
            bits.append(value)
    if not bits:
        field_name = getattr(model, "history_label_field", None)
        if field_name and getattr(row, field_name, None):
            bits.append(str(getattr(row, field_name)))
    if not label_fields and bits:
        return f"{name} {bits[0]}"
    label = f"{name} {row.id}"
    return f"{label} · {' · '.join(bits)}" if bits else label


def _record_url(model, object_id, batch) -> str:
    if model is type(batch):
        return batch.get_absolute_url()
    try:
        return reverse("object-history", args=[model._meta.app_label, model._meta.model_name, object_id])
    except NoReverseMatch:
        return ""


def batch_story(batch, *, viewer=None, app: str | None = None, user: str | None = None, kind: str | None = None,
                newest_first: bool = False) -> list[dict]:
    """Every history row and signature of every record that belongs to ``batch``, in time order (oldest first
    unless ``newest_first``); ``app``, ``user`` (user name) and ``kind`` filter the entries; ``viewer`` leaves
    out the records that person's role may not see."""
    from lims.models import Signature

    groups = []
    for part in story_parts(batch, viewer):
        hist = get_history_model_for_model(part.model)
        rows = list(hist.objects.filter(part.q).order_by("history_id"))
        groups.append((part, rows))

    wanted: dict[type, set] = defaultdict(set)
    user_ids = set()
    records: dict[tuple[str, int], list] = {}
    for part, rows in groups:
        rel_fields = [f for f in diffed_fields(part.model) if f.is_relation]
        rel_fields += [part.model._meta.get_field(n) for n in part.label_fields
                       if part.model._meta.get_field(n).is_relation]
        for row in rows:
            user_ids.add(row.history_user_id)
            records.setdefault((part.model._meta.label_lower, row.id), []).append(row)
            for f in rel_fields:
                value = getattr(row, f.attname)
                if value is not None:
                    wanted[f.related_model].add(value)

    signatures = []
    if records:
        by_model: dict[str, set] = defaultdict(set)
        for label, oid in records:
            by_model[label].add(oid)
        cond = Q()
        for label, oids in by_model.items():
            app_label, model_name = label.split(".")
            cond |= Q(content_type__app_label=app_label, content_type__model=model_name, object_id__in=oids)
        signatures = list(Signature.objects.filter(cond).select_related("content_type", "signer"))
        user_ids.update(s.signer_id for s in signatures)

    fk_cache = fk_targets(wanted)
    users = get_user_model().objects.in_bulk({u for u in user_ids if u})

    entries = []
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for part, rows in groups:
        model = part.model
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
                changes.append({"field": f.name, "label": str(f.verbose_name),
                                "old": display_value(f, old, fk_cache) if before is not None else "",
                                "new": display_value(f, new, fk_cache)})
            previous[row.id] = row
            record_name = _label(model, row, part.label_fields, fk_cache)
            key = (model._meta.label_lower, row.id)
            labels[key] = (record_name, _record_url(model, row.id, batch))
            person = users.get(row.history_user_id)
            type_ = TYPE_LABELS.get(row.history_type, row.history_type)
            entries.append({
                "history_date": row.history_date, "order": (0, row.history_id),
                "user": person.get_username() if person else "",
                "user_name": (person.get_full_name() or person.get_username()) if person else "",
                "type": type_, "type_display": str(KIND_DISPLAY.get(type_, type_)),
                "app": model._meta.app_label, "app_name": str(model._meta.app_config.verbose_name),
                "model": key[0], "object_id": row.id, "record": f"{key[0]} {row.id}",
                "record_name": record_name,
                "reason": reason_display(row.history_change_reason, row.history_reason_system),
                "reason_system": bool(row.history_reason_system),
                "changes": changes, "history_id": row.history_id,
            })
    # A record changed after signature: a history row later than its last signature's version (a review
    # followed by an approval is the record's life cycle, each signing the version it saw).
    last_signed: dict[tuple[str, int], int] = {}
    for s in signatures:
        key = (f"{s.content_type.app_label}.{s.content_type.model}", s.object_id)
        last_signed[key] = max(last_signed.get(key, 0), s.history_id)
    for s in signatures:
        key = (f"{s.content_type.app_label}.{s.content_type.model}", s.object_id)
        record_name, url = labels.get(key, (s.object_repr, ""))
        later = any(r.history_id > last_signed[key] for r in records.get(key, ()))
        person = users.get(s.signer_id)
        app_label = s.content_type.app_label
        entries.append({
            "history_date": s.signed_at, "order": (1, s.pk),
            "user": person.get_username() if person else "", "user_name": s.printed_name,
            "type": "signed", "type_display": str(KIND_DISPLAY["signed"]),
            "app": app_label, "app_name": _app_name(app_label),
            "model": key[0], "object_id": s.object_id, "record": f"{key[0]} {s.object_id}",
            "record_name": record_name, "record_url": url,
            "reason": s.reason, "reason_system": False,
            "changes": [{"field": "meaning", "label": _("meaning"), "old": "", "new": s.get_meaning_display()}],
            "signature": s, "changed_after": later, "history_id": None,
        })
    for e in entries:
        e.setdefault("record_url", labels.get((e["model"], e["object_id"]), ("", ""))[1])
    if app:
        entries = [e for e in entries if e["app"] == app]
    if user:
        entries = [e for e in entries if e["user"] == user]
    if kind:
        entries = [e for e in entries if e["type"] == kind]
    entries.sort(key=lambda e: (e["history_date"], e["order"]), reverse=newest_first)
    return entries


def _app_name(app_label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label


def story_choices(entries) -> dict:
    """The filter choices a story offers: its apps, its people and the kinds of change."""
    apps, people = {}, {}
    for e in entries:
        apps.setdefault(e["app"], e["app_name"])
        if e["user"]:
            people.setdefault(e["user"], e["user_name"] or e["user"])
    return {"apps": sorted(apps.items(), key=lambda kv: kv[1]), "people": sorted(people.items()),
            "kinds": [(k, str(KIND_DISPLAY[k])) for k in KINDS]}


def story_signatures(entries) -> list:
    """The signature rows of a story (for a PDF's signature block), each with ``changed_after`` and
    ``record_label`` set."""
    out = []
    for e in entries:
        if e["type"] == "signed":
            s = e["signature"]
            s.changed_after = e["changed_after"]
            s.record_label = e["record_name"]
            out.append(s)
    return out


def story_to_api(entry: dict) -> dict:
    """One entry as API.md has it: ``{history_date, user, type, record, reason, changes: [{field, old, new}]}``
    (and a few extra fields)."""
    return {
        "history_date": entry["history_date"], "user": entry["user"], "user_name": entry["user_name"],
        "type": entry["type"], "record": entry["record"], "record_name": entry["record_name"],
        "model": entry["model"], "object_id": entry["object_id"],
        "reason": entry["reason"], "reason_system": entry["reason_system"],
        "changes": [{"field": c["field"], "old": c["old"], "new": c["new"]} for c in entry["changes"]],
    }


# --- exports (CSV / XLSX / PDF) ------------------------------------------------------------------------------

EXPORT_HEADER = ["date", "user", "printed_name", "type", "app", "record", "record_name", "reason",
                 "reason_by_system", "changes"]


def changes_text(entry) -> str:
    return "; ".join(f"{c['label']}: {c['old'] or '—'} → {c['new'] or '—'}" for c in entry["changes"])


def export_rows(entries):
    from django.utils import timezone

    for e in entries:
        yield [timezone.localtime(e["history_date"]).isoformat(), e["user"], e["user_name"], e["type"], e["app"],
               e["record"], e["record_name"], e["reason"], "yes" if e["reason_system"] else "", changes_text(e)]


def story_pdf(title: str, reference: str, entries, *, printed_by: str = "", facts=()) -> bytes:
    """The timeline as a printout (landscape): one row per entry, and the signatures it holds."""
    from lims.pdf import RecordPdf, Section, local

    rows = [[_("When"), _("Who"), _("Action"), _("Record"), _("Reason"), _("Changes")]]
    for e in entries:
        reason = e["reason"] + (f" ({_('system')})" if e["reason_system"] else "")
        who = f"{e['user_name']} ({e['user']})" if e["user"] and e["user_name"] != e["user"] else e["user_name"]
        rows.append([local(e["history_date"], seconds=True), who or "—", e["type_display"], e["record_name"],
                     reason or "—", "\n".join(f"{c['label']}: {c['old'] or '—'} → {c['new'] or '—'}"
                                              for c in e["changes"])])
    section = Section(_("Timeline"), rows if len(rows) > 1 else (), text=_("No entries match these filters."),
                      widths=(0.13, 0.12, 0.07, 0.18, 0.15, 0.35))
    return RecordPdf(title=title, reference=reference, facts=facts, sections=[section],
                     signatures=story_signatures(entries), printed_by=printed_by, wide=True).build()
