"""From what a scanner sent to the material lot it names (issue 21; DOMAIN.md §8; GS1 General Specifications §3).

Two labels name a component lot:

- our **receiving label** (printed at receipt): AI (240) the material's code, AI (10) the lot's internal lot code
  (``MaterialLot.internal_lot``, ``ML000123``), AI (17) its expiry;
- the **supplier's GS1 label**: AI (01) the supplier's GTIN, AI (10) the supplier's lot (AI (17) optional). It names a
  lot when a material carries that GTIN (``Material.supplier_gtin``).

``resolve_material_lot`` reads either (or the internal lot code typed by hand) and refuses with a stable code and a
sentence a person can act on. A refusal changes nothing: resolution only reads.

At receipt, the supplier's label fills in the new lot (``receipt_from_scan``): the material from its GTIN (01), the
supplier lot (10) and the expiry (17).

The same module answers the global "find by scan" page for production's records (``find``): material lots and
batches (AI 01 + 10 of a kit label, or a lot number typed).
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from lims.scan import Scan, ScanError
from lims.scan_fields import read_scan, scanned_text
from production.models import Batch, Material, MaterialLot, Product
from production.validators import is_valid_gtin14

#: Refusals that are about the input (API: 400 on ``scan``), and those that are a rule refusing the lot now
#: (API: 409 with the same codes as ``consume_material``).
INPUT_CODES = ("scan_unreadable", "scan_unknown_lot", "scan_other_material")
RULE_CODES = ("material_not_approved", "material_expired")


class LotScanRefused(Exception):
    """A scan that names no lot that may be used: ``code`` (stable, one of INPUT_CODES or RULE_CODES), ``message``
    (translated) and the ``lot`` when one was found."""

    def __init__(self, message, code: str, *, lot=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.lot = lot

    @property
    def is_input_error(self) -> bool:
        return self.code in INPUT_CODES


def _typed_internal_lot(text: str):
    return MaterialLot.pk_from_internal_lot(scanned_text(text))


def find_material_lots(scan: Scan | None, text: str = ""):
    """The lots a scan names (a queryset, possibly empty), or None when the scan holds no lot reference at all."""
    lots = MaterialLot.objects.select_related("material")
    if scan is None:
        pk = _typed_internal_lot(text)
        return lots.filter(pk=pk) if pk is not None else None
    if scan.lot and scan.material_code:
        pk = MaterialLot.pk_from_internal_lot(scan.lot)
        if pk is None:
            return lots.none()
        return lots.filter(pk=pk, material__code=scan.material_code)
    if scan.lot and scan.gtin:
        material = Material.objects.filter(supplier_gtin=scan.gtin).first()
        if material is None:
            return lots.none()
        found = lots.filter(material=material, supplier_lot=scan.lot)
        if scan.expiry and found.filter(expiry_date=scan.expiry).exists():
            found = found.filter(expiry_date=scan.expiry)
        return found
    return None


def _unknown_message(scan: Scan | None, text: str) -> str:
    if scan is None:
        return _("%(text)s is no material lot code (ML followed by digits).") % {"text": scanned_text(text)}
    if scan.lot and scan.material_code:
        if not Material.objects.filter(code=scan.material_code).exists():
            return _("No material has the code %(code)s (AI 240 of the scanned label).") % {"code": scan.material_code}
        if MaterialLot.pk_from_internal_lot(scan.lot) is None:
            return _("%(lot)s in AI (10) is not one of our internal lot codes (ML followed by digits).") % {
                "lot": scan.lot}
        return _("No lot %(lot)s of material %(code)s has been received.") % {
            "lot": scan.lot, "code": scan.material_code}
    if scan.lot and scan.gtin:
        if Product.objects.filter(gtin=scan.gtin).exists():
            return _("GTIN %(gtin)s is one of our kits: this is a kit or case label, not a component lot.") % {
                "gtin": scan.gtin}
        if not Material.objects.filter(supplier_gtin=scan.gtin).exists():
            return _("No material carries the supplier's GTIN %(gtin)s: enter it on the material to scan its "
                     "supplier labels.") % {"gtin": scan.gtin}
        material = Material.objects.get(supplier_gtin=scan.gtin)
        return _("No lot %(lot)s of %(material)s (supplier's GTIN %(gtin)s) has been received.") % {
            "lot": scan.lot, "material": material, "gtin": scan.gtin}
    return _("The scan names no material lot: a receiving label carries (240) and (10), a supplier's label (01) "
             "and (10).")


def _pick(lots, on: date):
    """Of several receipts of the same supplier lot, the usable one that expires first (then the oldest)."""
    lots = list(lots.order_by("expiry_date", "pk"))
    usable = [lot for lot in lots if lot.status == MaterialLot.Status.APPROVED and not lot.is_expired(on)
              and lot.quantity_remaining > 0]
    return (usable or lots)[0]


def resolve_material_lot(scan_text: str, *, material=None, on: date | None = None, usable: bool = True):
    """The MaterialLot that ``scan_text`` names, or ``LotScanRefused`` with one of these codes, checked in this
    order: ``scan_unreadable`` (not GS1 data, nor an internal lot code typed), ``scan_unknown_lot`` (no such lot),
    ``scan_other_material`` (a lot of another material than ``material``, e.g. the BOM line being picked),
    ``material_not_approved`` (in quarantine or rejected by incoming QC) and ``material_expired`` (expired on
    ``on``, default today; a lot may be used on its expiry day). ``usable=False`` skips the last two (find by
    scan shows any lot). Reads only."""
    on = on or timezone.localdate()
    text = scan_text or ""
    try:
        scan = read_scan(text)
    except ScanError as exc:
        scan = None
        if _typed_internal_lot(text) is None:
            raise LotScanRefused(str(exc), "scan_unreadable") from None
    found = find_material_lots(scan, text)
    if found is None or not found.exists():
        raise LotScanRefused(_unknown_message(scan, text), "scan_unknown_lot")
    lot = _pick(found, on)
    if material is not None and lot.material_id != material.pk:
        raise LotScanRefused(_("The scanned lot %(lot)s is %(found)s, not %(material)s.") % {
            "lot": lot, "found": lot.material, "material": material}, "scan_other_material", lot=lot)
    if usable:
        if lot.status != MaterialLot.Status.APPROVED:
            if lot.status == MaterialLot.Status.REJECTED:
                message = _("Lot %(lot)s was rejected by incoming QC and may not be used.")
            else:
                message = _("Lot %(lot)s is in quarantine: incoming QC has not approved it yet.")
            raise LotScanRefused(message % {"lot": lot}, "material_not_approved", lot=lot)
        if lot.is_expired(on):
            raise LotScanRefused(_("Lot %(lot)s expired on %(date)s.") % {
                "lot": lot, "date": lot.expiry_date.isoformat()}, "material_expired", lot=lot)
    return lot


# --- Find by scan (lims's page asks every app's ``scanning.find``) ---------------------------------------------

def explain(scan: Scan | None, text: str) -> str:
    """Why a scan that looks like a component lot's label names none (for find by scan), or ""."""
    if scan is not None and scan.lot and (scan.material_code or (scan.gtin and not scan.serial and
                                                                 not Product.objects.filter(gtin=scan.gtin).exists())):
        found = find_material_lots(scan, text)
        if found is None or not found.exists():
            return _unknown_message(scan, text)
    return ""


