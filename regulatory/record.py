"""Regulatory's sections of the batch record (production/record.py, lims.registry): the shipments of the lot, by
market, with the consignee and export certificate, and the notified body's batch verification. Registered from
RegulatoryConfig.ready()."""

from django.utils import timezone
from django.utils.translation import gettext as _

from lims.pdf import Section
from lims.signatures import printed_name, signature_rows
from regulatory.models import Shipment


def shipments_section(batch) -> Section:
    rows = [[_("Shipped on"), _("Market"), _("Quantity (kits)"), _("Consignee"), _("Export certificate"),
             _("Shipped by")]]
    for s in Shipment.objects.filter(batch=batch).select_related("market", "shipped_by").order_by("shipped_on", "pk"):
        rows.append([s.shipped_on.isoformat(), str(s.market), s.quantity, s.consignee,
                     s.export_certificate_number or "—", printed_name(s.shipped_by)])
    return Section(_("Shipments"), rows if len(rows) > 1 else (), text=_("Not shipped."))


def verification_section(batch):
    from regulatory.models import BatchVerification

    v = BatchVerification.objects.filter(batch=batch).first()
    if v is None:
        return None
    signed = "; ".join(f"{s.printed_name} ({s.signer.get_username()}), {s.get_meaning_display()}, "
                       f"{timezone.localtime(s.signed_at):%Y-%m-%d %H:%M %Z}"
                       + (f" — {_('changed after signature')}" if s.changed_after else "")
                       for s in signature_rows(v)) or _("not signed")
    end = v.clock_ends_on()
    rows = [[_("Notified body"), _("Test reports sent on"), _("Samples sent on"), _("Objection period ends on"),
             _("Decision"), _("Electronic signature")],
            [v.notified_body or "—", v.reports_sent_on.isoformat() if v.reports_sent_on else "—",
             (v.samples_sent_on.isoformat() if v.samples_sent_on else "—") if v.samples_required
             else _("not required"), end.isoformat() if end else "—",
             v.get_status_display() + (f" {v.decided_on.isoformat()}" if v.decided_on else "")
             + (f": {v.objection_reason}" if v.objection_reason else ""), signed]]
    return Section(_("Notified-body batch verification (IVDR Annex IX §4.13)"), rows,
                   widths=(0.17, 0.12, 0.12, 0.13, 0.2, 0.26))
