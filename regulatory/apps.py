from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'regulatory'

    def ready(self):
        from lims.registry import register_panel, register_record_section
        from regulatory import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
        from regulatory.panels import batch_panel_context

        register_panel("batch", "regulatory/includes/batch_panel.html", batch_panel_context, order=60)
        from regulatory.record import verification_section

        register_record_section(verification_section, order=150)
