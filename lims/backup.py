"""Backup and restore drill (issue #15): ``manage.py backup`` / ``manage.py restore``.

A backup is a folder: ``db/<app_label>.<model>.json`` (every row of every model, history tables and signatures
included, primary keys kept, references to content types, permissions, groups and users by natural key so that
they survive a database whose migrations numbered those differently), ``media/`` (the uploaded documents and task
results under MEDIA_ROOT) and ``manifest.json`` with the row count and SHA-256 of every file.

Restore only INSERTs, into a freshly migrated database: a row already there (a role group made by the migrations)
must equal the backed-up one, anything else refuses the restore. Rows go in through the same raw insert the
deserializer uses (``raw=True``: timestamps, versions and chain hashes are written as they were; no signal, so no
new history row and no audit refusal), in one transaction; afterwards every count and every file hash is checked
against the manifest and each document's stored SHA-256 against its file.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import FileField
from django.utils import timezone

SKIP = {"contenttypes.contenttype", "auth.permission", "sessions.session"}  # made by migrate / short-lived


class BackupError(Exception):
    pass


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds (ECMA-262); a backup keeps them to the microsecond, as stored,
    so that a restored record equals the original and a history row's timestamp is the one that was written."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backed_up_models():
    """Every stored model in dependency order (a model after those its natural keys point to)."""
    configs = [(config, None) for config in apps.get_app_configs()]
    ordered = serializers.sort_dependencies(configs, allow_cycles=True)
    return [m for m in ordered if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in SKIP]


def backup(target: Path, *, using="default") -> dict:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    (target / "db").mkdir(parents=True, exist_ok=True)
    manifest = {"created_at": timezone.now().isoformat(), "vendor": connections[using].vendor,
                "models": [], "media": {}}
    with transaction.atomic(using=using):  # one consistent snapshot (PostgreSQL: REPEATABLE READ not needed
        # for a drill; the transaction keeps one view on SQLite WAL and PostgreSQL for the whole dump)
        for model in backed_up_models():
            name = f"{model._meta.label_lower}.json"
            path = target / "db" / name
            rows = model._base_manager.using(using).order_by("pk")
            with open(path, "w", encoding="utf-8") as f:
                serializers.serialize("json", rows.iterator(chunk_size=2000), stream=f,
                                      use_natural_foreign_keys=True, cls=ExactJSONEncoder)
            manifest["models"].append({"model": model._meta.label_lower, "file": f"db/{name}",
                                       "rows": rows.count(), "sha256": sha256_of(path)})
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        for source in sorted(p for p in media_root.rglob("*") if p.is_file()):
            relative = source.relative_to(media_root).as_posix()
            copy = target / "media" / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            manifest["media"][relative] = sha256_of(copy)
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _check_files(source: Path, manifest: dict):
    for entry in manifest["models"]:
        if sha256_of(source / entry["file"]) != entry["sha256"]:
            raise BackupError(f"{entry['file']} does not match its SHA-256 in the manifest")
    for relative, digest in manifest["media"].items():
        if sha256_of(source / "media" / relative) != digest:
            raise BackupError(f"media/{relative} does not match its SHA-256 in the manifest")


def _raw_insert(model, objs, using):
    fields = [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]
    size = max(1, 900 // max(1, len(fields)))
    manager = model._base_manager.using(using)
    for start in range(0, len(objs), size):
        manager._insert(objs[start:start + size], fields=fields, using=using, raw=True)


def _same(existing, obj) -> bool:
    return all(f.value_from_object(existing) == f.value_from_object(obj)
               for f in obj._meta.local_concrete_fields)


def restore(source: Path, *, using="default", media_root: Path | None = None) -> dict:
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    _check_files(source, manifest)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    inserted = {}
    connection = connections[using]
    from django.contrib.auth import get_user_model

    if get_user_model()._base_manager.using(using).exists():
        raise BackupError("the target database has users already: restore needs an empty, freshly migrated database")
    with transaction.atomic(using=using):
        for entry in manifest["models"]:
            model = apps.get_model(entry["model"])
            manager = model._base_manager.using(using)
            existing = {o.pk: o for o in manager.all()} if manager.exists() else {}
            fresh, m2m = [], []
            with open(source / entry["file"], encoding="utf-8") as f:
                for item in serializers.deserialize("json", f, using=using):
                    obj = item.object
                    if obj.pk in existing:
                        if not _same(existing.pop(obj.pk), obj):
                            raise BackupError(f"{entry['model']} {obj.pk} exists and differs: restore needs an "
                                              "empty, freshly migrated database")
                    else:
                        fresh.append(obj)
                    m2m.extend((obj, name, values) for name, values in (item.m2m_data or {}).items())
            if existing:
                raise BackupError(f"{entry['model']} has rows that are not in the backup: restore needs an empty "
                                  "database")
            _raw_insert(model, fresh, using)
            for obj, name, values in m2m:
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source_name = field.m2m_field_name()
                target_name = field.m2m_reverse_field_name()
                through._base_manager.using(using).bulk_create(
                    [through(**{f"{source_name}_id": obj.pk, f"{target_name}_id": v}) for v in values],
                    ignore_conflicts=True)
            inserted[entry["model"]] = len(fresh)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [apps.get_model(e["model"])
                                                                      for e in manifest["models"]]):
                cursor.execute(sql)
    for relative, digest in manifest["media"].items():
        target = media_root / relative
        if target.exists() and sha256_of(target) != digest:
            raise BackupError(f"{target} exists with other content")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "media" / relative, target)
    verify(manifest, using=using, media_root=media_root)
    return inserted


def verify(manifest: dict, *, using="default", media_root: Path) -> None:
    """Every model has its backed-up row count, every file its hash, every document its recorded SHA-256."""
    for entry in manifest["models"]:
        count = apps.get_model(entry["model"])._base_manager.using(using).count()
        if count != entry["rows"]:
            raise BackupError(f"{entry['model']}: {count} rows after restore, {entry['rows']} backed up")
    for relative, digest in manifest["media"].items():
        if sha256_of(media_root / relative) != digest:
            raise BackupError(f"{relative}: restored file does not match its SHA-256")
    for entry in manifest["models"]:
        model = apps.get_model(entry["model"])
        files = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        if not files or model.__name__.startswith("Historical"):
            continue
        has_sha = any(f.name == "sha256" for f in model._meta.concrete_fields)
        for obj in model._base_manager.using(using).iterator():
            for field in files:
                name = getattr(obj, field.name).name
                if not name:
                    continue
                path = media_root / name
                if not path.exists():
                    raise BackupError(f"{model._meta.label} {obj.pk}: {name} is missing")
                if has_sha and field.name == "file" and sha256_of(path) != obj.sha256:
                    raise BackupError(f"{model._meta.label} {obj.pk}: {name} does not match its SHA-256")
