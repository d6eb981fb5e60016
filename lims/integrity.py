"""Tamper evidence of the audit trail (21 CFR Part 11 §11.10(e), EU GMP Annex 11 §9).

Every historical row (``history_hash``) and every electronic signature (``signature_hash``) carries
SHA-256 over its canonical content and the hash of the previous row of the same table: **one chain per
table**. A changed row no longer matches its hash; a removed row breaks the link of the row after it; rows
removed at the end are caught by the chain heads the previous verification recorded.

Why one chain per table and not one global chain: a writer must read the previous hash and insert its row
atomically. With one global chain every audited write of the whole system would queue behind one lock; with
a chain per table only writers of the same table queue (PostgreSQL: ``pg_advisory_xact_lock`` on the table's
key inside the writing transaction, released at commit; SQLite serialises writers anyway, its transactions
take the write lock up front). The rows of one table are also what the history of one record type reads.

Canonical content: every concrete column except the hash itself, as JSON with sorted keys, of those columns
whose value differs from the column's default (so that adding a column with a default to a tracked model
leaves the rows already written verifiable; changing any value, to or from the default, still changes the
content). Values are typed stably: integers, booleans and strings as such, decimals as strings with the
field's decimal places, datetimes ISO 8601 in UTC with microseconds, dates and times ISO 8601, JSON as
sorted JSON, UUIDs as text, durations in microseconds. The table name and the previous hash go in too:

    hash = sha256(table + "\\n" + previous_hash + "\\n" + canonical_json)

Rows get ``history_id`` = last id + 1 under the chain lock, so the ids of one table are consecutive and a gap
names the rows that were removed.

Immutability: triggers refuse UPDATE and DELETE on every historical table and on ``lims_signature`` (see
``install_triggers``). The only exception is a purge of the whole database by ``manage.py flush`` in tests
(``purging()``): it sets a row in ``lims_audit_purge`` inside its own transaction, and the triggers let
deletes (SQLite) and TRUNCATE (PostgreSQL) through only while that row exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache

from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

PURGE_TABLE = "lims_audit_purge"
LOCK_NAMESPACE = 0x4C494D53 & 0x7FFFFFFF  # "LIMS"
TRIGGER_PREFIX = "lims_immutable"
_UTC = dt.UTC
_NO_DEFAULT = object()


# --- which tables are chained ------------------------------------------------------------------------------

def historical_models() -> list[type[models.Model]]:
    """The historical model of every model that carries simple-history (every app, not only the domain)."""
    from django.apps import apps
    from simple_history.models import registered_models  # noqa: F401  (the registry is filled at import)
    from simple_history.utils import get_history_model_for_model

    result = []
    for model in apps.get_models():
        if hasattr(model._meta, "simple_history_manager_attribute"):
            hist = get_history_model_for_model(model)
            if hist not in result:
                result.append(hist)
    return sorted(result, key=lambda m: m._meta.db_table)


def chained_models() -> list[tuple[type[models.Model], str]]:
    """(model, hash column attname) of every chained table: the historical tables and the signatures."""
    from lims.models import Signature

    return [(m, "history_hash") for m in historical_models()] + [(Signature, "signature_hash")]


def hash_field_name(model) -> str:
    return "signature_hash" if model._meta.db_table == "lims_signature" else "history_hash"


# --- canonical serialisation -------------------------------------------------------------------------------

def _int(v):
    return int(v)


def _str(v):
    return str(v)


def _bool(v):
    return bool(v)


def _float(v):
    return float(v)


def _datetime(f):
    def enc(v):
        if type(v) is dt.datetime and v.tzinfo is _UTC:  # as the database returns them
            return v.isoformat(timespec="microseconds")
        if not isinstance(v, dt.datetime):
            v = f.to_python(v)
        if timezone.is_naive(v):
            v = timezone.make_aware(v)
        return v.astimezone(_UTC).isoformat(timespec="microseconds")
    return enc


def _date(f):
    def enc(v):
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            v = f.to_python(v)
        return v.isoformat()
    return enc


def _time(f):
    def enc(v):
        if not isinstance(v, dt.time):
            v = f.to_python(v)
        return v.isoformat()
    return enc


def _decimal(f, vendor):
    exp = Decimal(1).scaleb(-(f.decimal_places or 0))
    # What the database keeps for a value with more places: SQLite (Django rounds) half-even, PostgreSQL half-up.
    rounding = ROUND_HALF_UP if vendor == "postgresql" else ROUND_HALF_EVEN

    def enc(v):
        if not isinstance(v, Decimal):
            v = f.to_python(v)
        q = v.quantize(exp, rounding=rounding)
        if q.is_zero():
            q = abs(q)
        return format(q, "f")
    return enc


def _duration(v):
    if not isinstance(v, dt.timedelta):
        v = dt.timedelta(microseconds=int(v))
    return v // dt.timedelta(microseconds=1)


def _uuid(v):
    return str(v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)))


def _json(f):
    def enc(v):
        return json.loads(json.dumps(v, cls=f.encoder))
    return enc


def _binary(v):
    return bytes(v).hex()


_INTS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
         "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}


def _encoder(f, vendor):
    if f.is_relation:
        return _encoder(f.target_field, vendor)
    kind = f.get_internal_type()
    if kind in _INTS:
        return _int
    if kind in ("BooleanField", "NullBooleanField"):
        return _bool
    if kind == "FloatField":
        return _float
    if kind == "DecimalField":
        return _decimal(f, vendor)
    if kind == "DateTimeField":
        return _datetime(f)
    if kind == "DateField":
        return _date(f)
    if kind == "TimeField":
        return _time(f)
    if kind == "DurationField":
        return _duration
    if kind == "UUIDField":
        return _uuid
    if kind == "JSONField":
        return _json(f)
    if kind == "BinaryField":
        return _binary
    return _str


@dataclass(frozen=True)
class Column:
    attname: str
    encode: object
    default: object  # canonical default, or _NO_DEFAULT when the column has no fixed default

    def canonical(self, value):
        return None if value is None else self.encode(value)


@cache
def _columns(model, vendor) -> tuple[Column, ...]:
    hash_name = hash_field_name(model)
    cols = []
    for f in sorted(model._meta.concrete_fields, key=lambda f: f.attname):
        if f.attname == hash_name:
            continue
        enc = _encoder(f, vendor)
        if f.has_default() and callable(f.default):
            default = _NO_DEFAULT
        else:
            raw = f.get_default()
            default = None if raw is None else enc(raw)
        cols.append(Column(f.attname, enc, default))
    return tuple(cols)


def columns(model, using="default") -> tuple[Column, ...]:
    return _columns(model, connections[using].vendor)


def canonical(cols, values) -> str:
    """The canonical JSON of one row: ``values`` in the order of ``cols``; default values left out."""
    content = {}
    for col, value in zip(cols, values, strict=True):
        if value is not None:
            kind = type(value)
            # fast path: values already of their canonical type (most columns of most rows)
            if not ((kind is str and col.encode is _str) or (kind is int and col.encode is _int)
                    or (kind is bool and col.encode is _bool)):
                value = col.encode(value)
        if value != col.default:
            content[col.attname] = value
    return _dumps(content)


_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def row_hash(table: str, previous: str, content: str) -> str:
    return hashlib.sha256(f"{table}\n{previous}\n{content}".encode()).hexdigest()


# --- writing ------------------------------------------------------------------------------------------------

def lock_key(table: str) -> int:
    return zlib.crc32(table.encode()) - 2**31  # a signed 32-bit key per table


def _chain_head(model, using):
    """Take the table's chain lock (PostgreSQL) and read (last id, last hash)."""
    connection = connections[using]
    table = model._meta.db_table
    qn = connection.ops.quote_name
    pk = model._meta.pk.column
    hash_col = model._meta.get_field(hash_field_name(model)).column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, lock_key(table)])
        cursor.execute(f"SELECT {qn(pk)}, {qn(hash_col)} FROM {qn(table)} ORDER BY {qn(pk)} DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0], row[1] or "") if row else (0, "")


# The last (id, hash) this process wrote or read per (database, table): a hint, never trusted. The guarded insert
# (``_Plan.guarded``) checks in the same statement that the hinted row is still the table's last one, with that
# hash, and inserts nothing otherwise (the locked path then reads the head). Rows rolled back, tables purged or
# written by another process make the hint stale, which costs one extra statement, never a wrong link.
_HEADS: dict[tuple[str, str], tuple[int, str]] = {}


def chain(model, objs, *, using=None) -> None:
    """Give each unsaved row of ``objs`` (in order) its id and its chain hash. Call it inside the transaction
    that inserts them (``chained_insert``): the lock is held until that transaction ends."""
    if not objs:
        return
    using = using or router.db_for_write(model)
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("chain() must run inside the transaction that inserts the rows")
    cols = columns(model, using)
    table = model._meta.db_table
    hash_name = hash_field_name(model)
    pk_name = model._meta.pk.attname
    last_id, previous = _chain_head(model, using)
    for obj in objs:
        last_id += 1
        setattr(obj, pk_name, last_id)
        content = canonical(cols, [getattr(obj, c.attname) for c in cols])
        previous = row_hash(table, previous, content)
        setattr(obj, hash_name, previous)
    _HEADS[(using, table)] = (last_id, previous)


def save_chained(obj, save, using=None, **kwargs):
    """Insert one chained row: lock, link, insert — one transaction (a savepoint-free nested block).

    A history row is always a plain insert of every column, so it is written by one prepared INSERT per table
    (:class:`_Plan`), with the model's ``pre_save``/``post_save`` signals sent as ``Model.save`` sends them (the
    ORM's general save path, compiled per row, cost more than the rest of the history write). When this process
    knows the table's last row, the row is linked to it and inserted in ONE statement that also takes the
    chain lock (PostgreSQL) and checks that this row is still the last one with that hash
    (``INSERT … SELECT … WHERE EXISTS … AND NOT EXISTS … ON CONFLICT DO NOTHING``); when it inserted nothing,
    the locked path reads the head, links and inserts as before. Saves with options (``update_fields``)
    take ``save``."""
    model = type(obj)
    using = using or router.db_for_write(model, instance=obj)
    with transaction.atomic(using=using, savepoint=False):
        if kwargs:
            chain(model, [obj], using=using)
            kwargs["force_insert"] = True
            save(using=using, **kwargs)
            return
        connection = connections[using]
        plan = _plan(model, using, connection.vendor)
        if not model._meta.auto_created:
            pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        table = model._meta.db_table
        head = _HEADS.get((using, table))
        done = False
        if head is not None and head[0] > 0 and plan.guarded:
            last_id, previous = head
            setattr(obj, plan.pk_name, last_id + 1)
            digest = row_hash(table, previous, canonical(plan.cols, [getattr(obj, c.attname) for c in plan.cols]))
            setattr(obj, plan.hash_name, digest)
            with connection.cursor() as cursor:
                cursor.execute(plan.guarded, [*plan.lock_params, *plan.params(obj, connection), last_id, previous,
                                              last_id])
                done = cursor.rowcount == 1
            if done:
                _HEADS[(using, table)] = (last_id + 1, digest)
        if not done:
            chain(model, [obj], using=using)
            with connection.cursor() as cursor:
                cursor.execute(plan.sql, plan.params(obj, connection))
        obj._state.adding = False
        obj._state.db = using
        if not model._meta.auto_created:
            post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)


