from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Environmental monitoring of the clean rooms (DESIGN.md, Environmental reading; DOMAIN.md §4)."""

    name = "production.monitoring"
    label = "monitoring"
    verbose_name = _("Environmental monitoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lims.registry import register_panel
        from production.monitoring import notices, tasks  # noqa: F401  (notification kinds, background tasks)
        from production.monitoring.conditions import batch_panel_context

        register_panel("batch", "monitoring/includes/batch_panel.html", batch_panel_context, order=50)

        from lims.registry import register_batch_part
        from production.monitoring.story import batch_parts

        register_batch_part("monitoring.excursions", batch_parts, order=20)

        from lims.registry import register_record_section
        from production.monitoring.record import room_sections

        register_record_section(room_sections, order=20)
