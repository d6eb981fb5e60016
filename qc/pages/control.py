"""Control chart pages: control materials, their Levey–Jennings chart (±1/2/3 SD, violations marked), results by
run and level, runs with the inspections that used them, the Westgard rules per analyte, and p-charts of a
product's release attribute results over batches."""

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from lims.forms import ReasonField
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ServiceFormView
from production.models import Product
from qc import control, westgard
from qc.models import ControlMaterial, ControlRun, Inspection
from qc.pages.common import PostAction


class ControlMaterialList(ListPage):
    model = ControlMaterial
    queryset = ControlMaterial.objects.all()
    search_fields = ("analyte", "lot")
    default_sort = "analyte"
    export_name = "control-materials"
    create_url_name = "qc:controlmaterial-create"
    columns = [
        Column("analyte", gettext_lazy("Analyte"), sort="analyte", link=True),
        Column("level", gettext_lazy("Level"), sort="level"),
        Column("lot", gettext_lazy("Lot"), sort="lot", link=True),
        Column("expiry_date", gettext_lazy("Expiry date"), sort="expiry_date"),
        Column("target_source", gettext_lazy("Target from")),
        Column("target_mean", gettext_lazy("Target mean")),
        Column("target_sd", gettext_lazy("Target SD")),
    ]


class ControlMaterialForm(forms.Form):
    analyte = forms.CharField(label=gettext_lazy("Analyte"), max_length=100)
    level = forms.CharField(label=gettext_lazy("Level"), max_length=30)
    lot = forms.CharField(label=gettext_lazy("Lot"), max_length=60)
    expiry_date = forms.DateField(label=gettext_lazy("Expiry date"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=30, required=False)
    target_source = forms.ChoiceField(label=gettext_lazy("Target from"), choices=ControlMaterial.TargetSource.choices)
    target_mean = forms.DecimalField(label=gettext_lazy("Target mean (insert)"), required=False, max_digits=14,
                                     decimal_places=5)
    target_sd = forms.DecimalField(label=gettext_lazy("Target SD (insert)"), required=False, max_digits=14,
                                   decimal_places=5)
    reason = ReasonField()


class ControlMaterialCreate(ServiceFormView):
    permission_required = "qc.add_controlmaterial"
    form_class = ControlMaterialForm
    title = gettext_lazy("New control material")

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        return control.create_control_material(data, user=self.request.user, reason=form.cleaned_data["reason"])


class ControlResultForm(forms.Form):
    control = forms.ModelChoiceField(label=gettext_lazy("Control material"), queryset=ControlMaterial.objects.all())
    run = forms.CharField(label=gettext_lazy("Run"), max_length=100)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=5)
    reason = ReasonField()


class ControlResultCreate(ServiceFormView):
    permission_required = "qc.add_controlresult"
    form_class = ControlResultForm
    title = gettext_lazy("Record a control result")

    def get_initial(self):
        return {"control": self.request.GET.get("control"), "run": self.request.GET.get("run", "")}

    def perform(self, form):
        data = form.cleaned_data
        results = control.record_control_results(
            [{"control": data["control"], "run": data["run"], "value": data["value"]}], user=self.request.user,
            reason=data["reason"])
        return results[0]

    def success_message_for(self, obj):
        if obj.rules:
            return _("Recorded: z = %(z)s, rules %(rules)s.") % {"z": obj.z, "rules": ", ".join(obj.rules)}
        return _("Recorded.") if obj.z is None else _("Recorded: z = %(z)s, in control.") % {"z": obj.z}

    def success_url_for(self, obj):
        return obj.material.get_absolute_url()


class ControlMaterialDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_controlmaterial"
    template_name = "qc/stats/controlmaterial_detail.html"

    def get_context_data(self, **kwargs):
        material = get_object_or_404(ControlMaterial, pk=kwargs["pk"])
        results = list(material.results.select_related("run").order_by("run__started_at", "run_id"))
        baseline = [r for r in results if r.baseline]
        return {**super().get_context_data(**kwargs), "material": material, "results": results,
                "baseline_count": len(baseline), "baseline_minimum": control.BASELINE_MINIMUM,
                "chart": control.levey_jennings(material), "rules": control.rules_for(material.analyte),
                "can_establish": (material.target_source == ControlMaterial.TargetSource.BASELINE
                                  and not material.has_target and self.request.user.has_perm(
                                      "qc.change_controlmaterial")),
                "can_record": self.request.user.has_perm("qc.add_controlresult"),
                "can_configure": self.request.user.has_perm("qc.change_westgardconfig")}


class ControlMaterialTarget(PostAction):
    permission_required = "qc.change_controlmaterial"
    success_message = gettext_lazy("Target established from the baseline.")

    def get_object(self):
        return get_object_or_404(ControlMaterial, pk=self.kwargs["pk"])

    def perform(self, request, obj):
        control.establish_target(obj, user=request.user, reason=request.POST.get("reason", ""))


class WestgardForm(forms.Form):
    rules = forms.MultipleChoiceField(label=gettext_lazy("Rules"), choices=[(r, r) for r in westgard.RULES],
                                      widget=forms.CheckboxSelectMultiple)
    reason = ReasonField(required=True)


class WestgardRules(ServiceFormView):
    permission_required = "qc.change_westgardconfig"
    form_class = WestgardForm

    def get_title(self):
        return _("Westgard rules of %(analyte)s") % {"analyte": self.kwargs["analyte"]}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.get_title()
        return ctx

    def get_initial(self):
        return {"rules": list(control.rules_for(self.kwargs["analyte"]))}

    def perform(self, form):
        return control.set_westgard_rules(self.kwargs["analyte"], form.cleaned_data["rules"], user=self.request.user,
                                          reason=form.cleaned_data["reason"])


class ControlRunDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_controlrun"
    template_name = "qc/stats/controlrun_detail.html"

    def get_context_data(self, **kwargs):
        run = get_object_or_404(ControlRun.objects.select_related("deviation"), pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "run": run,
                "results": run.results.select_related("material").order_by("material__level"),
                "uses": run.uses.select_related("inspection__batch"),
                "can_use": self.request.user.has_perm("qc.change_inspection") and run.status != "rejected"}


class ControlRunUse(PostAction):
    permission_required = "qc.change_inspection"
    success_message = gettext_lazy("The inspection is linked to the run.")

    def get_object(self):
        return get_object_or_404(ControlRun, pk=self.kwargs["pk"])

    def perform(self, request, obj):
        from django.core.exceptions import ValidationError

        raw = request.POST.get("inspection", "").strip()
        inspection = Inspection.objects.filter(pk=raw).first() if raw.isdigit() else None
        if inspection is None:
            raise ValidationError({"inspection": [_("Unknown inspection.")]})
        control.use_control_run(obj, inspection, user=request.user, reason=request.POST.get("reason", ""))


class ProductPChart(RolePageMixin, TemplateView):
    permission_required = "qc.view_inspection"
    template_name = "qc/stats/pchart.html"

    def get_context_data(self, **kwargs):
        product = get_object_or_404(Product, pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "product": product, **control.p_chart(product),
                "products": Product.objects.order_by("code"),
                "back": reverse("production:product-detail", args=[product.pk])}
