"""Every change of the incubator's records (STYLE.md §1): verb-named services with the acting user and reason.

The stage life cycle is ``applied → incubating → accelerating → graduated | exited``; a project may exit from
any stage that is not final (DESIGN.md, Incubator project). Each move is kept as a dated StageTransition.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.models import KPI, FundingEvent, Milestone, Note, Project, StageTransition
from lims.audit import service
from lims.errors import DomainError
from lims.services import update_record

PROJECT_FIELDS = {"code", "name", "company", "team_lead", "focus_area", "entered_on", "space_m2",
                  "shared_equipment"}


def _locked(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _only(changes: dict, allowed: set):
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be set here.")] for f in sorted(unknown)})


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


@service
def create_project(data: dict, *, user, reason: str = ""):
    """A new project enters the portfolio in ``stage`` (default: applied) on ``entered_on``; that first stage is
    recorded as the project's first transition so the stage history is complete from day one."""
    data = dict(data)
    stage = data.pop("stage", None) or Project.Stage.APPLIED
    _only(data, PROJECT_FIELDS)
    project = _save(Project(stage=stage, **data))
    StageTransition.objects.create(project=project, from_stage="", to_stage=stage, moved_on=project.entered_on)
    return project


@service
def move_project_stage(project, to_stage: str, *, user, reason: str = "", moved_on=None):
    """Move a project to its next stage on ``moved_on`` (default today). Refused (409 ``invalid_transition``)
    unless the move is allowed by ``Project.TRANSITIONS``; a date before the project's last move or in the
    future is invalid input (400)."""
    project = _locked(Project, project)
    moved_on = moved_on or timezone.localdate()
    if to_stage not in Project.Stage.values:
        raise ValidationError({"stage": [_("Unknown stage “%(stage)s”.") % {"stage": to_stage}]})
    if to_stage not in project.TRANSITIONS[project.stage]:
        allowed = ", ".join(str(Project.Stage(s).label) for s in project.TRANSITIONS[project.stage])
        raise DomainError(
            _("A project in stage “%(stage)s” cannot move to “%(to)s” (allowed: %(allowed)s).") % {
                "stage": project.get_stage_display(), "to": Project.Stage(to_stage).label,
                "allowed": allowed or _("none, the stage is final")},
            "invalid_transition")
    last = project.stage_transitions.order_by("-moved_on", "-id").values_list("moved_on", flat=True).first()
    floor = last or project.entered_on
    if moved_on < floor:
        raise ValidationError({"moved_on": [
            _("The move cannot be dated before the project's last stage change (%(date)s).") % {"date": floor}]})
    if moved_on > timezone.localdate():
        raise ValidationError({"moved_on": [_("The move cannot be dated in the future.")]})
    StageTransition.objects.create(project=project, from_stage=project.stage, to_stage=to_stage, moved_on=moved_on)
    project.stage = to_stage
    project.save()
    return project


@service
def update_project(project, changes: dict, *, user, reason: str = "", expected_version=None):
    """Edit a project's master data; a changed ``stage`` goes through the transition rule (move_project_stage)."""
    changes = dict(changes)
    stage = changes.pop("stage", None)
    project = update_record(project, changes, fields=PROJECT_FIELDS, user=user, reason=reason,
                            expected_version=expected_version)
    if stage and stage != project.stage:
        project = move_project_stage(project, stage, user=user, reason=reason)
    return project


@service
def add_milestone(project, *, user, reason: str = "", title: str, due_on, evidence: str = ""):
    return _save(Milestone(project=project, title=title, due_on=due_on, evidence=evidence))


@service
def update_milestone(milestone, changes: dict, *, user, reason: str = "", expected_version=None):
    return update_record(milestone, changes, fields={"title", "due_on", "done_on", "evidence"}, user=user,
                         reason=reason, expected_version=expected_version)


@service
def complete_milestone(milestone, *, user, reason: str = "", done_on=None, evidence: str = ""):
    """A milestone is done on a date, not in the future, with the evidence that shows it (a report, a link)."""
    milestone = _locked(Milestone, milestone)
    if milestone.done_on is not None:
        raise DomainError(_("This milestone was already completed on %(date)s.") % {"date": milestone.done_on},
                          "already_done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be completed in the future.")]})
    if not (evidence or milestone.evidence).strip():
        raise ValidationError({"evidence": [_("Say what shows the milestone is met.")]})
    milestone.done_on = done_on
    if evidence:
        milestone.evidence = evidence
    return _save(milestone)


@service
def record_funding(project, *, user, reason: str = "", source: str, amount, received_on, currency: str = "CNY",
                   kind: str = FundingEvent.Kind.OTHER):
    return _save(FundingEvent(project=project, source=source, amount=amount, currency=(currency or "").upper(),
                              received_on=received_on, kind=kind))


@service
def record_kpi(project, *, user, reason: str = "", period: str, staff=0, revenue=0, patents=0, grants=0):
    """One KPI report per project and period; a second report for the same period is refused (edit it)."""
    if KPI.objects.filter(project=project, period=period).exists():
        raise ValidationError({"period": [_("This project already has KPIs for %(period)s; edit them instead.")
                                          % {"period": period}]})
    return _save(KPI(project=project, period=period, staff=staff, revenue=revenue, patents=patents, grants=grants))


@service
def update_kpi(kpi, changes: dict, *, user, reason: str = "", expected_version=None):
    return update_record(kpi, changes, fields={"staff", "revenue", "patents", "grants"}, user=user, reason=reason,
                         expected_version=expected_version)


@service
def add_note(project, *, user, reason: str = "", text: str):
    return _save(Note(project=project, text=text, author=user))
