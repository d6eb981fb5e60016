"""One factory per tracked model of the incubator, each going through the services so that history carries the
acting user and the reason: ``FACTORIES[Model](user, reason) -> instance``."""

import itertools
from datetime import date
from decimal import Decimal

from incubator import services
from incubator.models import KPI, FundingEvent, Milestone, Note, Project, StageTransition, TranslationMove

_seq = itertools.count(1)


def make_project(user, reason="new project", **fields):
    n = next(_seq)
    data = {"code": f"INC-{n:03d}", "name": f"Project {n}", "focus_area": "diagnostics",
            "entered_on": date(2025, 1, 6), **fields}
    return services.create_project(data, user=user, reason=reason)


def make_stage_transition(user, reason="moved"):
    project = make_project(user, reason)
    services.move_project_stage(project, Project.Stage.INCUBATING, moved_on=date(2025, 3, 1), user=user,
                                reason=reason)
    return project.stage_transitions.order_by("-id").first()


def make_translation_move(user, reason="evaluation report accepted"):
    project = make_project(user, reason)
    milestone = make_milestone(user, reason, project=project, title="Evaluation report")
    milestone = services.complete_milestone(milestone, done_on=date(2025, 3, 1), evidence="report", user=user,
                                            reason=reason)
    services.move_translation_stage(project, "evaluation", moved_on=date(2025, 3, 2), milestone=milestone,
                                    user=user, reason=reason)
    return project.translation_moves.order_by("-id").first()


def make_milestone(user, reason="planned", project=None, **fields):
    project = project or make_project(user, reason)
    return services.add_milestone(project, title=fields.pop("title", "Prototype"), due_on=fields.pop(
        "due_on", date(2025, 6, 30)), user=user, reason=reason, **fields)


def make_funding(user, reason="funding received", project=None, **fields):
    project = project or make_project(user, reason)
    fields = {"source": "Chongqing Science and Technology Bureau", "amount": Decimal("500000.00"),
              "received_on": date(2025, 4, 1), "kind": FundingEvent.Kind.GRANT, **fields}
    return services.record_funding(project, user=user, reason=reason, **fields)


def make_kpi(user, reason="quarterly report", project=None, **fields):
    project = project or make_project(user, reason)
    fields = {"period": "2025-Q2", "staff": 8, "revenue": Decimal("120000"), "patents": 1, "grants": 1, **fields}
    return services.record_kpi(project, user=user, reason=reason, **fields)


def make_note(user, reason="note", project=None):
    project = project or make_project(user, reason)
    return services.add_note(project, text="Met the team; prototype looks promising.", user=user, reason=reason)


FACTORIES = {
    Project: make_project,
    StageTransition: make_stage_transition,
    TranslationMove: make_translation_move,
    Milestone: make_milestone,
    FundingEvent: make_funding,
    KPI: make_kpi,
    Note: make_note,
}
