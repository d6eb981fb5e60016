"""Notifications (issue #15): people are told, not left to look.

Each app declares its kinds from its ``AppConfig.ready()`` with ``register_kind(NotificationKind(...))`` (who
receives it: role names; how it reads: ``render(params) -> (title, body)``, translated for each reader), and
calls ``notify(kind, obj, key=..., params=...)`` where the event happens. ``notify`` writes one outbox row in the
caller's transaction and queues the delivery after commit: the action never waits for mail, and a broker outage
loses nothing (the scheduler's tick delivers what is left). Delivery is idempotent (one notification per event
and recipient, one e-mail per notification).
"""

from lims.notifications.registry import NotificationKind, notify, register_kind  # noqa: F401
