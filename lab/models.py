"""The independent testing lab: its clients, the assays it offers and the samples it tests (DESIGN.md, Lab
sample / test: received → in testing → reported; turnaround time = reported − received)."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from lims.audit import history
from lims.models import BilingualName, TrackedModel

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Letters, digits, dot, dash and underscore only."))


class Client(BilingualName, TrackedModel):
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
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("lab:client-detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.project_id and self.kind != self.Kind.INCUBATOR_PROJECT:
            raise ValidationError({"project": [_("Only a client of kind “incubator project” links to a project.")]})


class Assay(BilingualName, TrackedModel):
    """A test the lab offers. Its result type decides what a result is (issue 19): *qualitative* — positive,
    negative or invalid, with the control line read (a lateral-flow strip without its control line is invalid);
    *quantitative* — a number in the assay's unit, judged against its reference range; *descriptive* — free text
    (a culture, a morphology)."""

    class ResultType(models.TextChoices):
        QUALITATIVE = "qualitative", _("Qualitative (positive / negative / invalid)")
        QUANTITATIVE = "quantitative", _("Quantitative (value with unit)")
        DESCRIPTIVE = "descriptive", _("Descriptive (text)")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    method = models.CharField(_("method"), max_length=200)
    tat_target_hours = models.PositiveIntegerField(_("turnaround target (hours)"), validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=0,
                                validators=[MinValueValidator(0)])
    result_type = models.CharField(_("result type"), max_length=20, choices=ResultType.choices,
                                   default=ResultType.DESCRIPTIVE)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("Quantitative assays: the unit."))
    reference_low = models.DecimalField(_("reference range from"), max_digits=14, decimal_places=4, null=True,
                                        blank=True)
    reference_high = models.DecimalField(_("reference range to"), max_digits=14, decimal_places=4, null=True,
                                         blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("assay")
        verbose_name_plural = _("assays")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("lab:assay-detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.result_type == self.ResultType.QUANTITATIVE and not (self.unit or "").strip():
            errors["unit"] = [_("A quantitative assay needs its unit.")]
        if self.result_type != self.ResultType.QUANTITATIVE and (
                self.reference_low is not None or self.reference_high is not None):
            errors["reference_low"] = [_("Only a quantitative assay has a reference range.")]
        if self.reference_low is not None and self.reference_high is not None and (
                self.reference_high < self.reference_low):
            errors["reference_high"] = [_("The upper limit is below the lower one.")]
        if errors:
            raise ValidationError(errors)

    @property
    def reference_range(self) -> str:
        low, high = self.reference_low, self.reference_high
        fmt = "{:f}".format
        if low is not None and high is not None:
            return f"{fmt(low.normalize())}–{fmt(high.normalize())} {self.unit}".strip()
        if low is not None:
            return f"≥ {fmt(low.normalize())} {self.unit}".strip()
        if high is not None:
            return f"≤ {fmt(high.normalize())} {self.unit}".strip()
        return ""


class Sample(TrackedModel):
    """A sample received for one assay: ``received → in_testing → reported``, or ``rejected`` (unfit sample,
    with a reason) before it is reported. Turnaround time (TAT) = reported_at − received_at."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_TESTING = "in_testing", _("In testing")
        REPORTED = "reported", _("Reported")
        REJECTED = "rejected", _("Rejected")

    class Outcome(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        INVALID = "invalid", _("Invalid")

    class Flag(models.TextChoices):
        LOW = "low", _("Below the reference range")
        NORMAL = "normal", _("Within the reference range")
        HIGH = "high", _("Above the reference range")

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
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    control_line = models.BooleanField(_("control line present"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("result entered by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("result reviewed by"))
    reviewed_at = models.DateTimeField(_("result reviewed at"), null=True, blank=True)

    history = history()
    history_label_field = "barcode"

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at", "id"], name="sample_recv_list"),
            models.Index(fields=["status", "received_at"], name="lab_sample_status_recv"),
        ]
        permissions = [("review_sample", "Can review results (second person)")]
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
    def flag(self) -> str:
        """Where a quantitative result lies against the assay's reference range ("" when not applicable)."""
        if self.result_value is None or self.assay.result_type != Assay.ResultType.QUANTITATIVE:
            return ""
        if self.assay.reference_low is not None and self.result_value < self.assay.reference_low:
            return self.Flag.LOW
        if self.assay.reference_high is not None and self.result_value > self.assay.reference_high:
            return self.Flag.HIGH
        if self.assay.reference_low is None and self.assay.reference_high is None:
            return ""
        return self.Flag.NORMAL

    def get_flag_display(self) -> str:
        return str(self.Flag(self.flag).label) if self.flag else ""

    @property
    def result_display(self) -> str:
        """The result as a person reads it, by the assay's result type."""
        if self.outcome:
            line = _("control line present") if self.control_line else _("no control line")
            return f"{self.get_outcome_display()} ({line})"
        parts = [self.result] if self.result else []
        if self.result_value is not None:
            parts.append(f"{self.result_value.normalize():f} {self.result_unit}".strip())
        return " · ".join(parts)

    @property
    def tat_hours(self):
        if self.reported_at is None:
            return None
        return (self.reported_at - self.received_at).total_seconds() / 3600


class ThroughputDay(models.Model):
    """The lab's throughput rollup: one row per local day (settings.TIME_ZONE) and assay, maintained by the sample
    services in the same transaction as the sample itself (lab.rollup) and rebuilt from the samples by
    ``manage.py rebuild_lab_throughput``. A derived figure, not a record: the samples carry the history.

    The arrays keep the figures exact: ``tat_ms`` holds every turnaround time (milliseconds, sorted, int64
    little-endian) of the samples reported that day, ``tat_clients`` their clients (int32, aligned), and
    ``received_clients`` / ``closed_clients`` one client id (int32, sorted) per sample received / closed
    (reported or rejected) that day, so medians, 90th percentiles, % within target and the backlog of any
    window, per assay or client, come out exactly as from the samples."""

    day = models.DateField(_("day"))
    assay = models.ForeignKey(Assay, on_delete=models.CASCADE, related_name="+", verbose_name=_("assay"))
    received = models.PositiveIntegerField(_("received"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    tat_ms = models.BinaryField(default=b"")
    tat_clients = models.BinaryField(default=b"")
    received_clients = models.BinaryField(default=b"")
    closed_clients = models.BinaryField(default=b"")

    class Meta:
        ordering = ["day", "assay"]
        constraints = [models.UniqueConstraint(fields=["day", "assay"], name="lab_throughputday_unique")]
        verbose_name = _("throughput day")
        verbose_name_plural = _("throughput days")

    def __str__(self):
        return f"{self.day} {self.assay_id}"


class ThroughputClientDay(models.Model):
    """Part of the throughput rollup (lab.rollup keeps it with ``ThroughputDay``): how many samples of one client
    and assay were received and closed (reported or rejected) on one local day. Plain counts, so that the backlog
    at the start of any window, per assay and client, is one ``SUM … GROUP BY`` over narrow rows instead of
    every earlier day's client arrays. A derived figure, not a record (no history)."""

    day = models.DateField(_("day"))
    assay = models.ForeignKey(Assay, on_delete=models.CASCADE, related_name="+", verbose_name=_("assay"))
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client"))
    received = models.IntegerField(_("received"), default=0)
    closed = models.IntegerField(_("closed"), default=0)

    class Meta:
        ordering = ["day", "assay", "client"]
        constraints = [models.UniqueConstraint(fields=["day", "assay", "client"],
                                               name="lab_throughputclientday_unique")]
        verbose_name = _("throughput day of a client")
        verbose_name_plural = _("throughput days of clients")

    def __str__(self):
        return f"{self.day} {self.assay_id} {self.client_id}"


class ThroughputPeriod(models.Model):
    """Part of the throughput rollup (recomputed from ``ThroughputDay`` by lab.rollup's refresh and rebuild; a
    sample service only marks the periods it touches stale, ``ThroughputStale``): the figures of one whole local
    day, ISO week or month (``bucket``; ``period`` its first day) for one assay over all clients, one client over
    all assays, or everything (``assay_key`` / ``client_key``: the id, 0 = all).
    ``median_lo`` / ``median_hi`` and ``p90_lo`` / ``p90_hi`` are the turnaround times (ms) between which the
    median and the 90th percentile interpolate (type 7, lab.throughput), so the figures of a whole period are read,
    not ranked again from every turnaround time; ``within`` counts the completed samples within the target kept in
    ``ThroughputTarget``; ``received`` / ``closed`` are the flows of the backlog. The row with both keys 0 exists
    for every period with samples: it is the lock under which the period is recomputed. A derived figure, not a
    record (no history)."""

    bucket = models.CharField(_("bucket"), max_length=5)
    period = models.DateField(_("period"))
    assay_key = models.PositiveBigIntegerField(_("assay (0 = all)"), default=0)
    client_key = models.PositiveBigIntegerField(_("client (0 = all)"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    within = models.PositiveIntegerField(_("within target"), default=0)
    received = models.PositiveIntegerField(_("received"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    median_lo = models.BigIntegerField(default=0)
    median_hi = models.BigIntegerField(default=0)
    p90_lo = models.BigIntegerField(default=0)
    p90_hi = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["bucket", "period", "assay_key", "client_key"]
        constraints = [models.UniqueConstraint(fields=["bucket", "period", "assay_key", "client_key"],
                                               name="lab_throughputperiod_unique")]
        verbose_name = _("throughput period")
        verbose_name_plural = _("throughput periods")

    def __str__(self):
        return f"{self.bucket} {self.period} {self.assay_key} {self.client_key}"


class ThroughputStale(models.Model):
    """Part of the throughput rollup: a mark that the kept figures of one period (``ThroughputPeriod``, ``bucket``
    and ``period`` its first day) may be out of date. The sample services add one per period a change touches (a
    plain INSERT, no lock on the period); lab.throughput ranks the day arrays of a marked period instead of reading
    its kept figures, and lab.rollup's refresh (a periodic task, and ``rebuild_lab_throughput``) recomputes the
    period and deletes the marks it saw before reading the day rows — a mark added meanwhile stays. A derived
    figure, not a record (no history)."""

    bucket = models.CharField(_("bucket"), max_length=5)
    period = models.DateField(_("period"))

    class Meta:
        indexes = [models.Index(fields=["bucket", "period"], name="lab_throughputstale_period")]
        verbose_name = _("stale throughput period")
        verbose_name_plural = _("stale throughput periods")

    def __str__(self):
        return f"{self.bucket} {self.period}"


class ThroughputTarget(models.Model):
    """The turnaround target (hours) of an assay that the ``within`` counts of ``ThroughputPeriod`` were computed
    with. When an assay's target changes, lab.rollup recomputes the periods (the figures always use the current
    target); while they differ, lab.throughput computes from the day rows instead."""

    assay = models.OneToOneField(Assay, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                 verbose_name=_("assay"))
    hours = models.PositiveIntegerField(_("turnaround target (hours)"))

    class Meta:
        verbose_name = _("throughput target")
        verbose_name_plural = _("throughput targets")

    def __str__(self):
        return f"{self.assay_id} {self.hours}"


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
