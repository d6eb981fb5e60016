"""Printing batch labels and material lots' receiving labels, as PDF or as ZPL (a file or sent to a printer),
reconciling them (DOMAIN.md §8), and the printer registry. Every state change is a ``@service``.

Labels are issued only by ``print_labels`` / ``print_material_labels`` (a POST with a reason): that is where serials
are taken, once. Every rendering after that — PDF, ZPL file, ZPL sent to a printer, from a page, the API or a
background task — re-renders the same job with the same serials and is recorded as an output (print, then
reprints)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError, ReasonRequired
from lims.labels import STOCKS, TEMPLATES
from lims.labels import zpl as zpl_engine
from lims.labels.stream import stream_labels
from lims.services import create_record, update_record
from production.models import Batch, MaterialLot

from .label_templates import LabelData, ReceivingLabelData
from .models import CaseSerialCounter, LabelReconciliation, Printer, PrintJob, PrintJobOutput

#: Templates printed for a batch (the tube label belongs to the lab's samples).
BATCH_TEMPLATES = ("unit", "case")
SERIALISED_TEMPLATES = ("case",)
PRINTABLE_STATUSES = (Batch.Status.IN_PRODUCTION, Batch.Status.AWAITING_QC, Batch.Status.RELEASED,
                      Batch.Status.QUARANTINED)
#: The largest job: a whole batch of case labels (e.g. 40,000) fits; settings LIMS_LABEL_JOB_MAX overrides.
MAX_COPIES = 100_000
#: Labels rendered at a time while a job's PDF is streamed (memory stays bounded by one chunk).
RENDER_CHUNK = 1000


def max_copies() -> int:
    return int(getattr(settings, "LIMS_LABEL_JOB_MAX", MAX_COPIES))


def format_serial(value: int) -> str:
    """A case serial for AI (21): the per-batch number, zero-padded to six digits."""
    return f"{value:06d}"


def is_printable(batch) -> bool:
    return batch.status in PRINTABLE_STATUSES


def validate_print_request(template: str, stock: str | None, copies,
                           templates: tuple[str, ...] = BATCH_TEMPLATES) -> tuple[str, str, int]:
    """Check template, stock and copies; ``ValidationError`` with fields (400) otherwise."""
    errors = {}
    if template not in templates:
        errors["template"] = [_("Choose one of: %(names)s.") % {"names": ", ".join(templates)}]
    else:
        allowed = TEMPLATES[template].allowed_stocks
        stock = stock or TEMPLATES[template].default_stock
        if stock not in STOCKS or stock not in allowed:
            errors["stock"] = [_("The %(template)s label is printed on: %(stocks)s.")
                               % {"template": template, "stocks": ", ".join(allowed)}]
    try:
        copies = int(copies)
    except (TypeError, ValueError):
        errors["copies"] = [_("Enter a whole number of copies.")]
    else:
        if not 1 <= copies <= max_copies():
            errors["copies"] = [_("Print between 1 and %(max)s copies.") % {"max": max_copies()}]
    if errors:
        raise ValidationError(errors)
    return template, stock, copies


#: EU member states (ISO 3166-1 alpha-2): a manufacturer elsewhere needs an EU authorised representative.
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})


def ivdr_particulars(product) -> dict:
    """The IVDR particulars that depend on the product and the manufacturer (Annex I 20.2; Art. 11, 18(3)): the
    notified body's number beside CE for the classes a notified body assesses, and the EU authorised
    representative when the manufacturer is outside the EU. ``ValueError`` when one is needed and not set."""
    particulars = {"notified_body": None, "eu_representative_name": None, "eu_representative_address": None}
    if product.needs_notified_body:
        number = (getattr(settings, "LIMS_NOTIFIED_BODY", "") or "").strip()
        if not number:
            raise ValueError(f"class {product.ivdr_class} needs the notified body number (LIMS_NOTIFIED_BODY)")
        particulars["notified_body"] = number
    country = (settings.LIMS_MANUFACTURER.get("country") or "").upper()
    if country not in EU_COUNTRIES:
        rep = getattr(settings, "LIMS_EU_REPRESENTATIVE", None) or {}
        if not (rep.get("name") or "").strip():
            raise ValueError("the manufacturer is outside the EU: set the EU authorised representative")
        particulars["eu_representative_name"] = rep["name"]
        particulars["eu_representative_address"] = rep.get("address", "")
    return particulars


def label_data(batch, serial: str | None = None) -> LabelData:
    """What a unit or case label of ``batch`` carries (IVDR Annex I 20.2)."""
    product = batch.product
    base = settings.LIMS_RESOLVER_BASE_URL.rstrip("/")
    ifu = f"eIFU: {base}/01/{product.gtin}"
    if product.ifu_version:
        ifu += f" (IFU v{product.ifu_version})"
    return LabelData(
        product_name=product.name,
        product_name_zh=getattr(product, "name_zh", None) or None,
        ref=product.code,
        gtin=product.gtin,
        lot=batch.lot_number,
        expiry=batch.expiry_date,
        manufactured_on=batch.manufactured_on,
        tests_per_kit=product.tests_per_kit,
        storage_min_c=product.storage_min_c,
        storage_max_c=product.storage_max_c,
        manufacturer_name=settings.LIMS_MANUFACTURER["name"],
        manufacturer_address=settings.LIMS_MANUFACTURER["address"],
        ifu_url_or_text=ifu,
        resolver_base_url=base,
        serial=serial,
        pilot=batch.kind == "pilot",
        **ivdr_particulars(product),
    )


def receiving_label_data(lot, status: str) -> ReceivingLabelData:
    """What the receiving label of material lot ``lot`` carries, saying ``status`` (as printed by its job)."""
    return ReceivingLabelData(
        material_code=lot.material.code,
        material_name=lot.material.name,
        internal_lot=lot.internal_lot,
        supplier=lot.supplier,
        supplier_lot=lot.supplier_lot,
        expiry=lot.expiry_date,
        received_on=lot.received_on,
        status=status,
    )


#: The words a receiving label prints for the lot's status; a rejected lot gets no label.
RECEIVING_STATUS = {MaterialLot.Status.QUARANTINE: "QUARANTINE", MaterialLot.Status.APPROVED: "RELEASED"}


def job_items(job: PrintJob, start: int = 0, stop: int | None = None) -> list:
    """The labels of positions [start, stop) of a print job, in order: one item per case serial, or the same
    unit (or receiving) item repeated (drawn once per chunk)."""
    stop = job.copies if stop is None else min(stop, job.copies)
    if job.material_lot_id:
        return [receiving_label_data(job.material_lot, job.label_status)] * max(0, stop - start)
    if job.template in SERIALISED_TEMPLATES:
        first = int(job.serial_from)
        return [label_data(job.batch, format_serial(first + n)) for n in range(start, stop)]
    item = label_data(job.batch)
    return [item] * max(0, stop - start)


def _items(job: PrintJob, progress=None):
    """``items(start, stop)`` of the job for the renderers; ``progress(done, total)`` is told as chunks start."""
    def items(start, stop):
        if progress is not None and stop - start > 1:
            progress(start, job.copies)
        return job_items(job, start, stop)
    return items


def job_pdf(job: PrintJob, progress=None):
    """The job's PDF as a stream of bytes, rendered RENDER_CHUNK labels at a time: the same labels and serials on
    every rendering (nothing is issued here)."""
    return stream_labels(job.template, _items(job, progress), job.copies, job.stock,
                         author=settings.LIMS_MANUFACTURER["name"],
                         title=f"{job.subject_code} {job.template} × {job.copies}", chunk=RENDER_CHUNK)


def job_zpl(job: PrintJob, dots_per_mm: int = 8, progress=None):
    """The job's ZPL II as a stream of bytes for a printer of ``dots_per_mm``: the same labels and serials on
    every rendering, and for the same resolution the same bytes."""
    return zpl_engine.zpl_stream(job.template, _items(job, progress), job.copies,
                                 job.stock, dots_per_mm=dots_per_mm, chunk=RENDER_CHUNK)


def job_filename(job: PrintJob, extension: str) -> str:
    return f"labels-{job.subject_code}-{job.template}-{job.pk}.{extension}"


@service
def record_output(job: PrintJob, *, fmt: str = PrintJobOutput.Format.PDF, printer=None, user,
                  reason: str = "") -> PrintJobOutput:
    """Record that the job was produced (a PDF, a ZPL file, or ZPL sent to ``printer``): its print the first
    time, a reprint after that."""
    job = PrintJob.objects.select_for_update().get(pk=job.pk)
    kind = PrintJobOutput.Kind.REPRINT if job.outputs.exists() else PrintJobOutput.Kind.PRINT
    return PrintJobOutput.objects.create(job=job, kind=kind, format=fmt, printer=printer, output_by=user,
                                         output_at=timezone.now())


def check_printer(job: PrintJob, printer: Printer) -> None:
    """A job goes to an active printer with the job's label size loaded; ``DomainError`` (409) otherwise."""
    if not printer.active:
        raise DomainError(_("Printer %(name)s is not active.") % {"name": printer.name}, "printer_inactive")
    job_stock, loaded = STOCKS[job.stock], STOCKS.get(printer.stock)
    if loaded is None or (loaded.label_width_mm, loaded.label_height_mm) != (job_stock.label_width_mm,
                                                                              job_stock.label_height_mm):
        raise DomainError(
            _("Printer %(name)s has %(loaded)s loaded; this job prints %(width)g × %(height)g mm labels.")
            % {"name": printer.name, "loaded": printer.stock, "width": job_stock.label_width_mm,
               "height": job_stock.label_height_mm}, "printer_stock_mismatch")


