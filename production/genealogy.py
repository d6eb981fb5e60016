"""Genealogy, both directions (DESIGN.md, Material lot; 21 CFR 820.184 (e)): the component lots a batch consumed,
and the batches a component lot went into — the recall question. Pages, CSV exports and the API read these."""

from django.db.models import Sum

from production.models import Batch, MaterialLot


def batch_lots(batch):
    """Every material lot ``batch`` consumed, once each, annotated with ``quantity_consumed`` by this batch."""
    return (MaterialLot.objects.filter(consumptions__batch=batch).select_related("material")
            .annotate(quantity_consumed=Sum("consumptions__quantity"))
            .order_by("material__code", "supplier_lot", "pk"))


def lot_batches(lot):
    """Every batch that used ``lot``, newest first, annotated with ``quantity_consumed`` from that lot."""
    return (Batch.objects.filter(consumptions__material_lot=lot).with_related()
            .annotate(quantity_consumed=Sum("consumptions__quantity"))
            .order_by("-manufactured_on", "-lot_number"))
