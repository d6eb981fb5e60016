"""The lab's answer to "find by scan" (lims/scan_views.py asks every app's ``scanning.find``): a tube's label is a
plain DataMatrix of the sample's barcode, so the scanned text is the barcode."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lab.models import Sample
from lims.scan import Scan


def find(scan: Scan | None, text: str, user) -> list[dict]:
    if not text or not user.has_perm("lab.view_sample"):
        return []
    sample = Sample.objects.select_related("client", "assay").filter(barcode=text).first()
    if sample is None:
        return []
    return [{"kind": _("Lab sample"), "label": f"{sample.barcode} · {sample.assay.code}",
             "url": sample.get_absolute_url(),
             "detail": _("%(status)s, from %(client)s") % {"status": sample.get_status_display(),
                                                           "client": sample.client.code}}]
