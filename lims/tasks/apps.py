from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "lims.tasks"
    label = "tasks"
    verbose_name = _("Background tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lims.tasks import celery_app  # noqa: F401  (the Celery app every .delay() goes through)
