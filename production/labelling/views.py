"""Label and batch-record PDFs (token or session), the batch's labelling page, the print-job list and the
public GS1 Digital Link resolver."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from lims.errors import DomainError
from lims.labels.gs1 import is_valid_gtin14
from lims.labels.zpl import DOTS_PER_MM
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ServiceFormView, apply_errors
from lims.pdf import PdfRenderer, login_or_api
from production.models import Batch, MaterialLot, Product

from . import services
from .forms import MaterialPrintForm, OutputForm, PrinterForm, PrintForm, ReconcileForm
from .models import CaseSerialCounter, LabelReconciliation, Printer, PrintJob, PrintJobOutput
from .services import (
    discrepancy_records,
    is_printable,
    ivdr_particulars,
    job_filename,
    job_pdf,
    job_zpl,
    labels_issued,
    labels_issued_by_template,
    max_copies,
    print_labels,
    reconcile_labels,
    record_output,
)

_login_or_api = login_or_api


def _batch(lot_number) -> Batch:
    return get_object_or_404(Batch.objects.select_related("product", "line", "bom"), lot_number=lot_number)


def job_pdf_response(job: PrintJob, user) -> StreamingHttpResponse:
    """The job's PDF, streamed as it is rendered (the same labels and serials every time); the output is
    recorded (print, then reprints) before the first byte leaves."""
    record_output(job, user=user, reason="")
    response = StreamingHttpResponse(job_pdf(job), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{job_filename(job, "pdf")}"'
    response["Cache-Control"] = "no-store"
    return response


def zpl_resolution(request) -> int:
    """``?dots_per_mm=8|12|24`` or ``?printer=<id>`` (its resolution); 8 by default; 400 naming the field."""
    printer = request.GET.get("printer")
    if printer:
        found = Printer.objects.filter(pk=printer).first() if printer.isdigit() else None
        if found is None:
            raise ValidationError({"printer": [_("Unknown printer.")]})
        return found.dots_per_mm
    value = request.GET.get("dots_per_mm") or "8"
    if not value.isdigit() or int(value) not in DOTS_PER_MM:
        raise ValidationError({"dots_per_mm": [_("Choose 8, 12 or 24 dots per mm.")]})
    return int(value)


def job_zpl_response(job: PrintJob, user, dots_per_mm: int) -> StreamingHttpResponse:
    """The job's ZPL as a file, streamed (the same bytes every time for one resolution); recorded as an output."""
    record_output(job, fmt=PrintJobOutput.Format.ZPL, user=user, reason="")
    response = StreamingHttpResponse(job_zpl(job, dots_per_mm), content_type="application/zpl")
    response["Content-Disposition"] = f'attachment; filename="{job_filename(job, "zpl")}"'
    response["Cache-Control"] = "no-store"
    return response


class _JobApi(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]
    required_permissions = "labelling.add_printjob"
    schema = None
    material = False

    def job(self, key, pk):
        jobs = PrintJob.objects.select_related("batch__product", "material_lot__material")
        if self.material:
            return get_object_or_404(jobs, pk=pk, material_lot_id=key)
        return get_object_or_404(jobs, pk=pk, batch__lot_number=key)


class JobZplApi(_JobApi):
    """GET: the ZPL of one print job (token or session), for ``?dots_per_mm`` (8, 12, 24) or ``?printer``."""

    def get(self, request, key, pk):
        job = self.job(key, pk)
        return job_zpl_response(job, request.user, zpl_resolution(request))


class MaterialJobPdfApi(_JobApi):
    """GET: the PDF of one receiving-label print job of a material lot. Issues nothing: a reprint is recorded."""

    material = True

    def get(self, request, key, pk):
        return job_pdf_response(self.job(key, pk), request.user)


class MaterialJobZplApi(JobZplApi):
    material = True


class JobPdfApi(APIView):
    """GET: the PDF of one print job of the batch (token or session). Issues nothing: a reprint is recorded."""

    renderer_classes = [JSONRenderer, PdfRenderer]
    required_permissions = "labelling.add_printjob"
    schema = None

    def get(self, request, lot_number, pk):
        job = get_object_or_404(PrintJob.objects.select_related("batch__product"), pk=pk,
                                batch__lot_number=lot_number)
        return job_pdf_response(job, request.user)


job_pdf_view = _login_or_api(JobPdfApi.as_view())
job_zpl_view = login_or_api(JobZplApi.as_view())
material_job_pdf_view = login_or_api(MaterialJobPdfApi.as_view())
material_job_zpl_view = login_or_api(MaterialJobZplApi.as_view(material=True))


