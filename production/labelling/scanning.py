"""Labelling's answer to "find by scan" (lims/scan_views.py asks every app's ``scanning.find``): a case label's
serial, AI (21) with the batch's (01) and (10), names the print job that issued it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lims.scan import Scan
from production.labelling.models import PrintJob


def find(scan: Scan | None, text: str, user) -> list[dict]:
    if scan is None or not (scan.gtin and scan.lot and scan.serial) or not user.has_perm("labelling.view_printjob"):
        return []
    if not scan.serial.isdigit():
        return []
    number = int(scan.serial)
    jobs = (PrintJob.objects.filter(batch__lot_number=scan.lot, batch__product__gtin=scan.gtin)
            .exclude(serial_from="").select_related("batch").order_by("pk"))
    for job in jobs:
        if int(job.serial_from) <= number <= int(job.serial_to):
            return [{"kind": _("Case"), "label": _("Case %(serial)s of batch %(lot)s") % {
                "serial": scan.serial, "lot": job.batch.lot_number},
                "url": reverse("labelling:batch-labels", args=[job.batch.lot_number]),
                "detail": _("Issued by print job %(job)s on %(date)s (serials %(first)s–%(last)s)") % {
                    "job": job.pk, "date": f"{job.printed_at:%Y-%m-%d}", "first": job.serial_from,
                    "last": job.serial_to}}]
    return []


def explain(scan: Scan | None, text: str) -> str:
    """A case label whose serial was never issued for that lot (a copied or foreign label)."""
    if scan is None or not (scan.gtin and scan.lot and scan.serial):
        return ""
    if scan.serial.isdigit():
        for job in PrintJob.objects.filter(batch__lot_number=scan.lot, batch__product__gtin=scan.gtin).exclude(
                serial_from=""):
            if int(job.serial_from) <= int(scan.serial) <= int(job.serial_to):
                return ""
    if not PrintJob.objects.filter(batch__lot_number=scan.lot, batch__product__gtin=scan.gtin).exists():
        return _("No labels were ever printed for lot %(lot)s of GTIN %(gtin)s.") % {"lot": scan.lot, "gtin": scan.gtin}
    return _("Case serial %(serial)s was never issued for lot %(lot)s.") % {"serial": scan.serial, "lot": scan.lot}
