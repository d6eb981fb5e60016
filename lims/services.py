"""Generic services: create and edit with the acting user and reason, validation, optimistic locking, and the
reason rule for every edit (EU GMP Annex 11 §9). ``update_record`` is the one way an existing record is edited:
every app's edit service calls it, so the rule lives here once."""

from django.core.exceptions import ValidationError
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


@service
def create_record(model, data: dict, *, user, reason: str):
    obj = model(**data)
    obj.full_clean()
    obj.save()
    return obj


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
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(locked.version, expected_version)
    changes = dict(changes)
    if check is not None:
        check(locked, changes)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    return locked
