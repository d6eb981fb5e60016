from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabellingConfig(AppConfig):
    """Batch labels, print jobs, serial numbers, reconciliation, the GS1 Digital Link resolver and the batch
    record PDF (DOMAIN.md §8)."""

    name = "production.labelling"
    label = "labelling"
    verbose_name = _("Labelling")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lims.registry import register_panel

        from . import (
            label_templates,  # noqa: F401  (registers the unit, case and receiving label templates)
            tasks,  # noqa: F401  (registers the background label job)
        )
        from .views import labelling_context, material_lot_context

        register_panel("batch", "labelling/includes/batch_panel.html", labelling_context, order=50)

        from lims.registry import register_batch_part
        from production.labelling.story import batch_parts

        register_batch_part("labelling.labels", batch_parts, order=30)

        from lims.registry import register_record_section
        from production.labelling.record import label_sections

        register_record_section(label_sections, order=30)

        register_panel("materiallot", "labelling/includes/material_lot_panel.html", material_lot_context, order=50)