def _jobs(queryset):
    return list(queryset.select_related("printed_by", "batch", "material_lot")
                .annotate(reprints=Count("outputs", filter=Q(outputs__kind="reprint")))[:50])


def start_output(request, job: PrintJob, output: str, printer, reason: str, key: str):
    """Start the background task that renders ``job`` as PDF or ZPL, or sends it to ``printer``; the same form
    submission (its idempotency key) starts one task only."""
    from lims.tasks import start_task

    fmt = "printer" if printer is not None else output
    params = {"job": job.pk, "format": fmt, "reason": reason}
    if printer is not None:
        params["printer"] = printer.pk
    return start_task("labelling.render_job", params, user=request.user,
                      key=f"labelling.render:{job.pk}:{fmt}:{key}" if key else None)


KITS_PER_CASE = 20  # the shipping case of the demo's kits; settings.LIMS_KITS_PER_CASE overrides it


def print_initial(batch, cases_issued: int | None = None) -> dict:
    """The print form's prefill: for a released batch, the case labels still to issue for the kits released (one
    per case, rounded up), made as a PDF in the background; otherwise one unit label. ``cases_issued``: the case
    labels already issued, when the caller has counted them."""
    if batch.status != "released" or not batch.quantity_released:
        return {}
    per_case = max(1, int(getattr(settings, "LIMS_KITS_PER_CASE", KITS_PER_CASE)))
    if cases_issued is None:
        cases_issued = labels_issued(batch, "case")
    cases = -(-batch.quantity_released // per_case) - cases_issued
    if cases < 1:
        return {}
    return {"template": "case", "copies": min(cases, max_copies()), "output": "pdf"}


def labelling_context(request, batch) -> dict | None:
    """The labels of a batch for its page (and for production's batch page panel)."""
    user = request.user
    if not user.has_perm("labelling.view_printjob"):
        return None
    by_template = labels_issued_by_template(batch)
    printable = is_printable(batch)
    return {
        "batch": batch,
        "jobs": _jobs(PrintJob.objects.filter(batch=batch)),
        "reconciliations": [(r, discrepancy_records(r)) for r in
                            LabelReconciliation.objects.filter(batch=batch).select_related("recorded_by", "batch")],
        "issued": sum(by_template.values()),
        "issued_by_template": by_template,
        "printable": printable,
        "can_print": user.has_perm("labelling.add_printjob") and printable,
        "can_output": user.has_perm("labelling.add_printjob"),
        "can_reconcile": user.has_perm("labelling.add_labelreconciliation"),
        "can_view_record": user.has_perm("production.view_batch"),
        "print_form": PrintForm(initial=print_initial(batch, by_template.get("case", 0))),
        "output_form": OutputForm() if user.has_perm("labelling.add_printjob") else None,
        "reconcile_form": ReconcileForm(),
    }


def material_lot_context(request, lot) -> dict | None:
    """The receiving labels of a material lot, for its page (registered as a ``materiallot`` panel)."""
    user = request.user
    if not user.has_perm("labelling.view_printjob"):
        return None
    printable = services.receiving_printable(lot)
    can_print = user.has_perm("labelling.add_printjob")
    return {
        "lot": lot,
        "jobs": _jobs(PrintJob.objects.filter(material_lot=lot)),
        "printable": printable,
        "status_printed": services.RECEIVING_STATUS.get(lot.status, ""),
        "can_print": can_print and printable,
        "can_output": can_print,
        "print_form": MaterialPrintForm(),
        "output_form": OutputForm() if can_print else None,
    }


class BatchLabels(RolePageMixin, TemplateView):
    """The batch's labels: print form, print jobs, reconciliation."""

    permission_required = "labelling.view_printjob"
    template_name = "labelling/batch_labels.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = _batch(self.kwargs["lot_number"])
        panel = labelling_context(self.request, batch) or {}
        for key in ("print_form", "reconcile_form"):
            if key in kwargs:
                panel[key] = kwargs[key]
        ctx.update(batch=batch, view_panel=panel)
        ctx["title"] = _("Labels of batch %(lot)s") % {"lot": batch.lot_number}
        return ctx

    def _error(self, request, form, message):
        if message:
            messages.error(request, message)
        return self.render_to_response(self.get_context_data(**{form.form_key: form}))


class BatchPrint(BatchLabels):
    """POST the print form (CSRF, reason): records the job, then back to the labels page, which links to the
    job's PDF. A reload of that page prints nothing."""

    permission_required = "labelling.add_printjob"
    http_method_names = ["post"]

    def post(self, request, lot_number):
        batch = _batch(lot_number)
        form = PrintForm(request.POST)
        form.form_key = "print_form"
        if not form.is_valid():
            return self._error(request, form, "")
        data = form.cleaned_data
        try:
            job = print_labels(batch, data["template"], data["stock"] or None, data["copies"], user=request.user,
                               reason=data["reason"], key=data.get("idempotency_key") or None)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self._error(request, form, "")
        except DomainError as exc:
            return self._error(request, form, str(exc.message))
        if data.get("output"):
            run = start_output(request, job, data["output"], form.printer, data["reason"],
                               data.get("idempotency_key"))
            return redirect(run.get_absolute_url())
        messages.success(request, _("Print job %(id)s recorded: %(copies)s %(template)s labels. Open its PDF from "
                                    "the list of print jobs.") % {"id": job.pk, "copies": job.copies,
                                                                  "template": job.template})
        return redirect(f"{reverse('labelling:batch-labels', args=[batch.lot_number])}#job-{job.pk}")


class BatchReconcile(BatchLabels):
    permission_required = "labelling.add_labelreconciliation"
    http_method_names = ["post"]

    def post(self, request, lot_number):
        batch = _batch(lot_number)
        form = ReconcileForm(request.POST)
        form.form_key = "reconcile_form"
        if not form.is_valid():
            return self._error(request, form, "")
        data = form.cleaned_data
        try:
            rec = reconcile_labels(batch, data["template"], data["used"], data["destroyed"], data["returned"],
                                   user=request.user, reason=data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return self._error(request, form, "")
        except DomainError as exc:
            return self._error(request, form, str(exc.message))
        if rec.discrepancy:
            messages.warning(request, _("Recorded with a discrepancy of %(n)s labels; deviation opened: %(dev)s.")
                             % {"n": rec.discrepancy, "dev": ", ".join(str(d) for d in rec.opened) or "—"})
        else:
            messages.success(request, _("Labels reconciled."))
        return redirect("labelling:batch-labels", batch.lot_number)


class JobOutput(RolePageMixin, View):
    """POST: a new output of an existing job (a reprint) made in the background — a PDF or ZPL file, or ZPL sent
    to a printer — then its progress page."""

    permission_required = "labelling.add_printjob"
    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(PrintJob.objects.select_related("batch", "material_lot"), pk=pk)
        form = OutputForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(job.get_absolute_url())
        data = form.cleaned_data
        if form.printer is not None:
            try:
                services.check_printer(job, form.printer)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return redirect(job.get_absolute_url())
        run = start_output(request, job, data["output"], form.printer, data.get("reason") or "",
                           data.get("idempotency_key"))
        return redirect(run.get_absolute_url())


class MaterialLotPrint(RolePageMixin, View):
    """POST the receiving-label form of a material lot (CSRF, reason): records the job, then back to the lot's page
    (or to the background task's progress when a file or a printer was chosen)."""

    permission_required = "labelling.add_printjob"
    http_method_names = ["post"]

    def post(self, request, pk):
        lot = get_object_or_404(MaterialLot.objects.select_related("material"), pk=pk)
        form = MaterialPrintForm(request.POST)
        back = reverse("production:materiallot-detail", args=[lot.pk])
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect(back)
        data = form.cleaned_data
        try:
            job = services.print_material_labels(lot, data["stock"] or None, data["copies"], user=request.user,
                                                 reason=data["reason"], key=data.get("idempotency_key") or None)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
            return redirect(back)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(back)
        if data.get("output"):
            run = start_output(request, job, data["output"], form.printer, data["reason"],
                               data.get("idempotency_key"))
            return redirect(run.get_absolute_url())
        messages.success(request, _("Print job %(id)s recorded: %(copies)s receiving labels (%(status)s).")
                         % {"id": job.pk, "copies": job.copies, "status": job.label_status})
        return redirect(f"{back}#job-{job.pk}")


class PrinterList(ListPage):
    model = Printer
    queryset = Printer.objects.all()
    title = gettext_lazy("Label printers")
    export_name = "printers"
    search_fields = ["name", "address", "location"]
    default_sort = "name"
    create_url_name = "labelling:printer-create"
    create_permission = "labelling.add_printer"
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("address", gettext_lazy("Address"), sort="address"),
        Column("port", gettext_lazy("Port")),
        Column("get_dots_per_mm_display", gettext_lazy("Resolution")),
        Column("stock", gettext_lazy("Stock"), sort="stock"),
        Column("location", gettext_lazy("Location")),
        Column("active", gettext_lazy("Active")),
    ]


class PrinterCreate(ServiceFormView):
    permission_required = "labelling.add_printer"
    form_class = PrinterForm
    title = gettext_lazy("Register a label printer")
    success_message = gettext_lazy("Printer registered.")

    def back_url(self):
        return reverse("labelling:printer-list")

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        return services.create_printer(data, user=self.request.user, reason=form.cleaned_data.get("reason") or "")


class PrinterEdit(ServiceFormView):
    """A printer's settings; a change needs a reason (it is audited like every edit)."""

    permission_required = "labelling.change_printer"
    form_class = PrinterForm
    success_message = gettext_lazy("Printer saved.")

    def get_printer(self):
        return get_object_or_404(Printer, pk=self.kwargs["pk"])

    def get_permission_required(self):
        if self.request.method == "GET":
            return ("labelling.view_printer",)
        return super().get_permission_required()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_printer()}

    def get_context_data(self, **kwargs):
        printer = self.get_printer()
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = str(printer)
        if not self.request.user.has_perm("labelling.change_printer"):
            for field in ctx["form"].fields.values():
                field.disabled = True
            ctx["submit_label"] = ""
        return ctx

    def back_url(self):
        return reverse("labelling:printer-list")

    def perform(self, form):
        printer = self.get_printer()
        changes = {k: v for k, v in form.cleaned_data.items()
                   if k != "reason" and getattr(printer, k) != v}
        return services.update_printer(printer, changes, user=self.request.user,
                                       reason=form.cleaned_data.get("reason") or "")


