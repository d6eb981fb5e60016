"""The incubator's portfolio: projects, their stages, milestones, funding, KPIs and notes (DESIGN.md, Incubator
project; DOMAIN.md §1: the institute's incubator-accelerator hosts 18 start-up projects)."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel
from lims.permissions import RestrictedQuerySet


class FocusArea(models.TextChoices):
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    DIGITAL_HEALTH = "digital_health", _("Digital health and big data")
    AI_ASSESSMENT = "ai_assessment", _("Intelligent assessment systems")
    ONCOLOGY = "oncology", _("Tumour diagnosis and therapy")
    DRUG_DISCOVERY = "drug_discovery", _("Drug discovery")
    MICROBIOLOGY = "microbiology", _("Microbiology")
    NEURODEVELOPMENT = "neurodevelopment", _("Neurodevelopment (autism intervention)")
    WOMENS_HEALTH = "womens_health", _("Women's health")
    OTHER = "other", _("Other")


class TranslationStage(models.TextChoices):
    """The institute's translation pipeline for incubated technology (issue 20; API.md ``translation_stage``)."""

    SCREENING = "screening", _("Screening")
    EVALUATION = "evaluation", _("Evaluation")
    SIMULATED_COMPANY = "simulated_company", _("Simulated company")
    COMPANY_FOUNDED = "company_founded", _("Company founded")
    PILOT_MANUFACTURE = "pilot_manufacture", _("Pilot manufacture")
    ON_MARKET = "on_market", _("On the market")


#: The pipeline in order; a move goes to the next stage only (move_translation_stage).
TRANSLATION_ORDER = list(TranslationStage.values)


class Project(TrackedModel):
    """An incubator project. ``applied → incubating → accelerating → graduated | exited`` (exited from any
    stage that is not final); every move is a dated :class:`StageTransition` (incubator.services)."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INCUBATING = "incubating", _("Incubating")
        ACCELERATING = "accelerating", _("Accelerating")
        GRADUATED = "graduated", _("Graduated")
        EXITED = "exited", _("Exited")

    # The life cycle as data: the stages each stage may move to (DESIGN.md, Incubator project).
    TRANSITIONS = {
        Stage.APPLIED: (Stage.INCUBATING, Stage.EXITED),
        Stage.INCUBATING: (Stage.ACCELERATING, Stage.EXITED),
        Stage.ACCELERATING: (Stage.GRADUATED, Stage.EXITED),
        Stage.GRADUATED: (),
        Stage.EXITED: (),
    }

    @classmethod
    def final_stages(cls):
        return [stage for stage, moves in cls.TRANSITIONS.items() if not moves]

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    team_lead = models.CharField(_("team lead"), max_length=120, blank=True)
    focus_area = models.CharField(_("focus area"), max_length=30, choices=FocusArea.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    translation_stage = models.CharField(
        _("translation stage"), max_length=20, choices=TranslationStage.choices, default=TranslationStage.SCREENING,
        help_text=_("Where the technology stands on its way to the market; moved with evidence "
                    "(incubator.services.move_translation_stage)."))
    entered_on = models.DateField(_("entered on"))
    space_m2 = models.DecimalField(_("space (m²)"), max_digits=8, decimal_places=1, default=0,
                                   validators=[MinValueValidator(0)])
    shared_equipment = models.TextField(_("shared equipment used"), blank=True)

    history = history()
    history_label_field = "code"
    history_children = ("stage_transitions", "translation_moves", "milestones", "funding_events", "kpis", "notes")

    class Meta:
        ordering = ["code"]
        verbose_name = _("incubator project")
        verbose_name_plural = _("incubator projects")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("incubator:project-detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return not self.TRANSITIONS[self.stage]

    def next_stages(self):
        return list(self.TRANSITIONS[self.stage])

    def next_translation_stage(self) -> str | None:
        index = TRANSLATION_ORDER.index(self.translation_stage)
        return TRANSLATION_ORDER[index + 1] if index + 1 < len(TRANSLATION_ORDER) else None


class ProjectChild(TrackedModel):
    """A record that belongs to one project; its history shows on the project's history tab."""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse("incubator:project-detail", args=[self.project_id])


