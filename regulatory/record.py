"""Regulatory's part of the batch record (production/record.py): the shipments of the lot, by market, with the
consignee and export certificate. Registered from RegulatoryConfig.ready()."""

from django.utils.translation import gettext as _

from lims.pdf import Section
from lims.signatures import printed_name
from regulatory.models import Shipment


def shipments_section(batch) -> Section:
    rows = [[_("Shipped on"), _("Market"), _("Quantity (kits)"), _("Consignee"), _("Export certificate"),
             _("Shipped by")]]
    for s in Shipment.objects.filter(batch=batch).select_related("market", "shipped_by").order_by("shipped_on", "pk"):
        rows.append([s.shipped_on.isoformat(), str(s.market), s.quantity, s.consignee,
                     s.export_certificate_number or "—", printed_name(s.shipped_by)])
    return Section(_("Shipments"), rows if len(rows) > 1 else (), text=_("Not shipped."))
