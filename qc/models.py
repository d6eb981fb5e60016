"""Quality control and release (DESIGN.md, Inspection and Disposition; DOMAIN.md §3, §5, §6): specifications per
product, inspections of a batch or material lot with auto-judged results, deviations (OOS) with their CAPA, and
the batch disposition signed by QA.

Every state change goes through ``qc.services``; nothing here writes other records.
"""

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lims.audit import history
from lims.models import BilingualName, TrackedModel
from qc.intervals import clopper_pearson, wilson
from qc.sampling import check_aql_counts, normalise_aql


class Stage(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    IN_PROCESS = "in_process", _("In process")
    RELEASE = "release", _("Release")
    STABILITY = "stability", _("Stability")


def _places(value) -> int:
    """Decimal places a number needs once storage's trailing zeros are dropped (4.1000 → 1, 40 → 0)."""
    if value is None:
        return 0
    return max(0, -Decimal(value).normalize().as_tuple().exponent)


class Specification(BilingualName, TrackedModel):
    """One test of a product's specification (DOMAIN.md §6): attribute (pass/fail, or defects against the
    Ac/Re of an AQL plan when ``aql`` is set) or numeric with inclusive limits."""

    class Kind(models.TextChoices):
        ATTRIBUTE = "attribute", _("Attribute (pass/fail)")
        NUMERIC = "numeric", _("Numeric")

    class Counts(models.TextChoices):
        ITEMS = "nonconforming_items", _("Nonconforming items")
        NONCONFORMITIES = "nonconformities", _("Nonconformities per 100 items")

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="specifications",
                                verbose_name=_("product"))
    spec_version = models.PositiveIntegerField(_("specification version"), default=1)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.RELEASE)
    lower = models.DecimalField(_("lower limit"), max_digits=14, decimal_places=4, null=True, blank=True)
    upper = models.DecimalField(_("upper limit"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    required_for_release = models.BooleanField(_("required for release"), default=True)
    method = models.CharField(_("method"), max_length=200, blank=True)
    aql = models.CharField(_("AQL"), max_length=8, blank=True, default="",
                           help_text=_("For an attribute inspection by ISO 2859-1 sampling: the AQL (e.g. 1.0)."))
    counts = models.CharField(_("counts"), max_length=20, choices=Counts.choices, default=Counts.ITEMS,
                              help_text=_("Nonconforming items, or nonconformities per 100 items (AQL above 10 "
                                          "only for nonconformities)."))
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["product__code", "stage", "code"]
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        constraints = [
            models.UniqueConstraint(fields=["product", "spec_version", "code"], name="qc_spec_unique_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("qc:specification-list") + f"?product={self.product_id}"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.NUMERIC:
            if self.lower is None and self.upper is None:
                errors["lower"] = [_("A numeric specification needs a lower or an upper limit.")]
            elif self.lower is not None and self.upper is not None and self.lower > self.upper:
                errors["upper"] = [_("The upper limit is below the lower limit.")]
            if self.aql:
                errors["aql"] = [_("An AQL applies to attribute specifications only.")]
        elif self.kind == self.Kind.ATTRIBUTE and (self.lower is not None or self.upper is not None):
            errors["lower"] = [_("An attribute specification has no numeric limits.")]
        if self.aql:
            try:
                self.aql = normalise_aql(self.aql)
                check_aql_counts(self.aql, self.counts)
            except ValueError as exc:
                errors["aql"] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    @property
    def severity(self) -> str:
        """Where the ISO 2859-1 switching rules stand for this specification (normal until a lot is counted)."""
        state = getattr(self, "switching", None) if self.pk else None
        return state.state if state is not None else "normal"

    def format_number(self, value) -> str:
        """A limit or result with the resolution of the specification: as many decimals as its limits or the value
        need (limits 3.90–4.10 mm: a result of 4 reads "4.0 mm", not "4 mm"); storage's trailing zeros dropped."""
        places = max(_places(self.lower), _places(self.upper), _places(value))
        return f"{Decimal(value):.{places}f}"

    @property
    def limits_display(self) -> str:
        if self.kind == self.Kind.ATTRIBUTE:
            return _("AQL %(aql)s") % {"aql": self.aql} if self.aql else _("pass")
        low = "" if self.lower is None else self.format_number(self.lower)
        high = "" if self.upper is None else self.format_number(self.upper)
        if low and high:
            text = f"{low} – {high}"
        elif low:
            text = f"≥ {low}"
        else:
            text = f"≤ {high}"
        return f"{text} {self.unit}".strip()




class Inspection(TrackedModel):
    """Inspection of a batch or a material lot at a stage: ``recorded → reviewed → approved`` (DESIGN.md).
    Review is the second check of manual entries (EU GMP Annex 11 §6); review and approval are signed."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        # contexts: other apps' catalogues, merged first, translate these words for other things (issue 19)
        REVIEWED = "reviewed", pgettext_lazy("inspection status", "Reviewed")
        APPROVED = "approved", pgettext_lazy("inspection status", "Approved")
        INVALIDATED = "invalidated", _("Invalidated (superseded)")

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="inspections", verbose_name=_("batch"), editable=False)
    material_lot = models.ForeignKey("production.MaterialLot", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="inspections", verbose_name=_("material lot"), editable=False)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, editable=False)
    lot_size = models.PositiveIntegerField(_("lot size"), null=True, blank=True)
    aql = models.CharField(_("AQL"), max_length=8, blank=True)
    level = models.CharField(_("inspection level"), max_length=4, blank=True)
    code_letter = models.CharField(_("code letter"), max_length=2, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), validators=[MinValueValidator(1)])
    accept = models.PositiveIntegerField(_("Ac"), null=True, blank=True)
    reject = models.PositiveIntegerField(_("Re"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=12, default="normal", editable=False,
                                help_text=_("ISO 2859-1 inspection severity of the plan: normal, tightened or "
                                            "reduced."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECORDED,
                              editable=False, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"), editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True, verbose_name=_("reviewed by"), editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True, verbose_name=_("approved by"), editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # Invalidated (superseded) by QA, signed, with the reason and the deviation that justifies it: its results no
    # longer count for release and are printed apart as superseded.
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       null=True, blank=True, verbose_name=_("invalidated by"), editable=False)
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True, editable=False)
    invalidation_reason = models.TextField(_("reason for the invalidation"), blank=True, editable=False)
    invalidating_deviation = models.ForeignKey("Deviation", on_delete=models.PROTECT, null=True, blank=True,
                                               related_name="invalidated_inspections", editable=False,
                                               verbose_name=_("deviation justifying the invalidation"))

    history = history()
    history_children = ("results",)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["recorded_at", "id"], name="inspection_rec_list")]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        permissions = [
            ("review_inspection", _("Can review inspections (second check)")),
            ("approve_inspection", _("Can approve inspections")),
            ("invalidate_inspection", _("Can invalidate (supersede) inspections")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(batch__isnull=False, material_lot__isnull=True)
                           | Q(batch__isnull=True, material_lot__isnull=False)),
                name="qc_inspection_batch_xor_lot"),
        ]

    def __str__(self):
        subject = self.batch.lot_number if self.batch_id else str(self.material_lot)
        return _("Inspection %(id)s · %(subject)s · %(stage)s") % {
            "id": self.pk or "-", "subject": subject, "stage": self.get_stage_display()}

    def get_absolute_url(self):
        return reverse("qc:inspection-detail", args=[self.pk])

    def requires_reason_for_edit(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.INVALIDATED) or super().requires_reason_for_edit()

    @property
    def superseded(self) -> bool:
        return self.status == self.Status.INVALIDATED

    @property
    def passed(self) -> bool:
        return all(r.outcome == InspectionResult.Outcome.PASS for r in self.results.all())


class InspectionResult(TrackedModel):
    """One result of an inspection against a specification, judged by the server (``qc.services.judge``)."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="results",
                                   verbose_name=_("inspection"))
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="results",
                                      verbose_name=_("specification"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    text = models.CharField(_("observation"), max_length=500, blank=True)
    passed = models.BooleanField(_("passed (as entered)"), null=True, blank=True)
    defects = models.PositiveIntegerField(_("defects found"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices, editable=False)
    retest_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="retests",
                                  verbose_name=_("retest of"), editable=False,
                                  help_text=_("The earlier result (same batch and test) this result retests."))

    history = history()

    class Meta:
        ordering = ["inspection", "specification__code"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "specification"], name="qc_result_unique_spec"),
        ]

    def __str__(self):
        return f"{self.specification.code}: {self.display_value} ({self.get_outcome_display()})"

    def get_absolute_url(self):
        return reverse("qc:inspection-detail", args=[self.inspection_id])

    @property
    def display_value(self) -> str:
        if self.value is not None:
            return f"{self.specification.format_number(self.value)} {self.specification.unit}".strip()
        if self.defects is not None:
            return _("%(n)s defects") % {"n": self.defects}
        if self.passed is not None:
            return str(_("pass") if self.passed else _("fail"))
        return self.text


class Deviation(TrackedModel):
    """An out-of-specification result or a deviation: ``open → investigating → closed``; closing is signed by QA
    and needs a root cause, an impact assessment and a CAPA (or the reason none is needed)."""

    class Kind(models.TextChoices):
        OOS = "oos", _("Out of specification")
        DEVIATION = "deviation", _("Deviation")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("deviation status", "Open")
        INVESTIGATING = "investigating", _("Investigating")
        CLOSED = "closed", pgettext_lazy("deviation status", "Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DEVIATION)
    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="deviations", verbose_name=_("batch"))
    result = models.ForeignKey(InspectionResult, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="deviations", verbose_name=_("result"), editable=False)
    label_reconciliation = models.ForeignKey(
        "labelling.LabelReconciliation", on_delete=models.PROTECT, null=True, blank=True, related_name="deviations",
        verbose_name=_("label reconciliation"), editable=False,
        help_text=_("The label reconciliation whose discrepancy opened this deviation."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN,
                              editable=False, db_index=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    impact_assessment = models.TextField(_("impact assessment"), blank=True)
    no_capa_reason = models.TextField(_("why no CAPA is needed"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"), editable=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                  blank=True, verbose_name=_("closed by"), editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    history = history()
    history_label_field = "title"
    history_children = ("capas",)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["opened_at", "id"], name="deviation_open_list")]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        permissions = [("close_deviation", _("Can close deviations (signed)"))]

    def __str__(self):
        return f"DEV-{self.pk or 0:05d} {self.title}"

    def get_absolute_url(self):
        return reverse("qc:deviation-detail", args=[self.pk])

    def requires_reason_for_edit(self) -> bool:
        return self.status == self.Status.CLOSED or super().requires_reason_for_edit()

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.opened_at).days


class Capa(TrackedModel):
    """A corrective or preventive action of a deviation."""

    deviation = models.ForeignKey(Deviation, on_delete=models.PROTECT, related_name="capas",
                                  verbose_name=_("deviation"))
    action = models.TextField(_("action"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    effectiveness_check = models.TextField(_("effectiveness check"), blank=True)
    done = models.BooleanField(_("done"), default=False)

    history = history()

    class Meta:
        ordering = ["deviation", "due_date", "pk"]
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")

    def __str__(self):
        return f"CAPA {self.pk or '-'} · {self.action[:60]}"

    def get_absolute_url(self):
        return reverse("qc:deviation-detail", args=[self.deviation_id])


class Disposition(TrackedModel):
    """QA's signed decision on a batch: release, reject or quarantine (DESIGN.md, Disposition)."""

    class Decision(models.TextChoices):
        RELEASE = "release", _("Release")
        REJECT = "reject", _("Reject")
        QUARANTINE = "quarantine", pgettext_lazy("disposition decision", "Quarantine")

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="dispositions",
                              verbose_name=_("batch"), editable=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, editable=False)
    quantity_released = models.PositiveIntegerField(_("quantity released"), default=0, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"), editable=False)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, editable=False)
    comment = models.TextField(_("reason"), blank=True)

    history = history()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["decided_at", "id"], name="disposition_dec_list")]
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self):
        return f"{self.batch.lot_number} · {self.get_decision_display()}"

    def get_absolute_url(self):
        return reverse("qc:disposition-detail", args=[self.pk])

    def requires_reason_for_edit(self) -> bool:
        return True


class PerformanceStudy(TrackedModel):
    """A clinical (or analytical) performance study of a product: the 2×2 table against the reference method,
    from which sensitivity (PPA) and specificity (NPA) with 95 % confidence intervals follow (DOMAIN.md §6)."""

    class CiMethod(models.TextChoices):
        WILSON = "wilson", _("Wilson score")
        CLOPPER_PEARSON = "clopper-pearson", _("Clopper–Pearson (exact)")

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="performance_studies",
                                verbose_name=_("product"))
    class Category(models.TextChoices):
        PROSPECTIVE = "prospective", _("Prospective")
        RETROSPECTIVE = "retrospective", _("Retrospective")

    kind = models.CharField(_("kind"), max_length=40, default="clinical")
    title = models.CharField(_("title"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=14, choices=Category.choices, blank=True)
    specimen_type = models.CharField(_("specimen type"), max_length=100, blank=True)
    tp = models.PositiveIntegerField(_("true positives"))
    fp = models.PositiveIntegerField(_("false positives"))
    tn = models.PositiveIntegerField(_("true negatives"))
    fn = models.PositiveIntegerField(_("false negatives"))
    ci_method = models.CharField(_("confidence interval method"), max_length=20, choices=CiMethod.choices,
                                 default=CiMethod.WILSON)

    history = history()
    history_children = ("strata",)

    class Meta:
        ordering = ["product__code", "-pk"]
        verbose_name = _("performance study")
        verbose_name_plural = _("performance studies")

    KIND_LABELS = {"clinical": _("Clinical"), "analytical": _("Analytical")}

    def __str__(self):
        return f"{self.product.code} · {self.kind_display} · {self.title or self.pk}"

    @property
    def kind_display(self) -> str:
        """The kind as a reader reads it: the usual kinds (the default "clinical") by their translated label, any
        other kind as typed."""
        label = self.KIND_LABELS.get(self.kind.strip().lower())
        return str(label) if label else self.kind

    def get_absolute_url(self):
        return reverse("qc:performancestudy-detail", args=[self.pk])

    def _interval(self, x, n):
        exact = self._interval_exact(x, n)
        return None if exact is None else [round(exact[0], 4), round(exact[1], 4)]

    def _interval_exact(self, x, n):
        """The 95 % interval unrounded (comparisons with a market's thresholds use these; rounding is display)."""
        if not n:
            return None
        low, high = (clopper_pearson if self.ci_method == self.CiMethod.CLOPPER_PEARSON else wilson)(x, n)
        return low, high

    def estimate(self, which: str) -> tuple[Fraction, tuple[float, float]] | None:
        """(point estimate as an exact fraction, unrounded 95 % interval) of ``sensitivity`` or ``specificity``."""
        x, n = (self.tp, self.tp + self.fn) if which == "sensitivity" else (self.tn, self.tn + self.fp)
        if not n:
            return None
        return Fraction(x, n), self._interval_exact(x, n)

    @property
    def sensitivity(self):
        n = self.tp + self.fn
        return round(self.tp / n, 4) if n else None

    @property
    def specificity(self):
        n = self.tn + self.fp
        return round(self.tn / n, 4) if n else None

    @property
    def sensitivity_ci(self):
        return self._interval(self.tp, self.tp + self.fn)

    @property
    def specificity_ci(self):
        return self._interval(self.tn, self.tn + self.fp)


from qc.quality_models import *  # noqa: E402,F403  (issue 17: switching, control charts, stability, Ct strata)
