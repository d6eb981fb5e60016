"""Incubator: stage transitions, child records through services, history, pages, API, roles, query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator import services
from incubator.models import FundingEvent, Milestone, Project, StageTransition
from lims.errors import DomainError
from lims.history import object_history
from lims.registry import panels, register_panel, registered_panels
from tests.helpers import Snapshot, assert_constant_queries, assert_history
from tests.incubator.factories import FACTORIES, make_funding, make_kpi, make_milestone, make_project

pytestmark = pytest.mark.django_db


# --- factories and history ------------------------------------------------------------------------------
@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_every_tracked_model_has_a_factory_writing_user_and_reason(model, incubator_user):
    obj = FACTORIES[model](incubator_user, "for the audit test")
    assert isinstance(obj, model)
    assert_history(obj, user=incubator_user, reason="for the audit test", type="+")


# --- stage transitions ---------------------------------------------------------------------------------
def test_a_new_project_records_its_first_stage(incubator_user):
    project = make_project(incubator_user, entered_on=date(2025, 2, 3))
    [t] = project.stage_transitions.all()
    assert (t.from_stage, t.to_stage, t.moved_on) == ("", "applied", date(2025, 2, 3))


def test_allowed_transitions_through_to_graduation(incubator_user):
    project = make_project(incubator_user, entered_on=date(2024, 1, 2))
    for stage, day in (("incubating", date(2024, 3, 1)), ("accelerating", date(2025, 1, 15)),
                       ("graduated", date(2025, 9, 30))):
        project = services.move_project_stage(project, stage, moved_on=day, user=incubator_user,
                                              reason=f"board decision {stage}")
    assert project.stage == "graduated"
    assert [(t.from_stage, t.to_stage, t.moved_on) for t in project.stage_transitions.order_by("id")] == [
        ("", "applied", date(2024, 1, 2)), ("applied", "incubating", date(2024, 3, 1)),
        ("incubating", "accelerating", date(2025, 1, 15)), ("accelerating", "graduated", date(2025, 9, 30))]
    assert_history(project, user=incubator_user, reason="board decision graduated", type="~")


@pytest.mark.parametrize("stage", ["applied", "incubating", "accelerating"])
def test_a_project_may_exit_from_any_stage_that_is_not_final(stage, incubator_user):
    project = make_project(incubator_user, stage=stage)
    project = services.move_project_stage(project, "exited", user=incubator_user, reason="team dissolved")
    assert project.stage == "exited"


@pytest.mark.parametrize(("start", "target"), [
    ("applied", "accelerating"), ("applied", "graduated"), ("incubating", "applied"),
    ("graduated", "exited"), ("exited", "incubating"), ("accelerating", "incubating")])
def test_refused_transitions_change_nothing(start, target, incubator_user):
    project = make_project(incubator_user, stage=start)
    snapshot = Snapshot(project, *project.stage_transitions.all())
    count = StageTransition.objects.count()
    with pytest.raises(DomainError) as exc:
        services.move_project_stage(project, target, user=incubator_user, reason="try")
    assert exc.value.code == "invalid_transition"
    snapshot.assert_unchanged()
    assert StageTransition.objects.count() == count


def test_a_move_dated_before_the_last_one_is_invalid(incubator_user):
    from django.core.exceptions import ValidationError

    project = make_project(incubator_user, entered_on=date(2025, 5, 1))
    snapshot = Snapshot(project)
    with pytest.raises(ValidationError) as exc:
        services.move_project_stage(project, "incubating", moved_on=date(2025, 4, 30), user=incubator_user)
    assert "moved_on" in exc.value.message_dict
    snapshot.assert_unchanged()


def test_project_history_includes_children_with_user_and_reason(incubator_user):
    project = make_project(incubator_user)
    make_milestone(incubator_user, "first milestone planned", project=project)
    services.move_project_stage(project, "incubating", user=incubator_user, reason="admitted by the board")
    entries = object_history(project)
    assert entries[0]["user"] == "incubator"
    reasons = {e["reason"] for e in entries}
    assert {"admitted by the board", "first milestone planned"} <= reasons
    assert {e["model"] for e in entries} >= {"incubator.project", "incubator.milestone", "incubator.stagetransition"}


# --- milestones, funding, KPIs ----------------------------------------------------------------------------
def test_milestone_completion_needs_evidence_and_a_past_date(incubator_user):
    from django.core.exceptions import ValidationError

    milestone = make_milestone(incubator_user)
    snapshot = Snapshot(milestone)
    with pytest.raises(ValidationError):
        services.complete_milestone(milestone, user=incubator_user, reason="done")
    with pytest.raises(ValidationError):
        services.complete_milestone(milestone, evidence="report", done_on=timezone.localdate() + timedelta(days=1),
                                    user=incubator_user)
    snapshot.assert_unchanged()
    done = services.complete_milestone(milestone, evidence="Test report TR-12", done_on=date(2025, 7, 1),
                                       user=incubator_user, reason="report received")
    assert (done.done_on, done.evidence) == (date(2025, 7, 1), "Test report TR-12")
    assert not done.is_overdue
    with pytest.raises(DomainError):
        services.complete_milestone(done, evidence="again", user=incubator_user)


def test_overdue_milestones(incubator_user):
    project = make_project(incubator_user)
    today = timezone.localdate()
    late = make_milestone(incubator_user, project=project, title="late", due_on=today - timedelta(days=1))
    make_milestone(incubator_user, project=project, title="due today", due_on=today)
    assert list(Milestone.objects.overdue()) == [late]


def test_one_kpi_report_per_period(incubator_user):
    from django.core.exceptions import ValidationError

    kpi = make_kpi(incubator_user)
    with pytest.raises(ValidationError) as exc:
        make_kpi(incubator_user, project=kpi.project)
    assert "period" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_kpi(incubator_user, project=kpi.project, period="2025-Q5")
    updated = services.update_kpi(kpi, {"staff": 11}, user=incubator_user, reason="corrected head count")
    assert updated.staff == 11
    assert_history(updated, user=incubator_user, reason="corrected head count", type="~")


# --- pages -----------------------------------------------------------------------------------------------
def test_portfolio_shows_board_overdue_and_funding_totals_by_year(client_for, incubator_user):
    a = make_project(incubator_user, name="Autism intervention", stage="incubating", focus_area="neurodevelopment")
    b = make_project(incubator_user, name="Women's diagnostics", stage="accelerating", focus_area="womens_health")
    make_funding(incubator_user, project=a, amount=Decimal("100000"), received_on=date(2024, 5, 1))
    make_funding(incubator_user, project=b, amount=Decimal("250000.50"), received_on=date(2024, 9, 1))
    make_funding(incubator_user, project=b, amount=Decimal("300000"), received_on=date(2025, 2, 1))
    make_milestone(incubator_user, project=a, title="Pilot in two kindergartens", due_on=date(2020, 1, 1))
    response = client_for(incubator_user).get(reverse("incubator:portfolio"))
    assert response.status_code == 200
    board = {c["stage"]: [p.pk for p in c["projects"]] for c in response.context["board"]}
    assert board["incubating"] == [a.pk] and board["accelerating"] == [b.pk]
    totals = {(f["year"], f["currency"]): f["total"] for f in response.context["funding"]}
    assert totals == {(2024, "CNY"): Decimal("350000.50"), (2025, "CNY"): Decimal("300000")}
    assert [m.title for m in response.context["overdue"]] == ["Pilot in two kindergartens"]
    assert b'data-chart="stage-chart"' in response.content and b'id="funding-chart"' in response.content

    filtered = client_for(incubator_user).get(reverse("incubator:portfolio"), {"focus_area": "womens_health"})
    assert filtered.context["project_count"] == 1
    assert {(f["year"]) for f in filtered.context["funding"]} == {2024, 2025}
    assert filtered.context["overdue"] == []


def test_portfolio_and_project_page_keep_a_constant_query_count(client_for, incubator_user):
    project = make_project(incubator_user)
    client = client_for(incubator_user)
    rounds = iter(range(100))

    def add_rows():
        year = 2000 + next(rounds)
        for i in range(3):
            other = make_project(incubator_user, stage="incubating")
            make_milestone(incubator_user, project=other, due_on=date(2020, 1, 1 + i))
            make_funding(incubator_user, project=other, received_on=date(2020 + i, 1, 1))
            make_milestone(incubator_user, project=project, due_on=date(2021, 1, 1 + i))
            make_funding(incubator_user, project=project, received_on=date(2021 + i, 1, 1))
            make_kpi(incubator_user, project=project, period=f"{year}-Q{i + 1}")
            services.add_note(project, text=f"note {i}", user=incubator_user)

    assert_constant_queries(client, reverse("incubator:portfolio"), lambda: None)
    for name, args in (("incubator:portfolio", []), ("incubator:project-detail", [project.pk]),
                       ("incubator:project-list", []), ("incubator:milestone-list", []),
                       ("incubator:funding-list", []), ("home", [])):
        assert_constant_queries(client, reverse(name, args=args), add_rows)


@pytest.mark.parametrize(("persona", "status"), [
    ("Incubator", 200), ("Auditor", 200), ("Admin", 200), ("Lab", 403), ("QA", 403), ("Production", 403),
    ("outsider", 403)])
def test_pages_by_role(personas, client_for, incubator_user, persona, status):
    project = make_project(incubator_user)
    client = client_for(personas[persona])
    for url in (reverse("incubator:portfolio"), reverse("incubator:project-list"), reverse("incubator:milestone-list"),
                reverse("incubator:funding-list"), reverse("incubator:project-detail", args=[project.pk])):
        assert client.get(url).status_code == status, url
    menu = client.get(reverse("home")).content.decode()
    assert (reverse("incubator:portfolio") in menu) == (status == 200)


def test_auditor_reads_but_cannot_change(client_for, auditor_user, incubator_user):
    project = make_project(incubator_user)
    client = client_for(auditor_user)
    snapshot = Snapshot(project)
    for url in (reverse("incubator:project-edit", args=[project.pk]),
                reverse("incubator:project-stage", args=[project.pk]), reverse("incubator:project-create")):
        assert client.get(url).status_code == 403
        assert client.post(url, {"to_stage": "incubating", "moved_on": "2025-03-01", "reason": "x"}).status_code == 403
    snapshot.assert_unchanged()


def test_stage_form_moves_and_refuses_with_a_message(client_for, incubator_user):
    project = make_project(incubator_user, entered_on=date(2025, 1, 6))
    client = client_for(incubator_user)
    url = reverse("incubator:project-stage", args=[project.pk])
    response = client.post(url, {"to_stage": "incubating", "moved_on": "2025-02-01", "reason": "board decision"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == "incubating"
    assert_history(project, user=incubator_user, reason="board decision")
    snapshot = Snapshot(project)
    response = client.post(url, {"to_stage": "accelerating", "moved_on": "2025-01-01", "reason": "too early"})
    assert response.status_code == 200
    assert "moved_on" in response.context["form"].errors
    snapshot.assert_unchanged()


def test_project_forms_create_and_edit_with_reason(client_for, incubator_user):
    client = client_for(incubator_user)
    response = client.post(reverse("incubator:project-create"), {
        "code": "INC-NEW", "name": "3D microbial culture", "company": "Chongqing Weikang Biotech",
        "focus_area": "microbiology", "stage": "applied", "entered_on": "2025-03-03", "space_m2": "45",
        "reason": "application accepted"})
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    project = Project.objects.get(code="INC-NEW")
    assert_history(project, user=incubator_user, reason="application accepted", type="+")
    response = client.post(reverse("incubator:project-edit", args=[project.pk]), {
        "code": "INC-NEW", "name": "3D microbial culture platform", "company": "Chongqing Weikang Biotech",
        "focus_area": "microbiology", "entered_on": "2025-03-03", "space_m2": "60", "version": project.version,
        "reason": "moved to a larger room"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.space_m2) == ("3D microbial culture platform", Decimal("60.0"))
    assert_history(project, user=incubator_user, reason="moved to a larger room", type="~")
    stale = client.post(reverse("incubator:project-edit", args=[project.pk]), {
        "code": "INC-NEW", "name": "stale", "focus_area": "microbiology", "entered_on": "2025-03-03",
        "space_m2": "60", "version": project.version - 1, "reason": "stale"})
    assert stale.status_code == 200
    project.refresh_from_db()
    assert project.name == "3D microbial culture platform"


def test_child_forms(client_for, incubator_user):
    project = make_project(incubator_user)
    client = client_for(incubator_user)
    assert client.post(reverse("incubator:milestone-create", args=[project.pk]), {
        "title": "CE self-declaration", "due_on": "2025-10-01", "evidence": "", "reason": "plan"}).status_code == 302
    assert client.post(reverse("incubator:funding-create", args=[project.pk]), {
        "kind": "venture", "source": "Chongqing Angel Fund", "amount": "2000000", "currency": "CNY",
        "received_on": "2025-04-01", "reason": "term sheet signed"}).status_code == 302
    assert client.post(reverse("incubator:kpi-create", args=[project.pk]), {
        "period": "2025-07", "staff": "9", "revenue": "0", "patents": "2", "grants": "1", "reason": "report"
    }).status_code == 302
    assert client.post(reverse("incubator:note-create", args=[project.pk]), {"text": "Visited."}).status_code == 302
    milestone = project.milestones.get()
    assert client.post(reverse("incubator:milestone-complete", args=[milestone.pk]), {
        "done_on": "2025-06-01", "evidence": "DoC signed", "reason": "done"}).status_code == 302
    assert FundingEvent.objects.get(project=project).amount == Decimal("2000000")
    assert project.kpis.get().patents == 2
    assert project.notes.get().author == incubator_user
    milestone.refresh_from_db()
    assert milestone.done_on == date(2025, 6, 1)
    page = client.get(reverse("incubator:project-detail", args=[project.pk]))
    assert b"CE self-declaration" in page.content and b"Chongqing Angel Fund" in page.content


# --- extension point ---------------------------------------------------------------------------------------
def test_registered_panels_render_on_the_project_page(client_for, incubator_user, rf):
    assert any(p.template_name == "lab/panels/project_lab_usage.html" for p in registered_panels("project"))
    project = make_project(incubator_user)
    request = rf.get("/")
    request.user = incubator_user
    seen = []
    register_panel("project", "lab/panels/project_lab_usage.html", lambda req, p: seen.append(p) or None, order=50)
    try:
        assert all(p["template_name"] != "lab/panels/project_lab_usage.html"
                   for p in panels("project", request, project))
        assert seen == [project]
    finally:
        from lab.panels import project_lab_usage

        register_panel("project", "lab/panels/project_lab_usage.html", project_lab_usage, order=50)
    page = client_for(incubator_user).get(project.get_absolute_url())
    assert "Use of the testing lab" in page.content.decode()


# --- API ----------------------------------------------------------------------------------------------
def test_api_projects_fields_and_stage_rule(api_for, incubator_user):
    api = api_for(incubator_user)
    response = api.post("/api/v1/incubator/projects/", {
        "code": "INC-API", "name": "Health big data", "focus_area": "digital_health", "stage": "applied",
        "entered_on": "2025-01-02", "reason": "application"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("code", "name", "focus_area", "stage", "entered_on")} == {
        "code": "INC-API", "name": "Health big data", "focus_area": "digital_health", "stage": "applied",
        "entered_on": "2025-01-02"}
    pk = body["id"]
    project = Project.objects.get(pk=pk)
    snapshot = Snapshot(project)
    refused = api.patch(f"/api/v1/incubator/projects/{pk}/", {"reason": "corrected", "stage": "graduated"},
                        format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    snapshot.assert_unchanged()
    moved = api.patch(f"/api/v1/incubator/projects/{pk}/", {"stage": "incubating", "reason": "admitted"},
                      format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == "incubating"
    assert_history(Project.objects.get(pk=pk), user=incubator_user, reason="admitted")
    assert api.get("/api/v1/incubator/projects/", {"stage": "incubating"}).json()["count"] == 1


@pytest.mark.parametrize(("persona", "read", "write"), [
    ("Incubator", 200, 201), ("Auditor", 200, 403), ("Lab", 200, 403), ("QC", 403, 403), ("outsider", 403, 403)])
def test_api_roles(api_for, personas, persona, read, write):
    api = api_for(personas[persona])
    assert api.get("/api/v1/incubator/projects/").status_code == read
    before = Project.objects.count()
    response = api.post("/api/v1/incubator/projects/", {
        "code": f"R-{persona}", "name": "x", "focus_area": "other", "entered_on": "2025-01-01"}, format="json")
    assert response.status_code == write
    assert Project.objects.count() == before + (1 if write == 201 else 0)


def test_api_anonymous_is_401(client):
    assert client.get("/api/v1/incubator/projects/").status_code == 401