@service
def send_to_printer(job: PrintJob, printer: Printer, *, user, reason: str = "", progress=None) -> PrintJobOutput:
    """Send the job's ZPL to ``printer`` over raw TCP and record the output (print or reprint, with the printer).
    Refused (409) for an inactive printer or one with another label size loaded; ``printer_unreachable`` (409,
    nothing recorded) when the printer does not take the data. ``progress(done, total)`` follows the labels."""
    check_printer(job, printer)
    output = record_output(job, fmt=PrintJobOutput.Format.ZPL, printer=printer, user=user, reason=reason)
    try:
        zpl_engine.send(job_zpl(job, printer.dots_per_mm, progress), printer.address, printer.port)
    except zpl_engine.PrinterUnreachable as exc:
        raise DomainError(_("The printer %(name)s cannot be reached (%(error)s); nothing was printed.")
                          % {"name": printer.name, "error": exc}, "printer_unreachable") from exc
    return output


def _refuse_unprintable(batch):
    if not is_printable(batch):
        raise DomainError(
            _("Labels are printed for batches in production or later, never for planned or rejected ones; "
              "%(lot)s is %(status)s.") % {"lot": batch.lot_number, "status": batch.get_status_display()},
            "not_printable")


def _repeated(key: str | None) -> PrintJob | None:
    return PrintJob.objects.filter(request_key=key).first() if key else None


