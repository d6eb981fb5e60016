"""What Regulatory is told (lims.notifications): certifications ending within 90 / 30 / 7 days, and expired."""

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
