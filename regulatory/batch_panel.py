"""Regulatory's panel of production's batch page (lims.registry): the batch's shipments, by market. Importing this
module registers it (regulatory.apps)."""

from lims.registry import register_panel


def batch_panel_context(request, batch):
    if not request.user.has_perm("regulatory.view_shipment"):
        return None
    from django.db.models import Sum

    from regulatory.models import Shipment

    shipments = list(Shipment.objects.filter(batch=batch).select_related("market", "shipped_by")
                     .order_by("-shipped_on", "-pk"))
    return {"shipments": shipments,
            "shipped": Shipment.objects.filter(batch=batch).aggregate(n=Sum("quantity"))["n"] or 0}


register_panel("batch", "regulatory/includes/batch_panel.html", batch_panel_context, order=60)
