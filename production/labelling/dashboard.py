"""Home page warning for production and QA: completed batches whose labels are not reconciled yet (DOMAIN.md
§8: labels issued = used + destroyed + returned)."""

from django.db.models import Exists, OuterRef
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
    # a batch with a template printed and not reconciled (reconciliation is per template, DOMAIN.md §8)
    unreconciled = PrintJob.objects.filter(batch=OuterRef("pk")).exclude(
        template__in=LabelReconciliation.objects.filter(batch=OuterRef(OuterRef("pk"))).values("template"))
    pending = (Batch.objects.filter(status__in=[Batch.Status.AWAITING_QC, Batch.Status.RELEASED,
                                                Batch.Status.QUARANTINED])
               .filter(Exists(unreconciled))
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
