"""The incubator's portfolio: projects and their stages (DESIGN.md, Incubator project; DOMAIN.md §1)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel


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


class Project(TrackedModel):
    """An incubator project. ``applied → incubating → accelerating → graduated | exited``."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INCUBATING = "incubating", _("Incubating")
        ACCELERATING = "accelerating", _("Accelerating")
        GRADUATED = "graduated", _("Graduated")
        EXITED = "exited", _("Exited")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    team_lead = models.CharField(_("team lead"), max_length=120, blank=True)
    focus_area = models.CharField(_("focus area"), max_length=30, choices=FocusArea.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    entered_on = models.DateField(_("entered on"))

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("incubator project")
        verbose_name_plural = _("incubator projects")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("incubator:project-detail", args=[self.pk])
