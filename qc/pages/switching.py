"""ISO 2859-1 switching pages: every product × specification with its severity and score, and one state's page
with its lots and moves, QA's signed reduced decision and the signed corrective action after discontinuation."""

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from lims.forms import SignatureForm
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import SigningActionView
from lims.signatures import signature_rows
from qc import switching
from qc.models import SwitchingState
from qc.pages.common import PostAction


class SwitchingList(ListPage):
    model = SwitchingState
    queryset = SwitchingState.objects.select_related("product", "specification")
    search_fields = ("product__code", "specification__code")
    default_sort = "product__code"
    export_name = "switching"
    title = gettext_lazy("ISO 2859-1 switching")
    columns = [
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("specification.code", gettext_lazy("Specification"), sort="specification__code", link=True),
        Column("specification.aql", gettext_lazy("AQL")),
        Column("state", gettext_lazy("Severity"), sort="state"),
        Column("score", gettext_lazy("Switching score"), sort="score"),
        Column("lots_in_state", gettext_lazy("Lots since the last switch")),
        Column("reduced_pending", gettext_lazy("Reduced awaits QA")),
    ]


class SwitchingDetail(RolePageMixin, TemplateView):
    permission_required = "qc.view_switchingstate"
    template_name = "qc/stats/switching_detail.html"

    def get_context_data(self, **kwargs):
        state = get_object_or_404(SwitchingState.objects.select_related("product", "specification"),
                                  pk=kwargs["pk"])
        may_decide = self.request.user.has_perm("qc.decide_switching")
        return {**super().get_context_data(**kwargs), "state": state,
                "lots": state.lots.select_related("inspection").order_by("counted_at", "pk"),
                "moves": state.moves.select_related("decided_by").order_by("moved_at", "pk"),
                "signatures": signature_rows(state), "decide_signing": switching.DECIDE_REDUCED,
                "resume_signing": switching.RESUME_AFTER_CORRECTIVE_ACTION,
                "can_decide": may_decide and state.reduced_pending,
                "can_resume": may_decide and state.state == "discontinued",
                "can_reinstate": may_decide and state.state == "reduced"}


class ReducedDecisionForm(SignatureForm):
    production_steady = forms.BooleanField(label=_("Production is steady (ISO 2859-1 9.3.3)"))


class CorrectiveActionForm(SignatureForm):
    corrective_action = forms.CharField(label=_("Corrective action taken"), widget=forms.Textarea)


class SwitchingDecide(SigningActionView):
    """normal → reduced: QA's signed decision (score ≥ 30, production steady)."""

    permission_required = "qc.decide_switching"
    signing = switching.DECIDE_REDUCED
    form_class = ReducedDecisionForm

    def get_object(self):
        return get_object_or_404(SwitchingState, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return switching.decide_reduced(obj, **form.signing_kwargs(),
                                        production_steady=form.cleaned_data["production_steady"],
                                        user=self.request.user)


class SwitchingResume(SigningActionView):
    """discontinued → tightened: the signed corrective action."""

    permission_required = "qc.decide_switching"
    signing = switching.RESUME_AFTER_CORRECTIVE_ACTION
    form_class = CorrectiveActionForm

    def get_object(self):
        return get_object_or_404(SwitchingState, pk=self.kwargs["pk"])

    def perform(self, form, obj):
        return switching.resume_after_corrective_action(
            obj, **form.signing_kwargs(), corrective_action=form.cleaned_data["corrective_action"],
            user=self.request.user)


class SwitchingReinstate(PostAction):
    permission_required = "qc.decide_switching"

    def get_object(self):
        return get_object_or_404(SwitchingState, pk=self.kwargs["pk"])

    def perform(self, request, obj):
        switching.reinstate_normal(obj, user=request.user, reason=request.POST.get("reason", ""))
