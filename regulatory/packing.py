"""The packing list of a shipment (lims.pdf.RecordPdf): consignee, market, the lot with its quantity, case serial
ranges, expiry and storage conditions, and the signatures that let it leave — QA's release of the lot and, for a
class D lot bound for the EU, the recorded notified-body decision."""

from django.utils import timezone
from django.utils.translation import gettext as _

from lims.pdf import RecordPdf, Section
from lims.signatures import signature_rows


def release_signatures(batch) -> list:
    """The signatures of the lot's dispositions (qc) and of its batch verification, oldest first."""
    from qc.models import Disposition
    from regulatory.models import BatchVerification

    rows = []
    for disposition in Disposition.objects.filter(batch=batch).order_by("pk"):
        rows.extend(signature_rows(disposition))
    verification = BatchVerification.objects.filter(batch=batch).first()
    if verification is not None:
        rows.extend(signature_rows(verification))
    return sorted(rows, key=lambda s: s.signed_at)


def packing_list_pdf(shipment, printed_by="") -> bytes:
    batch, product = shipment.batch, shipment.batch.product
    serials = shipment.serials.count()
    storage = _("Store at %(min)s–%(max)s °C") % {"min": product.storage_min_c, "max": product.storage_max_c}
    lots = [[_("Lot"), _("Product"), _("GTIN"), _("Quantity (kits)"), _("Tests per kit"), _("Expiry date"),
             _("Storage")],
            [batch.lot_number, f"{product.code} {product.name}", product.gtin, str(shipment.quantity),
             str(product.tests_per_kit), batch.expiry_date.isoformat(), storage]]
    ranges = [[_("First serial"), _("Last serial"), _("Cases")]]
    for first, last in shipment.serial_ranges:
        count = int(last) - int(first) + 1 if first.isdigit() and last.isdigit() else 1
        ranges.append([first, last, str(count)])
    sections = [
        Section(_("Lots"), lots, widths=(0.14, 0.24, 0.15, 0.1, 0.08, 0.11, 0.18)),
        Section(_("Case serials"), ranges if len(ranges) > 1 else (), widths=(0.35, 0.35, 0.3),
                text=_("No case serials were recorded for this shipment.")),
    ]
    facts = [(_("Consignee"), shipment.consignee), (_("Market"), str(shipment.market)),
             (_("Shipped on"), shipment.shipped_on.isoformat()),
             (_("Export certificate number"), shipment.export_certificate_number or "—"),
             (_("Cases"), str(serials)),
             (_("Shipped by"), shipment.shipped_by.get_full_name() or shipment.shipped_by.get_username()),
             (_("Recorded at"), timezone.localtime(shipment.created_at).strftime("%Y-%m-%d %H:%M %Z"))]
    return RecordPdf(title=_("Packing list"), reference=_("Shipment %(n)s · lot %(lot)s")
                     % {"n": shipment.pk, "lot": batch.lot_number}, facts=facts, sections=sections,
                     signatures=release_signatures(batch), printed_by=printed_by,
                     note=_("Signatures: the lot's release by QA and, where it applies, the notified body's batch "
                            "verification as recorded.")).build()
