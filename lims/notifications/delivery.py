"""Delivery of outbox events: inbox rows for every recipient who wants them, then e-mail. Runs in the worker
(``lims.tasks`` job ``notifications.deliver``); the scheduler's tick sweeps events left undelivered."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from lims.notifications.models import Event, Mute, Notification, Preference
from lims.notifications.registry import KINDS
from lims.tasks.registry import register_job

log = logging.getLogger("lims.notifications")


def wants(user_ids, kind) -> tuple[set[int], set[int]]:
    """Of ``user_ids``: who gets ``kind`` in the inbox, and who also by e-mail (preferences and mutes)."""
    muted = set(Mute.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids, kind=kind.code)}
    inbox, mail = set(), set()
    for uid in user_ids:
        if uid in muted:
            continue
        pref = prefs.get(uid)
        if pref is None or pref.enabled:
            inbox.add(uid)
            if (pref.email if pref is not None else kind.email):
                mail.add(uid)
    return inbox, mail


def recipients(kind) -> list[int]:
    return list(get_user_model().objects.filter(is_active=True, groups__name__in=kind.roles)
                .values_list("pk", flat=True).distinct().order_by("pk"))


def deliver(event_id: int, *, mail: bool = True):
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return
        kind = KINDS.get(event.kind)
        if event.delivered_at is None and kind is not None:
            inbox, by_mail = wants(recipients(kind), kind)
            Notification.objects.bulk_create([Notification(event=event, recipient_id=uid) for uid in sorted(inbox)],
                                             ignore_conflicts=True)
            event.params = {**event.params, "_email": sorted(by_mail)}
            event.delivered_at = timezone.now()
            event.save(update_fields=["params", "delivered_at"])
    if kind is not None and mail:
        send_emails(event)


def _language(user) -> str:
    from lims.models import UserPreference

    pref = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return pref or settings.LANGUAGE_CODE


def send_emails(event: Event):
    """One e-mail per notification, marked as sent only after the backend accepted it (a retry sends the rest)."""
    wanted = set(event.params.get("_email", []))
    pending = (Notification.objects.filter(event=event, emailed_at__isnull=True, recipient_id__in=wanted)
               .select_related("recipient"))
    for note in pending:
        user = note.recipient
        if not user.email:
            continue
        with translation.override(_language(user)):
            title, body = event.rendered()
            link = f"{settings.LIMS_BASE_URL}{event.url}" if event.url else ""
            send_mail(title, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
        Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


def sweep():
    """Deliver events older than a minute that are still undelivered (their message was lost)."""
    stale = Event.objects.filter(delivered_at__isnull=True, created_at__lt=timezone.now() - timedelta(minutes=1))
    for event_id in stale.values_list("pk", flat=True)[:200]:
        try:
            deliver(event_id)
        except Exception:
            log.exception("notification event %s could not be delivered", event_id)


def deliver_pending(*, mail: bool = True) -> int:
    """Deliver every event not delivered yet, now (seed_demo: the demo inbox is filled before the worker runs)."""
    pending = list(Event.objects.filter(delivered_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for event_id in pending:
        deliver(event_id, mail=mail)
    return len(pending)


deliver.sweep = sweep
register_job("notifications.deliver", deliver)
