"""Shared records of the core: the base every domain model builds on, electronic signatures, preferences."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.permissions import RestrictedQuerySet


class TrackedModel(models.Model):
    """Base of every domain record: history (added per model), an optimistic-lock ``version``, timestamps.

    Subclasses add ``history = lims.audit.history()``. ``version`` grows by one on every save, so a client that
    read version N and sends it back with its edit is refused (409 ``stale_version``) if someone saved since.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    # Child relations (related_name of reverse FKs) whose history shows on this record's history page.
    history_children: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def requires_reason_for_edit(self) -> bool:
        """Released, approved and signed records need a reason for any edit (API.md: reason_required)."""
        return self.signatures().exists()

    def signatures(self):
        return Signature.objects.for_object(self)


class BilingualName(models.Model):
    """Master data people read in both languages: ``name`` (English) and ``name_zh`` (Simplified Chinese).
    ``display_name`` is the name in the reader's language — the Chinese one for a zh-Hans reader when it is given,
    else the English one. Pages use it through ``{{ obj|local_name }}`` (lims_display) or the ``display_name``
    column."""

    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True,
                               help_text=_("The name in Simplified Chinese, shown to readers who use Chinese."))

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if self.name_zh and (translation.get_language() or "").lower().startswith("zh"):
            return self.name_zh
        return self.name


class SignatureQuerySet(RestrictedQuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=obj.pk
        ).select_related("signer")


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70): who, printed name, meaning, when, why, and exactly which
    version of which record. Signatures are never edited or deleted; there is no history on them because they
    are themselves the immutable record."""

    class Meaning(models.TextChoices):
        AUTHORED = "authored", _("Authored")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")
        QUARANTINED = "quarantined", _("Quarantined")
        CLOSED = "closed", _("Closed")
        SUBMITTED = "submitted", _("Submitted")
        ASSESSED = "assessed", _("Assessed")
        VERIFIED = "verified", _("Verified")
        INVALIDATED = "invalidated", _("Invalidated (superseded)")

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures",
                               verbose_name=_("signer"))
    printed_name = models.CharField(_("printed name"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=20, choices=Meaning.choices)
    # Set before the insert (not auto_now_add) so that the chain hash covers the stored time.
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now, editable=False, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    signed_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("record"), max_length=300)
    # The exact history row (of the signed model's historical table) this signature is bound to.
    history_id = models.PositiveBigIntegerField(_("signed version"))
    record_version = models.PositiveIntegerField(_("record version"), null=True, blank=True)
    # SHA-256 over this signature's content and the previous signature's hash (tamper evidence).
    signature_hash = models.CharField(_("hash"), max_length=64, blank=True, default="", editable=False)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [
            models.Index(fields=["signed_at", "id"], name="signature_time_list"),
            models.Index(fields=["content_type", "object_id"]),
        ]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")

    def __str__(self):
        return f"{self.printed_name} · {self.get_meaning_display()} · {self.signed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("A signature is never changed once made.")
        from lims.integrity import save_chained

        save_chained(self, super().save, **kwargs)  # its id and chain hash (tamper evidence)

    def delete(self, *args, **kwargs):
        raise ValueError("A signature is never deleted.")


class SignatureFailure(models.Model):
    """A refused signing attempt (wrong password): kept for the audit of unauthorised use (11.300(d))."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=200)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-attempted_at"]
        verbose_name = _("failed signature attempt")
        verbose_name_plural = _("failed signature attempts")

    def __str__(self):
        return f"{self.user} · {self.action} · {self.attempted_at:%Y-%m-%d %H:%M}"


class UserPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user} · {self.language}"


class AuditLogPermission(models.Model):
    """Holds the permissions of the core that belong to no single record (the audit log)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_audit_log", "Can view the audit log"), ("sign_records", "Can sign records")]

    def __str__(self):
        return "audit log"


class AuditVerification(models.Model):
    """One run of the audit-trail verification (``lims.integrity.run_verification``): who, when, the result,
    and the chain heads it saw, which the next run checks are still there (rows removed at the end)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), db_index=True)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("run by"))
    ok = models.BooleanField(_("intact"))
    rows_checked = models.PositiveBigIntegerField(_("rows checked"))
    tables_checked = models.PositiveIntegerField(_("tables checked"), default=0)
    breaks = models.JSONField(_("breaks"), default=list)
    heads = models.JSONField(default=dict)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("audit trail verification")
        verbose_name_plural = _("audit trail verifications")

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M} · {'ok' if self.ok else 'broken'} · {self.rows_checked}"


# Users and roles as records: history on every user and the RoleAssignment model (lims.users).
from lims import users as _users  # noqa: E402,F401
from lims.users_models import RoleAssignment  # noqa: E402,F401
