"""Role assignments as records (21 CFR 11.10(d), (g); §11.100): who holds which role, with a history that
says who granted or revoked it, when and why. The Django group membership follows these records; it is changed
only by the services of ``lims.users``."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel


class RoleAssignment(TrackedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments",
                             verbose_name=_("user"))
    role = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("role"))
    role_name = models.CharField(_("role name"), max_length=150, editable=False)
    active = models.BooleanField(_("held"), default=True)

    history = history()
    history_label_field = "role_name"

    class Meta:
        ordering = ["user_id", "role__name"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="lims_roleassignment_unique")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def save(self, *args, **kwargs):
        self.role_name = self.role.name
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.user} · {self.role}"

    def get_absolute_url(self):
        return reverse("admin-user-detail", args=[self.user_id])
