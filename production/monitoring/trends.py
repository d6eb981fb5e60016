"""Trend data for charts, aggregated in the database: readings are bucketed by whole multiples of N seconds
since the epoch (one SQL expression per engine, SQLite and PostgreSQL) so that a year of minute readings comes
back as at most ``MAX_POINTS`` rows of min / mean / max."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import models
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from production.monitoring import standards
from production.monitoring.excursions import LimitBook
from production.monitoring.models import PARAMETERS, Excursion, Parameter, Reading

MAX_POINTS = 500
STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]


class EpochBucket(models.Func):
    """Start of the ``seconds``-wide bucket of a datetime, as seconds since 1970-01-01 UTC."""

    output_field = models.BigIntegerField()

    def __init__(self, expression, seconds: int, **extra):
        self.seconds = int(seconds)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL (and the default)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(FLOOR(EXTRACT(EPOCH FROM {sql}) / {self.seconds}) * {self.seconds})::bigint", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(CAST(strftime('%%s', {sql}) AS INTEGER) / {self.seconds} * {self.seconds})", params


def bucket_seconds(start, end, max_points=MAX_POINTS) -> int:
    needed = (end - start).total_seconds() / max_points
    return next((s for s in STEPS if s >= needed), STEPS[-1] * math.ceil(needed / STEPS[-1]))


def series(point, parameter, start, end):
    """[(bucket start, min, mean, max, n)] for one point and parameter over [start, end]."""
    step = bucket_seconds(start, end)
    rows = (Reading.objects.filter(point=point, measured_at__gte=start, measured_at__lt=end,
                                   correction__isnull=True, **{f"{parameter}__isnull": False})
            .annotate(bucket=EpochBucket("measured_at", step)).values("bucket")
            .annotate(low=Min(parameter), mean=Avg(parameter), high=Max(parameter), n=Count("pk"))
            .order_by("bucket"))
    return step, [(datetime.fromtimestamp(r["bucket"], tz=UTC), r["low"], r["mean"], r["high"], r["n"])
                  for r in rows]


def chart(point, parameter, start, end):
    """A Chart.js config: max and mean per bucket, the alert and action limits in effect at each bucket, and the
    excursions as shaded datasets (an annotation plugin is not needed)."""
    step, rows = series(point, parameter, start, end)
    book = LimitBook([point.clean_room_id])
    tz = timezone.get_current_timezone()
    labels = [b.astimezone(tz).strftime("%m-%d %H:%M" if step < 86400 else "%Y-%m-%d") for b, *_r in rows]
    limits = [book.at(point.clean_room_id, parameter, b) for b, *_r in rows]
    excursions = list(Excursion.objects.filter(point=point, parameter=parameter).overlapping(start, end))
    top = max([r[3] for r in rows] + [getattr(lim, "action_high", None) or 0 for lim in limits] + [0])

    def limit_line(attr):
        values = [getattr(lim, attr) if lim else None for lim in limits]
        return values if any(v is not None for v in values) else None

    def shaded(level):
        data = []
        for bucket, *_r in rows:
            bucket_end = bucket + timedelta(seconds=step)
            hit = any(e.level == level and e.started_at < bucket_end and
                      (e.ended_at or timezone.now()) >= bucket for e in excursions)
            data.append(top if hit else None)
        return data

    datasets = [
        {"label": _("maximum"), "data": [r[3] for r in rows], "borderColor": "#0d6efd", "pointRadius": 0,
         "borderWidth": 1},
        {"label": _("mean"), "data": [round(r[2], 3) for r in rows], "borderColor": "#6c757d", "pointRadius": 0,
         "borderWidth": 1},
    ]
    for attr, label, colour in (("alert_high", _("alert limit"), "#fd7e14"), ("alert_low", _("alert limit"), "#fd7e14"),
                                ("action_high", _("action limit"), "#dc3545"),
                                ("action_low", _("action limit"), "#dc3545")):
        line = limit_line(attr)
        if line:
            datasets.append({"label": label, "data": line, "borderColor": colour, "borderDash": [6, 4],
                             "pointRadius": 0, "borderWidth": 1, "stepped": True})
    for level, label, colour in (("alert", _("alert excursion"), "rgba(253,126,20,0.15)"),
                                 ("action", _("action excursion"), "rgba(220,53,69,0.2)")):
        data = shaded(level)
        if any(v is not None for v in data):
            datasets.append({"label": label, "data": data, "backgroundColor": colour, "borderWidth": 0,
                             "pointRadius": 0, "fill": "origin", "stepped": True, "spanGaps": False})
    return {"type": "line", "data": {"labels": labels, "datasets": datasets},
            "options": {"animation": False, "responsive": True, "interaction": {"mode": "index", "intersect": False},
                        "plugins": {"legend": {"position": "bottom"}},
                        "scales": {"y": {"title": {"display": True, "text": str(Parameter(parameter).label)}}}}}, \
        step, len(rows)


def room_summary(room, start, end):
    """Per parameter: hours with data and hours within limits (no excursion of that parameter in the room during
    the hour); excursions per month and level."""
    hour = 3600
    with_data = {}
    for parameter in PARAMETERS:
        buckets = set(Reading.objects.filter(point__clean_room=room, measured_at__gte=start, measured_at__lt=end,
                                             correction__isnull=True, **{f"{parameter}__isnull": False})
                      .annotate(bucket=EpochBucket("measured_at", hour)).values_list("bucket", flat=True)
                      .distinct())
        if buckets:
            with_data[parameter] = buckets
    excursions = list(Excursion.objects.filter(point__clean_room=room).overlapping(start, end)
                      .only("parameter", "started_at", "ended_at", "last_reading_at"))
    rows = []
    now = timezone.now()
    for parameter, buckets in with_data.items():
        touched = set()
        for e in (e for e in excursions if e.parameter == parameter):
            first = int(max(e.started_at, start).timestamp()) // hour * hour
            last = int(min(e.ended_at or now, end).timestamp()) // hour * hour
            touched.update(range(first, last + hour, hour))
        within = len(buckets - touched)
        rows.append({"parameter": parameter, "label": Parameter(parameter).label, "hours": len(buckets),
                     "hours_within": within, "percent": round(100 * within / len(buckets), 1)})
    per_month = Counter()
    for row in (Excursion.objects.filter(point__clean_room=room, started_at__gte=start, started_at__lt=end)
                .annotate(month=TruncMonth("started_at")).values("month", "level").annotate(n=Count("pk"))):
        per_month[(row["month"], row["level"])] += row["n"]
    months = sorted({m for m, _lvl in per_month})
    monthly = [{"month": m, "alert": per_month[(m, "alert")], "action": per_month[(m, "action")]} for m in months]
    return {"parameters": rows, "months": monthly, "max_gap": standards.max_gap()}
