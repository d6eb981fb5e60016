"""Pages of the lab: clients, assays, samples (receive one, import a file, start, report, reject, correct), and
the throughput and turnaround dashboard with its export. Every change calls lab.services."""

import csv
import io
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from lab import forms, services
from lab.filters import AssayFilter, ClientFilter, SampleFilter
from lab.intake import COLUMNS, IntakeFileError, check_file
from lab.models import Assay, Client, Sample
from lab.throughput import MAX_DAYS, Query, compute, window
from lims import search
from lims.listing import Column, ListPage, LocalTimeColumn, RolePageMixin
from lims.masterdata import MasterListMixin
from lims.pages import ServiceFormView, SigningActionView, chart_config
from lims.signatures import signature_rows


# --- clients and assays ----------------------------------------------------------------------------------
class ClientList(MasterListMixin, ListPage):
    model = Client
    queryset = Client.objects.select_related("project")
    filterset_class = ClientFilter
    title = _("Lab clients")
    columns = [
        Column("code", _("Code"), sort="code", link=True),
        Column("display_name", _("Name"), sort="name"),
        Column("kind", _("Kind"), sort="kind"),
        Column("project.code", _("Incubator project"), sort="project__code"),
        Column("contact", _("Contact")),
        Column("active", _("Active"), sort="active"),
    ]
    search_fields = ("code", "name", "name_zh", "contact")
    default_sort = "code"
    export_name = "lab-clients"


class AssayList(MasterListMixin, ListPage):
    model = Assay
    filterset_class = AssayFilter
    title = _("Assays")
    columns = [
        Column("code", _("Code"), sort="code", link=True),
        Column("display_name", _("Name"), sort="name"),
        Column("method", _("Method"), sort="method"),
        Column("tat_target_hours", _("TAT target (h)"), sort="tat_target_hours"),
        Column("price", _("Price (CNY)"), sort="price"),
        Column("active", _("Active"), sort="active"),
    ]
    search_fields = ("code", "name", "name_zh", "method")
    default_sort = "code"
    export_name = "lab-assays"


class SampleList(ListPage):
    model = Sample
    queryset = Sample.objects.select_related("client", "assay")
    filterset_class = SampleFilter
    title = _("Samples")
    template_name = "lab/sample_list.html"
    columns = [
        Column("barcode", _("Barcode"), sort="barcode", link=True),
        Column("client.code", _("Client"), sort="client__code"),
        Column("assay.code", _("Assay"), sort="assay__code"),
        Column("status", _("Status"), sort="status"),
        LocalTimeColumn("received_at", _("Received at"), sort="received_at"),
        LocalTimeColumn("reported_at", _("Reported at"), sort="reported_at"),
        Column("result", _("Result")),
    ]
    search_fields = ("barcode", "client__code", "client__name", "client__name_zh")
    default_sort = "-received_at"
    create_url_name = "lab:sample-receive"
    export_name = "lab-samples"

    def search_condition(self, q):
        """A sample number (any part of it on PostgreSQL, its beginning on SQLite: ``lims.search.code_match``)
        or a client's code or name (the few matching clients looked up first, then their samples by the indexed
        client column). Results are not searched as text: a list of results is a filter's job."""
        cond = search.code_match(Sample, "barcode", q)
        clients = search.related_ids(Client, ("code", "name", "name_zh"), q)
        if clients:
            cond |= Q(client_id__in=clients)
        return cond


class ClientDetail(RolePageMixin, TemplateView):
    permission_required = "lab.view_client"
    template_name = "lab/client_detail.html"

    def get_context_data(self, **kwargs):
        client = get_object_or_404(Client.objects.restrict(self.request.user).select_related("project"),
                                   pk=self.kwargs["pk"])
        recent = list(client.samples.select_related("assay").order_by("-received_at", "-id")[:20])
        end = timezone.localdate()
        figures = compute(Query(start=end - timedelta(days=89), end=end, bucket="month", client_id=client.pk))
        return super().get_context_data(object=client, client=client, recent=recent, figures=figures,
                                        can_change=self.request.user.has_perm("lab.change_client"), **kwargs)


