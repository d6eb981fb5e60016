from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "lims.tasks"
    label = "tasks"
    verbose_name = _("Background tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import os

        from django.conf import settings

        from lims.tasks import builtin, celery_app  # noqa: F401  (the Celery app; the core's own task kinds)

        if settings.CELERY_BROKER_URL.startswith("filesystem://"):  # the embedded broker's folders
            for key in ("data_folder_in", "data_folder_out", "control_folder"):
                os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
