"""Pages of regulatory and export: lists (lims.listing.ListPage), the certification detail, the matrix
(products × markets), the eligibility checker, the per-market summary of shippable lots and the shipment form."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from lims.errors import DomainError
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ActionView, ServiceFormView, SigningActionView
from lims.permissions import require
from lims.signatures import signature_rows
from production.models import Batch
from qc.models import PerformanceStudy
from regulatory import matrix, services
from regulatory.eligibility import eligibility, shippable_summary
from regulatory.evidence import evidence
from regulatory.filters import CertificationFilter, MarketRuleFilter, ShipmentFilter
from regulatory.forms import CertificationForm, ShipmentForm
from regulatory.models import Certification, Dossier, Market, MarketRule, Shipment


class MarketList(ListPage):
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
        Column("required_kinds", _("Required certification kinds")),
        Column("source", _("Source")),
    ]


class CertificationList(ListPage):
    model = Certification
    queryset = Certification.objects.select_related("product", "market", "kind")
    filterset_class = CertificationFilter
    search_fields = ("number", "product__code")
    default_sort = "valid_until"
    export_name = "certifications"
    columns = [
        Column("number", _("Number"), sort="number", link=True),
        Column("product.code", _("Product"), sort="product__code"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("kind.name", _("Kind")),
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
        Column("batch.lot_number", _("Lot"), sort="batch__lot_number"),
        Column("market.code", _("Market"), sort="market__code"),
        Column("quantity", _("Quantity")),
        Column("shipped_on", _("Shipped on"), sort="shipped_on"),
        Column("consignee", _("Consignee")),
        Column("export_certificate_number", _("Export certificate number")),
        Column("shipped_by", _("Shipped by")),
    ]


class CertificationDetail(RolePageMixin, TemplateView):
    permission_required = "regulatory.view_certification"
    template_name = "regulatory/certification_detail.html"

    def get_context_data(self, **kwargs):
        cert = get_object_or_404(Certification.objects.select_related("product", "market", "kind"), pk=kwargs["pk"])
        actions = [(name, label) for name, label in CERTIFICATION_ACTIONS.items()
                   if cert.status in services.TRANSITIONS[name][0]]
        return {**super().get_context_data(**kwargs), "certification": cert,
                "actions": actions if self.request.user.has_perm("regulatory.decide_certification") else []}


CERTIFICATION_ACTIONS = {"activate": _("Activate"), "suspend": _("Suspend"), "withdraw": _("Withdraw"),
                         "expire": _("Mark expired")}


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


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
                eligible, reasons = eligibility(batch, market, on_date)
                context.update(result=True, eligible=eligible, reasons=reasons, batch=batch, market=market)
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
    title = _("Record a shipment")
    submit_label = _("Ship")
    success_message = _("Shipment recorded.")

    def get_initial(self):
        return {"batch": self.request.GET.get("batch", ""), "shipped_on": timezone.localdate()}

    def perform(self, form):
        d = form.cleaned_data
        try:
            return services.record_shipment(batch=d["batch"], market=d["market"], quantity=d["quantity"],
                                            shipped_on=d["shipped_on"], consignee=d["consignee"],
                                            export_certificate_number=d["export_certificate_number"],
                                            user=self.request.user, reason=d["reason"])
        except DomainError as exc:
            for r in exc.reasons:  # every eligibility reason under the refusal
                form.add_error(None, str(r["detail"]))
            raise

    def success_url_for(self, obj):
        return reverse("regulatory:shipment-list") + f"?batch={obj.batch.lot_number}"



class CertificationCreate(ServiceFormView):
    permission_required = "regulatory.add_certification"
    form_class = CertificationForm
    title = _("Register a certification")
    success_message = _("Certification registered.")

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
    study = forms.ModelChoiceField(queryset=PerformanceStudy.objects.all())


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
