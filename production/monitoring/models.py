"""Environmental monitoring of the clean rooms (DESIGN.md, Environmental reading; DOMAIN.md §4): monitoring
points, versioned limits, readings (compact, untracked measurements), excursions and their impact assessment.

Every state change goes through ``production.monitoring.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel
from lims.permissions import RestrictedQuerySet


def _local(moment) -> str:
    """A stored (UTC) time as the plant's local time, as every page shows it (names match the pages)."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


class Parameter(models.TextChoices):
    PARTICLES_0_5 = "particles_0_5um", _("Particles ≥0.5 µm (/m³)")
    PARTICLES_5 = "particles_5um", _("Particles ≥5 µm (/m³)")
    TEMPERATURE = "temperature_c", _("Temperature (°C)")
    HUMIDITY = "humidity_pct", _("Relative humidity (%)")
    PRESSURE = "pressure_pa", _("Differential pressure (Pa)")


PARAMETERS = [p.value for p in Parameter]


class MonitoringPoint(TrackedModel):
    """A place in a clean room where a particle counter or a sensor measures."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    clean_room = models.ForeignKey("production.CleanRoom", on_delete=models.PROTECT,
                                   related_name="monitoring_points", verbose_name=_("clean room"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    measures_particles = models.BooleanField(_("measures particles"), default=False)
    measures_temperature = models.BooleanField(_("measures temperature"), default=False)
    measures_humidity = models.BooleanField(_("measures humidity"), default=False)
    measures_pressure = models.BooleanField(_("measures differential pressure"), default=False)
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")

    def __str__(self):
        return f"{self.code} {self.location}".strip()

    def get_absolute_url(self):
        return reverse("monitoring:point-detail", args=[self.pk])

    @property
    def parameters(self) -> list[str]:
        found = []
        if self.measures_particles:
            found += [Parameter.PARTICLES_0_5.value, Parameter.PARTICLES_5.value]
        if self.measures_temperature:
            found.append(Parameter.TEMPERATURE.value)
        if self.measures_humidity:
            found.append(Parameter.HUMIDITY.value)
        if self.measures_pressure:
            found.append(Parameter.PRESSURE.value)
        return found


class LimitQuerySet(RestrictedQuerySet):
    def in_effect(self, at=None):
        """The current version per room and parameter: the newest ``valid_from`` not after ``at``."""
        from django.db.models import OuterRef, Subquery
        from django.utils import timezone

        at = at or timezone.now()
        newest = (Limit.objects.filter(clean_room=OuterRef("clean_room"), parameter=OuterRef("parameter"),
                                       valid_from__lte=at).order_by("-valid_from", "-pk").values("pk")[:1])
        return self.filter(valid_from__lte=at, pk=Subquery(newest))


class Limit(TrackedModel):
    """Alert and action limits of one parameter in one room from ``valid_from`` on. A change is a new row that
    supersedes the previous one (both stay: the trend chart and excursions use the limit in effect at the time)."""

    clean_room = models.ForeignKey("production.CleanRoom", on_delete=models.PROTECT,
                                   related_name="monitoring_limits", verbose_name=_("clean room"))
    parameter = models.CharField(_("parameter"), max_length=20, choices=Parameter.choices)
    alert_low = models.FloatField(_("alert low"), null=True, blank=True)
    alert_high = models.FloatField(_("alert high"), null=True, blank=True)
    action_low = models.FloatField(_("action low"), null=True, blank=True)
    action_high = models.FloatField(_("action high"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), db_index=True)
    source = models.TextField(_("source"), help_text=_("Standard, specification or trend study behind the values."))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("set by"))
    reason = models.TextField(_("reason"), blank=True)

    objects = LimitQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["clean_room__code", "parameter", "-valid_from"]
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        indexes = [models.Index(fields=["clean_room", "parameter", "valid_from"])]

    def __str__(self):
        return f"{self.clean_room.code} {self.get_parameter_display()} {self.valid_from:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("monitoring:limit-list") + f"?clean_room={self.clean_room_id}&parameter={self.parameter}"

    def level_of(self, value) -> int:
        """0 within limits, 1 beyond an alert limit, 2 beyond an action limit."""
        if value is None:
            return 0
        if (self.action_high is not None and value > self.action_high) or \
                (self.action_low is not None and value < self.action_low):
            return 2
        if (self.alert_high is not None and value > self.alert_high) or \
                (self.alert_low is not None and value < self.alert_low):
            return 1
        return 0


class Reading(models.Model):
    """One measurement of a point. Not tracked: readings are never edited (a correction is a new reading that
    points to the one it corrects, with a reason), and a history row per minute per sensor would double the
    largest table for nothing (CONTRIBUTING.md: measurements are the only untracked domain rows)."""

    point = models.ForeignKey(MonitoringPoint, on_delete=models.PROTECT, related_name="readings",
                              verbose_name=_("monitoring point"))
    measured_at = models.DateTimeField(_("measured at"))
    particles_0_5um = models.FloatField(_("particles ≥0.5 µm (/m³)"), null=True, blank=True)
    particles_5um = models.FloatField(_("particles ≥5 µm (/m³)"), null=True, blank=True)
    temperature_c = models.FloatField(_("temperature (°C)"), null=True, blank=True)
    humidity_pct = models.FloatField(_("relative humidity (%)"), null=True, blank=True)
    pressure_pa = models.FloatField(_("differential pressure (Pa)"), null=True, blank=True)
    corrected_reading = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="correction", verbose_name=_("corrects reading"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["point", "measured_at"]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["point", "measured_at"], name="monitoring_reading_point_time")]
        constraints = [
            # One original reading per point and minute: a re-sent reading is a duplicate, ignored.
            models.UniqueConstraint(fields=["point", "measured_at"], condition=Q(corrected_reading__isnull=True),
                                    name="monitoring_reading_unique_original"),
            models.CheckConstraint(condition=Q(corrected_reading__isnull=True) | ~Q(correction_reason=""),
                                   name="monitoring_reading_correction_has_reason"),
        ]

    def __str__(self):
        return f"{self.point_id} {_local(self.measured_at)}"


class ExcursionQuerySet(RestrictedQuerySet):
    def overlapping(self, start, end):
        """Excursions that overlap [start, end], including ones that began before or are still open."""
        return self.filter(started_at__lte=end).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))

    def open(self):
        return self.filter(ended_at__isnull=True)

    def unassessed(self):
        return self.filter(assessment__isnull=True)


class Excursion(TrackedModel):
    """Consecutive readings of one point and parameter beyond an alert or action limit (DESIGN.md,
    Environmental reading). It ends at the first reading back within limits, or at its last reading when the
    data stop for longer than the maximum gap. An action-level excursion links the batches made in the room."""

    class Level(models.TextChoices):
        ALERT = "alert", _("Alert")
        ACTION = "action", _("Action")

    point = models.ForeignKey(MonitoringPoint, on_delete=models.PROTECT, related_name="excursions",
                              verbose_name=_("monitoring point"))
    parameter = models.CharField(_("parameter"), max_length=20, choices=Parameter.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    last_reading_at = models.DateTimeField(_("last reading beyond limits"))
    peak_value = models.FloatField(_("peak value"))
    reading_count = models.PositiveIntegerField(_("readings beyond limits"), default=1)
    limit = models.ForeignKey(Limit, on_delete=models.PROTECT, null=True, blank=True, related_name="excursions",
                              verbose_name=_("limit in effect"))
    batches = models.ManyToManyField("production.Batch", through="ExcursionBatch", related_name="excursions",
                                     verbose_name=_("batches"))
    # Set when the point fell silent while the excursion was open: it ended at its last reading beyond limits
    # and what followed is unknown (the gap), not "back within limits".
    ended_by_gap = models.ForeignKey("SensorGap", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="excursions", verbose_name=_("ended by a gap in the readings"))

    objects = ExcursionQuerySet.as_manager()
    history = history()
    history_children = ("batch_links", "assessment")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("excursion")
        verbose_name_plural = _("excursions")
        indexes = [
            models.Index(fields=["started_at", "id"], name="excursion_start_list"),
            models.Index(fields=["point", "parameter", "started_at"]),
        ]
        permissions = [("assess_excursion", "Can assess the impact of an excursion")]

    def __str__(self):
        return f"{self.point.code} {self.get_parameter_display()} {_local(self.started_at)}"

    def get_absolute_url(self):
        return reverse("monitoring:excursion-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.ended_at is None

    @property
    def is_assessed(self) -> bool:
        try:
            return self.assessment is not None
        except ExcursionAssessment.DoesNotExist:
            return False


class SensorGap(TrackedModel):
    """A time when a monitoring point sent nothing for longer than the maximum gap between readings: what the room
    did then is unknown. It starts at the point's last reading and ends at the first reading after it (open while
    the point is silent). Excursions open when the point fell silent end at their last reading beyond limits
    and point here, so the record says "unknown after this", never a guessed end."""

    point = models.ForeignKey(MonitoringPoint, on_delete=models.PROTECT, related_name="gaps",
                              verbose_name=_("monitoring point"))
    started_at = models.DateTimeField(_("last reading before the gap"))
    ended_at = models.DateTimeField(_("first reading after the gap"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"))

    history = history()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("gap in the readings")
        verbose_name_plural = _("gaps in the readings")
        constraints = [models.UniqueConstraint(fields=["point", "started_at"], name="monitoring_gap_once")]

    def __str__(self):
        return f"{self.point.code} {_local(self.started_at)} …"

    def get_absolute_url(self):
        return reverse("monitoring:point-detail", args=[self.point_id])


class ExcursionBatch(TrackedModel):
    """A batch that was in production in the room while an action-level excursion lasted."""

    excursion = models.ForeignKey(Excursion, on_delete=models.CASCADE, related_name="batch_links",
                                  verbose_name=_("excursion"))
    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="excursion_links",
                              verbose_name=_("batch"))

    history = history()

    class Meta:
        ordering = ["excursion", "batch__lot_number"]
        verbose_name = _("batch exposed to an excursion")
        verbose_name_plural = _("batches exposed to excursions")
        constraints = [models.UniqueConstraint(fields=["excursion", "batch"], name="monitoring_excursion_batch")]

    def __str__(self):
        return f"{self.excursion_id} · {self.batch.lot_number}"

    def get_absolute_url(self):
        return reverse("monitoring:excursion-detail", args=[self.excursion_id])


class ExcursionAssessment(TrackedModel):
    """QA's impact assessment of an excursion on the batches it exposed, signed (DOMAIN.md §4, action limit)."""

    class Conclusion(models.TextChoices):
        NO_IMPACT = "no_impact", _("No impact on product quality")
        IMPACT = "impact", _("Impact: batches to be rejected or investigated")

    excursion = models.OneToOneField(Excursion, on_delete=models.PROTECT, related_name="assessment",
                                     verbose_name=_("excursion"))
    impact = models.TextField(_("impact assessment"))
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assessed by"))

    history = history()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("excursion assessment")
        verbose_name_plural = _("excursion assessments")

    def __str__(self):
        return f"{self.excursion} · {self.get_conclusion_display()}"

    def get_absolute_url(self):
        return reverse("monitoring:excursion-detail", args=[self.excursion_id])

    def requires_reason_for_edit(self) -> bool:
        return True