# Columns whose value goes to the database as it is when it already has this Python type (``get_db_prep_save``
# would return it unchanged); other columns and values take ``get_db_prep_save``.
_AS_IS = {"CharField": str, "TextField": str, "SlugField": str, "EmailField": str, "IntegerField": int,
          "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
          "PositiveBigIntegerField": int, "PositiveSmallIntegerField": int, "AutoField": int, "BigAutoField": int,
          "BooleanField": bool}


class _Plan:
    """How one row of a chained model is inserted: the plain INSERT (after ``chain``), the guarded INSERT that
    links to a known head in the same statement, and how each column's value is prepared."""

    def __init__(self, model, connection):
        qn = connection.ops.quote_name
        self.fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        self.cols = _columns(model, connection.vendor)
        self.pk_name = model._meta.pk.attname
        self.hash_name = hash_field_name(model)
        table = qn(model._meta.db_table)
        names = ", ".join(qn(f.column) for f in self.fields)
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(self.fields))})"
        self.fast = []  # per column: (Python type, adapter or None) that skips get_db_prep_save, or None
        ops = connection.ops
        for f in self.fields:
            target = f.target_field if f.is_relation else f
            kind = target.get_internal_type()
            if type(target).get_db_prep_save is not models.Field.get_db_prep_save:
                self.fast.append(None)
            elif kind in _AS_IS:
                self.fast.append((_AS_IS[kind], None))
            elif type(target) is models.DateTimeField:  # aware datetimes only (naive ones take the general path)
                self.fast.append((dt.datetime, ops.adapt_datetimefield_value))
            elif type(target) is models.DateField:
                self.fast.append((dt.date, ops.adapt_datefield_value))
            else:
                self.fast.append(None)
        self.pre_save = [type(f).pre_save is not models.Field.pre_save for f in self.fields]
        pk = qn(model._meta.pk.column)
        hash_col = qn(model._meta.get_field(self.hash_name).column)
        check = (f"EXISTS (SELECT 1 FROM {table} WHERE {pk} = %s AND {hash_col} = %s) "
                 f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE {pk} > %s)")
        self.lock_params = []
        if connection.vendor == "postgresql":
            # The lock is taken by the statement itself (all writers of the table hold it until they commit);
            # ON CONFLICT catches a row written by a writer this statement's snapshot does not see yet.
            values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in self.fields)
            self.guarded = (f"WITH chain_lock AS (SELECT pg_advisory_xact_lock(%s, %s)) "
                            f"INSERT INTO {table} ({names}) SELECT {values} FROM chain_lock WHERE {check} "
                            f"ON CONFLICT ({pk}) DO NOTHING")
            self.lock_params = [LOCK_NAMESPACE, lock_key(model._meta.db_table)]
        elif connection.vendor == "sqlite":  # one writer at a time: the check is enough
            values = ", ".join(["%s"] * len(self.fields))
            self.guarded = f"INSERT INTO {table} ({names}) SELECT {values} WHERE {check}"
        else:
            self.guarded = ""

    def params(self, obj, connection):
        out = []
        for f, fast, has_pre_save in zip(self.fields, self.fast, self.pre_save, strict=True):
            value = f.pre_save(obj, True) if has_pre_save else getattr(obj, f.attname)
            if value is not None:
                if fast is not None and type(value) is fast[0] and (
                        fast[0] is not dt.datetime or value.tzinfo is not None):
                    if fast[1] is not None:
                        value = fast[1](value)
                else:
                    value = f.get_db_prep_save(value, connection)
            out.append(value)
        return out


