"""Generic services: create and edit with the acting user and reason, validation, optimistic locking, and the
reason rule for every edit (EU GMP Annex 11 §9). ``update_record`` is the one way an existing record is edited:
every app's edit service calls it, so the rule lives here once."""

from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import ReasonRequired, StaleVersion


def check_version(current: int, expected) -> None:
    if expected in (None, ""):
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise ValidationError({"version": [_("A whole number is required.")]}) from None
    if expected != current:
        raise StaleVersion(current)


def require_reason(reason) -> str:
    """The typed reason of an edit or removal, or 400 ``reason_required`` (Annex 11 §9)."""
    reason = str(reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


# --- validation and the row lock, at the cost of one query each -------------------------------------------
# ``full_clean`` asks the database once per unique field and per constraint (``validate_unique``,
# ``validate_constraints``) before a save that the database checks again anyway. Here the field and model checks
# run first; the row is then saved inside a savepoint; only when the database refuses it (IntegrityError) do the
# uniqueness and constraint checks run, so that the caller gets the same field error as before (400 naming the
# field) and nothing is changed. Models with checks the database does not enforce (``unique_for_date`` …) take
# ``full_clean`` as it is.

@cache
def _database_checks_everything(model) -> bool:
    return not any(getattr(f, name, None) for f in model._meta.concrete_fields
                   for name in ("unique_for_date", "unique_for_month", "unique_for_year"))


def validated_save(obj, **save_kwargs):
    """``obj.full_clean(); obj.save()`` with the same errors, one query cheaper per unique field and
    constraint (see above). Call it inside a transaction (every service is one)."""
    if not _database_checks_everything(type(obj)):
        obj.full_clean()
        obj.save(**save_kwargs)
        return obj
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError:
        obj.full_clean()  # every error at once, uniqueness included, as full_clean reports them
        raise
    try:
        with transaction.atomic(using=router.db_for_write(type(obj), instance=obj)):
            obj.save(**save_kwargs)
    except IntegrityError:
        obj.validate_unique()
        obj.validate_constraints()
        raise
    return obj


_MARK = -7_318_220_419  # a primary key no row has: its place in the compiled parameters takes the real one


@cache
def _lock_statement(model, alias, vendor):
    qs = model._default_manager.db_manager(alias).select_for_update().filter(pk=_MARK).order_by()
    compiler = qs.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    params = list(params)
    if params.count(_MARK) != 1:
        return None
    klass_info = compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in compiler.select[start:end]]
    converters = compiler.get_converters([s[0] for s in compiler.select])
    return compiler, sql, params, params.index(_MARK), init_list, converters, start, end


def lock_row(model, pk):
    """``model._default_manager.select_for_update().get(pk=pk)``: the same statement, compiled once per model
    (compiling it cost more than running it)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _lock_statement(model, alias, connection.vendor)
    if plan is None or not connection.in_atomic_block:
        return model._default_manager.select_for_update().get(pk=pk)
    compiler, sql, params, at, init_list, converters, start, end = plan
    params = list(params)
    params[at] = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return model.from_db(alias, init_list, rows[0][start:end])


@service
def create_record(model, data: dict, *, user, reason: str):
    return validated_save(model(**data))


@service
def update_record(obj, changes: dict, *, user, reason: str, expected_version=None, fields=None, check=None):
    """Apply ``changes`` to ``obj`` under a row lock: refused without a reason (400 ``reason_required``), when
    ``expected_version`` is stale (409 ``stale_version``), for a field outside ``fields`` (when given) or when
    ``check(locked, changes)`` raises (a life-cycle rule of the calling app; it may add derived changes, e.g. an
expiry that follows a date). Validated with ``full_clean``."""
    require_reason(reason)
    if fields is not None:
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    locked = lock_row(type(obj), obj.pk)
    check_version(locked.version, expected_version)
    changes = dict(changes)
    if check is not None:
        check(locked, changes)
    for field, value in changes.items():
        setattr(locked, field, value)
    return validated_save(locked)
