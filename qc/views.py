"""Pages of QC and QA: lists (lims.listing.ListPage), inspection entry showing the sample size before entry,
inspection, deviation and disposition pages with the signing dialog, and the CoA. Actions parse a form and call
a service; a refusal is shown as a message and changes nothing."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from lims.errors import DomainError
from lims.forms import SignatureForm
from lims.listing import Column, ListPage, RolePageMixin
from lims.masterdata import MasterListMixin
from lims.models import Signature
from lims.pages import ActionView, SigningActionView, report_refusal
from lims.signatures import signature_rows
from production.models import Batch
from qc import services
from qc.coa import coa_pdf
from qc.filters import (
    DeviationFilter,
    DispositionFilter,
    InspectionFilter,
    PerformanceStudyFilter,
    SpecificationFilter,
)
from qc.forms import CapaForm, InvestigationForm
from qc.gates import release_blockers
from qc.models import Deviation, Disposition, Inspection, PerformanceStudy, Specification, Stage
from qc.sampling import resolve_plan
from qc.services import capa_owners

_refused = report_refusal


class SpecificationList(MasterListMixin, ListPage):
    model = Specification
    queryset = Specification.objects.select_related("product")
    filterset_class = SpecificationFilter
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "specifications"
    columns = [
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("stage", gettext_lazy("Stage"), sort="stage"),
        Column("kind", gettext_lazy("Kind")),
        Column("limits_display", gettext_lazy("Limits")),
        Column("required_for_release", gettext_lazy("Required for release")),
    ]


class InspectionList(ListPage):
    model = Inspection
    queryset = Inspection.objects.select_related("batch", "material_lot__material", "recorded_by")
    filterset_class = InspectionFilter
    search_fields = ("batch__lot_number",)
    default_sort = "-recorded_at"
    export_name = "inspections"
    create_url_name = "qc:inspection-create"
    columns = [
        Column("pk", gettext_lazy("No."), sort="pk", link=True),
        Column("batch.lot_number", gettext_lazy("Lot number"), sort="batch__lot_number"),
        Column("material_lot", gettext_lazy("Material lot")),
        Column("stage", gettext_lazy("Stage"), sort="stage"),
        Column("sample_size", gettext_lazy("Sample size")),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("recorded_by", gettext_lazy("Recorded by")),
        Column("recorded_at", gettext_lazy("Recorded at"), sort="recorded_at"),
    ]


class DeviationList(ListPage):
    model = Deviation
    queryset = Deviation.objects.select_related("batch", "opened_by")
    filterset_class = DeviationFilter
    search_fields = ("title",)
    default_sort = "-opened_at"
    export_name = "deviations"
    create_url_name = "qc:deviation-create"
    columns = [
        Column("pk", gettext_lazy("No."), sort="pk", link=True),
        Column("kind", gettext_lazy("Kind"), sort="kind"),
        Column("title", gettext_lazy("Title"), link=True),
        Column("batch.lot_number", gettext_lazy("Lot number"), sort="batch__lot_number"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("age_days", gettext_lazy("Age (days)")),
        Column("opened_by", gettext_lazy("Opened by")),
    ]


class DispositionList(ListPage):
    model = Disposition
    queryset = Disposition.objects.select_related("batch", "decided_by")
    filterset_class = DispositionFilter
    search_fields = ("batch__lot_number",)
    default_sort = "-decided_at"
    export_name = "dispositions"
    create_url_name = "qc:disposition-create"
    columns = [
        Column("pk", gettext_lazy("No."), sort="pk", link=True),
        Column("batch.lot_number", gettext_lazy("Lot number"), sort="batch__lot_number"),
        Column("decision", gettext_lazy("Decision"), sort="decision"),
        Column("quantity_released", gettext_lazy("Quantity released")),
        Column("decided_by", gettext_lazy("Decided by")),
        Column("decided_at", gettext_lazy("Decided at"), sort="decided_at"),
    ]


class PerformanceStudyList(ListPage):
    model = PerformanceStudy
    queryset = PerformanceStudy.objects.select_related("product")
    filterset_class = PerformanceStudyFilter
    default_sort = "product__code"
    export_name = "performance-studies"
    create_url_name = "qc:performancestudy-create"
    columns = [
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("kind_display", gettext_lazy("Kind"), sort="kind"),
        Column("title", gettext_lazy("Title"), link=True),
        Column("category", gettext_lazy("Category")),
        Column("specimen_type", gettext_lazy("Specimen type")),
        Column("tp", "TP"), Column("fp", "FP"), Column("tn", "TN"), Column("fn", "FN"),
        Column("sensitivity", gettext_lazy("Sensitivity")),
        Column("sensitivity_ci", gettext_lazy("Sensitivity 95 % CI")),
        Column("specificity", gettext_lazy("Specificity")),
        Column("specificity_ci", gettext_lazy("Specificity 95 % CI")),
        Column("ci_method", gettext_lazy("CI method")),
    ]


class InspectionDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_inspection"
    template_name = "qc/inspection_detail.html"

    def get_context_data(self, **kwargs):
        inspection = get_object_or_404(
            Inspection.objects.select_related("batch", "material_lot__material", "recorded_by", "reviewed_by",
                                              "approved_by", "invalidated_by", "invalidating_deviation"),
            pk=kwargs["pk"])
        user = self.request.user
        return {**super().get_context_data(**kwargs), "inspection": inspection,
                "results": inspection.results.select_related("specification", "retest_of__specification")
                .prefetch_related("retests"),
                "can_invalidate": inspection.status == Inspection.Status.APPROVED and inspection.batch_id is not None
                and user.has_perm("qc.invalidate_inspection"),
                "invalidate_signing": services.INVALIDATE_INSPECTION,
                "opened_deviations": list(Deviation.objects.filter(result__inspection=inspection)
                                          .select_related("result__specification").order_by("pk")),
                "signatures": signature_rows(inspection),
                "can_review": inspection.status == Inspection.Status.RECORDED and user.has_perm(
                    "qc.review_inspection"),
                "can_approve": inspection.status == Inspection.Status.REVIEWED and user.has_perm(
                    "qc.approve_inspection"),
                "review_signing": services.REVIEW_INSPECTION, "approve_signing": services.APPROVE_INSPECTION}


class InspectionSign(SigningActionView):
    """Review (second check) or approve an inspection: both signature components; the meaning follows."""

    action = "review"

    def get_permission_required(self):
        return (f"qc.{self.action}_inspection",)

    def get_object(self):
        return get_object_or_404(Inspection, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        service = services.review_inspection if self.action == "review" else services.approve_inspection
        return service(obj, **form.signing_kwargs(), user=self.request.user)

    def back_url(self, obj, result=None):
        """An approved release inspection of a batch awaiting its disposition leads a person who may dispose it to
        the disposition (its release gates listed, the dialog ready); otherwise back to the inspection."""
        if (isinstance(result, Inspection) and result.status == Inspection.Status.APPROVED
                and result.stage == Stage.RELEASE and result.batch_id is not None
                and result.batch.status in (Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED)
                and self.request.user.has_perm("qc.add_disposition")):
            return f"{reverse('qc:disposition-create')}?batch={result.batch.lot_number}"
        return super().back_url(obj, result)


class InspectionInvalidate(SigningActionView):
    """Invalidate (supersede) an inspection: QA signs with a reason and the deviation that justifies it."""

    permission_required = ("qc.invalidate_inspection",)
    reason_required = True

    def get_object(self):
        return get_object_or_404(Inspection, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return services.invalidate_inspection(obj, deviation=self.request.POST.get("deviation", ""),
                                              **form.signing_kwargs(), user=self.request.user)


class InspectionCreate(RolePageMixin, TemplateView):
    """Step 1: choose the batch, stage and plan (lot size + AQL, or a sample size): the sample size is shown before
    any result is entered. Step 2: one row per active specification of the product at that stage."""

    permission_required = "qc.add_inspection"
    template_name = "qc/inspection_form.html"

    def _plan(self, data, batch, specs=(), aql=""):
        lot_size = data.get("lot_size") or (batch.quantity_made if batch else None)
        if aql and lot_size:
            from qc.switching import severity_for_results

            try:  # the severity the ISO 2859-1 switching rules set for the AQL specifications judged here
                severity = severity_for_results([{"specification": s} for s in specs])
                return resolve_plan(int(lot_size), aql, data.get("level") or "II", severity)
            except (ValueError, TypeError) as exc:
                messages.error(self.request, str(exc))
            except DomainError as exc:
                messages.error(self.request, exc.message)
        return None

    def get_context_data(self, **kwargs):
        data = self.request.POST or self.request.GET
        batch = Batch.objects.select_related("product").filter(lot_number=data.get("batch", "")).first()
        stage = data.get("stage") or Stage.RELEASE
        specs = (Specification.objects.filter(product=batch.product, stage=stage, active=True).order_by("code")
                 if batch else Specification.objects.none())
        # The sampling plan of ISO 2859-1 from the batch size and the AQL of the stage's AQL specification,
        # unless the person gave another AQL.
        aql = data.get("aql") or next((s.aql for s in specs if s.aql), "")
        plan = self._plan(data, batch, specs, aql)
        from qc.models import Severity

        return {**super().get_context_data(**kwargs), "batch": batch, "stage": stage, "stages": Stage.choices,
                "plan": plan, "severity_label": Severity(plan.severity).label if plan else "", "specs": specs,
                "data": data, "aql": aql,
                "batches": Batch.objects.filter(status__in=[Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED,
                                                            Batch.Status.IN_PRODUCTION]).order_by("lot_number")}

    def post(self, request):
        context = self.get_context_data()
        batch, specs = context["batch"], context["specs"]
        if batch is None:
            messages.error(request, _("Choose a batch."))
            return self.render_to_response(context)
        results = []
        for spec in specs:
            key = f"spec-{spec.pk}"
            if spec.kind == Specification.Kind.NUMERIC:
                raw = request.POST.get(key, "").strip()
                if not raw:
                    continue
                try:
                    results.append({"specification": spec, "value": Decimal(raw)})
                except InvalidOperation:
                    messages.error(request, _("%(spec)s: a number is required.") % {"spec": spec.code})
                    return self.render_to_response(context)
            elif spec.aql:
                raw = request.POST.get(key, "").strip()
                if raw:
                    results.append({"specification": spec, "defects": raw})
            elif request.POST.get(key) in ("pass", "fail"):
                results.append({"specification": spec, "passed": request.POST[key] == "pass"})
        try:
            inspection = services.record_inspection(
                batch=batch, stage=context["stage"], results=results,
                sample_size=request.POST.get("sample_size") or None, lot_size=request.POST.get("lot_size") or None,
                aql=request.POST.get("aql") or None, level=request.POST.get("level") or "II",
                notes=request.POST.get("notes", ""), user=request.user, reason=request.POST.get("reason", ""))
        except (DomainError, ValidationError) as exc:
            _refused(request, exc)
            return self.render_to_response(context)
        messages.success(request, _("Inspection recorded."))
        return redirect(inspection.get_absolute_url())


class DeviationDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_deviation"
    template_name = "qc/deviation_detail.html"

    def get_context_data(self, **kwargs):
        deviation = get_object_or_404(Deviation.objects.select_related("batch", "opened_by", "closed_by",
                                                                       "result__inspection", "result__specification"),
                                      pk=kwargs["pk"])
        user = self.request.user
        return {**super().get_context_data(**kwargs), "deviation": deviation,
                "capas": deviation.capas.select_related("owner"), "signatures": signature_rows(deviation),
                "investigation_form": InvestigationForm(initial={"root_cause": deviation.root_cause,
                                                                 "impact_assessment": deviation.impact_assessment}),
                # its own ids: both forms have a reason field, and a label must name the field of its own form
                "capa_form": CapaForm(initial={"owner": user.pk} if capa_owners().filter(pk=user.pk).exists() else {},
                                      auto_id="capa-%s"),
                "can_add_capa": deviation.status != Deviation.Status.CLOSED and user.has_perm("qc.add_capa"),
                "source_inspection": deviation.result.inspection if deviation.result_id else None,
                "can_close": deviation.status != Deviation.Status.CLOSED and self.request.user.has_perm(
                    "qc.close_deviation"),
                "close_signing": services.CLOSE_DEVIATION,
                "can_investigate": deviation.status != Deviation.Status.CLOSED and self.request.user.has_perm(
                    "qc.change_deviation")}


class DeviationCloseForm(SignatureForm):
    no_capa_reason = forms.CharField(required=False, max_length=2000)


class DeviationClose(SigningActionView):
    """Close a deviation, signed "closed" by QA (both components)."""

    permission_required = "qc.close_deviation"
    form_class = DeviationCloseForm
    success_message = gettext_lazy("The deviation was closed.")

    def get_object(self):
        return get_object_or_404(Deviation, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return services.close_deviation(obj, **form.signing_kwargs(),
                                        no_capa_reason=form.cleaned_data["no_capa_reason"], user=self.request.user)


class DeviationInvestigate(ActionView):
    """Record the investigation's findings (open → investigating); the form shows the saved text."""

    permission_required = "qc.change_deviation"
    form_class = InvestigationForm

    def get_object(self):
        return get_object_or_404(Deviation, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.investigate_deviation(obj, root_cause=d["root_cause"], impact_assessment=d["impact_assessment"],
                                              user=self.request.user, reason=d["reason"])


class CapaCreate(ActionView):
    """Add a CAPA with its owner, chosen among the people who may own one."""

    permission_required = "qc.add_capa"
    form_class = CapaForm
    success_message = gettext_lazy("The CAPA was added.")

    def get_object(self):
        return get_object_or_404(Deviation, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.add_capa(obj, action=d["action"], owner=d["owner"], due_date=d["due_date"],
                                 effectiveness_check=d["effectiveness_check"], user=self.request.user,
                                 reason=d["reason"])


class DeviationCreate(RolePageMixin, TemplateView):
    permission_required = "qc.add_deviation"
    template_name = "qc/deviation_form.html"

    def post(self, request):
        p = request.POST
        batch = Batch.objects.filter(lot_number=p.get("batch", "").strip()).first() if p.get("batch") else None
        try:
            deviation = services.open_deviation(title=p.get("title", "").strip(), description=p.get("description", ""),
                                                batch=batch, user=request.user, reason=p.get("reason", ""))
        except (DomainError, ValidationError) as exc:
            _refused(request, exc)
            return self.render_to_response(self.get_context_data())
        return redirect(deviation.get_absolute_url())


class DispositionDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_disposition"
    template_name = "qc/disposition_detail.html"

    def get_context_data(self, **kwargs):
        disposition = get_object_or_404(Disposition.objects.select_related("batch", "decided_by"), pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "disposition": disposition,
                "signatures": signature_rows(disposition)}


class DispositionCreate(RolePageMixin, TemplateView):
    """QA's disposition of a batch: the release gates are listed before signing."""

    permission_required = "qc.add_disposition"
    template_name = "qc/disposition_form.html"

    def get_context_data(self, **kwargs):
        lot = (self.request.POST or self.request.GET).get("batch", "")
        batch = Batch.objects.select_related("product").filter(lot_number=lot).first()
        blockers = release_blockers(batch, self.request.user) if batch else []
        return {**super().get_context_data(**kwargs), "batch": batch,
                "blockers": blockers,
                # Release is preselected when every gate is satisfied (the dialog shows the meaning it signs);
                # otherwise the decision is chosen.
                "default_decision": Disposition.Decision.RELEASE if batch and not blockers else "",
                "release_warnings": _release_warnings(batch) if batch else [],
                "decisions": Disposition.Decision.choices,
                "signing": services.DISPOSE_BATCH,
                "meaning_label": " · ".join(
                    f"{label} → {Signature.Meaning(services.DECISION_MEANING[value]).label}"
                    for value, label in Disposition.Decision.choices),
                "batches": Batch.objects.filter(status__in=[Batch.Status.AWAITING_QC, Batch.Status.QUARANTINED])
                .order_by("lot_number")}



class DispositionForm(SignatureForm):
    decision = forms.ChoiceField(choices=Disposition.Decision.choices)
    quantity_released = forms.IntegerField(required=False, min_value=0)


class DispositionSign(SigningActionView):
    """QA signs the disposition; the meaning follows the decision (release → released, …)."""

    permission_required = "qc.add_disposition"
    form_class = DispositionForm

    def get_object(self):
        return get_object_or_404(Batch, lot_number=self.request.POST.get("batch", ""))

    def back_url(self, obj, result=None):
        if isinstance(result, Disposition):
            return result.get_absolute_url()
        return f"{reverse('qc:disposition-create')}?batch={obj.lot_number}"

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.dispose_batch(obj, decision=d["decision"], quantity_released=d["quantity_released"],
                                      **form.signing_kwargs(), user=self.request.user)

    def success_message_for(self, result):
        return _("Batch %(lot)s: %(decision)s.") % {"lot": result.batch.lot_number,
                                                    "decision": result.get_decision_display()}


def _release_warnings(batch):
    from qc.stability import release_warnings

    return release_warnings(batch)


class CoaPage(RolePageMixin, View):
    permission_required = "qc.view_disposition"

    def get(self, request, lot_number):
        batch = get_object_or_404(Batch.objects.select_related("product"), lot_number=lot_number)
        if batch.status != Batch.Status.RELEASED:
            raise PermissionDenied(_("A certificate of analysis is issued for released batches only."))
        response = HttpResponse(coa_pdf(batch, request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="CoA-{batch.lot_number}.pdf"'
        return response
