"""Pages of regulatory and export: lists (lims.listing.ListPage), the certification detail, the matrix
(products × markets), the eligibility checker, the per-market summary of shippable lots and the shipment form."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from lims.errors import DomainError
from lims.forms import bootstrap
from lims.listing import Column, ListPage, RolePageMixin
from lims.masterdata import MasterListMixin
from lims.pages import ActionView, ServiceFormView, SigningActionView, report_refusal
from lims.permissions import require
from lims.signatures import printed_name, signature_rows
from production.models import Batch
from qc.models import PerformanceStudy
from regulatory import matrix, services
from regulatory.eligibility import evaluate, shippable_summary
from regulatory.evidence import evidence
from regulatory.filters import (
    CertificationFilter,
    MarketRuleFilter,
    RecallFilter,
    ShipmentFilter,
    VerificationFilter,
)
from regulatory.forms import (
    CertificationEditForm,
    CertificationForm,
    DossierForm,
    ShipmentForm,
    VerificationDecideForm,
    VerificationEditForm,
    VerificationOpenForm,
)
from regulatory.models import (
    BatchVerification,
    BatchVerificationDocument,
    Certification,
    Dossier,
    Market,
    MarketRule,
    Shipment,
)


class MarketList(MasterListMixin, ListPage):
    model = Market
    queryset = Market.objects.all()
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "markets"
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("display_name", _("Name"), sort="name"),
        Column("authority", _("Authority")),
        Column("min_remaining_shelf_life_days", _("Minimum remaining shelf life (days)")),
        Column("label_languages", _("Label languages")),
    ]


class RuleList(ListPage):
    model = MarketRule
    queryset = MarketRule.objects.select_related("market")
    filterset_class = MarketRuleFilter
    search_fields = ("market__code", "source")
    default_sort = "market__code"
    export_name = "market-rules"
    columns = [
        Column("market.code", _("Market"), sort="market__code"),
        Column("version_number", _("Rule version")),
        Column("valid_from", _("Valid from"), sort="valid_from"),
        Column("required_kind_labels", _("Required certification kinds")),
        Column("batch_verification_classes", _("IVDR classes needing batch verification")),
        Column("source", _("Source")),
    ]


class CertificationList(ListPage):
    model = Certification
    queryset = Certification.objects.select_related("product", "market", "kind")
    filterset_class = CertificationFilter
    search_fields = ("number", "product__code")
    default_sort = "valid_until"
    export_name = "certifications"
    create_url_name = "regulatory:certification-create"
    columns = [
        Column("number", _("Number"), sort="number", link=True),
        Column("product.code", _("Product"), sort="product__code"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("kind.label", _("Kind")),
        Column("valid_from", _("Valid from"), sort="valid_from"),
        Column("valid_until", _("Valid until"), sort="valid_until"),
        Column("get_status_display", _("Status"), sort="status"),
    ]


class ShipmentList(ListPage):
    model = Shipment
    queryset = Shipment.objects.select_related("batch", "market", "shipped_by")
    filterset_class = ShipmentFilter
    search_fields = ("batch__lot_number", "consignee")
    default_sort = "-shipped_on"
    export_name = "shipments"
    columns = [
        Column("pk", _("Shipment"), sort="pk", link=True),
        Column("batch.lot_number", _("Lot"), sort="batch__lot_number"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("quantity", _("Quantity")),
        Column("shipped_on", _("Shipped on"), sort="shipped_on"),
        Column("consignee", _("Consignee")),
        Column("serial_ranges_text", _("Case serials")),
        Column("export_certificate_number", _("Export certificate number")),
        Column("shipped_by", _("Shipped by")),
    ]


class CertificationEdit(ServiceFormView):
    """Edit a register entry (validity, grace period, whether it covers pilot lots …) with a reason."""

    permission_required = "regulatory.change_certification"
    form_class = CertificationEditForm
    title = _("Edit a certification")
    success_message = _("Certification updated.")

    def certification(self):
        return get_object_or_404(Certification, pk=self.kwargs["pk"])

    def get_initial(self):
        cert = self.certification()
        return {name: getattr(cert, name) for name in CertificationEditForm.FIELDS} | {"version": cert.version}

    def perform(self, form):
        d = dict(form.cleaned_data)
        reason, version = d.pop("reason", ""), d.pop("version", None)
        return services.update_certification(self.certification(), d, user=self.request.user, reason=reason,
                                             expected_version=version)

    def back_url(self):
        return self.certification().get_absolute_url()


class CertificationDetail(RolePageMixin, TemplateView):
    permission_required = "regulatory.view_certification"
    template_name = "regulatory/certification_detail.html"

    def get_context_data(self, **kwargs):
        cert = get_object_or_404(Certification.objects.select_related("product", "market", "kind"), pk=kwargs["pk"])
        actions = [(name, label) for name, label in CERTIFICATION_ACTIONS.items()
                   if cert.status in services.TRANSITIONS[name][0]]
        return {**super().get_context_data(**kwargs), "certification": cert,
                "can_edit": self.request.user.has_perm("regulatory.change_certification"),
                "actions": actions if self.request.user.has_perm("regulatory.decide_certification") else []}


CERTIFICATION_ACTIONS = {"activate": _("Activate"), "suspend": _("Suspend"), "withdraw": _("Withdraw"),
                         "expire": _("Mark expired")}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class CertificationAction(ActionView):
    """A certification's life cycle from its page (a reason is required to suspend or withdraw)."""

    permission_required = "regulatory.decide_certification"
    form_class = ReasonForm
    success_message = _("Certification updated.")

    def get_object(self):
        if self.kwargs["action"] not in CERTIFICATION_ACTIONS:
            raise Http404
        return get_object_or_404(Certification, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        service = getattr(services, f"{self.kwargs['action']}_certification")
        return service(obj, user=self.request.user, reason=form.cleaned_data["reason"])


class MatrixPage(RolePageMixin, TemplateView):
    permission_required = "regulatory.view_certification"
    template_name = "regulatory/matrix.html"

    def get_context_data(self, **kwargs):
        markets, rows = matrix.build()
        return {**super().get_context_data(**kwargs), "markets": markets, "rows": rows}


class EligibilityPage(RolePageMixin, TemplateView):
    """A lot, a market and a date → eligible or every reason why not."""

    permission_required = "regulatory.view_certification"
    template_name = "regulatory/eligibility.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET
        context = {**super().get_context_data(**kwargs), "markets": Market.objects.all(),
                   "lot": q.get("lot", ""), "market_code": q.get("market", ""),
                   "date": q.get("date", "") or timezone.localdate().isoformat(), "errors": []}
        if q.get("lot") and q.get("market"):
            batch = Batch.objects.select_related("product").filter(lot_number=q["lot"]).first()
            market = Market.objects.filter(code=q["market"].upper()).first()
            try:
                on_date = date.fromisoformat(context["date"])
            except ValueError:
                on_date = None
                context["errors"].append(_("Enter a date as YYYY-MM-DD."))
            if batch is None:
                context["errors"].append(_("Unknown lot %(lot)s.") % {"lot": q["lot"]})
            if market is None:
                context["errors"].append(_("Unknown market %(market)s.") % {"market": q["market"]})
            if batch and market and on_date:
                result = evaluate(batch, market, on_date)
                context.update(result=True, eligible=result["eligible"], reasons=result["reasons"],
                               checks=result["checks"], warnings=result["warnings"], batch=batch, market=market)
        return context


class SummaryPage(RolePageMixin, TemplateView):
    """Per market, the released lots shippable today (computed in bulk: constant query count)."""

    permission_required = "regulatory.view_certification"
    template_name = "regulatory/summary.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return {**super().get_context_data(**kwargs), "today": today,
                "summary": shippable_summary(Market.objects.all(), today)}


