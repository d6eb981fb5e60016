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
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import apply_errors
from lims.pdf import PdfRenderer, login_or_api
from production.models import Batch, Product

from .forms import PrintForm, ReconcileForm
from .models import CaseSerialCounter, LabelReconciliation, PrintJob
from .services import (
    discrepancy_records,
    is_printable,
    ivdr_particulars,
    job_pdf,
    labels_issued,
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
    response["Content-Disposition"] = (f'inline; filename="labels-{job.batch.lot_number}-{job.template}-'
                                       f'{job.pk}.pdf"')
    response["Cache-Control"] = "no-store"
    return response


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


def labelling_context(request, batch) -> dict | None:
    """The labels of a batch for its page (and for production's batch page panel)."""
    user = request.user
    if not user.has_perm("labelling.view_printjob"):
        return None
    return {
        "batch": batch,
        "jobs": list(PrintJob.objects.filter(batch=batch).select_related("printed_by", "batch")
                     .annotate(reprints=Count("outputs", filter=Q(outputs__kind="reprint")))[:50]),
        "reconciliations": [(r, discrepancy_records(r)) for r in
                            LabelReconciliation.objects.filter(batch=batch).select_related("recorded_by", "batch")],
        "issued": labels_issued(batch),
        "issued_by_template": {t: labels_issued(batch, t) for t in ("unit", "case")},
        "printable": is_printable(batch),
        "can_print": user.has_perm("labelling.add_printjob") and is_printable(batch),
        "can_output": user.has_perm("labelling.add_printjob"),
        "can_reconcile": user.has_perm("labelling.add_labelreconciliation"),
        "can_view_record": user.has_perm("production.view_batch"),
        "print_form": PrintForm(),
        "reconcile_form": ReconcileForm(),
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
        try:
            job = print_labels(batch, form.cleaned_data["template"], form.cleaned_data["stock"] or None,
                               form.cleaned_data["copies"], user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return self._error(request, form, "")
        except DomainError as exc:
            return self._error(request, form, str(exc.message))
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


class PrintJobList(ListPage):
    model = PrintJob
    queryset = PrintJob.objects.select_related("batch__product", "printed_by")
    title = gettext_lazy("Label print jobs")
    export_name = "print-jobs"
    search_fields = ["batch__lot_number", "batch__product__code", "serial_from", "serial_to"]
    default_sort = "-printed_at"
    columns = [
        Column("batch.lot_number", gettext_lazy("Lot"), sort="batch__lot_number"),
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
