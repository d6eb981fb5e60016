"""Generic services for records without a life cycle of their own (master data): create and edit with the
acting user and reason, validation, optimistic locking, and the reason rule for signed records."""

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


@service
def create_record(model, data: dict, *, user, reason: str):
    obj = model(**data)
    obj.full_clean()
    obj.save()
    return obj


@service
def update_record(obj, changes: dict, *, user, reason: str, expected_version=None):
    """Apply ``changes`` to ``obj`` under a row lock. Refused when ``expected_version`` is stale (409) or when
    the record is released, approved or signed and no reason is given (400 reason_required, Annex 11 §9)."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(locked.version, expected_version)
    if locked.requires_reason_for_edit() and not reason:
        raise ReasonRequired()
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    return locked
