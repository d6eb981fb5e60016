"""Stability pages: the studies, a new study (protocol, lots, time points), a study with its results per time
point and the shelf life it supports, QA's approval, and a product's stability summary with the release gate."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from lims.forms import ReasonField
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ServiceFormView
from production.models import Product
from qc import stability
from qc.models import StabilityStudy, StabilityTimePoint
from qc.pages.common import PostAction


class StabilityList(ListPage):
    model = StabilityStudy
    queryset = StabilityStudy.objects.select_related("product")
    search_fields = ("title", "product__code")
    default_sort = "product__code"
    export_name = "stability-studies"
    create_url_name = "qc:stability-create"
    columns = [
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("title", gettext_lazy("Title"), link=True),
        Column("protocol", gettext_lazy("Protocol"), sort="protocol"),
        Column("temperature_c", gettext_lazy("Temperature (°C)")),
        Column("started_on", gettext_lazy("Started on"), sort="started_on"),
        Column("status", gettext_lazy("Status"), sort="status"),
    ]


def _list(value):
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class StabilityStudyForm(forms.Form):
    product = forms.ModelChoiceField(label=gettext_lazy("Product"), queryset=Product.objects.order_by("code"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    protocol = forms.ChoiceField(label=gettext_lazy("Protocol"), choices=StabilityStudy.Protocol.choices)
    temperature_c = forms.DecimalField(label=gettext_lazy("Temperature (°C)"), required=False, max_digits=5,
                                       decimal_places=1)
    conditions = forms.CharField(label=gettext_lazy("Conditions"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    started_on = forms.DateField(label=gettext_lazy("Started on"), widget=forms.DateInput(attrs={"type": "date"}))
    lots = forms.CharField(label=gettext_lazy("Lots (lot numbers, comma separated; at least 3)"))
    months = forms.CharField(label=gettext_lazy("Time points (months, comma separated)"),
                             initial="0, 3, 6, 9, 12, 18, 24")
    reason = ReasonField()


class StabilityCreate(ServiceFormView):
    permission_required = "qc.add_stabilitystudy"
    form_class = StabilityStudyForm
    title = gettext_lazy("New stability study")

    def perform(self, form):
        data = form.cleaned_data
        months = _list(data["months"])
        if not all(m.isdigit() for m in months):
            raise ValidationError({"months": [_("Time points are whole numbers of months.")]})
        return stability.create_stability_study(
            product=data["product"], title=data["title"], protocol=data["protocol"], started_on=data["started_on"],
            temperature_c=data["temperature_c"], conditions=data["conditions"], lots=_list(data["lots"]),
            months=[int(m) for m in months], user=self.request.user, reason=data["reason"])


class StabilityDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_stabilitystudy"
    template_name = "qc/stats/stability_detail.html"

    def get_context_data(self, **kwargs):
        study = get_object_or_404(StabilityStudy.objects.select_related("product", "approved_by"), pk=kwargs["pk"])
        user = self.request.user
        return {**super().get_context_data(**kwargs), "study": study, "table": stability.point_table(study),
                "specs": list(stability.stability_specs(study.product_id)),
                "supported": stability.supported_months(study),
                "lots": list(study.lots.select_related("batch")),
                "can_record": user.has_perm("qc.add_stabilityresult"),
                "can_approve": user.has_perm("qc.approve_stabilitystudy") and study.status == "ongoing"}


class StabilityResults(PostAction):
    """One time point's results from the study page: ``r-<lot id>-<spec id>`` = a number, or pass / fail."""

    permission_required = "qc.add_stabilityresult"
    success_message = gettext_lazy("Results recorded.")

    def get_object(self):
        return get_object_or_404(StabilityTimePoint.objects.select_related("study"), pk=self.kwargs["pk"])

    def back_url(self, obj):
        return obj.study.get_absolute_url()

    def perform(self, request, obj):
        rows = []
        specs = {s.pk: s for s in stability.stability_specs(obj.study.product_id)}
        for lot in obj.study.lots.select_related("batch"):
            for spec in specs.values():
                raw = request.POST.get(f"r-{lot.pk}-{spec.pk}", "").strip()
                if not raw:
                    continue
                if spec.kind == "numeric":
                    rows.append({"lot": lot, "specification": spec, "value": raw})
                else:
                    rows.append({"lot": lot, "specification": spec, "passed": raw == "pass"})
        stability.record_stability_results(obj, rows, user=request.user, reason=request.POST.get("reason", ""))


class StabilityApprove(PostAction):
    permission_required = "qc.approve_stabilitystudy"
    success_message = gettext_lazy("Study approved.")

    def get_object(self):
        return get_object_or_404(StabilityStudy, pk=self.kwargs["pk"])

    def perform(self, request, obj):
        stability.approve_stability_study(obj, user=request.user, reason=request.POST.get("reason", ""))


class StabilityProduct(RolePageMixin, TemplateView):
    """A product's stability: the claim (approved real time), the provisional (accelerated), each study."""

    permission_required = "qc.view_stabilitystudy"
    template_name = "qc/stats/stability_product.html"

    def get_context_data(self, **kwargs):
        product = get_object_or_404(Product, pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "product": product, **stability.product_support(product),
                "warning": stability.shelf_life_warning(product), "enforced": stability.gate_enforced(product),
                "can_gate": self.request.user.has_perm("qc.change_stabilitygate")}


class StabilityGateSet(PostAction):
    permission_required = "qc.change_stabilitygate"

    def get_object(self):
        return get_object_or_404(Product, pk=self.kwargs["pk"])

    def back_url(self, obj):
        from django.urls import reverse

        return reverse("qc:stability-product", args=[obj.pk])

    def perform(self, request, obj):
        stability.set_stability_gate(obj, enforced=request.POST.get("enforced") == "on", user=request.user,
                                     reason=request.POST.get("reason", ""))
