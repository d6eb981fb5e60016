"""Home page warning for production and QA: completed batches whose labels are not reconciled yet (DOMAIN.md
§8: labels issued = used + destroyed + returned)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from production.models import Batch

from .models import LabelReconciliation, PrintJob

SHOWN = 5


def home_panels(request):
    user = request.user
    if not user.has_perm("labelling.add_labelreconciliation"):
        return []
    pending = (Batch.objects.filter(status__in=[Batch.Status.AWAITING_QC, Batch.Status.RELEASED,
                                                Batch.Status.QUARANTINED],
                                    pk__in=PrintJob.objects.values("batch"))
               .exclude(pk__in=LabelReconciliation.objects.values("batch"))
               .order_by("-completed_at", "-lot_number"))
    count = pending.count()
    if not count:
        return []
    items = [{"text": ngettext("%(n)s completed batch has unreconciled labels",
                               "%(n)s completed batches have unreconciled labels", count) % {"n": count},
              "url": reverse("labelling:printjob-list")}]
    items += [{"text": _("Reconcile the labels of %(lot)s") % {"lot": b.lot_number},
               "url": reverse("labelling:batch-labels", args=[b.lot_number])} for b in pending[:SHOWN]]
    return [{"title": _("Labels"), "level": "warning", "items": items}]