class AssayDetail(RolePageMixin, TemplateView):
    permission_required = "lab.view_assay"
    template_name = "lab/assay_detail.html"

    def get_context_data(self, **kwargs):
        assay = get_object_or_404(Assay.objects.restrict(self.request.user), pk=self.kwargs["pk"])
        end = timezone.localdate()
        figures = compute(Query(start=end - timedelta(days=89), end=end, bucket="month", assay_id=assay.pk))
        return super().get_context_data(object=assay, assay=assay, figures=figures,
                                        can_change=self.request.user.has_perm("lab.change_assay"), **kwargs)


# --- samples ---------------------------------------------------------------------------------------------
class SampleDetail(RolePageMixin, TemplateView):
    permission_required = "lab.view_sample"
    template_name = "lab/sample_detail.html"

    def get_context_data(self, **kwargs):
        sample = get_object_or_404(Sample.objects.restrict(self.request.user).select_related(
            "client", "assay", "reported_by", "reviewed_by"), pk=self.kwargs["pk"])
        tat = sample.tat_hours
        user = self.request.user
        return super().get_context_data(
            object=sample, sample=sample, tat_hours=tat,
            within_target=None if tat is None else tat <= sample.assay.tat_target_hours,
            can_change=user.has_perm("lab.change_sample"), is_open=sample.status in Sample.OPEN,
            can_review=sample.status == Sample.Status.REPORTED and not sample.reviewed_by_id
            and user.has_perm("lab.review_sample"),
            review_signing=services.REVIEW_RESULT, signatures=signature_rows(sample), **kwargs)


class SampleReceive(ServiceFormView):
    """Receipt at the counter. A scan of the tube (``scan``, sent alone by the scanner's Enter) opens the sample
    when that barcode was already received, or takes the barcode for the new sample; the rest of the form then
    receives it."""

    permission_required = "lab.add_sample"
    form_class = forms.ReceiveForm
    title = _("Receive a sample")
    success_message = _("The sample was received.")

    def back_url(self):
        return reverse("lab:sample-list")

    def post(self, request, *args, **kwargs):
        scanned = scanned_barcode(request.POST.get("scan", ""))
        if scanned and not request.POST.get("client"):
            sample = Sample.objects.filter(barcode=scanned).first()
            if sample is not None:
                messages.info(request, gettext("Sample %(barcode)s was already received on %(when)s.") % {
                    "barcode": sample.barcode,
                    "when": timezone.localtime(sample.received_at).strftime("%Y-%m-%d %H:%M %Z")})
                return redirect(sample.get_absolute_url())
            form = self.get_form_class()(initial={"barcode": scanned})
            messages.info(request, gettext("New tube %(barcode)s: choose the client and the assay, then receive "
                                           "it.") % {"barcode": scanned})
            return self.render_to_response(self.get_context_data(form=self.get_form_for(form)))
        return super().post(request, *args, **kwargs)

    def get_form_for(self, form):
        from lims.forms import bootstrap

        return bootstrap(form)

    def perform(self, form):
        d = form.cleaned_data
        if not d["barcode"] and d.get("scan"):
            d["barcode"] = scanned_barcode(d["scan"])
        try:
            [sample] = services.receive_samples([{
                "barcode": d["barcode"], "client": d["client"], "assay": d["assay"],
                "received_at": d["received_at"]}], user=self.request.user, reason=d["reason"])
        except ValidationError as exc:
            # The service names rows ("0.barcode"); a single form has fields.
            raise ValidationError({k.split(".", 1)[1]: v for k, v in exc.message_dict.items()}) from None
        return sample