class ShipmentCreate(ServiceFormView):
    permission_required = "regulatory.add_shipment"
    form_class = ShipmentForm
    template_name = "regulatory/shipment_form.html"
    title = _("Record a shipment")
    submit_label = _("Ship")
    success_message = _("Shipment recorded.")

    def get_initial(self):
        """From the batch page: the lot, the market asked for (else the first the lot is eligible for today), the
        kits released and not yet shipped, and the consignee of the last shipment to that market (its importer)."""
        today = timezone.localdate()
        initial = {"batch": self.request.GET.get("batch", ""), "shipped_on": today}
        batch = Batch.objects.select_related("product").filter(lot_number=initial["batch"]).first()
        if batch is None:
            return initial
        market = Market.objects.filter(code=self.request.GET.get("market", "")).first()
        if market is None:
            from regulatory.eligibility import eligible_markets

            market = next(iter(eligible_markets(batch, today)), None)
        available = batch.quantity_released - batch.quantity_shipped
        if available > 0:
            initial["quantity"] = available
        if market is not None:
            initial["market"] = market.code
            last = (Shipment.objects.filter(market=market).order_by("-shipped_on", "-pk")
                    .values_list("consignee", flat=True).first())
            if last:
                initial["consignee"] = last
        return initial

    def perform(self, form):
        d = form.cleaned_data
        try:
            return services.record_shipment(batch=d["batch"], market=d["market"], quantity=d["quantity"],
                                            shipped_on=d["shipped_on"], consignee=d["consignee"],
                                            export_certificate_number=d["export_certificate_number"],
                                            serials=d["serials"].splitlines(), user=self.request.user,
                                            reason=d["reason"])
        except DomainError as exc:
            for r in exc.reasons:  # every eligibility reason under the refusal
                form.add_error(None, str(r["detail"]))
            raise

    def success_url_for(self, obj):
        return obj.get_absolute_url()


