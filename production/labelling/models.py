"""Print jobs of batch labels, the per-batch case serial counter and label reconciliation (DOMAIN.md §8)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel

# The label templates a batch's jobs use, by their users' names (the code is what the API and the data keep).
TEMPLATE_LABELS = {"unit": _("Unit (kit box)"), "case": _("Case (shipping case, serialised)")}


class TemplateLabel:
    """``get_template_display()``: the label template's translated name (lists and panels pick it up)."""

    def get_template_display(self):
        return TEMPLATE_LABELS.get(self.template, self.template)


class PrintJob(TemplateLabel, TrackedModel):
    """One print of labels for a batch: who, when, which template and stock, how many, and the case serials."""

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="print_jobs",
                              verbose_name=_("batch"))
    template = models.CharField(_("template"), max_length=30)
    stock = models.CharField(_("stock"), max_length=30)
    copies = models.PositiveIntegerField(_("copies"))
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("printed by"))
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now)
    serial_from = models.CharField(_("first serial"), max_length=20, blank=True)
    serial_to = models.CharField(_("last serial"), max_length=20, blank=True)

    history = history()

    class Meta:
        ordering = ["-printed_at", "-pk"]
        indexes = [models.Index(fields=["printed_at", "id"], name="printjob_list")]
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")

    def __str__(self):
        return f"{self.batch.lot_number} · {self.template} × {self.copies}"

    def get_absolute_url(self):
        return reverse("labelling:batch-labels", args=[self.batch.lot_number])

    @property
    def pdf_url(self) -> str:
        """The job's PDF: re-rendered with the same serials on every GET (each GET is recorded as an output)."""
        return reverse("labelling-job-pdf", args=[self.batch.lot_number, self.pk])


class PrintJobOutput(TrackedModel):
    """One rendering of a print job's PDF: the first is its print, every later one a reprint (same labels, same
    serials; nothing new is issued)."""

    class Kind(models.TextChoices):
        PRINT = "print", _("Print")
        REPRINT = "reprint", _("Reprint")

    job = models.ForeignKey(PrintJob, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("print job"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    output_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("by"))
    output_at = models.DateTimeField(_("at"), default=timezone.now)

    history = history()

    class Meta:
        ordering = ["job", "output_at", "pk"]
        verbose_name = _("print job output")
        verbose_name_plural = _("print job outputs")

    def __str__(self):
        return f"{self.job} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.job.get_absolute_url()


class CaseSerialCounter(models.Model):
    """The last case serial number issued for a batch; locked with SELECT … FOR UPDATE while a job takes a range
    (a counter, not a domain record — like production's LotSequence)."""

    batch = models.OneToOneField("production.Batch", on_delete=models.PROTECT, related_name="+")
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case serial counter")
        verbose_name_plural = _("case serial counters")

    def __str__(self):
        return f"{self.batch_id}: {self.last_value}"


class LabelReconciliation(TemplateLabel, TrackedModel):
    """Labels of one template issued to a batch against used + destroyed + returned, recorded as found: a count
    that does not add up is kept with its discrepancy (issued − accounted) and reason, and opens a deviation
    (DOMAIN.md §8)."""

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="label_reconciliations",
                              verbose_name=_("batch"))
    template = models.CharField(_("template"), max_length=30, default="unit")
    issued = models.PositiveIntegerField(_("issued"))
    used = models.PositiveIntegerField(_("used"))
    destroyed = models.PositiveIntegerField(_("destroyed"))
    returned = models.PositiveIntegerField(_("returned"))
    discrepancy = models.IntegerField(_("discrepancy"), default=0,
                                      help_text=_("Issued − (used + destroyed + returned); 0 when it reconciles."))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = history()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["recorded_at", "id"], name="reconciliation_list")]
        verbose_name = _("label reconciliation")
        verbose_name_plural = _("label reconciliations")

    def __str__(self):
        return (f"{self.batch.lot_number} {self.template}: {self.issued} = {self.used} + {self.destroyed} + "
                f"{self.returned}" + (f" (Δ {self.discrepancy})" if self.discrepancy else ""))

    def get_absolute_url(self):
        return reverse("labelling:batch-labels", args=[self.batch.lot_number])


from production.labelling.serials import DestroyedSerial  # noqa: E402,F401  (destroyed case serials)