class PrintJobList(ListPage):
    model = PrintJob
    queryset = PrintJob.objects.select_related("batch__product", "printed_by", "material_lot")
    title = gettext_lazy("Label print jobs")
    export_name = "print-jobs"
    search_fields = ["batch__lot_number", "batch__product__code", "serial_from", "serial_to"]
    default_sort = "-printed_at"
    columns = [
        Column("subject_code", gettext_lazy("Lot")),
        Column("batch.product.code", gettext_lazy("Product"), sort="batch__product__code"),
        Column("template", gettext_lazy("Template"), sort="template"),
        Column("stock", gettext_lazy("Stock"), sort="stock"),
        Column("copies", gettext_lazy("Copies"), sort="copies"),
        Column("serial_from", gettext_lazy("First serial")),
        Column("serial_to", gettext_lazy("Last serial")),
        Column("printed_by", gettext_lazy("Printed by")),
        Column("printed_at", gettext_lazy("Printed at"), sort="printed_at", link=True),
    ]


def _particulars(product) -> dict:
    """The manufacturer, CE marking (with the notified body for the classes that need one) and EU representative
    shown on the public page the labels' QR code and IFU link lead to."""
    try:
        particulars = ivdr_particulars(product)
    except ValueError:
        particulars = {}
    return {"manufacturer": settings.LIMS_MANUFACTURER, "particulars": particulars}


