"""What QA and Production are told at once (lims.notifications): an excursion beyond an action limit."""

from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.notifications import NotificationKind, register_kind
from production.monitoring.models import Parameter


def _started(value):
    """The excursion's start in the reader's time zone (stored as an ISO instant; older events kept the sender's
    local time as text, shown as it is)."""
    when = parse_datetime(str(value or ""))
    if when is None or timezone.is_naive(when):
        return value
    return formats.date_format(timezone.localtime(when), "Y-m-d H:i T")


def _peak(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return formats.number_format(number.normalize() if number == number.to_integral() else number,
                                 use_l10n=True, force_grouping=True)


def _action(p):
    p = {**p, "parameter": str(dict(Parameter.choices).get(p.get("parameter"), p.get("parameter"))),
         "peak": _peak(p.get("peak")), "started": _started(p.get("started"))}
    return (_("Action limit exceeded at %(point)s") % p,
            _("%(parameter)s reached %(peak)s from %(started)s: assess the impact on the batches made in the "
              "room.") % p)


register_kind(NotificationKind("monitoring.action_excursion", gettext_lazy("Excursion beyond an action limit"),
                               roles=("QA", "Production"), render=_action))
