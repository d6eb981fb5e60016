from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'regulatory'

    def ready(self):
        from regulatory import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
        from regulatory.project_panel import register as register_project_panel

        register_project_panel()  # the project page's certifications and shipments, the project API's figures
