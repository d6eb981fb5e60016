"""Every state change of environmental monitoring (STYLE.md §1): points, limits, readings, excursions and
their signed impact assessment."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from lims.permissions import require
from lims.services import create_record, require_reason
from lims.signatures import SigningAction, sign
from production.monitoring import standards
from production.monitoring.excursions import LimitBook, recompute
from production.monitoring.ingestion import validate_rows
from production.monitoring.models import (
    Excursion,
    ExcursionAssessment,
    Limit,
    MonitoringPoint,
    Reading,
    SensorGap,
)

INSERT_CHUNK = 1000


# Default limits set automatically for a room's first point apply from here on, so that back-filled readings are
# judged too; QA replaces them with a new version whenever the room's own limits are decided.
DEFAULTS_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)


@service
def create_point(data: dict, *, user, reason: str = ""):
    """A monitoring point. The first point of a room without limits gives the room its default limits (from its
    ISO class and the set points), so that no reading is ever judged against nothing."""
    point = create_record(MonitoringPoint, data, user=user, reason=reason)
    if not Limit.objects.filter(clean_room=point.clean_room).exists():
        set_default_limits(point.clean_room, user=user, valid_from=DEFAULTS_VALID_FROM,
                           reason=_("Default limits for ISO class %(n)s (first monitoring point of the room)")
                           % {"n": point.clean_room.iso_class})
    return point


@service
def set_limit(*, clean_room, parameter, alert_low=None, alert_high=None, action_low=None, action_high=None,
              source: str, valid_from=None, user, reason: str = ""):
    """A new version of the limits of ``parameter`` in ``clean_room``; it supersedes the previous version from
    ``valid_from`` on (the old row stays, so history shows who set which values when and why)."""
    limit = Limit(clean_room=clean_room, parameter=parameter, alert_low=alert_low, alert_high=alert_high,
                  action_low=action_low, action_high=action_high, valid_from=valid_from or timezone.now(),
                  source=source, set_by=user, reason=reason)
    errors = {}
    for low, high in (("alert_low", "alert_high"), ("action_low", "action_high")):
        a, b = getattr(limit, low), getattr(limit, high)
        if a is not None and b is not None and a > b:
            errors[high] = [_("The high limit is below the low limit.")]
    if limit.action_high is not None and limit.alert_high is not None and limit.alert_high > limit.action_high:
        errors["alert_high"] = [_("The alert limit must not be beyond the action limit.")]
    if limit.action_low is not None and limit.alert_low is not None and limit.alert_low < limit.action_low:
        errors["alert_low"] = [_("The alert limit must not be beyond the action limit.")]
    if all(getattr(limit, f) is None for f in ("alert_low", "alert_high", "action_low", "action_high")):
        errors["action_high"] = [_("Give at least one limit.")]
    if errors:
        raise ValidationError(errors)
    limit.full_clean()
    limit.save()
    return limit


@service
def set_default_limits(clean_room, *, user, reason: str = "", valid_from=None):
    """The first limits of a room: particles from its ISO class (ISO 14644-1), the rest from the set points."""
    return [set_limit(clean_room=clean_room, parameter=d.parameter, alert_low=d.alert_low, alert_high=d.alert_high,
                      action_low=d.action_low, action_high=d.action_high, source=d.source, valid_from=valid_from,
                      user=user, reason=reason or _("Default limits for ISO class %(n)s") % {"n": clean_room.iso_class})
            for d in standards.default_limits(clean_room.iso_class)]


def _insert(rows, user):
    """Insert new readings; a reading already stored for the same point and time is a duplicate, ignored."""
    by_point: dict[int, list] = {}
    for point, moment, values in rows:
        by_point.setdefault(point.pk, []).append((moment, values))
    fresh = []
    seen = set()
    for point_id, items in by_point.items():
        times = [m for m, _v in items]
        existing = set(Reading.objects.filter(point_id=point_id, measured_at__gte=min(times),
                                              measured_at__lte=max(times), corrected_reading__isnull=True)
                       .values_list("measured_at", flat=True))
        for moment, values in items:
            key = (point_id, moment)
            if moment in existing or key in seen:
                continue
            seen.add(key)
            fresh.append(NewReading(point_id, moment, values, user.pk))
    # Reading is not a tracked model (no history rows), so a direct multi-row insert is allowed here (CONTRIBUTING:
    # plain bulk writes are banned on tracked models only). It is one prepared statement run with executemany, about
    # three times faster than bulk_create's per-value SQL compilation; ON CONFLICT DO NOTHING (SQLite ≥ 3.24 and
    # PostgreSQL) ignores a reading another client stored for the same point and time since the check above.
    if fresh:
        _executemany_insert(fresh)
    return fresh


COLUMNS = ("point_id", "measured_at", "particles_0_5um", "particles_5um", "temperature_c", "humidity_pct",
           "pressure_pa", "correction_reason", "recorded_by_id")


class NewReading:
    """A validated reading on its way in (lighter than a model instance: thousands arrive per second)."""

    __slots__ = ("point_id", "measured_at", "values", "recorded_by_id")

    def __init__(self, point_id, measured_at, values, recorded_by_id):
        self.point_id, self.measured_at, self.values, self.recorded_by_id = point_id, measured_at, values, \
            recorded_by_id

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _executemany_insert(readings):
    ops = connection.ops
    table = ops.quote_name(Reading._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in COLUMNS)
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    adapt = ops.adapt_datetimefield_value
    params = [(r.point_id, adapt(r.measured_at), r.values["particles_0_5um"], r.values["particles_5um"],
               r.values["temperature_c"], r.values["humidity_pct"], r.values["pressure_pa"], "", r.recorded_by_id)
              for r in readings]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # in-process: executemany of one prepared statement is the fastest
            sql = f"INSERT INTO {table} ({columns}) VALUES {row} ON CONFLICT DO NOTHING"
            cursor.executemany(sql, params)
            return
        if connection.vendor == "postgresql":
            _copy_insert(cursor, table, columns, params)
            return
        # Another server: one multi-row statement per chunk saves the round trips.
        per_statement = min(INSERT_CHUNK, (ops.connection.features.max_query_params or 65535) // len(COLUMNS))
        for start in range(0, len(params), per_statement):
            chunk = params[start:start + per_statement]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} ON CONFLICT DO NOTHING"
            cursor.execute(sql, [v for p in chunk for v in p])


def _copy_insert(cursor, table, columns, params):
    """PostgreSQL: COPY into a session-local staging table (binary protocol, no per-value SQL), then one
    INSERT … SELECT … ON CONFLICT DO NOTHING — COPY itself cannot skip duplicates."""
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    raw.execute(
        "CREATE TEMP TABLE IF NOT EXISTS monitoring_reading_in (point_id bigint, measured_at timestamptz, "
        "particles_0_5um double precision, particles_5um double precision, temperature_c double precision, "
        "humidity_pct double precision, pressure_pa double precision, correction_reason text, "
        "recorded_by_id integer) ON COMMIT DELETE ROWS")
    with raw.copy(f"COPY monitoring_reading_in ({columns}) FROM STDIN") as copy:
        for record in params:
            copy.write_row(record)
    raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM monitoring_reading_in "
                "ON CONFLICT DO NOTHING")
    raw.execute("TRUNCATE monitoring_reading_in")


def _detect(readings, now=None):
    """Recompute the excursions around the new readings, per point (out-of-order batches included)."""
    spans: dict[int, list] = {}
    for r in readings:
        span = spans.setdefault(r.point_id, [r.measured_at, r.measured_at])
        span[0], span[1] = min(span[0], r.measured_at), max(span[1], r.measured_at)
    if not spans:
        return []
    # Lock the points (in a fixed order): two posts for the same point recompute its excursions one after the other.
    points = {p.pk: p for p in MonitoringPoint.objects.select_for_update().filter(pk__in=spans).order_by("pk")}
    limits = LimitBook({p.clean_room_id for p in points.values()})
    gap = standards.max_gap()
    beyond = set()
    for r in readings:
        point = points[r.point_id]
        for parameter in point.parameters:
            value = getattr(r, parameter)
            if value is not None and limits.level(point.clean_room_id, parameter, r.measured_at, value):
                beyond.add((r.point_id, parameter))
    touched = []
    for point_id, (lo, hi) in spans.items():
        point = points[point_id]
        # Readings within limits change nothing unless an excursion is near them (to end, split or close it).
        parameters = [p for p in point.parameters if (point_id, p) in beyond]
        near = set(Excursion.objects.overlapping(lo - gap, hi + gap).filter(point_id=point_id)
                   .values_list("parameter", flat=True))
        parameters += [p for p in point.parameters if p in near and p not in parameters]
        if parameters:
            touched += recompute(point, lo, hi, limits=limits, parameters=parameters, now=now)
    return touched


@service
def ingest_readings(rows, *, user, reason: str = "", label=str, now=None):
    """Validate and store readings, all or nothing, then update the excursions. Returns
    ``{"created", "duplicates", "excursions"}``. ``label(i)`` names a row in error messages."""
    require(user, "monitoring.add_reading")
    clean = validate_rows(rows, label=label, now=now)
    fresh = _insert(clean, user)
    _end_gaps(fresh)
    touched = _detect(fresh, now=now)
    _notify_action(touched)
    return {"created": len(fresh), "duplicates": len(clean) - len(fresh), "excursions": touched}


def _notify_action(excursions):
    """An action-level excursion reaches QA and Production at once (after commit, never holding the ingest)."""
    from lims.notifications import notify

    for exc in excursions:
        if exc.pk and exc.level == Excursion.Level.ACTION and Excursion.objects.filter(pk=exc.pk).exists():
            notify("monitoring.action_excursion", exc, key=f"excursion-action:{exc.pk}", params={
                "point": exc.point.code, "parameter": exc.parameter, "peak": exc.peak_value,
                "started": exc.started_at.isoformat()})


def _end_gaps(readings):
    """The first reading after a silence ends the point's open gap."""
    first = {}
    for r in readings:
        if r.point_id not in first or r.measured_at < first[r.point_id]:
            first[r.point_id] = r.measured_at
    if not first:
        return
    for gap in SensorGap.objects.select_for_update().filter(point_id__in=first, ended_at__isnull=True):
        after = Reading.objects.filter(point_id=gap.point_id, measured_at__gt=gap.started_at) \
            .order_by("measured_at").values_list("measured_at", flat=True).first()
        if after is not None:
            gap.ended_at = after
            gap.save()