class StageTransition(ProjectChild):
    """One dated move of a project between stages, written only by ``move_project_stage``."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="stage_transitions",
                                verbose_name=_("project"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Project.Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Project.Stage.choices)
    moved_on = models.DateField(_("moved on"))

    history = history()

    class Meta:
        ordering = ["moved_on", "id"]
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")

    def __str__(self):
        return f"{self.project_id}: {self.from_stage or '—'} → {self.to_stage} ({self.moved_on})"


def translation_document_path(instance, filename):
    return f"incubator/projects/{instance.project_id}/translation/{filename}"


class TranslationMove(ProjectChild):
    """One dated move of a project along the translation pipeline, with the evidence that justifies it: a
    completed milestone of the project, or an uploaded document (kept with its SHA-256). Written only by
    ``move_translation_stage`` (and by ``create_project`` for the starting stage, which needs none)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="translation_moves",
                                verbose_name=_("project"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=TranslationStage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=TranslationStage.choices)
    moved_on = models.DateField(_("moved on"))
    milestone = models.ForeignKey("Milestone", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="translation_moves", verbose_name=_("evidence milestone"))
    document = models.FileField(_("evidence document"), upload_to=translation_document_path, max_length=300,
                                blank=True)
    document_name = models.CharField(_("document name"), max_length=200, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)

    history = history()

    class Meta:
        ordering = ["moved_on", "id"]
        verbose_name = _("translation move")
        verbose_name_plural = _("translation moves")

    def __str__(self):
        return f"{self.project_id}: {self.from_stage or '—'} → {self.to_stage} ({self.moved_on})"


class MilestoneQuerySet(RestrictedQuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        # A graduated or exited project (a final stage) has no milestone overdue any more (issue 19).
        return self.filter(done_on__isnull=True, due_on__lt=today).exclude(project__stage__in=Project.final_stages())


class Milestone(ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What shows the milestone is met: a report, a certificate, a link."))

    history = history()
    history_label_field = "title"
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"])]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (self.done_on is None and self.due_on < timezone.localdate()
                and self.project.stage not in Project.final_stages())


class FundingEvent(ProjectChild):
    class Kind(models.TextChoices):
        GRANT = "grant", _("Government grant")
        ANGEL = "angel", _("Angel investment")
        VENTURE = "venture", _("Venture capital")
        LOAN = "loan", _("Loan")
        PRIZE = "prize", _("Competition prize")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="funding_events",
                                verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(_("source"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY",
                                validators=[RegexValidator(r"^[A-Z]{3}$", _("An ISO 4217 code such as CNY."))])
    received_on = models.DateField(_("date"))

    history = history()
    history_label_field = "source"

    class Meta:
        ordering = ["-received_on", "id"]
        verbose_name = _("funding event")
        verbose_name_plural = _("funding events")

    def __str__(self):
        return f"{self.source} {self.amount} {self.currency}"


class KPI(ProjectChild):
    """Key figures of a project for one period: a quarter (``2026-Q3``) or a month (``2026-07``)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="kpis", verbose_name=_("project"))
    period = models.CharField(_("period"), max_length=7, validators=[RegexValidator(
        r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$", _("A quarter such as 2026-Q3 or a month such as 2026-07."))])
    staff = models.PositiveIntegerField(_("staff"), default=0)
    revenue = models.DecimalField(_("revenue (CNY)"), max_digits=14, decimal_places=2, default=0,
                                  validators=[MinValueValidator(0)])
    patents = models.PositiveIntegerField(_("patents"), default=0)
    grants = models.PositiveIntegerField(_("grants"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("Where the typed figures come from: the company's quarterly report, the "
                                          "finance office, the patent office's register."))

    history = history()
    history_label_field = "period"

    class Meta:
        ordering = ["project_id", "period"]
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="incubator_kpi_one_per_period")]
        verbose_name = _("KPI report")
        verbose_name_plural = _("KPI reports")

    def __str__(self):
        return f"{self.project_id} {self.period}"


class Note(ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="notes", verbose_name=_("project"))
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))

    history = history()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.text[:60]
