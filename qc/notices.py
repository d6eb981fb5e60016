"""What QA is told (lims.notifications): an OOS result as soon as it is recorded; deviations and CAPAs past due."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.notifications import NotificationKind, register_kind


def _oos(p):
    return (_("OOS: %(spec)s on %(subject)s") % p,
            _("Result %(value)s is outside the specification %(limits)s; %(deviation)s was opened.") % p)


def _past_due(p):
    if p.get("capa"):
        return (_("CAPA past due: %(deviation)s") % p,
                _("The CAPA “%(capa)s” was due on %(due)s and is not done.") % p)
    return (_("Deviation past due: %(deviation)s") % p,
            _("Open since %(opened)s, longer than %(days)s days.") % p)


register_kind(NotificationKind("qc.oos", gettext_lazy("Out-of-specification result"), roles=("QA",), render=_oos))
register_kind(NotificationKind("qc.deviation_past_due", gettext_lazy("Deviation or CAPA past due"), roles=("QA",),
                               render=_past_due))