class CertificationCreate(ServiceFormView):
    permission_required = "regulatory.add_certification"
    form_class = CertificationForm
    title = _("Register a certification")
    success_message = _("Certification registered.")

    def get_initial(self):
        """From a matrix cell's "register one": product, market and kind given."""
        return {k: self.request.GET[k] for k in ("product", "market", "kind") if self.request.GET.get(k, "").isdigit()}

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        return services.create_certification(data, user=self.request.user, reason=reason)


class DossierList(ListPage):
    model = Dossier
    queryset = Dossier.objects.select_related("product", "market", "template")
    search_fields = ("product__code", "market__code", "template__purpose")
    default_sort = "-pk"
    export_name = "dossiers"
    create_url_name = "regulatory:dossier-create"
    columns = [
        Column("pk", _("Dossier"), sort="pk", link=True),
        Column("product.code", _("Product"), sort="product__code"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("template.name", _("Purpose")),
        Column("get_status_display", _("Status"), sort="status"),
    ]


class DossierDetail(RolePageMixin, TemplateView):
    """The dossier workspace: each checklist item with its current document and an upload form."""

    permission_required = "regulatory.view_dossier"
    template_name = "regulatory/dossier_detail.html"

    def dossier(self):
        return get_object_or_404(Dossier.objects.select_related("product", "market", "template")
                                 .prefetch_related("items__documents__uploaded_by"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        dossier = self.dossier()
        percent, gaps = dossier.completeness()
        items = [{"item": i, "current": i.current_document(),
                  "versions": [d for d in i.documents.all() if not d.removed]} for i in dossier.items.all()]
        rule, rows = evidence(dossier)
        cited = {r.study.pk for r in rows}
        return {**super().get_context_data(**kwargs), "dossier": dossier, "items": items, "percent": percent,
                "submit_signing": services.SUBMIT_DOSSIER,
                "gaps": gaps, "signatures": signature_rows(dossier), "evidence_rule": rule, "evidence_rows": rows,
                "citable_studies": [s for s in PerformanceStudy.objects.filter(product=dossier.product)
                                    if s.pk not in cited],
                "can_change": self.request.user.has_perm("regulatory.change_dossier"),
                "can_cite": self.request.user.has_perm("regulatory.add_dossierstudy")
                and dossier.status in (Dossier.Status.DRAFT, Dossier.Status.READY),
                "can_upload": self.request.user.has_perm("regulatory.add_document")
                and dossier.status in (Dossier.Status.DRAFT, Dossier.Status.READY)}

    def post(self, request, pk):
        require(request.user, "regulatory.add_document")
        dossier = self.dossier()
        item = get_object_or_404(dossier.items, pk=request.POST.get("item"))
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            services.upload_document(item, upload, user=request.user, reason=request.POST.get("reason", ""))
        except (ValidationError, DomainError) as exc:
            for message in (exc.messages if isinstance(exc, ValidationError) else [exc.message]):
                messages.error(request, message)
        else:
            messages.success(request, _("Document uploaded."))
        return redirect(dossier.get_absolute_url())


class CiteStudyForm(ReasonForm):
    study = forms.ModelChoiceField(label=_("Study"), queryset=PerformanceStudy.objects.all())


class DossierCiteStudy(ActionView):
    """Cite one of the product's performance studies as evidence (POST)."""

    permission_required = "regulatory.add_dossierstudy"
    form_class = CiteStudyForm
    success_message = _("Study cited as evidence.")

    def get_object(self):
        return get_object_or_404(Dossier, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        services.cite_study(obj, form.cleaned_data["study"], user=self.request.user,
                            reason=form.cleaned_data["reason"])
        return obj


class DossierBundleTask(RolePageMixin, View):
    """Build the dossier bundle in the background (POST) and follow its progress on the task page."""

    permission_required = "regulatory.view_dossier"
    http_method_names = ["post"]

    def post(self, request, pk):
        from lims.tasks import start_task

        dossier = get_object_or_404(Dossier, pk=pk)
        run = start_task("regulatory.dossier_bundle", {"dossier": dossier.pk}, user=request.user,
                         key=request.POST.get("idempotency_key") or None)
        return redirect(run.get_absolute_url())


class DossierSubmit(SigningActionView):
    """ready → submitted, signed "submitted" with both components and a reason."""

    permission_required = "regulatory.change_dossier"
    reason_required = True
    success_message = _("Dossier updated.")

    def get_object(self):
        return get_object_or_404(Dossier, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return services.submit_dossier(obj, **form.signing_kwargs(), user=self.request.user)


class DecideForm(ReasonForm):
    # The authority's answer: "1" approved, "0" rejected (the two buttons of the dossier page).
    approved = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", required=False,
                                      empty_value=False)


class DossierAction(ActionView):
    """The dossier's life cycle from its page: ``ready`` and ``decide`` (approve/reject); ``submit`` signs
    (DossierSubmit)."""

    permission_required = "regulatory.change_dossier"
    form_class = DecideForm
    success_message = _("Dossier updated.")

    def get_object(self):
        if self.kwargs["action"] not in ("ready", "decide"):
            raise Http404
        return get_object_or_404(Dossier, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        reason = form.cleaned_data["reason"]
        if self.kwargs["action"] == "ready":
            return services.mark_dossier_ready(obj, user=self.request.user, reason=reason)
        return services.decide_dossier(obj, approved=form.cleaned_data["approved"], user=self.request.user,
                                       reason=reason)


class DossierCreate(ServiceFormView):
    """A new dossier: product × market × purpose; its checklist is copied from the purpose's template."""

    permission_required = "regulatory.add_dossier"
    form_class = DossierForm
    title = _("New dossier")
    submit_label = _("Create")
    success_message = _("Dossier created.")

    def get_initial(self):
        return {k: self.request.GET.get(k) for k in ("product", "market") if self.request.GET.get(k)}

    def perform(self, form):
        d = form.cleaned_data
        return services.create_dossier(product=d["product"], market=d["market"], template=d["template"],
                                       user=self.request.user, reason=d["reason"])


# Shipments as records ----------------------------------------------------------------------------------------

class ShipmentDetail(RolePageMixin, TemplateView):
    permission_required = "regulatory.view_shipment"
    template_name = "regulatory/shipment_detail.html"

    def get_context_data(self, **kwargs):
        shipment = get_object_or_404(Shipment.objects.restrict(self.request.user, "view")
                                     .select_related("batch__product", "market", "shipped_by"), pk=kwargs["pk"])
        from regulatory.packing import release_signatures

        return {**super().get_context_data(**kwargs), "shipment": shipment,
                "serial_count": shipment.serials.count(), "signatures": release_signatures(shipment.batch)}


class ShipmentPackingList(RolePageMixin, View):
    """The packing list PDF of a shipment (regulatory.packing)."""

    permission_required = "regulatory.view_shipment"

    def get(self, request, pk):
        from django.http import HttpResponse

        from regulatory.packing import packing_list_pdf

        shipment = get_object_or_404(Shipment.objects.restrict(request.user, "view")
                                     .select_related("batch__product", "market", "shipped_by"), pk=pk)
        response = HttpResponse(packing_list_pdf(shipment, printed_by=printed_name(request.user)),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="packing-list-{shipment.pk}.pdf"'
        return response


class RecallList(ListPage):
    """Who received a lot: every shipment of a batch, or of every batch a component lot went into
    (production.genealogy), with its consignee and case serials; CSV / XLSX export of the same rows."""

    model = Shipment
    permission_required = ("regulatory.view_shipment", "production.view_batch")
    queryset = Shipment.objects.select_related("batch__product", "market", "shipped_by")
    filterset_class = RecallFilter
    default_sort = "-shipped_on"
    export_name = "recall"
    title = _("Recall: who received a lot")
    template_name = "regulatory/recall.html"
    columns = [
        Column("pk", _("Shipment"), sort="pk", link=True),
        Column("batch.lot_number", _("Lot"), sort="batch__lot_number"),
        Column("batch.product.code", _("Product")),
        Column("shipped_on", _("Shipped on"), sort="shipped_on"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("consignee", _("Consignee"), sort="consignee"),
        Column("quantity", _("Quantity")),
        Column("serial_ranges_text", _("Case serials")),
        Column("export_certificate_number", _("Export certificate number")),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["asked"] = bool(self.request.GET.get("batch") or self.request.GET.get("component_lot"))
        return ctx

    def filtered(self):
        qs = super().filtered()
        if not (self.request.GET.get("batch") or self.request.GET.get("component_lot")):
            return qs.none()  # the question is "who received this lot": ask for one
        return qs


# IVDR batch verification ---------------------------------------------------------------------------------------

class VerificationList(ListPage):
    model = BatchVerification
    queryset = BatchVerification.objects.select_related("batch__product")
    filterset_class = VerificationFilter
    search_fields = ("batch__lot_number", "notified_body")
    default_sort = "-pk"
    export_name = "batch-verifications"
    create_url_name = "regulatory:verification-create"
    columns = [
        Column("batch.lot_number", _("Lot"), sort="batch__lot_number", link=True),
        Column("batch.product.code", _("Product")),
        Column("notified_body", _("Notified body")),
        Column("reports_sent_on", _("Test reports sent on"), sort="reports_sent_on"),
        Column("samples_sent_on", _("Samples sent on")),
        Column("clock_ends_on", _("Objection period ends on")),
        Column("get_status_display", _("Status"), sort="status"),
        Column("decided_on", _("Decided on")),
    ]


class VerificationCreate(ServiceFormView):
    permission_required = "regulatory.add_batchverification"
    form_class = VerificationOpenForm
    title = _("Open a batch verification")
    submit_label = _("Open")
    success_message = _("Batch verification opened.")

    def get_initial(self):
        return {"batch": self.request.GET.get("batch", "")}

    def perform(self, form):
        d = form.cleaned_data
        return services.open_batch_verification(
            d["batch"], notified_body=d["notified_body"], reports_sent_on=d["reports_sent_on"],
            samples_sent_on=d["samples_sent_on"], samples_required=d["samples_required"], user=self.request.user,
            reason=d["reason"])


class VerificationDetail(RolePageMixin, TemplateView):
    """A lot's batch verification: what was sent and when, the 30-day clock, documents with SHA-256, and the
    notified body's decision (signed)."""

    permission_required = "regulatory.view_batchverification"
    template_name = "regulatory/verification_detail.html"

    def verification(self):
        return get_object_or_404(BatchVerification.objects.restrict(self.request.user, "view")
                                 .select_related("batch__product").prefetch_related("documents__uploaded_by"),
                                 pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        v = self.verification()
        user = self.request.user
        pending = v.status == BatchVerification.Status.PENDING
        return {**super().get_context_data(**kwargs), "verification": v, "today": timezone.localdate(),
                "decide_signing": services.DECIDE_BATCH_VERIFICATION, "signatures": signature_rows(v),
                "edit_form": bootstrap(VerificationEditForm(
                    initial={**{f: getattr(v, f) for f in services.VERIFICATION_FIELDS}, "version": v.version},
                    prefix="edit")),
                "kinds": BatchVerificationDocument.Kind.choices,
                "can_edit": pending and user.has_perm("regulatory.change_batchverification"),
                "can_upload": user.has_perm("regulatory.add_batchverificationdocument"),
                "can_decide": pending and user.has_perm("regulatory.decide_batchverification")}

    def post(self, request, pk):
        """Upload a document (multipart: kind, file, reason)."""
        require(request.user, "regulatory.add_batchverificationdocument")
        v = self.verification()
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            services.upload_verification_document(v, upload, kind=request.POST.get("kind", "test_reports"),
                                                  user=request.user, reason=request.POST.get("reason", ""))
        except (ValidationError, DomainError) as exc:
            report_refusal(request, exc, labels={"file": _("File"), "kind": _("Kind")})
        else:
            messages.success(request, _("Document uploaded."))
        return redirect(v.get_absolute_url())


class VerificationEdit(ActionView):
    permission_required = "regulatory.change_batchverification"
    success_message = _("Batch verification updated.")

    def get_form(self):
        return VerificationEditForm(self.request.POST, prefix="edit")

    def get_object(self):
        return get_object_or_404(BatchVerification, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        d = dict(form.cleaned_data)
        reason, version = d.pop("reason"), d.pop("version", None)
        return services.update_batch_verification(obj, d, user=self.request.user, reason=reason,
                                                  expected_version=version)


class VerificationDecide(SigningActionView):
    """The notified body's decision, signed "verified" (confirmed) or "rejected" (objected, reason required)."""

    permission_required = "regulatory.decide_batchverification"
    signing = services.DECIDE_BATCH_VERIFICATION
    form_class = VerificationDecideForm
    success_message = _("Decision recorded.")

    def get_object(self):
        return get_object_or_404(BatchVerification, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return services.decide_batch_verification(obj, decision=form.cleaned_data["decision"],
                                                  decided_on=form.cleaned_data["decided_on"],
                                                  **form.signing_kwargs(), user=self.request.user)


class VerificationDocumentFile(RolePageMixin, View):
    permission_required = "regulatory.view_batchverificationdocument"

    def get(self, request, pk, doc):
        from django.http import FileResponse

        document = get_object_or_404(BatchVerificationDocument, pk=doc, verification_id=pk)
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)


# UDI data export -----------------------------------------------------------------------------------------------

class UdiExportPage(RolePageMixin, TemplateView):
    """Device and lot data for EUDAMED (JSON) or the ÜTS (CSV), from the product and batch master and validated
    against the project's schemas; an export that does not validate lists every problem instead."""

    permission_required = ("regulatory.view_certification", "production.view_product")
    template_name = "regulatory/udi_export.html"

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from production.models import Product
        from regulatory import udi

        fmt = request.GET.get("format")
        self.problems = []
        if fmt in ("json", "csv"):
            ids = [p for p in request.GET.getlist("product") if p.isdigit()]
            products = list(Product.objects.filter(pk__in=ids).order_by("code")) if ids else \
                list(Product.objects.order_by("code"))
            try:
                if fmt == "json":
                    import json

                    body = json.dumps(udi.device_export(products), ensure_ascii=False, indent=2)
                    response = HttpResponse(body, content_type="application/json; charset=utf-8")
                    name = f"udi-devices-{timezone.localdate():%Y%m%d}.json"
                else:
                    response = HttpResponse(udi.uts_csv(products), content_type="text/csv; charset=utf-8")
                    name = f"uts-unit-notification-{timezone.localdate():%Y%m%d}.csv"
            except DomainError as exc:
                self.problems = [str(r["detail"]) for r in exc.reasons]
            else:
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from production.models import Product

        return {**super().get_context_data(**kwargs), "products": Product.objects.order_by("code"),
                "problems": getattr(self, "problems", [])}
