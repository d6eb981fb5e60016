"""The independent testing lab: its clients, the assays it offers and the samples it tests (DESIGN.md, Lab
sample / test: received → in testing → reported; turnaround time = reported − received)."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from lims.audit import history
from lims.models import TrackedModel

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Letters, digits, dot, dash and underscore only."))


class Client(TrackedModel):
    """Who sends samples: a hospital, an incubator project, the plant's own QC, or someone else."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        INCUBATOR_PROJECT = "incubator_project", _("Incubator project")
        PLANT_QC = "plant_qc", _("Plant QC")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="lab_clients",
                                verbose_name=_("incubator project"))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("lab client")
        verbose_name_plural = _("lab clients")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("lab:client-detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.project_id and self.kind != self.Kind.INCUBATOR_PROJECT:
            raise ValidationError({"project": [_("Only a client of kind “incubator project” links to a project.")]})


class Assay(TrackedModel):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    method = models.CharField(_("method"), max_length=200)
    tat_target_hours = models.PositiveIntegerField(_("turnaround target (hours)"), validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=0,
                                validators=[MinValueValidator(0)])
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("assay")
        verbose_name_plural = _("assays")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("lab:assay-detail", args=[self.pk])


class Sample(TrackedModel):
    """A sample received for one assay: ``received → in_testing → reported``, or ``rejected`` (unfit sample,
    with a reason) before it is reported. Turnaround time (TAT) = reported_at − received_at."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_TESTING = "in_testing", _("In testing")
        REPORTED = "reported", _("Reported")
        REJECTED = "rejected", _("Rejected")

    OPEN = (Status.RECEIVED, Status.IN_TESTING)

    barcode = models.CharField(_("barcode"), max_length=32, unique=True, validators=[code_validator])
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="samples", verbose_name=_("client"))
    assay = models.ForeignKey(Assay, on_delete=models.PROTECT, related_name="samples", verbose_name=_("assay"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    started_at = models.DateTimeField(_("testing started at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True, db_index=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    result_value = models.DecimalField(_("result value"), max_digits=14, decimal_places=4, null=True, blank=True)
    result_unit = models.CharField(_("unit"), max_length=30, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    history = history()
    history_label_field = "barcode"

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at", "id"], name="sample_recv_list"),
            models.Index(fields=["status", "received_at"], name="lab_sample_status_recv"),
        ]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self):
        return self.barcode

    def get_absolute_url(self):
        return reverse("lab:sample-detail", args=[self.pk])

    def requires_reason_for_edit(self) -> bool:
        """A reported or rejected sample is a closed record: correcting it needs a reason (Annex 11 §9)."""
        return self.status in (self.Status.REPORTED, self.Status.REJECTED) or super().requires_reason_for_edit()

    @property
    def tat_hours(self):
        if self.reported_at is None:
            return None
        return (self.reported_at - self.received_at).total_seconds() / 3600


class TubeLabelPrint(TrackedModel):
    """One print of a sample's tube label (lims label engine, ``lab/labels.py``): who, when, how many — every
    print and reprint is a row, so the record shows how many labels a tube got."""

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="tube_label_prints",
                               verbose_name=_("sample"))
    copies = models.PositiveIntegerField(_("copies"), default=1, validators=[MinValueValidator(1)])
    stock = models.CharField(_("stock"), max_length=30)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("printed by"))
    printed_at = models.DateTimeField(_("printed at"))

    history = history()

    class Meta:
        ordering = ["-printed_at", "-pk"]
        verbose_name = _("tube label print")
        verbose_name_plural = _("tube label prints")

    def __str__(self):
        return f"{self.sample.barcode} × {self.copies}"

    def get_absolute_url(self):
        return self.sample.get_absolute_url()
