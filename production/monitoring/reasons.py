"""Labels of monitoring's system-supplied reasons (``lims.audit.system_reason_label``)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "record_silent_points": _("Silent monitoring point: gap recorded, open excursion ended at its last reading"),
    "monitoring.silent_points": _("Scheduled check of silent monitoring points"),
}
