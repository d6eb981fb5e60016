"""Models of the quality statistics (issue 17), imported at the end of ``qc.models``:

- ISO 2859-1 switching rules (clause 9) per product and specification: ``SwitchingState`` with its lots
  (``SwitchingLot``) and moves (``SwitchingMove``), logic in ``qc.switching``;
- control charts: ``WestgardConfig`` per analyte, ``ControlMaterial`` (analyte, level, lot, target mean and SD),
  ``ControlRun``, ``ControlResult`` and ``ControlRunUse`` (an inspection used a run), logic in ``qc.control``;
- stability studies (EN ISO 23640): ``StabilityStudy``, ``StabilityLot``, ``StabilityTimePoint``,
  ``StabilityResult`` and the per-product release gate ``StabilityGate``, logic in ``qc.stability``;
- Ct strata of a performance study: ``PerformanceStratum``.

Every state change goes through the services of those modules.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lims.audit import history
from lims.models import TrackedModel

__all__ = [
    "ControlMaterial", "ControlResult", "ControlRun", "ControlRunUse", "PerformanceStratum", "Severity",
    "StabilityGate", "StabilityLot", "StabilityResult", "StabilityStudy", "StabilityTimePoint", "SwitchingLot",
    "SwitchingMove", "SwitchingState", "WestgardConfig",
]

# --- ISO 2859-1 switching ------------------------------------------------------------------------------------


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    TIGHTENED = "tightened", _("Tightened")
    REDUCED = "reduced", _("Reduced")
    DISCONTINUED = "discontinued", _("Discontinued")


class SwitchingState(TrackedModel):
    """Where the switching rules of ISO 2859-1:1999 clause 9 stand for one product and one AQL specification."""

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="switching_states",
                                verbose_name=_("product"), editable=False)
    specification = models.OneToOneField("qc.Specification", on_delete=models.PROTECT, related_name="switching",
                                         verbose_name=_("specification"), editable=False)
    state = models.CharField(_("severity"), max_length=12, choices=Severity.choices, default=Severity.NORMAL,
                             editable=False)
    score = models.PositiveIntegerField(_("switching score"), default=0, editable=False)
    lots_in_state = models.PositiveIntegerField(_("lots since the last switch"), default=0, editable=False)
    consecutive_accepted = models.PositiveIntegerField(_("consecutive lots accepted"), default=0, editable=False)
    not_accepted_in_tightened = models.PositiveIntegerField(_("lots not accepted on tightened"), default=0,
                                                            editable=False)
    recent = models.JSONField(_("last lots on normal"), default=list, blank=True, editable=False)

    history = history()
    history_children = ("lots", "moves")

    class Meta:
        ordering = ["product__code", "specification__code"]
        verbose_name = _("switching state")
        verbose_name_plural = _("switching states")
        permissions = [("decide_switching", _("Can decide reduced inspection and resume after discontinuation"))]

    def __str__(self):
        return f"{self.specification.code} · {self.get_state_display()}"

    def get_absolute_url(self):
        return reverse("qc:switching-detail", args=[self.pk])

    @property
    def reduced_pending(self) -> bool:
        """The score has reached 30 on normal inspection: reduced inspection needs QA's decision."""
        return self.state == Severity.NORMAL and self.score >= 30


class SwitchingLot(TrackedModel):
    """One lot's original inspection as counted by the switching rules (the approved inspection's AQL result)."""

    switching = models.ForeignKey(SwitchingState, on_delete=models.PROTECT, related_name="lots",
                                  verbose_name=_("switching state"), editable=False)
    inspection = models.ForeignKey("qc.Inspection", on_delete=models.PROTECT, related_name="switching_lots",
                                   verbose_name=_("inspection"), editable=False)
    lot_number = models.CharField(_("lot number"), max_length=60, editable=False)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices, editable=False)
    sample_size = models.PositiveIntegerField(_("sample size"), editable=False)
    accept = models.PositiveIntegerField(_("Ac"), editable=False)
    nonconforming = models.PositiveIntegerField(_("nonconforming found"), editable=False)
    accepted = models.BooleanField(_("accepted"), editable=False)
    score_after = models.PositiveIntegerField(_("score after"), editable=False)
    state_after = models.CharField(_("severity after"), max_length=12, choices=Severity.choices, editable=False)
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now, editable=False)

    history = history()

    class Meta:
        ordering = ["switching", "counted_at", "pk"]
        verbose_name = _("switching lot")
        verbose_name_plural = _("switching lots")
        constraints = [models.UniqueConstraint(fields=["switching", "inspection"], name="qc_switching_lot_once")]

    def __str__(self):
        return f"{self.lot_number} · {_('accepted') if self.accepted else _('not accepted')}"

    def get_absolute_url(self):
        return self.switching.get_absolute_url()