@service
def record_silent_points(*, user, reason: str = "", now=None):
    """Points silent for longer than the maximum gap (standards.max_gap): record the gap (from the last reading,
    open) once per silence, and end each excursion still open on such a point at its last reading beyond
    limits, pointing to the gap. Returns ``{"gaps": n, "excursions": n}``. Running it again changes nothing."""
    from django.db.models import Max

    now = now or timezone.now()
    gap_length = standards.max_gap()
    last = dict(Reading.objects.filter(point__active=True).values("point_id").annotate(last=Max("measured_at"))
                .values_list("point_id", "last").order_by())
    opened = closed = 0
    for point in MonitoringPoint.objects.filter(pk__in=last).select_for_update().order_by("pk"):
        last_at = last[point.pk]
        if now - last_at <= gap_length:
            continue
        gap = SensorGap.objects.filter(point=point, started_at=last_at).first()
        if gap is None:
            gap = SensorGap.objects.create(point=point, started_at=last_at, detected_at=now)
            opened += 1
        for exc in Excursion.objects.select_for_update().filter(point=point, ended_at__isnull=True,
                                                                last_reading_at__lte=last_at):
            exc.ended_at = exc.last_reading_at
            exc.ended_by_gap = gap
            exc.save()
            closed += 1
    return {"gaps": opened, "excursions": closed}