def find(scan: Scan | None, text: str, user) -> list[dict]:
    """Production's records a scan names, among those ``user`` may see: a material lot (receiving label, supplier
    label, internal lot code typed) and a batch (AI 01 + 10 of a kit or case label, or its lot number typed)."""
    results = []
    if user.has_perm("production.view_materiallot"):
        lots = find_material_lots(scan, text)
        for lot in (lots[:20] if lots is not None else []):
            results.append({
                "kind": _("Material lot"), "label": f"{lot.internal_lot} · {lot}", "url": lot.get_absolute_url(),
                "detail": _("%(status)s, expires %(date)s, %(left)s %(unit)s left") % {
                    "status": lot.get_status_display(), "date": lot.expiry_date.isoformat(),
                    "left": f"{lot.quantity_remaining.normalize():f}", "unit": lot.material.get_unit_display()}})
    if user.has_perm("production.view_batch"):
        batches = Batch.objects.none()
        if scan is not None and scan.gtin and scan.lot:
            batches = Batch.objects.filter(product__gtin=scan.gtin, lot_number=scan.lot)
        elif scan is None and scanned_text(text):
            batches = Batch.objects.filter(lot_number=scanned_text(text))
        for batch in batches.select_related("product")[:20]:
            results.append({"kind": _("Batch"), "label": f"{batch.lot_number} · {batch.product}",
                            "url": batch.get_absolute_url(), "detail": batch.get_status_display()})
    return results


