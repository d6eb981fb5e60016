"""A graduated or exited project shows no milestone overdue (issue 19): not on the home panel, the portfolio, the
project page, nor in the overdue filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incubator import services
from incubator.models import Milestone
from tests.incubator.factories import make_milestone, make_project

pytestmark = pytest.mark.django_db


def late_milestone(user, *stages):
    project = make_project(user)
    milestone = make_milestone(user, project=project, title=f"late of {project.code}",
                               due_on=timezone.localdate() - timedelta(days=400))
    for stage in stages:
        project = services.move_project_stage(project, stage, user=user, reason="moved")
    return project, Milestone.objects.get(pk=milestone.pk)


def test_final_stages_have_no_overdue_milestones(client_for, incubator_user):
    running, still_late = late_milestone(incubator_user, "incubating")
    graduated, old = late_milestone(incubator_user, "incubating", "accelerating", "graduated")
    exited, gone = late_milestone(incubator_user, "exited")
    assert list(Milestone.objects.overdue()) == [still_late]
    assert still_late.is_overdue and not old.is_overdue and not gone.is_overdue

    client = client_for(incubator_user)
    home = client.get("/").content.decode()
    assert still_late.title in home and old.title not in home and gone.title not in home
    portfolio = client.get("/incubator/").content.decode()
    assert old.title not in portfolio and still_late.title in portfolio
    page = client.get(graduated.get_absolute_url()).content.decode()
    assert old.title in page and "table-danger" not in page
    listed = client.get("/incubator/milestones/?overdue=true").content.decode()
    assert still_late.title in listed and old.title not in listed