@service
def print_labels(batch, template: str, stock: str | None, copies, *, user, reason: str = "",
                 key: str | None = None) -> PrintJob:
    """Record a print job (the only way labels are issued: a POST with a reason); case labels take the next
    gap-free range of serials of the batch. Its PDF is produced by ``job_pdf``, identically every time. With
    ``key`` (the form's idempotency key) a repeated request returns the first job and issues nothing."""
    if not reason:
        raise ReasonRequired()
    if (job := _repeated(key)) is not None:
        return job
    template, stock, copies = validate_print_request(template, stock, copies)
    batch = Batch.objects.select_related("product").get(pk=batch.pk)
    _refuse_unprintable(batch)
    try:
        label_data(batch)
    except ValueError as exc:
        raise DomainError(_("The batch's label data is invalid: %(error)s") % {"error": exc}, "invalid_label_data")
    serial_from = serial_to = ""
    if template in SERIALISED_TEMPLATES:
        CaseSerialCounter.objects.get_or_create(batch=batch)
        counter = CaseSerialCounter.objects.select_for_update().get(batch=batch)
        first = counter.last_value + 1
        counter.last_value += copies
        counter.save(update_fields=["last_value"])
        serial_from, serial_to = format_serial(first), format_serial(counter.last_value)
    return PrintJob.objects.create(batch=batch, template=template, stock=stock, copies=copies, printed_by=user,
                                   printed_at=timezone.now(), serial_from=serial_from, serial_to=serial_to,
                                   request_key=key or None)


def _refuse_unlabelled_lot(lot):
    if lot.status not in RECEIVING_STATUS:
        raise DomainError(
            _("Receiving labels are printed for lots in quarantine or approved; %(lot)s is %(status)s.")
            % {"lot": lot.internal_lot, "status": lot.get_status_display()}, "not_printable")


def receiving_printable(lot) -> bool:
    return lot.status in RECEIVING_STATUS


@service
def print_material_labels(lot, stock: str | None, copies, *, user, reason: str = "",
                          key: str | None = None) -> PrintJob:
    """Record a print job of the material lot's receiving label (a POST with a reason), saying QUARANTINE while
    the lot awaits incoming QC and RELEASED once approved; a rejected lot gets none (409 ``not_printable``)."""
    if not reason:
        raise ReasonRequired()
    if (job := _repeated(key)) is not None:
        return job
    template, stock, copies = validate_print_request("receiving", stock, copies, templates=("receiving",))
    lot = MaterialLot.objects.select_related("material").select_for_update().get(pk=lot.pk)
    _refuse_unlabelled_lot(lot)
    status = RECEIVING_STATUS[lot.status]
    try:
        receiving_label_data(lot, status)
    except ValueError as exc:
        raise DomainError(_("The lot's label data is invalid: %(error)s") % {"error": exc}, "invalid_label_data")
    return PrintJob.objects.create(material_lot=lot, template=template, stock=stock, copies=copies,
                                   printed_by=user, printed_at=timezone.now(), label_status=status,
                                   request_key=key or None)


