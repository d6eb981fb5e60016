"""Every change of the incubator's records (STYLE.md §1): verb-named services with the acting user and reason.

The stage life cycle is ``applied → incubating → accelerating → graduated | exited``; a project may exit from
any stage that is not final (DESIGN.md, Incubator project). Each move is kept as a dated StageTransition.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.models import (
    KPI,
    TRANSLATION_ORDER,
    FundingEvent,
    Milestone,
    Note,
    Project,
    StageTransition,
    TranslationMove,
    TranslationStage,
)
from lims.audit import service
from lims.errors import DomainError, ReasonRequired
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
    translation_stage = data.pop("translation_stage", None) or TranslationStage.SCREENING
    _only(data, PROJECT_FIELDS)
    project = _save(Project(stage=stage, translation_stage=translation_stage, **data))
    StageTransition.objects.create(project=project, from_stage="", to_stage=stage, moved_on=project.entered_on)
    TranslationMove.objects.create(project=project, from_stage="", to_stage=translation_stage,
                                   moved_on=project.entered_on)
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


def max_evidence_bytes() -> int:
    return getattr(settings, "LIMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


@service
def move_translation_stage(project, to_stage: str, *, user, reason: str = "", moved_on=None, milestone=None,
                           document=None):
    """Move a project to the next stage of the translation pipeline (screening → evaluation → simulated company →
    company founded → pilot manufacture → on the market) on ``moved_on`` (default today).

    The move needs the person's reason (400 ``reason_required``) and its evidence: a completed ``milestone`` of
    this project or an uploaded ``document`` (kept with its SHA-256), else a field error on ``milestone``. Only
    the next stage may be reached (409 ``invalid_translation_move``): a stage is not skipped without its own
    evidence. Dated not before the last move nor in the future."""
    if not (reason or "").strip():
        raise ReasonRequired()
    project = _locked(Project, project)
    moved_on = moved_on or timezone.localdate()
    if to_stage not in TranslationStage.values:
        raise ValidationError({"translation_stage": [_("Unknown translation stage “%(stage)s”.") % {
            "stage": to_stage}]})
    expected = project.next_translation_stage()
    if to_stage != expected:
        raise DomainError(
            _("A project in translation stage “%(stage)s” moves only to “%(next)s”, not to “%(to)s”.") % {
                "stage": project.get_translation_stage_display(), "to": TranslationStage(to_stage).label,
                "next": TranslationStage(expected).label if expected else _("nothing, the stage is final")},
            "invalid_translation_move")
    errors = {}
    if milestone is not None:
        if milestone.project_id != project.pk:
            errors["milestone"] = [_("The milestone belongs to another project.")]
        elif milestone.done_on is None:
            errors["milestone"] = [_("The milestone is not done yet; only a completed milestone is evidence.")]
    data = b""
    if document is not None:
        if document.size > max_evidence_bytes():
            errors["document"] = [_("The file is larger than %(mb)s MB.") % {"mb": max_evidence_bytes() // 2**20}]
        else:
            data = document.read()
            if not data:
                errors["document"] = [_("The file is empty.")]
    if milestone is None and document is None:
        errors["milestone"] = [_("Give the evidence of the move: a completed milestone or a document.")]
    last = project.translation_moves.order_by("-moved_on", "-id").values_list("moved_on", flat=True).first()
    floor = last or project.entered_on
    if moved_on < floor:
        errors["moved_on"] = [_("The move cannot be dated before the project's last translation move "
                                "(%(date)s).") % {"date": floor}]
    elif moved_on > timezone.localdate():
        errors["moved_on"] = [_("The move cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    move = TranslationMove(project=project, from_stage=project.translation_stage, to_stage=to_stage,
                           moved_on=moved_on, milestone=milestone)
    if document is not None:
        move.document_name = document.name.rsplit("/", 1)[-1][:200]
        move.document_sha256 = hashlib.sha256(data).hexdigest()
        move.document.save(move.document_name, ContentFile(data), save=False)
    _save(move)
    project.translation_stage = to_stage
    project.save()
    return project


def translation_timeline(project, moves=None, today=None) -> list[dict]:
    """The project's stays in each translation stage: ``[{stage, label, since, until, days, move}]`` in order,
    the current one open (``until`` None, days counted to today). Projects that predate the pipeline start in
    their recorded stage on ``entered_on``."""
    today = today or timezone.localdate()
    moves = list(moves if moves is not None else project.translation_moves.order_by("moved_on", "id"))
    if not moves or moves[0].from_stage:
        first = moves[0].from_stage if moves else project.translation_stage
        moves.insert(0, TranslationMove(project=project, from_stage="", to_stage=first, moved_on=project.entered_on))
    stays = []
    for index, move in enumerate(moves):
        until = moves[index + 1].moved_on if index + 1 < len(moves) else None
        stays.append({"stage": move.to_stage, "label": TranslationStage(move.to_stage).label,
                      "since": move.moved_on, "until": until, "days": ((until or today) - move.moved_on).days,
                      "move": move if move.pk else None})
    return stays


def translation_funnel(projects, today=None) -> list[dict]:
    """The portfolio funnel: per stage, the projects in it now, those that ever reached it, and the mean days
    spent in it (completed stays; the current stays' days so far apart). Two queries whatever the portfolio."""
    today = today or timezone.localdate()
    projects = list(projects)
    moves: dict[int, list] = {p.pk: [] for p in projects}
    for move in TranslationMove.objects.filter(project__in=[p.pk for p in projects]).order_by("moved_on", "id"):
        moves[move.project_id].append(move)
    rows = {s: {"stage": s, "label": TranslationStage(s).label, "now": 0, "reached": 0, "done_days": [],
                "current_days": []} for s in TRANSLATION_ORDER}
    for project in projects:
        rows[project.translation_stage]["now"] += 1
        index = TRANSLATION_ORDER.index(project.translation_stage)
        for stage in TRANSLATION_ORDER[:index + 1]:
            rows[stage]["reached"] += 1
        for stay in translation_timeline(project, moves[project.pk], today):
            (rows[stay["stage"]]["current_days"] if stay["until"] is None else rows[stay["stage"]]["done_days"]
             ).append(stay["days"])
    out = []
    for stage in TRANSLATION_ORDER:
        row = rows[stage]
        done, current = row.pop("done_days"), row.pop("current_days")
        row["mean_days"] = round(sum(done) / len(done), 1) if done else None
        row["stays"] = len(done)
        row["current_mean_days"] = round(sum(current) / len(current), 1) if current else None
        out.append(row)
    return out


@service
def update_project(project, changes: dict, *, user, reason: str = "", expected_version=None):
    """Edit a project's master data; a changed ``stage`` goes through the transition rule (move_project_stage)."""
    changes = dict(changes)
    stage = changes.pop("stage", None)
    translation_stage = changes.pop("translation_stage", None)
    milestone, document = changes.pop("translation_milestone", None), changes.pop("translation_document", None)
    project = update_record(project, changes, fields=PROJECT_FIELDS, user=user, reason=reason,
                            expected_version=expected_version)
    if stage and stage != project.stage:
        project = move_project_stage(project, stage, user=user, reason=reason)
    if translation_stage and translation_stage != project.translation_stage:
        try:
            project = move_translation_stage(project, translation_stage, milestone=milestone, document=document,
                                             user=user, reason=reason)
        except ValidationError as exc:  # name the API's fields
            names = {"milestone": "translation_milestone", "document": "translation_document",
                     "moved_on": "translation_stage"}
            raise ValidationError({names.get(f, f): m for f, m in exc.message_dict.items()}) from None
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
def record_kpi(project, *, user, reason: str = "", period: str, staff=0, revenue=0, patents=0, grants=0,
               source: str = ""):
    """One KPI report per project and period; a second report for the same period is refused (edit it). These
    are the typed figures, with their ``source``; units made, released, shipped and markets come from the record
    (incubator.figures)."""
    if KPI.objects.filter(project=project, period=period).exists():
        raise ValidationError({"period": [_("This project already has KPIs for %(period)s; edit them instead.")
                                          % {"period": period}]})
    return _save(KPI(project=project, period=period, staff=staff, revenue=revenue, patents=patents, grants=grants,
                     source=source))


@service
def update_kpi(kpi, changes: dict, *, user, reason: str = "", expected_version=None):
    return update_record(kpi, changes, fields={"staff", "revenue", "patents", "grants", "source"}, user=user,
                         reason=reason, expected_version=expected_version)


@service
def add_note(project, *, user, reason: str = "", text: str):
    return _save(Note(project=project, text=text, author=user))
