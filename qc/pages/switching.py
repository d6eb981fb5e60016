"""ISO 2859-1 switching pages: every product × specification with its severity and score, and one state's page
with its lots and moves, QA's signed reduced decision and the signed corrective action after discontinuation."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from lims.listing import Column, ListPage, RolePageMixin
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
                "signatures": signature_rows(state),
                "can_decide": may_decide and state.reduced_pending,
                "can_resume": may_decide and state.state == "discontinued",
                "can_reinstate": may_decide and state.state == "reduced"}


class _StateAction(PostAction):
    permission_required = "qc.decide_switching"

    def get_object(self):
        return get_object_or_404(SwitchingState, pk=self.kwargs["pk"])


class SwitchingDecide(_StateAction):
    """normal → reduced: QA's signed decision (score ≥ 30, production steady)."""

    def perform(self, request, obj):
        p = request.POST
        switching.decide_reduced(obj, password=p.get("password", ""), meaning=p.get("meaning", ""),
                                 production_steady=p.get("production_steady") == "on", user=request.user,
                                 reason=p.get("reason", ""))


class SwitchingResume(_StateAction):
    """discontinued → tightened: the signed corrective action."""

    def perform(self, request, obj):
        p = request.POST
        switching.resume_after_corrective_action(obj, password=p.get("password", ""), meaning=p.get("meaning", ""),
                                                 corrective_action=p.get("corrective_action", ""),
                                                 user=request.user, reason=p.get("reason", ""))


class SwitchingReinstate(_StateAction):
    def perform(self, request, obj):
        switching.reinstate_normal(obj, user=request.user, reason=request.POST.get("reason", ""))
