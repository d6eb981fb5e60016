from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qc"
    verbose_name = _("QC and release")

    def ready(self):
        from lims.registry import register_panel, register_record_section
        from qc import notices, tasks  # noqa: F401  (register notification kinds and background tasks)
        from qc.panels import batch_panel_context

        register_panel("batch", "qc/includes/batch_panel.html", batch_panel_context, order=50)

        from qc.panels import product_panel_context

        register_panel("product", "qc/includes/product_panel.html", product_panel_context, order=50)

        from qc.project_panel import project_qc_panel

        register_panel("project", "qc/panels/project_qc.html", project_qc_panel, order=30)

        from qc.record import deviations_section, disposition_section, qc_summary_section

        for order, section in enumerate((qc_summary_section, deviations_section, disposition_section)):
            register_record_section(section, order=100 + order)

        from production.labelling.services import register_discrepancy_handler
        from qc.reconciliation import find_reconciliation_deviation, open_reconciliation_deviation

        register_discrepancy_handler(open_reconciliation_deviation, find_reconciliation_deviation)

        from lims.registry import register_batch_part
        from qc.story import batch_parts

        register_batch_part("qc.quality", batch_parts, order=40)
