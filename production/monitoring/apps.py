from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Environmental monitoring of the clean rooms (DESIGN.md, Environmental reading; DOMAIN.md §4)."""

    name = "production.monitoring"
    label = "monitoring"
    verbose_name = _("Environmental monitoring")
    default_auto_field = "django.db.models.BigAutoField"