@cache
def _plan(model, alias, vendor) -> _Plan:
    return _Plan(model, connections[alias])


def forget_heads():
    """Drop the chain-head hints (after a purge or a restore; they would only cost one extra statement)."""
    _HEADS.clear()


# --- verification -------------------------------------------------------------------------------------------

@dataclass
class Result:
    ok: bool = True
    rows_checked: int = 0
    breaks: list = field(default_factory=list)
    heads: dict = field(default_factory=dict)  # table → [last id, last hash]
    tables: int = 0

    def as_dict(self):
        return {"ok": self.ok, "rows_checked": self.rows_checked, "breaks": self.breaks}

    def add(self, table, row_id, detail):
        self.ok = False
        if len(self.breaks) < MAX_BREAKS:
            self.breaks.append({"table": table, "id": row_id, "detail": detail})


MAX_BREAKS = 1000


def verify_audit(progress=None, *, anchors: dict | None = None, chunk: int = 5000, using: str = "default") -> Result:
    """Walk every chained table in history id order (keyset pages of ``chunk`` rows: memory stays bounded
    whatever the size of the trail) and recompute each row's hash from its content and the previous row's
    stored hash. A mismatch is a break (table, id, what is wrong); the walk then continues from the stored
    hash, so one changed row is one break. ``anchors`` are the chain heads of an earlier run: a head that is
    gone or changed means rows were removed or replaced at the end of the chain. ``progress(table, rows_done)``
    is called after every page (for a background task)."""
    result = Result()
    anchors = anchors or {}
    for model, hash_name in chained_models():
        table = model._meta.db_table
        cols = columns(model, using)
        names = [c.attname for c in cols]
        pk_name = model._meta.pk.attname
        pk_index = names.index(pk_name)
        manager = model._base_manager.db_manager(using)
        previous, previous_id, last = "", None, None
        result.tables += 1
        # The rows up to the head as it is now: rows written during the walk (the progress of the task running
        # this very check, say) are left to the next check, so the walk ends.
        upto = manager.order_by(f"-{pk_name}").values_list(pk_name, flat=True).first()
        while upto is not None:
            qs = manager.filter(**{f"{pk_name}__lte": upto}).order_by(pk_name)
            if last is not None:
                qs = qs.filter(**{f"{pk_name}__gt": last})
            page = list(qs.values_list(hash_name, *names)[:chunk])
            if not page:
                break
            for row in page:
                stored, values = row[0], row[1:]
                row_id = values[pk_index]
                expected = row_hash(table, previous, canonical(cols, values))
                if not stored:
                    result.add(table, row_id, "no hash: the row was written outside the audit chain")
                elif stored != expected:
                    gap = previous_id is not None and row_id != previous_id + 1
                    if gap:
                        result.add(table, row_id, (
                            f"chain broken: rows #{previous_id + 1}–#{row_id - 1} before this row were removed"
                            if row_id - previous_id > 2 else
                            f"chain broken: row #{previous_id + 1} before this row was removed"))
                    elif previous_id is None and row_id != 1 and table not in anchors:
                        result.add(table, row_id, "chain broken: the rows before this one were removed")
                    else:
                        result.add(table, row_id, "content does not match its hash: the row was changed")
                previous, previous_id = stored, row_id
            result.rows_checked += len(page)
            last = previous_id
            if progress is not None:
                progress(table, result.rows_checked)
        if previous_id is not None:
            result.heads[table] = [previous_id, previous]
        anchor = anchors.get(table)
        if anchor:
            anchor_id, anchor_hash = anchor
            found = manager.filter(**{pk_name: anchor_id}).values_list(hash_name, flat=True).first()
            if found is None:
                result.add(table, anchor_id, "rows at the end of the chain were removed since the last check "
                                             f"(row #{anchor_id} is gone)")
            elif found != anchor_hash:
                result.add(table, anchor_id, "the chain was replaced since the last check "
                                             f"(row #{anchor_id} has another hash)")
    return result


