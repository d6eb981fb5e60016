"""What QA and Production are told at once (lims.notifications): an excursion beyond an action limit."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.notifications import NotificationKind, register_kind
from production.monitoring.models import Parameter


def _action(p):
    p = {**p, "parameter": str(dict(Parameter.choices).get(p.get("parameter"), p.get("parameter")))}
    return (_("Action limit exceeded at %(point)s") % p,
            _("%(parameter)s reached %(peak)s from %(started)s: assess the impact on the batches made in the "
              "room.") % p)


register_kind(NotificationKind("monitoring.action_excursion", gettext_lazy("Excursion beyond an action limit"),
                               roles=("QA", "Production"), render=_action))