def scanned_barcode(text: str) -> str:
    """The tube barcode in what a scanner sent: the text itself, or the serial (21) or lot (10) of a GS1 code
    (a tube label printed as GS1 DataMatrix), read by lims.scan."""
    text = (text or "").strip()
    if not text:
        return ""
    from lims.scan import ScanError, parse_scan

    try:
        scan = parse_scan(text)
    except ScanError:
        return text
    for attr in ("serial", "lot"):
        value = getattr(scan, attr, None)
        if value:
            return value
    return text


class SampleReview(SigningActionView):
    """The second person's review of a reported result: both signature components; meaning "reviewed"."""

    permission_required = ("lab.review_sample",)
    signing = services.REVIEW_RESULT

    def get_object(self):
        return get_object_or_404(Sample, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return services.review_result(obj, **form.signing_kwargs(), user=self.request.user)


class SampleReportPdf(RolePageMixin, View):
    """The client report of one reported sample (lab.report), with its signatures."""

    permission_required = "lab.view_sample"

    def get(self, request, pk):
        from lab.report import client_report

        sample = get_object_or_404(Sample.objects.restrict(request.user).select_related(
            "client", "assay", "reported_by", "reviewed_by"), pk=pk)
        if sample.status != Sample.Status.REPORTED:
            raise Http404(gettext("Only a reported sample has a client report."))
        response = HttpResponse(client_report(sample, printed_by=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="report-{sample.barcode}.pdf"'
        return response


class ImportTemplate(RolePageMixin, View):
    """The import template (header and example rows) as CSV or XLSX."""

    permission_required = "lab.add_sample"

    def get(self, request, fmt):
        from lab.intake import template_file

        if fmt not in ("csv", "xlsx"):
            raise Http404(gettext("Templates exist as CSV and XLSX."))
        content, content_type = template_file(fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="lab-samples-template.{fmt}"'
        return response


class SampleAction(ServiceFormView):
    permission_required = "lab.change_sample"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.sample = get_object_or_404(Sample.objects.select_related("assay", "client"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def back_url(self):
        return self.sample.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": self.heading % {"barcode": self.sample.barcode}}


class SampleStart(SampleAction):
    form_class = forms.StartForm
    heading = _("Start testing %(barcode)s")
    success_message = _("Testing started.")

    def perform(self, form):
        return services.start_testing(self.sample, user=self.request.user, reason=form.cleaned_data["reason"])


class SampleReport(SampleAction):
    form_class = forms.ReportForm
    heading = _("Report the result of %(barcode)s")
    success_message = _("The result was reported.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "assay": self.sample.assay}

    def perform(self, form):
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        return services.report_result(self.sample, user=self.request.user, reason=reason, **d)


class SampleReject(SampleAction):
    form_class = forms.RejectForm
    heading = _("Reject %(barcode)s as unfit")
    success_message = _("The sample was rejected.")

    def perform(self, form):
        return services.reject_sample(self.sample, user=self.request.user, reason=form.cleaned_data["reason"])


class SampleCorrect(SampleAction):
    form_class = forms.CorrectForm
    heading = _("Correct %(barcode)s")
    success_message = _("The sample was corrected.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Sample.objects.get(pk=self.sample.pk)}

    def perform(self, form):
        return services.correct_sample(self.sample, form.changes(), user=self.request.user,
                                       reason=form.cleaned_data["reason"],
                                       expected_version=form.cleaned_data["version"])


class SampleImport(ServiceFormView):
    """Upload a CSV or XLSX file of samples: every bad row is listed (row as in the file, column, reason) and
    nothing is imported unless every row is good."""

    permission_required = "lab.add_sample"
    form_class = forms.ImportForm
    template_name = "lab/sample_import.html"
    title = _("Import samples")

    def back_url(self):
        return reverse("lab:sample-list")

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            rows, errors = check_file(upload.name, upload.read())
        except IntakeFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        if not errors:
            try:
                created = services.receive_samples(rows, user=self.request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:  # a barcode taken in the meantime: still all or nothing
                form.add_error(None, "; ".join(exc.messages))
                return self.form_invalid(form)
            messages.success(self.request, ngettext("%(n)s sample imported.", "%(n)s samples imported.",
                                                    len(created)) % {"n": len(created)})
            return redirect("lab:sample-list")
        return self.render_to_response(self.get_context_data(form=form, row_errors=errors), status=400)

    def form_invalid(self, form):
        # Like the readings upload and the API: a refused import answers 400, with every error shown.
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=COLUMNS, **kwargs)


# --- throughput ------------------------------------------------------------------------------------------
class ThroughputDashboard(RolePageMixin, TemplateView):
    """Completed tests, median and p90 turnaround, % within target and backlog per period (lab.throughput), as
    charts and tables, exported as CSV or XLSX with the same numbers the API returns."""

    permission_required = "lab.view_sample"
    template_name = "lab/throughput.html"

    def get(self, request, *args, **kwargs):
        form = forms.ThroughputForm(request.GET or None)
        figures = None
        if not form.is_bound or form.is_valid():
            d = form.cleaned_data if form.is_bound else {}
            start, end = window(d.get("start"), d.get("end"))
            if end < start:
                form.add_error("end", _("The end date is before the start date."))
            elif (end - start).days >= MAX_DAYS:
                form.add_error("start", _("The window is longer than ten years."))
            else:
                figures = compute(Query(start=start, end=end, bucket=d.get("bucket") or "day",
                                        assay_id=d["assay"].pk if d.get("assay") else None,
                                        client_id=d["client"].pk if d.get("client") else None), summary=True)
        if figures is not None and request.GET.get("export") in ("csv", "xlsx"):
            return export(figures, request.GET["export"])
        query = request.GET.copy()
        query.pop("export", None)
        context = self.get_context_data(form=form, figures=figures, querystring=query.urlencode(),
                                        shown_rows=DETAIL_ROWS)
        if figures is not None:
            context["charts"] = charts(figures)
            context["rows_cut"] = len(figures["rows"]) > DETAIL_ROWS
            context["clients_cut"] = len(figures["clients"]) > DETAIL_ROWS
        return render(request, self.template_name, context)


DETAIL_ROWS = 100  # per-period detail rows shown on the page; the export holds them all


def charts(figures) -> dict:
    totals = figures["totals"]
    labels = [t["period"] for t in totals]
    return {
        "volume_chart": chart_config("bar", labels, [
            {"type": "bar", "label": gettext("Completed"), "data": [t["completed"] for t in totals]},
            {"type": "line", "label": gettext("Backlog"), "data": [t["backlog"] for t in totals]},
        ]),
        "tat_chart": chart_config("line", labels, [
            {"label": gettext("Median TAT (h)"), "data": [t["median_tat_hours"] for t in totals]},
            {"label": gettext("90th percentile TAT (h)"), "data": [t["p90_tat_hours"] for t in totals]},
        ]),
        "target_chart": chart_config("line", labels, [
            {"label": gettext("Within target (%)"), "data": [t["within_target_pct"] for t in totals]},
        ], scales={"y": {"min": 0, "max": 100}}),
    }


EXPORT_HEADER = ["period", "completed", "median_tat_hours", "p90_tat_hours", "within_target_pct", "backlog"]


def export(figures, fmt):
    from lims.exports import safe_cell

    assay_rows = [["assay", "assay_code", *EXPORT_HEADER]] + [
        [r["assay"], r["assay_code"], *(r[h] for h in EXPORT_HEADER)] for r in figures["rows"]]
    stamp = f"lab-throughput-{figures['start']}-{figures['end']}-{figures['bucket']}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        csv.writer(buffer).writerows([safe_cell(v) for v in row] for row in assay_rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {
        "assays": assay_rows,
        "clients": [["client", "client_code", *EXPORT_HEADER]] + [
            [r["client"], r["client_code"], *(r[h] for h in EXPORT_HEADER)] for r in figures["clients"]],
        "totals": [EXPORT_HEADER] + [[t[h] for h in EXPORT_HEADER] for t in figures["totals"]],
    }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])  # text never becomes a formula (lims.exports)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stamp}.xlsx"'
    return response