class SwitchingMove(TrackedModel):
    """A move between severities with the rule and the lots that caused it (or the person who decided it)."""

    class Rule(models.TextChoices):
        TWO_OF_FIVE = "two_of_five", _("2 of 5 or fewer consecutive lots not accepted")
        FIVE_ACCEPTED = "five_accepted", _("5 consecutive lots accepted on tightened")
        SCORE_DECISION = "score_decision", _("Switching score 30 and QA's decision")
        NOT_ACCEPTED_ON_REDUCED = "not_accepted_on_reduced", _("A lot not accepted on reduced")
        FIVE_NOT_ACCEPTED = "five_not_accepted", _("5 lots not accepted on tightened: discontinued")
        CORRECTIVE_ACTION = "corrective_action", _("Corrective action: resume at tightened")
        REINSTATED = "reinstated", _("Normal reinstated (irregular production or other conditions)")

    switching = models.ForeignKey(SwitchingState, on_delete=models.PROTECT, related_name="moves",
                                  verbose_name=_("switching state"), editable=False)
    from_state = models.CharField(_("from"), max_length=12, choices=Severity.choices, editable=False)
    to_state = models.CharField(_("to"), max_length=12, choices=Severity.choices, editable=False)
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices, editable=False)
    lots = models.JSONField(_("lots"), default=list, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"), editable=False)
    note = models.TextField(_("note"), blank=True, editable=False)
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now, editable=False)

    history = history()

    class Meta:
        ordering = ["switching", "moved_at", "pk"]
        verbose_name = _("switching move")
        verbose_name_plural = _("switching moves")

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    def get_absolute_url(self):
        return self.switching.get_absolute_url()


# --- Control charts ------------------------------------------------------------------------------------------


class WestgardConfig(TrackedModel):
    """Which Westgard rules judge the control results of one analyte (all by default)."""

    analyte = models.CharField(_("analyte"), max_length=100, unique=True)
    rules = models.JSONField(_("rules"), default=list)

    history = history()
    history_label_field = "analyte"

    class Meta:
        ordering = ["analyte"]
        verbose_name = _("Westgard configuration")
        verbose_name_plural = _("Westgard configurations")

    def __str__(self):
        return f"{self.analyte}: {', '.join(self.rules)}"

    def get_absolute_url(self):
        return reverse("qc:controlmaterial-list") + f"?analyte={self.analyte}"


class ControlMaterial(TrackedModel):
    """A control material lot at one level of an analyte, with its target mean and SD (from a baseline of at
    least 20 results, or the manufacturer's insert)."""

    class TargetSource(models.TextChoices):
        BASELINE = "baseline", _("Baseline of at least 20 results")
        INSERT = "insert", _("Manufacturer's insert")

    analyte = models.CharField(_("analyte"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=30)
    lot = models.CharField(_("lot"), max_length=60)
    expiry_date = models.DateField(_("expiry date"))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target_source = models.CharField(_("target from"), max_length=10, choices=TargetSource.choices,
                                     default=TargetSource.BASELINE)
    target_mean = models.DecimalField(_("target mean"), max_digits=14, decimal_places=5, null=True, blank=True)
    target_sd = models.DecimalField(_("target SD"), max_digits=14, decimal_places=5, null=True, blank=True,
                                    validators=[MinValueValidator(0)])
    baseline_n = models.PositiveIntegerField(_("baseline results"), null=True, blank=True, editable=False)

    history = history()
    history_label_field = "lot"

    class Meta:
        ordering = ["analyte", "level", "lot"]
        verbose_name = _("control material")
        verbose_name_plural = _("control materials")
        constraints = [models.UniqueConstraint(fields=["analyte", "level", "lot"], name="qc_control_unique")]

    def __str__(self):
        return f"{self.analyte} · {self.level} · {self.lot}"

    def get_absolute_url(self):
        return reverse("qc:controlmaterial-detail", args=[self.pk])

    def clean(self):
        from qc.control import validate_material

        validate_material(self)

    @property
    def has_target(self) -> bool:
        return self.target_mean is not None and self.target_sd is not None and self.target_sd > 0


class ControlRun(TrackedModel):
    """An analytical run of an analyte: its control results at every level decide whether it is in control."""

    class Status(models.TextChoices):
        OPEN = "open", _("No result yet")
        ACCEPTED = "accepted", _("In control")
        WARNING = "warning", _("Warning (1-2s)")
        REJECTED = "rejected", pgettext_lazy("control run", "Rejected")

    analyte = models.CharField(_("analyte"), max_length=100, editable=False)
    name = models.CharField(_("run"), max_length=100, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              editable=False, db_index=True)
    deviation = models.ForeignKey("qc.Deviation", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="control_runs", verbose_name=_("deviation"), editable=False)

    history = history()
    history_label_field = "name"
    history_children = ("results", "uses")

    class Meta:
        ordering = ["analyte", "started_at", "pk"]
        verbose_name = _("control run")
        verbose_name_plural = _("control runs")
        constraints = [models.UniqueConstraint(fields=["analyte", "name"], name="qc_control_run_unique")]

    def __str__(self):
        return f"{self.analyte} · {self.name}"

    def get_absolute_url(self):
        return reverse("qc:controlrun-detail", args=[self.pk])


class ControlResult(TrackedModel):
    """One control value of a run at one level, with its z-score and the Westgard rules it violates."""

    material = models.ForeignKey(ControlMaterial, on_delete=models.PROTECT, related_name="results",
                                 verbose_name=_("control material"), editable=False)
    run = models.ForeignKey(ControlRun, on_delete=models.PROTECT, related_name="results", verbose_name=_("run"),
                            editable=False)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=5, editable=False)
    measured_at = models.DateTimeField(_("measured at"), default=timezone.now, editable=False)
    baseline = models.BooleanField(_("baseline"), default=False, editable=False)
    z = models.FloatField(_("z"), null=True, blank=True, editable=False)
    rules = models.JSONField(_("rules"), default=list, blank=True, editable=False)

    history = history()

    class Meta:
        ordering = ["material", "measured_at", "pk"]
        verbose_name = _("control result")
        verbose_name_plural = _("control results")
        constraints = [models.UniqueConstraint(fields=["material", "run"], name="qc_control_result_once")]

    def __str__(self):
        return f"{self.material} · {self.run.name}: {self.value}"

    def get_absolute_url(self):
        return self.run.get_absolute_url()


