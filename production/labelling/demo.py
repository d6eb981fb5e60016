"""Demo print jobs and reconciliations for the most recent batches, through the services (idempotent: a batch
that already has print jobs is left alone)."""

from production.models import Batch

from .models import PrintJob
from .services import PRINTABLE_STATUSES, print_labels, reconcile_labels

REASON = "demo data"
RECENT = 20
KITS_PER_CASE = 50


def seed(ctx):
    user = ctx.users.get("production")
    if user is None:
        return
    batches = (Batch.objects.filter(status__in=PRINTABLE_STATUSES).exclude(
        pk__in=PrintJob.objects.values("batch")).select_related("product").order_by("-manufactured_on",
                                                                                       "-lot_number")[:RECENT])
    printed = 0
    for batch in batches:
        kits = batch.planned_quantity
        print_labels(batch, "unit", None, min(kits + kits // 50 + 2, 5000), user=user, reason=REASON)
        print_labels(batch, "case", None, min(max(1, -(-kits // KITS_PER_CASE)), 5000), user=user, reason=REASON)
        printed += 1
        if batch.status != Batch.Status.IN_PRODUCTION and batch.quantity_made:
            jobs = list(PrintJob.objects.filter(batch=batch))
            issued = sum(j.copies for j in jobs)
            used = min(issued, batch.quantity_made + sum(j.copies for j in jobs if j.template == "case"))
            destroyed = min(issued - used, 2)
            reconcile_labels(batch, used, destroyed, issued - used - destroyed, user=user, reason=REASON)
    ctx.log(f"labels printed for {printed} batches")
