"""Regulatory's panel of production's batch page (lims.registry): the notified-body batch verification with its
clock and decision, and the lot's shipments (a fixed number of queries)."""

from django.utils import timezone


def batch_panel_context(request, batch):
    user = request.user
    if not (user.has_perm("regulatory.view_batchverification") or user.has_perm("regulatory.view_shipment")):
        return None
    from regulatory.models import BatchVerification, Shipment
    from regulatory.services import verification_required

    required = batch.status == "released" and user.has_perm("regulatory.view_batchverification") and \
        verification_required(batch.product)
    verification = BatchVerification.objects.filter(batch=batch).first() if required else None
    shipments = []
    if user.has_perm("regulatory.view_shipment"):
        shipments = list(Shipment.objects.filter(batch=batch).select_related("market")
                         .order_by("-shipped_on", "-pk")[:20])
    if not required and not shipments and batch.status != "released":
        return None
    today = timezone.localdate()
    end = verification.clock_ends_on() if verification else None
    ship_to = None
    can_ship = (batch.status == "released" and batch.quantity_released > batch.quantity_shipped
                and user.has_perm("regulatory.add_shipment"))
    if can_ship:
        from regulatory.eligibility import eligible_markets

        loaded = {"verification": verification} if required else {}
        ship_to = next(iter(eligible_markets(batch, today, **loaded)), None)
    return {"required": required, "verification": verification, "clock_end": end,
            "days_left": max(0, (end - today).days) if end else None, "shipments": shipments,
            "can_open": user.has_perm("regulatory.add_batchverification"), "can_ship": can_ship,
            "ship_to": ship_to}