class ControlRunUse(TrackedModel):
    """An inspection whose results were measured in a run: a rejected run blocks it."""

    run = models.ForeignKey(ControlRun, on_delete=models.PROTECT, related_name="uses", verbose_name=_("run"),
                            editable=False)
    inspection = models.ForeignKey("qc.Inspection", on_delete=models.PROTECT, related_name="control_run_uses",
                                   verbose_name=_("inspection"), editable=False)

    history = history()

    class Meta:
        ordering = ["run", "inspection"]
        verbose_name = _("control run used by an inspection")
        verbose_name_plural = _("control runs used by inspections")
        constraints = [models.UniqueConstraint(fields=["run", "inspection"], name="qc_control_run_use_once")]

    def __str__(self):
        return f"{self.run} → {self.inspection_id}"

    def get_absolute_url(self):
        return self.run.get_absolute_url()


# --- Stability ------------------------------------------------------------------------------------------------


class StabilityStudy(TrackedModel):
    """A stability study of a product (EN ISO 23640, IVDR Annex II §6.3): protocol, lots, time points, results."""

    class Protocol(models.TextChoices):
        REAL_TIME = "real_time", _("Real time")
        ACCELERATED = "accelerated", _("Accelerated")
        IN_USE = "in_use", _("In use (opened)")
        TRANSPORT = "transport", _("Transport")

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        APPROVED = "approved", pgettext_lazy("stability study status", "Approved")

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="stability_studies",
                                verbose_name=_("product"))
    title = models.CharField(_("title"), max_length=200)
    protocol = models.CharField(_("protocol"), max_length=12, choices=Protocol.choices)
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=5, decimal_places=1, null=True,
                                        blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ONGOING,
                              editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"), editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    history = history()
    history_label_field = "title"
    history_children = ("lots", "time_points")

    class Meta:
        ordering = ["product__code", "started_on", "pk"]
        verbose_name = _("stability study")
        verbose_name_plural = _("stability studies")
        permissions = [("approve_stabilitystudy", _("Can approve stability studies"))]

    def __str__(self):
        return f"{self.product.code} · {self.title}"

    def get_absolute_url(self):
        return reverse("qc:stability-detail", args=[self.pk])

    def requires_reason_for_edit(self) -> bool:
        return self.status == self.Status.APPROVED or super().requires_reason_for_edit()


class StabilityLot(TrackedModel):
    study = models.ForeignKey(StabilityStudy, on_delete=models.PROTECT, related_name="lots",
                              verbose_name=_("study"), editable=False)
    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="stability_lots",
                              verbose_name=_("batch"), editable=False)

    history = history()

    class Meta:
        ordering = ["study", "batch__lot_number"]
        verbose_name = _("stability lot")
        verbose_name_plural = _("stability lots")
        constraints = [models.UniqueConstraint(fields=["study", "batch"], name="qc_stability_lot_once")]

    def __str__(self):
        return self.batch.lot_number

    def get_absolute_url(self):
        return self.study.get_absolute_url()


