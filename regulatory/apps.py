from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'regulatory'

    def ready(self):
        import regulatory.batch_panel  # noqa: F401  (registers the shipments panel of the batch page)
        from regulatory import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
