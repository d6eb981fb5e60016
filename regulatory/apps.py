from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'regulatory'

    def ready(self):
        from lims.registry import register_batch_part
        from regulatory import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
        from regulatory.story import batch_parts

        register_batch_part("regulatory.shipments", batch_parts, order=50)
        # Notified-body batch verifications join the story under "regulatory.batch_verifications".

        from lims.registry import register_record_section
        from regulatory.record import shipments_section

        register_record_section(shipments_section, order=200)
