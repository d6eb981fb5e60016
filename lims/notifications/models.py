"""The outbox of events, each person's notifications, and their choices. Not GMP records: no history (the event
that caused a notification has its own)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something happened that people must be told about (the outbox row ``notify`` writes)."""

    kind = models.CharField(_("kind"), max_length=100)
    key = models.CharField(max_length=200, unique=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["delivered_at", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.key}"

    def rendered(self) -> tuple[str, str]:
        from lims.notifications.registry import KINDS

        kind = KINDS.get(self.kind)
        if kind is None:
            return self.kind, ""
        return kind.render(self.params)


class Notification(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="notifications_once")]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["recipient", "-created_at"])]

    def __str__(self):
        return f"{self.recipient_id} · {self.event}"


class Preference(models.Model):
    """A person's choice for one kind: receive it in the inbox, and by e-mail. No row: the kind's defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    enabled = models.BooleanField(_("in the inbox"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_once")]

    def __str__(self):
        return f"{self.user_id} · {self.kind}"


class Mute(models.Model):
    """A person who muted every notification (until they unmute)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user_id} muted"
