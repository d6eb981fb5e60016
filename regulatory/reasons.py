"""Labels of regulatory's system-supplied reasons (``lims.audit.system_reason_label``)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "regulatory.dossier_bundle": _("Dossier bundle built in the background"),
    "regulatory.expire_certifications": _("Scheduled expiry of certifications past their validity"),
    "regulatory.certification_reminders": _("Scheduled reminders of certifications ending soon"),
}
LABELS["regulatory.batch_verifications"] = _("Scheduled batch verification records and period notices")
LABELS["open_batch_verification"] = _("Batch verification opened")