def run_verification(*, user=None, progress=None):
    """Verify against the heads of the last clean run and record the run (``lims.AuditVerification``)."""
    from lims.models import AuditVerification

    previous = AuditVerification.objects.filter(ok=True).order_by("-finished_at", "-id").first()
    started = timezone.now()
    result = verify_audit(progress, anchors=previous.heads if previous else None)
    run = AuditVerification.objects.create(
        started_at=started, finished_at=timezone.now(), run_by=user, ok=result.ok,
        rows_checked=result.rows_checked, tables_checked=result.tables, breaks=result.breaks, heads=result.heads)
    return run, result


# --- immutability triggers ----------------------------------------------------------------------------------

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND EXISTS (SELECT 1 FROM {PURGE_TABLE}) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit rows are never changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def chained_tables() -> list[str]:
    return [m._meta.db_table for m, _h in chained_models()]


def _existing_tables(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def ensure_purge_table(connection):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PURGE_TABLE} (token varchar(64) PRIMARY KEY)")


def _trigger_sql(connection, table) -> list[str]:
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX} ON {qn(table)}",
            f"CREATE TRIGGER {TRIGGER_PREFIX} BEFORE UPDATE OR DELETE ON {qn(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}_refuse()",
            f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}_truncate ON {qn(table)}",
            f"CREATE TRIGGER {TRIGGER_PREFIX}_truncate BEFORE TRUNCATE ON {qn(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}_refuse()",
        ]
    if connection.vendor == "sqlite":
        message = f"audit rows are never changed or deleted ({table})"
        return [
            f"DROP TRIGGER IF EXISTS {qn(TRIGGER_PREFIX + '_u_' + table)}",
            f"CREATE TRIGGER {qn(TRIGGER_PREFIX + '_u_' + table)} BEFORE UPDATE ON {qn(table)} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"DROP TRIGGER IF EXISTS {qn(TRIGGER_PREFIX + '_d_' + table)}",
            f"CREATE TRIGGER {qn(TRIGGER_PREFIX + '_d_' + table)} BEFORE DELETE ON {qn(table)} "
            f"WHEN NOT EXISTS (SELECT 1 FROM {PURGE_TABLE}) BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    return []


def protected_tables(connection) -> set[str]:
    """Tables that carry both immutability triggers, enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname IN (%s, %s) "
                "AND n.nspname = ANY(current_schemas(false))",
                [TRIGGER_PREFIX, f"{TRIGGER_PREFIX}_truncate"])
            found: dict[str, set] = {}
            for table, name in cursor.fetchall():
                found.setdefault(table, set()).add(name)
            return {t for t, names in found.items() if len(names) == 2}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           [f"{TRIGGER_PREFIX}_%"])
            found = {}
            for table, name in cursor.fetchall():
                found.setdefault(table, set()).add(name)
            return {t for t, names in found.items()
                    if {f"{TRIGGER_PREFIX}_u_{t}", f"{TRIGGER_PREFIX}_d_{t}"} <= names}
    return set()


def unprotected_tables(connection, tables=None) -> list[str]:
    """Chained tables that exist but lack their triggers (empty on other databases than SQLite/PostgreSQL)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return []
    tables = chained_tables() if tables is None else tables
    existing = _existing_tables(connection)
    protected = protected_tables(connection)
    return sorted(t for t in tables if t in existing and t not in protected)


def install_triggers(connection, tables=None) -> list[str]:
    """Install the immutability triggers on every chained table that exists and lacks them (idempotent).
    Returns the tables that got them."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return []
    missing = unprotected_tables(connection, tables)
    if not missing:
        return []
    with transaction.atomic(using=connection.alias):
        ensure_purge_table(connection)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(PG_FUNCTION)
            for table in missing:
                for sql in _trigger_sql(connection, table):
                    cursor.execute(sql)
    return missing


def drop_triggers(connection, tables):
    """Remove the triggers of ``tables`` (tests of tamper detection; the check reports such tables)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX} ON {qn(table)}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}_truncate ON {qn(table)}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {qn(TRIGGER_PREFIX + '_u_' + table)}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {qn(TRIGGER_PREFIX + '_d_' + table)}")