class StabilityTimePoint(TrackedModel):
    study = models.ForeignKey(StabilityStudy, on_delete=models.PROTECT, related_name="time_points",
                              verbose_name=_("study"), editable=False)
    months = models.PositiveSmallIntegerField(_("months"), validators=[MaxValueValidator(120)])
    pull_date = models.DateField(_("pull date"))
    pulled_on = models.DateField(_("pulled on"), null=True, blank=True, editable=False)

    history = history()
    history_children = ("results",)

    class Meta:
        ordering = ["study", "months"]
        verbose_name = _("stability time point")
        verbose_name_plural = _("stability time points")
        constraints = [models.UniqueConstraint(fields=["study", "months"], name="qc_stability_point_once")]

    def __str__(self):
        return _("%(months)s months") % {"months": self.months}

    def get_absolute_url(self):
        return self.study.get_absolute_url()


class StabilityResult(TrackedModel):
    """A lot's result at a time point against a stability specification, judged by the server."""

    time_point = models.ForeignKey(StabilityTimePoint, on_delete=models.PROTECT, related_name="results",
                                   verbose_name=_("time point"), editable=False)
    lot = models.ForeignKey(StabilityLot, on_delete=models.PROTECT, related_name="results", verbose_name=_("lot"),
                            editable=False)
    specification = models.ForeignKey("qc.Specification", on_delete=models.PROTECT,
                                      related_name="stability_results", verbose_name=_("specification"),
                                      editable=False)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField(_("passed (as entered)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=4, editable=False)

    history = history()

    class Meta:
        ordering = ["time_point", "lot", "specification__code"]
        verbose_name = _("stability result")
        verbose_name_plural = _("stability results")
        constraints = [models.UniqueConstraint(fields=["time_point", "lot", "specification"],
                                               name="qc_stability_result_once")]

    def __str__(self):
        return f"{self.lot} · {self.time_point} · {self.specification.code}: {self.outcome}"

    def get_absolute_url(self):
        return self.time_point.study.get_absolute_url()

    @property
    def display_value(self) -> str:
        """The value with the specification's resolution, or a translated pass / fail (never the raw code)."""
        if self.value is not None:
            return self.specification.format_number(self.value)
        return str(_("pass") if self.outcome == "pass" else _("fail"))


class StabilityGate(TrackedModel):
    """QA's per-product switch: block release while the shelf-life setting exceeds what stability supports."""

    product = models.OneToOneField("production.Product", on_delete=models.PROTECT, related_name="stability_gate",
                                   verbose_name=_("product"), editable=False)
    enforced = models.BooleanField(_("block release when stability does not support the shelf life"),
                                   default=False)

    history = history()

    class Meta:
        ordering = ["product__code"]
        verbose_name = _("stability release gate")
        verbose_name_plural = _("stability release gates")

    def __str__(self):
        return f"{self.product.code}: {self.enforced}"

    def get_absolute_url(self):
        return reverse("qc:stability-product", args=[self.product_id])


# --- Performance study strata --------------------------------------------------------------------------------


class PerformanceStratum(TrackedModel):
    """The positives of a performance study within a Ct range (viral load): sensitivity per stratum."""

    study = models.ForeignKey("qc.PerformanceStudy", on_delete=models.PROTECT, related_name="strata",
                              verbose_name=_("study"))
    label = models.CharField(_("stratum"), max_length=60)
    ct_min = models.DecimalField(_("Ct from"), max_digits=5, decimal_places=1, null=True, blank=True)
    ct_max = models.DecimalField(_("Ct below"), max_digits=5, decimal_places=1, null=True, blank=True)
    tp = models.PositiveIntegerField(_("true positives"))
    fn = models.PositiveIntegerField(_("false negatives"))

    history = history()
    history_label_field = "label"

    class Meta:
        ordering = ["study", "ct_min", "pk"]
        verbose_name = _("Ct stratum")
        verbose_name_plural = _("Ct strata")

    def __str__(self):
        return f"{self.study_id} · {self.label}"

    def get_absolute_url(self):
        return reverse("qc:performancestudy-detail", args=[self.study_id])

    @property
    def sensitivity(self):
        n = self.tp + self.fn
        return round(self.tp / n, 4) if n else None

    @property
    def sensitivity_ci(self):
        return self.study._interval(self.tp, self.tp + self.fn)
