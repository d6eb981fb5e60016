from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lab"
    verbose_name = _("Testing lab")

    def ready(self):
        from django.db.models.signals import post_save

        from lab import labels, tasks  # noqa: F401  (the tube label template; background tasks)
        from lab.models import Assay
        from lab.panels import project_lab_usage
        from lab.project_figures import lab_samples_figure
        from lab.rollup import assay_saved
        from lims.registry import register_panel, register_project_figure

        register_panel("project", "lab/panels/project_lab_usage.html", project_lab_usage, order=50)
        register_project_figure("lab_samples", lab_samples_figure)
        post_save.connect(assay_saved, sender=Assay, dispatch_uid="lab.rollup.assay_saved")
