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
            for template in ("unit", "case"):
                issued = sum(PrintJob.objects.filter(batch=batch, template=template).values_list("copies", flat=True))
                needed = batch.quantity_made if template == "unit" else -(-batch.quantity_made // KITS_PER_CASE)
                used = min(issued, needed)
                destroyed = min(issued - used, 2)
                reconcile_labels(batch, template, used, destroyed, issued - used - destroyed, user=user,
                                 reason=REASON)
    ctx.log(f"labels printed for {printed} batches")
