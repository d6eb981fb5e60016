from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lab"
    verbose_name = _("Testing lab")

    def ready(self):
        from incubator.panels import register_project_panel
        from lab.panels import project_lab_usage

        register_project_panel("lab/panels/project_lab_usage.html", project_lab_usage, order=50)
