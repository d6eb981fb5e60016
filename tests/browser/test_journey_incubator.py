"""The incubator manager's day in a real browser (issue 19): the portfolio (graduated and exited projects show
no overdue milestone), a project's panels and figures from the records, a milestone completed, then a translation
move refused without its reason and evidence and made with them. In English at 1280 px and in Chinese at 800 px."""

from django.utils import timezone

from incubator.models import Milestone, Project, TranslationMove
from tests.browser.role_steps import LANGUAGES, MARKS, seed_demo, submit

pytestmark = MARKS

NEXT_STAGE = {"screening": "evaluation", "evaluation": "simulated_company", "simulated_company": "company_founded"}


@LANGUAGES
def test_the_incubator_day(journey, language, width):
    seed_demo()
    today = timezone.localdate()
    project = (Project.objects.filter(stage=Project.Stage.INCUBATING, translation_stage__in=list(NEXT_STAGE),
                                      milestones__done_on__isnull=True, milestones__due_on__lt=today)
               .order_by("code").first())
    assert project is not None
    milestone = project.milestones.filter(done_on__isnull=True).order_by("due_on").first()
    closed = list(Project.objects.filter(stage__in=[Project.Stage.GRADUATED, Project.Stage.EXITED]))
    assert closed
    stage_before = project.translation_stage

    day = journey("incubator-day", language, width)
    page = day.page
    day.sign_in("incubator")

    # the portfolio: a graduated or exited project carries no overdue badge, nor a row in the overdue table
    day.goto("/incubator/")
    for p in closed:
        item = page.locator("section.row li.list-group-item", has=page.locator(f"a[href='{p.get_absolute_url()}']"))
        assert item.count() == 1 and item.locator(".badge.text-bg-danger").count() == 0, p.code
        assert page.locator(f"#overdue-h ~ table a[href='{p.get_absolute_url()}']").count() == 0, p.code
    assert page.locator(f"a[href='{project.get_absolute_url()}']").count() >= 1
    day.shot("portfolio")

    # the project: panels with the figures from the records, overdue milestones marked
    day.click(page.locator(f"section.row a[href='{project.get_absolute_url()}']"), navigates=True)
    assert page.locator("main .card, main section").count() >= 3
    assert page.locator("tr.table-danger").count() >= 1
    day.shot("project")

    # a milestone completed with its evidence
    day.click(page.locator(f"a[href='/incubator/milestones/{milestone.pk}/complete/']"), navigates=True)
    day.fill(page.locator("#id_done_on"), today.isoformat())
    day.fill(page.locator("#id_evidence"), "Signed report of the partner hospital")
    day.fill(page.locator("#id_reason"), "milestone reached")
    submit(day)
    milestone.refresh_from_db()
    assert milestone.done_on == today
    day.shot("milestone-done")

    # a translation move: refused without a reason and evidence, nothing changes; made with them
    day.click(page.locator(f"a[href='{project.get_absolute_url()}translation/']"), navigates=True)
    day.fill(page.locator("#id_moved_on"), today.isoformat())
    submit(day)
    assert page.locator("#id_reason ~ .invalid-feedback").count() == 1  # no reason
    day.fill(page.locator("#id_reason"), "evidence accepted by the translation committee")
    submit(day)
    assert page.locator(".invalid-feedback, .alert-danger").count() >= 1  # a reason, but no evidence
    day.shot("move-refused")
    project.refresh_from_db()
    assert project.translation_stage == stage_before
    assert not TranslationMove.objects.filter(project=project, to_stage=NEXT_STAGE[stage_before]).exists()
    day.select(page.locator("#id_milestone"), str(milestone.pk))
    submit(day)
    assert page.url.endswith(project.get_absolute_url())
    day.shot("moved")

    # a graduated project's own page marks no milestone overdue
    day.goto(closed[0].get_absolute_url())
    assert page.locator("tr.table-danger").count() == 0
    day.shot("closed-project")

    project.refresh_from_db()
    assert project.translation_stage == NEXT_STAGE[stage_before]
    move = TranslationMove.objects.filter(project=project).order_by("-id").first()
    assert (move.from_stage, move.to_stage, move.milestone_id) == (stage_before, project.translation_stage,
                                                                   milestone.pk)
    assert move.history.first().history_change_reason == "evidence accepted by the translation committee"
    assert Milestone.objects.get(pk=milestone.pk).history.first().history_user.username == "incubator"
    assert day.count < 30