@contextmanager
def purging(connection):
    """Let the triggers pass the deletes of a whole-database purge (``manage.py flush`` in tests) for the
    duration of one transaction."""
    token = uuid.uuid4().hex
    with transaction.atomic(using=connection.alias):
        ensure_purge_table(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {PURGE_TABLE} (token) VALUES (%s)", [token])
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PURGE_TABLE} WHERE token = %s", [token])
    forget_heads()


def install_after_migrate(sender, using="default", **kwargs):
    """post_migrate: tables of tracked models added by any app's later migrations get their triggers too."""
    install_triggers(connections[using])


# --- sealing rows written before the chain existed (migration) --------------------------------------------

def seal_existing(model, connection, hash_name, chunk=2000):
    """Hash the rows of ``model`` (a migration-state model) that were written before chaining existed, in id
    order, before the triggers are installed. Run once, by the migration that introduces the chain."""
    table = model._meta.db_table
    cols = _columns(model, connection.vendor)
    names = [c.attname for c in cols]
    pk_name = model._meta.pk.attname
    manager = model._base_manager.db_manager(connection.alias)
    previous, last = "", 0
    while True:
        page = list(manager.filter(**{f"{pk_name}__gt": last}).order_by(pk_name).values_list(*names)[:chunk])
        if not page:
            break
        pk_index = names.index(pk_name)
        for values in page:
            previous = row_hash(table, previous, canonical(cols, values))
            manager.filter(**{pk_name: values[pk_index]}).update(**{hash_name: previous})
            last = values[pk_index]
