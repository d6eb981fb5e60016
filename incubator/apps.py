from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incubator"
    verbose_name = _("Incubator")
