"""The audit trail: who changed what, when and why (21 CFR 11.10(e), EU GMP Annex 11 §9).

Every tracked model carries django-simple-history. Service functions run inside ``audited(user=..., reason=...)``
so that every historical row they cause gets the acting user and the reason. A write to a tracked model with no
known actor is refused: there is no anonymous change in a GMP record.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from simple_history.manager import HistoryManager as _SimpleHistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history


class AuditContextMissing(RuntimeError):
    """A tracked model was written outside a service (no acting user)."""


@dataclass(frozen=True)
class AuditContext:
    user: object
    reason: str
    system: bool = False


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("lims_audit", default=None)


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def audited(*, user, reason: str = "", system: bool = False):
    """Attribute every history row written inside the block to ``user`` with ``reason`` (``system``: the
    reason is an action code the system supplied, not a person's words)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise AuditContextMissing("An audited change needs an authenticated acting user.")
    token = _current.set(AuditContext(user=user, reason=(reason or "").strip(), system=system))
    try:
        yield
    finally:
        _current.reset(token)


class _ChainedQuerySet(models.QuerySet):
    """History rows written in bulk (``bulk_create_with_history``) get their ids and chain hashes too."""

    def bulk_create(self, objs, *args, **kwargs):
        from lims.integrity import chain

        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            chain(self.model, objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class HistoricalAudit(models.Model):
    """Columns every historical row carries beside simple-history's own.

    ``history_reason_system``: the reason is an action code the system supplied (a creation, an instrument
    feed), not a person's words; pages, exports and PDFs show it translated and marked (Annex 11 §9).
    ``history_hash``: SHA-256 over the row's content and the previous row's hash of the same table, so that a
    changed or removed row breaks the chain (tamper evidence; filled when the row is written).
    """

    history_reason_system = models.BooleanField(default=False)
    history_hash = models.CharField(max_length=64, blank=True, default="")

    objects = _ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Insert only, with the row's id and chain hash (lims.integrity); a history row is never changed."""
        if not self._state.adding:
            raise ValueError("A history row is never changed once written.")
        from lims.integrity import save_chained

        save_chained(self, super().save, **kwargs)


_MANAGER_CLASSES: dict = {}


class HistoryManager(_SimpleHistoryManager):
    """simple-history's manager of ``instance.history``, built once per queryset class: its descriptor calls
    ``from_queryset`` on every access (``inspect.getmembers`` over the queryset class), and every history write
    accesses it, which made that class construction a third of the cost of writing a history row."""

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        made = _MANAGER_CLASSES.get(key)
        if made is None:
            made = _MANAGER_CLASSES[key] = super().from_queryset(queryset_class, class_name)
        return made


def history(**kwargs) -> HistoricalRecords:
    """The HistoricalRecords every domain model uses: a reason column, the user as a foreign key, and the
    columns of ``HistoricalAudit`` (system-reason flag, chain hash)."""
    kwargs.setdefault("bases", [HistoricalAudit])
    kwargs.setdefault("history_change_reason_field", models.TextField(blank=True, default=""))
    kwargs.setdefault("cascade_delete_history", False)
    kwargs.setdefault("history_manager", HistoryManager)
    return HistoricalRecords(**kwargs)


def _request_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(pre_save)
@receiver(pre_delete)
def refuse_unattributed_writes(sender, instance, **kwargs):
    """Refuse the write itself (before any row changes) when a tracked model has no acting user."""
    if kwargs.get("raw") or not hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    if getattr(sender, "audit_outside_services", False):  # user accounts: recorded as system writes
        return
    if _current.get() is None and _request_user() is None:
        raise AuditContextMissing(
            f"{sender.__name__} written without an acting user: call a service function (lims.audit.service)."
        )


@receiver(pre_create_historical_record)
def stamp_history(sender, instance, history_instance, history_user=None, **kwargs):
    ctx = _current.get()
    if ctx is not None:
        history_instance.history_user = ctx.user
        if not history_instance.history_change_reason:
            history_instance.history_change_reason = ctx.reason
            history_instance.history_reason_system = ctx.system and bool(ctx.reason)
    if history_instance.history_user_id is None and history_user is None:
        if getattr(type(instance), "audit_outside_services", False):
            history_instance.history_change_reason = history_instance.history_change_reason or "outside_services"
            history_instance.history_reason_system = True
            return
        raise AuditContextMissing(
            f"{sender.__name__} written without an acting user: call a service function (lims.audit.service)."
        )
    if history_instance.history_change_reason is None:
        history_instance.history_change_reason = ""


def bulk_create_tracked(model, objs, *, batch_size: int = 1000):
    """bulk_create that still writes one history row per object with the current user and reason."""
    ctx = _current.get()
    if ctx is None:
        raise AuditContextMissing(f"bulk create of {model.__name__} outside a service")
    return bulk_create_with_history(
        objs, model, batch_size=batch_size, default_user=ctx.user, default_change_reason=ctx.reason,
        custom_historical_attrs={"history_reason_system": ctx.system and bool(ctx.reason)},
    )


# Labels of the action codes that services store as system-supplied reasons (code → lazily translated
# label); each app lists its own in ``<app>/reasons.py`` as ``LABELS`` (picked up by ``system_reason_label``).
_REASON_LABELS: dict[str, object] | None = None
# Every signing service (for the system check that each takes both signature components).
SIGNING_SERVICES: list = []


def system_reason_label(code: str) -> str:
    """The translated label of a system-supplied reason (the action's own name), never a person's words."""
    global _REASON_LABELS
    if _REASON_LABELS is None:
        from lims.registry import app_modules

        labels = {}
        for _app, module in app_modules("reasons"):
            labels.update(getattr(module, "LABELS", {}))
        _REASON_LABELS = labels
    label = _REASON_LABELS.get(code)
    if label is not None:
        return str(label)
    from django.utils.translation import gettext

    return gettext("automatic entry (%(code)s)") % {"code": code}


def reason_display(reason: str, system: bool) -> str:
    return system_reason_label(reason) if system and reason else (reason or "")


def service(func=None, *, action: str | None = None, signs=None):
    """Mark a function as a state-changing service (STYLE.md §1).

    The function takes keyword-only ``user`` and ``reason``; it runs in one transaction and every history row
    it writes is attributed to the user with the reason. Without a typed reason the row stores the action's
    code (the function name, or ``action``) flagged as system-supplied, shown translated and marked, never as
    a person's words (Annex 11 §9).

    ``signs`` (a ``lims.signatures.SigningAction``) makes it a signing service: it takes ``username``,
    ``password`` and ``meaning``; before the transaction opens the meaning is resolved (a contradicting one is
    a field error) and both components are re-checked, so a failed attempt is recorded although nothing else
    is written (Part 11 §11.50, §11.200(a)(1), §11.300(d)). The function receives the resolved meaning.
    """

    def decorate(fn):
        code = action or fn.__name__
        params = inspect.signature(fn).parameters
        if signs is not None:
            missing = {"username", "password", "meaning"} - set(params)
            if missing:
                raise TypeError(f"signing service {fn.__name__} lacks {sorted(missing)}")
        elif "password" in params:
            raise TypeError(f"{fn.__name__} takes a password: declare it @service(signs=SigningAction(...))")

        @functools.wraps(fn)
        def wrapper(*args, user, reason: str = "", **kwargs):
            typed = (reason or "").strip()
            if signs is not None:
                from lims.signatures import verify_signer

                kwargs["meaning"] = signs.resolve_meaning(kwargs.get("meaning", ""), kwargs)
                verify_signer(user, kwargs.get("username", ""), kwargs.get("password", ""), action=signs.code)
            with transaction.atomic(), audited(user=user, reason=typed or code, system=not typed):
                return fn(*args, user=user, reason=typed, **kwargs)

        wrapper.is_service = True
        wrapper.signs = signs
        if signs is not None:
            SIGNING_SERVICES.append(wrapper)
        return wrapper

    return decorate(func) if func is not None else decorate