PRINTER_FIELDS = ("name", "address", "port", "dots_per_mm", "stock", "location", "active")


def _check_printer_stock(stock) -> None:
    if stock not in STOCKS or not STOCKS[stock].name.startswith("roll-"):
        rolls = ", ".join(name for name in STOCKS if name.startswith("roll-"))
        raise ValidationError({"stock": [_("A label printer takes a roll: %(stocks)s.") % {"stocks": rolls}]})


@service
def create_printer(data: dict, *, user, reason: str = "") -> Printer:
    """Register a label printer (name, address, port, dots per mm, the roll stock loaded)."""
    unknown = sorted(set(data) - set(PRINTER_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    _check_printer_stock(data.get("stock"))
    return create_record(Printer, data, user=user, reason=reason)


@service
def update_printer(printer: Printer, changes: dict, *, user, reason: str, expected_version=None) -> Printer:
    """Edit a printer (with a reason, like every edit)."""
    if "stock" in changes:
        _check_printer_stock(changes["stock"])
    return update_record(printer, changes, user=user, reason=reason, expected_version=expected_version,
                         fields=PRINTER_FIELDS)


def labels_issued(batch, template: str | None = None) -> int:
    jobs = PrintJob.objects.filter(batch=batch)
    if template is not None:
        jobs = jobs.filter(template=template)
    return jobs.aggregate(n=Sum("copies"))["n"] or 0


def labels_issued_by_template(batch) -> dict[str, int]:
    """template → labels issued for ``batch`` (every template named, 0 where none), in one query."""
    issued = dict.fromkeys(BATCH_TEMPLATES, 0)
    for row in PrintJob.objects.filter(batch=batch).values("template").annotate(n=Sum("copies")).order_by():
        issued[row["template"]] = row["n"] or 0
    return issued


# Extension point: what a discrepancy opens. A higher app (qc) registers ``open(reconciliation, user) -> record``
# and ``find(reconciliation) -> record | None`` in its AppConfig.ready(); labelling never imports it.
_DISCREPANCY_HANDLERS: list[tuple[Callable, Callable]] = []


def register_discrepancy_handler(open_record: Callable, find_record: Callable) -> None:
    if (open_record, find_record) not in _DISCREPANCY_HANDLERS:
        _DISCREPANCY_HANDLERS.append((open_record, find_record))


def discrepancy_records(reconciliation) -> list:
    """The records (deviations) a discrepancy opened, from every registered handler."""
    return [r for _open, find in _DISCREPANCY_HANDLERS if (r := find(reconciliation)) is not None]


@service
def reconcile_labels(batch, template: str, used, destroyed, returned, *, user,
                     reason: str = "") -> LabelReconciliation:
    """Record, per template, issued = used + destroyed + returned as found. A mismatch is recorded with its
    discrepancy and needs a reason (400 ``reason_required``); it opens a deviation through the registered
    discrepancy handlers (qc), in the same transaction. A template is reconciled once per batch."""
    errors = {}
    values = {}
    for name, value in (("used", used), ("destroyed", destroyed), ("returned", returned)):
        try:
            values[name] = int(value)
            if values[name] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = [_("Enter a whole number, zero or more.")]
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    used_templates = sorted(set(PrintJob.objects.filter(batch=batch).values_list("template", flat=True)))
    if template not in used_templates:
        errors["template"] = [_("Reconcile a template the batch's print jobs used: %(names)s.")
                              % {"names": ", ".join(used_templates) or "—"}]
    if errors:
        raise ValidationError(errors)
    if LabelReconciliation.objects.filter(batch=batch, template=template).exists():
        raise DomainError(_("The %(template)s labels of %(lot)s are already reconciled.")
                          % {"template": template, "lot": batch.lot_number}, "already_reconciled")
    issued = labels_issued(batch, template)
    discrepancy = issued - (values["used"] + values["destroyed"] + values["returned"])
    if discrepancy and not reason:
        raise ReasonRequired()
    reconciliation = LabelReconciliation.objects.create(
        batch=batch, template=template, issued=issued, discrepancy=discrepancy, reason=reason, recorded_by=user,
        recorded_at=timezone.now(), **values)
    reconciliation.opened = [open_record(reconciliation, user) for open_record, _find in _DISCREPANCY_HANDLERS] \
        if discrepancy else []
    return reconciliation
