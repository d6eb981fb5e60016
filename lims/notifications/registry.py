"""The kinds of notification, registered by each app, and ``notify``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

KINDS: dict[str, NotificationKind] = {}


@dataclass(frozen=True)
class NotificationKind:
    """``code``: stable (``"monitoring.action_excursion"``); ``roles``: the groups that receive it;
    ``label``: translatable name shown in preferences; ``render(params) -> (title, body)`` is called in the
    reader's language; ``email``: whether e-mail is on by default (each user may change it)."""

    code: str
    label: object
    roles: tuple[str, ...]
    render: Callable[[dict], tuple[str, str]]
    email: bool = True


def register_kind(kind: NotificationKind) -> NotificationKind:
    KINDS[kind.code] = kind
    return kind


def notify(kind: str, obj=None, *, key: str, params: dict | None = None, url: str = ""):
    """Record that ``kind`` happened to ``obj`` (once per ``key``) and deliver it after the transaction commits.
    Returns the outbox event, or None when this key was notified already."""
    from django.contrib.contenttypes.models import ContentType

    from lims.notifications.models import Event

    if kind not in KINDS:
        raise KeyError(f"unregistered notification kind {kind}")
    if not url and obj is not None and hasattr(obj, "get_absolute_url"):
        url = obj.get_absolute_url()
    if Event.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            event = Event.objects.create(
                kind=kind, key=key, params=params or {}, url=url,
                content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
                object_id=obj.pk if obj is not None else None)
    except IntegrityError:
        return None
    from lims.tasks.registry import send_job

    transaction.on_commit(lambda: send_job("notifications.deliver", event.pk))
    return event
