"""Labels of the core's system-supplied reasons (``lims.audit.system_reason_label``)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "create_record": _("Record created"),
    "update_record": _("Record changed"),
    "outside_services": _("Account written outside the LIMS services (command line, first administrator)"),
    # Background task runs (lims/tasks/services.py).
    "task_started": _("Background task started"),
    "task_running": _("Background task running"),
    "task_progress": _("Background task progress"),
    "task_result": _("Background task result stored"),
    "task_succeeded": _("Background task finished"),
    "task_failed": _("Background task failed or retried"),
}