class Resolver(View):
    """GS1 Digital Link resolver: ``/01/<gtin>/10/<lot>[/21/<serial>][?17=YYMMDD]`` → the lot's public page."""

    def get(self, request, gtin, lot=None, serial=None):
        if not is_valid_gtin14(gtin):
            raise Http404("invalid GTIN")
        if lot is None:
            product = Product.objects.filter(gtin=gtin).first()
            if product is None:
                raise Http404("unknown GTIN")
            return render(request, "labelling/resolver.html", {"product": product, "batch": None,
                                                               **_particulars(product)})
        batch = (Batch.objects.select_related("product").filter(lot_number=lot, product__gtin=gtin).first())
        if batch is None:
            raise Http404("unknown lot")
        if serial is not None:
            issued = CaseSerialCounter.objects.filter(batch=batch).values_list("last_value", flat=True).first() or 0
            if not (serial.isdigit() and 1 <= int(serial) <= issued):
                raise Http404("unknown serial")
        today = timezone.localdate()
        expired = batch.expiry_date < today
        rejected = batch.status == Batch.Status.REJECTED
        printed_expiry = None
        raw = request.GET.get("17", "")
        if raw:
            try:
                printed_expiry = datetime.strptime(raw, "%y%m%d").date()
            except ValueError:
                printed_expiry = None
        user = request.user
        staff = user.is_authenticated and user.has_perm("production.view_batch")
        base = settings.LIMS_RESOLVER_BASE_URL.rstrip("/")
        context = {
            "batch": batch,
            "product": batch.product,
            "serial": serial,
            "expired": expired,
            "rejected": rejected,
            "do_not_use": expired or rejected,
            "released": batch.status == Batch.Status.RELEASED,
            "expiry_mismatch": printed_expiry is not None and printed_expiry != batch.expiry_date,
            "ifu_url": f"{base}/01/{batch.product.gtin}",
            "staff": staff,
            **_particulars(batch.product),
        }
        return render(request, "labelling/resolver.html", context)