# --- Receiving a lot: the supplier's GS1 label fills in the receipt (issue 19) ----------------------------------

#: Why a scan cannot fill in a receipt: each names the part of the label that is wrong.
RECEIPT_CODES = ("scan_unreadable", "scan_bad_element", "scan_receiving_label", "scan_no_gtin", "scan_bad_gtin",
                 "scan_kit_label", "scan_unknown_gtin", "scan_no_lot")

# biip's sentence for an element string that does not match its AI's format ("Failed to match '17271341' with
# GS1 AI (17) pattern '…'"): read for the AI, so the person is told which part, in their language.
_BAD_ELEMENT = re.compile(r"Failed to match '([^']*)' with GS1 AI \((\d{2,4})\)")


def _bad_element_message(ai: str, element: str) -> str:
    value = element[len(ai):] if element.startswith(ai) else element
    if ai == "17":
        return _("The expiry date (17) %(value)s is not a date: it is written YYMMDD.") % {"value": value}
    if ai == "01":
        return _("The GTIN (01) %(value)s is not a GTIN: it has 14 digits.") % {"value": value}
    if ai == "10":
        return _("The lot (10) %(value)s is not a lot number a GS1 label may carry.") % {"value": value}
    return _("The element (%(ai)s) %(value)s does not have the form GS1 gives it.") % {"ai": ai, "value": value}


def receipt_from_scan(text: str) -> dict:
    """What the supplier's GS1 label (a DataMatrix: (01) GTIN, (10) lot, (17) expiry) says about the lot being
    received: ``{"material", "gtin", "supplier_lot", "expiry_date"}`` (``expiry_date`` None when the label carries
    no (17)). The material is the one carrying that GTIN (``Material.supplier_gtin``). Anything wrong raises
    ``LotScanRefused`` with one of RECEIPT_CODES and a sentence that names the part; nothing is filled in then.
    Reads only."""
    try:
        scan = read_scan(text)
    except ScanError as exc:
        bad = _BAD_ELEMENT.search(str(exc))
        if bad:
            raise LotScanRefused(_bad_element_message(bad.group(2), bad.group(1)), "scan_bad_element") from None
        raise LotScanRefused(str(exc), "scan_unreadable") from None
    if scan.material_code:
        raise LotScanRefused(_("This is one of our receiving labels (material %(code)s, %(lot)s): the lot it names "
                               "has been received already. Scan the supplier's label.") % {
            "code": scan.material_code, "lot": scan.lot or "—"}, "scan_receiving_label")
    if not scan.gtin:
        raise LotScanRefused(_("The label carries no GTIN (01): the material cannot be told from it."),
                             "scan_no_gtin")
    if not is_valid_gtin14(scan.gtin):
        raise LotScanRefused(_("The GTIN (01) %(gtin)s is misread: its GS1 check digit is wrong.") % {
            "gtin": scan.gtin}, "scan_bad_gtin")
    if Product.objects.filter(gtin=scan.gtin).exists():
        raise LotScanRefused(_("GTIN %(gtin)s is one of our kits: this is a kit or case label, not a component "
                               "lot.") % {"gtin": scan.gtin}, "scan_kit_label")
    material = Material.objects.filter(supplier_gtin=scan.gtin).order_by("code").first()
    if material is None:
        raise LotScanRefused(_("No material carries the supplier's GTIN %(gtin)s: enter it on the material to scan "
                               "its supplier labels.") % {"gtin": scan.gtin}, "scan_unknown_gtin")
    if not scan.lot:
        raise LotScanRefused(_("The label of %(material)s (GTIN %(gtin)s) carries no lot (10).") % {
            "material": material, "gtin": scan.gtin}, "scan_no_lot")
    return {"material": material, "gtin": scan.gtin, "supplier_lot": scan.lot, "expiry_date": scan.expiry}


def receipt_message(fields: dict) -> str:
    """What a successful scan filled in, for the person to check."""
    values = {"material": fields["material"], "gtin": fields["gtin"], "lot": fields["supplier_lot"]}
    if fields["expiry_date"] is None:
        return _("Filled in from the label: %(material)s (GTIN %(gtin)s), lot %(lot)s. The label carries no expiry "
                 "date (17): enter it.") % values
    return _("Filled in from the label: %(material)s (GTIN %(gtin)s), lot %(lot)s, expiry %(expiry)s.") % {
        **values, "expiry": fields["expiry_date"].isoformat()}
