"""Performance study pages: create, edit with a reason, the study with its estimates and their 95 % intervals,
its Ct strata (sensitivity per stratum with its interval) and a citation to copy into documents."""

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from lims.forms import ReasonField
from lims.listing import RolePageMixin
from lims.pages import ServiceFormView
from lims.services import create_record, update_record
from production.models import Product
from qc.models import PerformanceStratum, PerformanceStudy

FIELDS = ("product", "kind", "title", "category", "specimen_type", "tp", "fp", "tn", "fn", "ci_method")


class PerformanceStudyForm(forms.ModelForm):
    reason = ReasonField()

    class Meta:
        model = PerformanceStudy
        fields = FIELDS


class PerformanceStudyCreate(ServiceFormView):
    permission_required = "qc.add_performancestudy"
    form_class = PerformanceStudyForm
    title = gettext_lazy("New performance study")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = None
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["product"].queryset = Product.objects.order_by("code")
        return form

    def perform(self, form):
        data = {f: form.cleaned_data[f] for f in FIELDS}
        return create_record(PerformanceStudy, data, user=self.request.user, reason=form.cleaned_data["reason"])


class PerformanceStudyEdit(ServiceFormView):
    """Edit a study: the reason is required (the study may be cited as evidence)."""

    permission_required = "qc.change_performancestudy"
    form_class = PerformanceStudyForm
    title = gettext_lazy("Edit performance study")

    def study(self):
        return get_object_or_404(PerformanceStudy, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.study()
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["reason"].required = True
        form.fields.pop("product")
        return form

    def back_url(self):
        return self.study().get_absolute_url()

    def perform(self, form):
        study = self.study()
        changes = {f: form.cleaned_data[f] for f in FIELDS if f in form.cleaned_data}
        return update_record(study, changes, user=self.request.user, reason=form.cleaned_data["reason"],
                             expected_version=self.request.POST.get("version"))


class StratumForm(forms.ModelForm):
    reason = ReasonField()

    class Meta:
        model = PerformanceStratum
        fields = ("label", "ct_min", "ct_max", "tp", "fn")

    def clean(self):
        data = super().clean()
        low, high = data.get("ct_min"), data.get("ct_max")
        if low is not None and high is not None and low >= high:
            self.add_error("ct_max", _("The upper Ct bound must be above the lower one."))
        return data


class StratumCreate(ServiceFormView):
    permission_required = "qc.change_performancestudy"
    form_class = StratumForm
    title = gettext_lazy("Add a Ct stratum")

    def study(self):
        return get_object_or_404(PerformanceStudy, pk=self.kwargs["pk"])

    def back_url(self):
        return self.study().get_absolute_url()

    def perform(self, form):
        data = {f: form.cleaned_data[f] for f in ("label", "ct_min", "ct_max", "tp", "fn")}
        return create_record(PerformanceStratum, {**data, "study": self.study()}, user=self.request.user,
                             reason=form.cleaned_data["reason"])


def citation(study) -> str:
    """A reference to the study for documents: number, product, design, specimen, n and the estimates."""
    parts = [f"PS-{study.pk:05d}", f"{study.product.code} {study.product.name}"]
    design = " ".join(x for x in (study.get_category_display(), study.kind_display) if x)
    parts.append(design)
    if study.specimen_type:
        parts.append(study.specimen_type)
    parts.append(f"n = {study.tp + study.fp + study.tn + study.fn}")
    for label, value, ci in ((_("sensitivity"), study.sensitivity, study.sensitivity_ci),
                             (_("specificity"), study.specificity, study.specificity_ci)):
        if value is not None:
            parts.append(f"{label} {value * 100:.1f} % (95 % CI {ci[0] * 100:.1f}–{ci[1] * 100:.1f} %, "
                         f"{study.get_ci_method_display()})")
    return "; ".join(parts)


class PerformanceStudyDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_performancestudy"
    template_name = "qc/stats/performancestudy_detail.html"

    def get_context_data(self, **kwargs):
        study = get_object_or_404(PerformanceStudy.objects.select_related("product"), pk=kwargs["pk"])
        strata = list(study.strata.all())
        for stratum in strata:
            stratum.study = study
        return {**super().get_context_data(**kwargs), "study": study, "strata": strata,
                "citation": citation(study),
                "can_edit": self.request.user.has_perm("qc.change_performancestudy")}
