from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'regulatory'
    verbose_name = _("Regulatory")

    def ready(self):
        from lims.registry import register_batch_part, register_panel, register_record_section
        from regulatory import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
        from regulatory.panels import batch_panel_context
        from regulatory.record import shipments_section, verification_section
        from regulatory.story import batch_parts

        register_batch_part("regulatory.shipments", batch_parts, order=50)
        register_panel("batch", "regulatory/includes/batch_panel.html", batch_panel_context, order=60)
        register_record_section(verification_section, order=150)
        register_record_section(shipments_section, order=200)

        from regulatory.project_panel import register as register_project_panel

        register_project_panel()  # the project page's certifications and shipments, the project API's figures
