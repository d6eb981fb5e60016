"""What Regulatory is told (lims.notifications): certifications ending within 90 / 30 / 7 days, and expired; with
QA, the notified body's batch verification decisions and the end of its objection period (IVDR Annex IX §4.13)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.notifications import NotificationKind, register_kind


def _ending(p):
    return (_("Certification %(number)s ends in %(days)s days") % p,
            _("%(kind)s %(number)s for %(product)s in %(market)s is valid until %(valid_until)s.") % p)


def _expired(p):
    return (_("Certification %(number)s has expired") % p,
            _("%(kind)s %(number)s for %(product)s in %(market)s was valid until %(valid_until)s; it is now "
              "expired and no longer covers shipments.") % p)


register_kind(NotificationKind("regulatory.certification_ending", gettext_lazy("Certification ending soon"),
                               roles=("Regulatory",), render=_ending))
register_kind(NotificationKind("regulatory.certification_expired", gettext_lazy("Certification expired"),
                               roles=("Regulatory",), render=_expired))


def _verification_decided(p):
    if p["status"] == "objected":
        return (_("Notified body objected to lot %(lot)s") % p,
                _("%(body)s objected on %(date)s to lot %(lot)s (IVDR batch verification): %(reason)s The lot may "
                  "not be placed on the EU market.") % p)
    return (_("Notified body confirmed lot %(lot)s") % p,
            _("%(body)s confirmed the batch verification of lot %(lot)s on %(date)s; the lot may be placed on the "
              "EU market.") % p)


def _verification_period_ended(p):
    return (_("Batch verification period ended for lot %(lot)s") % p,
            _("%(body)s did not object within %(days)s days (period ended on %(end)s): lot %(lot)s may be placed on "
              "the EU market.") % p)


register_kind(NotificationKind("regulatory.batch_verification_decided",
                               gettext_lazy("Notified body's batch verification decision"),
                               roles=("Regulatory", "QA"), render=_verification_decided))
register_kind(NotificationKind("regulatory.batch_verification_period_ended",
                               gettext_lazy("Batch verification objection period ended"),
                               roles=("Regulatory", "QA"), render=_verification_period_ended))
