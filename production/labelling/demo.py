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
        pk__in=PrintJob.objects.filter(batch__isnull=False).values("batch")).select_related("product").order_by("-manufactured_on",
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
    seed_receiving_labels(ctx, user)


def seed_receiving_labels(ctx, user):
    """A line printer in the registry, and the receiving label of the newest material lots (QUARANTINE or
    RELEASED, as their status is)."""
    from production.models import MaterialLot

    from .models import Printer
    from .services import create_printer, print_material_labels, receiving_printable

    if not Printer.objects.exists():
        create_printer({"name": "Line 1 case printer", "address": "192.0.2.10", "port": 9100, "dots_per_mm": 8,
                        "stock": "roll-100x70", "location": "Line 1, end of line"}, user=user, reason=REASON)
    lots = [lot for lot in MaterialLot.objects.select_related("material").exclude(
        pk__in=PrintJob.objects.filter(material_lot__isnull=False).values("material_lot")).order_by(
        "-received_on", "-pk")[:10] if receiving_printable(lot)]
    for lot in lots:
        print_material_labels(lot, None, 1, user=user, reason=REASON)
    ctx.log(f"receiving labels printed for {len(lots)} material lots")