@service
def correct_reading(reading, changes: dict, *, user, reason: str):
    """A correction is a new reading that replaces ``reading`` in every evaluation; the original stays."""
    require(user, "monitoring.add_reading")
    reason = require_reason(reason)
    if Reading.objects.filter(corrected_reading=reading).exists():
        raise DomainError(_("This reading has already been corrected."), "already_corrected")
    values = {f: getattr(reading, f) for f in ("particles_0_5um", "particles_5um", "temperature_c",
                                                  "humidity_pct", "pressure_pa")}
    row = {"point": str(reading.point_id), "measured_at": reading.measured_at, **values, **changes}
    point, moment, cleaned = validate_rows([row])[0]
    correction = Reading.objects.create(point=point, measured_at=moment, corrected_reading=reading,
                                        correction_reason=reason, recorded_by=user, **cleaned)
    recompute(point, moment, moment)
    return correction


ASSESS_EXCURSION = SigningAction("monitoring.assess_excursion", ("assessed",),
                                 permission="monitoring.assess_excursion")


@service(signs=ASSESS_EXCURSION)
def assess_excursion(excursion, *, impact: str, conclusion: str, username: str, password: str, meaning: str = "",
                     user, reason: str = ""):
    """QA's impact assessment of an excursion on the batches it exposed, signed "assessed" (DOMAIN.md §4:
    an action limit opens an impact assessment on the batches produced in the room during the excursion)."""
    require(user, "monitoring.assess_excursion")
    excursion = Excursion.objects.select_for_update().get(pk=excursion.pk)
    if ExcursionAssessment.objects.filter(excursion=excursion).exists():
        raise DomainError(_("This excursion has already been assessed."), "already_assessed")
    if excursion.ended_at is None:
        raise DomainError(_("The excursion is still open: assess it once the room is back within limits."),
                          "excursion_open")
    errors = {}
    if not (impact or "").strip():
        errors["impact"] = [_("Describe the impact on the batches.")]
    if conclusion not in ExcursionAssessment.Conclusion.values:
        errors["conclusion"] = [_("Choose no_impact or impact.")]
    if errors:
        raise ValidationError(errors)
    assessment = ExcursionAssessment(excursion=excursion, impact=impact.strip(), conclusion=conclusion,
                                     assessed_by=user)
    assessment.save()
    sign(assessment, user=user, meaning=meaning, reason=reason)
    return assessment
