"""Pages of the incubator: the portfolio (stage board, overdue milestones, funding by year, charts), lists, the
project page with its child records and other apps' panels, and forms that call incubator.services."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from incubator import forms, services
from incubator.figures import RECORD_KPIS, figures_for, quarterly_kpis
from incubator.filters import FundingFilter, MilestoneFilter, ProjectFilter
from incubator.models import KPI, FocusArea, FundingEvent, Milestone, Project
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ServiceFormView, chart_config
from lims.registry import panels as registered_page_panels

# The portfolio and the project page show milestones and funding too; the Lab role, which only sees projects
# to link a lab client to one, does not get them.
PORTFOLIO_PERMISSIONS = ("incubator.view_project", "incubator.view_milestone", "incubator.view_fundingevent")
STAGE_COLOURS = {"applied": "#6c757d", "incubating": "#0d6efd", "accelerating": "#6610f2",
                 "graduated": "#198754", "exited": "#dc3545"}


class PortfolioView(RolePageMixin, TemplateView):
    """The portfolio at a glance: a column per stage, the overdue milestones, funding per year, charts."""

    permission_required = PORTFOLIO_PERMISSIONS
    template_name = "incubator/portfolio.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filterset = ProjectFilter(self.request.GET or None, queryset=Project.objects.restrict(self.request.user))
        projects = filterset.qs if not filterset.is_bound or filterset.is_valid() else Project.objects.none()
        projects = projects.annotate(overdue=Count(
            "milestones", filter=Q(milestones__done_on__isnull=True, milestones__due_on__lt=today)
            & ~Q(stage__in=Project.final_stages())))
        by_stage = {s: [] for s in Project.Stage.values}
        for project in projects:
            by_stage[project.stage].append(project)
        board = [{"stage": s, "label": Project.Stage(s).label, "projects": by_stage[s]} for s in Project.Stage.values]

        selected = projects.values("pk")
        overdue = list(Milestone.objects.overdue(today).filter(project__in=selected).select_related("project")
                       .order_by("due_on")[:50])
        funding = list(FundingEvent.objects.filter(project__in=selected).annotate(year=ExtractYear("received_on"))
                       .values("year", "currency").annotate(total=Sum("amount"), events=Count("id"))
                       .order_by("year", "currency"))
        years = sorted({f["year"] for f in funding})
        currencies = sorted({f["currency"] for f in funding})
        amounts = {(f["year"], f["currency"]): float(f["total"]) for f in funding}
        focus = dict(projects.order_by().values_list("focus_area").annotate(n=Count("id")))
        charts = {
            "stage_chart": chart_config("bar", [b["label"] for b in board], [{
                "label": str(_("Projects")), "data": [len(b["projects"]) for b in board],
                "backgroundColor": [STAGE_COLOURS[b["stage"]] for b in board]}],
                plugins={"legend": {"display": False}}),
            "funding_chart": chart_config("bar", years, [
                {"label": c, "data": [amounts.get((y, c), 0) for y in years]} for c in currencies]),
            "focus_chart": chart_config("doughnut", [FocusArea(k).label for k in focus],
                                        [{"data": list(focus.values())}]),
        }
        funnel = services.translation_funnel(projects, today)
        charts["funnel_chart"] = chart_config("bar", [str(r["label"]) for r in funnel], [
            {"label": str(_("Projects that reached the stage")), "data": [r["reached"] for r in funnel]},
            {"label": str(_("Projects in the stage now")), "data": [r["now"] for r in funnel]},
        ], indexAxis="y")
        return super().get_context_data(
            filterset=filterset, board=board, overdue=overdue, funding=funding, charts=charts, today=today,
            funnel=funnel, project_count=sum(len(b["projects"]) for b in board), **kwargs)


class ProjectList(ListPage):
    model = Project
    permission_required = PORTFOLIO_PERMISSIONS
    queryset = Project.objects.all()
    filterset_class = ProjectFilter
    title = _("Incubator projects")
    columns = [
        Column("code", _("Code"), sort="code", link=True),
        Column("name", _("Name"), sort="name"),
        Column("company", _("Company"), sort="company"),
        Column("team_lead", _("Team lead")),
        Column("focus_area", _("Focus area"), sort="focus_area"),
        Column("stage", _("Stage"), sort="stage"),
        Column("translation_stage", _("Translation stage"), sort="translation_stage"),
        Column("entered_on", _("Entered on"), sort="entered_on"),
        Column("space_m2", _("Space (m²)"), sort="space_m2"),
    ]
    search_fields = ("code", "name", "company", "team_lead")
    default_sort = "code"
    create_url_name = "incubator:project-create"
    export_name = "incubator-projects"


class MilestoneList(ListPage):
    model = Milestone
    queryset = Milestone.objects.select_related("project")
    filterset_class = MilestoneFilter
    title = _("Milestones")
    columns = [
        Column("project.code", _("Project"), sort="project__code", link=True),
        Column("title", _("Title"), sort="title"),
        Column("due_on", _("Due on"), sort="due_on"),
        Column("done_on", _("Done on"), sort="done_on"),
        Column("evidence", _("Evidence")),
    ]
    search_fields = ("title", "project__code", "project__name", "evidence")
    default_sort = "due_on"
    export_name = "incubator-milestones"


class FundingList(ListPage):
    model = FundingEvent
    queryset = FundingEvent.objects.select_related("project")
    filterset_class = FundingFilter
    title = _("Funding events")
    columns = [
        Column("received_on", _("Date"), sort="received_on"),
        Column("project.code", _("Project"), sort="project__code", link=True),
        Column("kind", _("Kind"), sort="kind"),
        Column("source", _("Source"), sort="source"),
        Column("amount", _("Amount"), sort="amount"),
        Column("currency", _("Currency"), sort="currency"),
    ]
    search_fields = ("source", "project__code", "project__name")
    default_sort = "-received_on"
    export_name = "incubator-funding"


class ProjectDetail(RolePageMixin, TemplateView):
    permission_required = PORTFOLIO_PERMISSIONS
    template_name = "incubator/project_detail.html"

    def get_context_data(self, **kwargs):
        project = get_object_or_404(Project.objects.restrict(self.request.user), pk=self.kwargs["pk"])
        kpis = list(KPI.objects.filter(project=project).order_by("period"))
        funding = list(FundingEvent.objects.filter(project=project).order_by("-received_on", "id"))
        totals: dict[str, float] = {}
        for event in funding:
            totals[event.currency] = totals.get(event.currency, 0) + event.amount
        user = self.request.user
        record_kpis = quarterly_kpis(project)
        return super().get_context_data(
            object=project, project=project, title=str(project),
            transitions=list(project.stage_transitions.order_by("moved_on", "id")),
            translation=services.translation_timeline(
                project, project.translation_moves.select_related("milestone").order_by("moved_on", "id")),
            figures=figures_for([project.pk])[project.pk], record_kpis=record_kpis,
            record_kpi_labels=RECORD_KPIS,
            milestones=list(project.milestones.order_by("due_on", "id")),
            funding=funding, funding_totals=sorted(totals.items()), kpis=kpis,
            notes=list(project.notes.select_related("author").order_by("-created_at", "-id")),
            kpi_chart=chart_config("line", [k.period for k in kpis], [
                {"label": str(_("Staff")), "data": [k.staff for k in kpis], "yAxisID": "y"},
                {"label": str(_("Revenue (CNY)")), "data": [float(k.revenue) for k in kpis], "yAxisID": "y1"},
            ], scales={"y": {"position": "left"}, "y1": {"position": "right"}}),
            panels=registered_page_panels("project", self.request, project),
            can_change=user.has_perm("incubator.change_project"),
            can_add_milestone=user.has_perm("incubator.add_milestone"),
            can_change_milestone=user.has_perm("incubator.change_milestone"),
            can_add_funding=user.has_perm("incubator.add_fundingevent"),
            can_add_kpi=user.has_perm("incubator.add_kpi"), can_change_kpi=user.has_perm("incubator.change_kpi"),
            can_add_note=user.has_perm("incubator.add_note"),
            **kwargs)


class ProjectCreate(ServiceFormView):
    permission_required = "incubator.add_project"
    form_class = forms.ProjectForm
    title = _("New incubator project")
    success_message = _("The project was added.")

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in form._meta.fields}
        return services.create_project(data, user=self.request.user, reason=form.cleaned_data["reason"])


class ProjectChildForm(ServiceFormView):
    """A form about one project (``pk`` in the URL)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = get_object_or_404(Project.objects.all(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def back_url(self):
        return self.project.get_absolute_url()

    def success_url_for(self, obj):
        return self.project.get_absolute_url()


class ProjectEdit(ProjectChildForm):
    permission_required = "incubator.change_project"
    form_class = forms.ProjectEditForm
    success_message = _("The project was saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Project.objects.get(pk=self.project.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("Edit %(project)s") % {"project": self.project}}

    def perform(self, form):
        return services.update_project(self.project, form.changes(), user=self.request.user,
                                       reason=form.cleaned_data["reason"],
                                       expected_version=form.cleaned_data["version"])


class ProjectMoveStage(ProjectChildForm):
    permission_required = "incubator.change_project"
    form_class = forms.StageForm
    success_message = _("The project moved to its new stage.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_initial(self):
        return {"moved_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": _("Move %(project)s to another stage") % {"project": self.project}}

    def perform(self, form):
        d = form.cleaned_data
        return services.move_project_stage(self.project, d["to_stage"], moved_on=d["moved_on"],
                                           user=self.request.user, reason=d["reason"])


class ProjectMoveTranslationStage(ProjectChildForm):
    permission_required = "incubator.change_project"
    form_class = forms.TranslationStageForm
    template_name = "incubator/upload_form.html"
    success_message = _("The project moved along the translation pipeline.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_initial(self):
        return {"moved_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": _("Move %(project)s along the translation pipeline") % {"project": self.project}}

    def perform(self, form):
        d = form.cleaned_data
        return services.move_translation_stage(
            self.project, d["to_stage"], moved_on=d["moved_on"], milestone=d["milestone"], document=d["document"],
            user=self.request.user, reason=d["reason"])


class MilestoneCreate(ProjectChildForm):
    permission_required = "incubator.add_milestone"
    form_class = forms.MilestoneForm
    title = _("New milestone")

    def perform(self, form):
        d = form.cleaned_data
        return services.add_milestone(self.project, title=d["title"], due_on=d["due_on"], evidence=d["evidence"],
                                      user=self.request.user, reason=d["reason"])


class MilestoneChildForm(ServiceFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=kwargs["pk"])
            self.project = self.milestone.project
        return super().dispatch(request, *args, **kwargs)

    def back_url(self):
        return self.project.get_absolute_url()


class MilestoneEdit(MilestoneChildForm):
    permission_required = "incubator.change_milestone"
    form_class = forms.MilestoneForm
    title = _("Edit milestone")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Milestone.objects.get(pk=self.milestone.pk)}

    def perform(self, form):
        return services.update_milestone(self.milestone, form.changes(), user=self.request.user,
                                         reason=form.cleaned_data["reason"],
                                         expected_version=form.cleaned_data["version"])


class MilestoneComplete(MilestoneChildForm):
    permission_required = "incubator.change_milestone"
    form_class = forms.CompleteMilestoneForm
    success_message = _("The milestone is done.")

    def get_initial(self):
        return {"done_on": timezone.localdate(), "evidence": self.milestone.evidence}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": _("Complete milestone “%(title)s”") % {"title": self.milestone.title}}

    def perform(self, form):
        d = form.cleaned_data
        return services.complete_milestone(self.milestone, done_on=d["done_on"], evidence=d["evidence"],
                                           user=self.request.user, reason=d["reason"])


class FundingCreate(ProjectChildForm):
    permission_required = "incubator.add_fundingevent"
    form_class = forms.FundingForm
    title = _("New funding event")

    def perform(self, form):
        d = {f: form.cleaned_data[f] for f in form._meta.fields}
        return services.record_funding(self.project, **d, user=self.request.user, reason=form.cleaned_data["reason"])


class KPICreate(ProjectChildForm):
    permission_required = "incubator.add_kpi"
    form_class = forms.KPIForm
    title = _("New KPI report")

    def perform(self, form):
        d = {f: form.cleaned_data[f] for f in form._meta.fields}
        return services.record_kpi(self.project, **d, user=self.request.user, reason=form.cleaned_data["reason"])


class KPIEdit(ServiceFormView):
    permission_required = "incubator.change_kpi"
    form_class = forms.KPIForm
    title = _("Edit KPI report")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.kpi = get_object_or_404(KPI.objects.select_related("project"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": KPI.objects.get(pk=self.kpi.pk)}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["period"].disabled = True
        return form

    def back_url(self):
        return self.kpi.get_absolute_url()

    def perform(self, form):
        changes = {f: v for f, v in form.changes().items() if f != "period"}
        return services.update_kpi(self.kpi, changes, user=self.request.user, reason=form.cleaned_data["reason"],
                                   expected_version=form.cleaned_data["version"])


class NoteCreate(ProjectChildForm):
    permission_required = "incubator.add_note"
    form_class = forms.NoteForm
    title = _("New note")

    def perform(self, form):
        return services.add_note(self.project, text=form.cleaned_data["text"], user=self.request.user)
