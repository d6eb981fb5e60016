"""Labels of the core's system-supplied reasons (``lims.audit.system_reason_label``)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "create_record": _("Record created"),
    "update_record": _("Record changed"),
}
