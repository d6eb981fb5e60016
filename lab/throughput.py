"""Throughput and turnaround time (TAT) of the lab, per day, ISO week or month, per assay and per client.

Definitions (the API, the dashboard, its export and the tests all use these functions):

* **Window**: the local calendar days ``start`` … ``end`` (both inclusive) in ``settings.TIME_ZONE``
  (Asia/Shanghai), i.e. ``[start 00:00, end + 1 day 00:00)`` local time.
* **Bucket** (``period``): the local calendar day, the ISO week (Monday 00:00 to the next Monday) or the calendar
  month that contains the sample's ``reported_at`` in local time. ``period`` is the ISO date of the bucket's first
  day, even when the window starts later (a window from Wednesday still labels its first week with Monday);
  only reports inside the window count.
* **Completed**: samples with ``reported_at`` inside the window and the bucket (status reported). Rejected samples
  are never completed.
* **TAT** = ``reported_at − received_at`` in hours, from the exact stored times (microseconds).
  **Median** and **90th percentile** use linear interpolation between closest ranks (Hyndman & Fan type 7,
  pandas/NumPy ``interpolation="linear"``, Excel ``PERCENTILE.INC``): the value at rank ``(n − 1)·q``; so the
  median of an even count is the mean of the two middle values. Hours are rounded to 2 decimals.
* **Within target %**: the share of completed samples with ``TAT ≤ tat_target_hours`` of their assay (the
  assay's current target), in percent, rounded to 2 decimals.
* **Backlog** of a bucket: samples open at the bucket's end, i.e. received before it and neither reported nor
  rejected before it (``received_at < t ≤ reported_at``, or never reported, and not rejected before ``t``), where
  ``t`` is the end of the bucket or the end of the window, whichever comes first.

How: one query fetches, for every sample that is open at some moment of the window (received before its end,
not closed before its start), the assay, the client and the receipt, report and rejection times as integer
microseconds since the epoch (computed by the database: exact, no datetime objects for a million rows). pandas
then buckets the report times in local time and computes the order statistics; the backlog is a difference of
two sorted-array counts per key. The same code gives identical figures on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Func, Q

from lab.models import Assay, Client, Sample

BUCKETS = ("day", "week", "month")
QUANTILE_INTERPOLATION = "linear"  # Hyndman & Fan type 7 (see the module docstring)
NEVER = np.int64(2**62)  # "not closed": later than any real time in microseconds
HOUR_US = 3_600_000_000


class EpochMicros(Func):
    """A datetime column as integer microseconds since 1970-01-01 UTC (NULL stays NULL)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; unixepoch() gives whole seconds, the fraction is
        # read from the text so no float rounding creeps into TAT comparisons.
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(unixepoch({sql}) * 1000000 + CAST(substr(substr({sql}, 21) || '000000', 1, 6) AS INTEGER))",
                params * 2)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(EPOCH FROM {sql}) * 1000000 AS BIGINT)", params


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    bucket: str = "day"
    assay_id: int | None = None
    client_id: int | None = None


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight_us(day: date) -> int:
    moment = datetime.combine(day, time.min, tzinfo=zone())
    return int(moment.timestamp()) * 1_000_000


def bucket_start(day: date, bucket: str) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def next_bucket(day: date, bucket: str) -> date:
    if bucket == "week":
        return day + timedelta(days=7)
    if bucket == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def periods(q: Query) -> list[date]:
    """Every bucket start of the window, in order."""
    out, day = [], bucket_start(q.start, q.bucket)
    while day <= q.end:
        out.append(day)
        day = next_bucket(day, q.bucket)
    return out


def _bucket_of(us: np.ndarray, bucket: str) -> np.ndarray:
    """Local bucket start (datetime64[D]) of each epoch-microsecond value."""
    wall = pd.to_datetime(us, unit="us", utc=True).tz_convert(zone()).tz_localize(None).values
    days = wall.astype("datetime64[D]")
    if bucket == "week":
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        return days - weekday.astype("timedelta64[D]")
    if bucket == "month":
        return wall.astype("datetime64[M]").astype("datetime64[D]")
    return days


def fetch(q: Query) -> pd.DataFrame:
    """One query: the samples open at some moment of the window (received before its end, not reported or
    rejected before its start), as integer columns. Uses the indexes on received_at and reported_at."""
    start_dt = datetime.combine(q.start, time.min, tzinfo=zone())
    end_dt = datetime.combine(q.end + timedelta(days=1), time.min, tzinfo=zone())
    qs = Sample.objects.filter(received_at__lt=end_dt).filter(
        Q(reported_at__gte=start_dt)
        | Q(reported_at__isnull=True) & (Q(rejected_at__isnull=True) | Q(rejected_at__gte=start_dt)))
    if q.assay_id:
        qs = qs.filter(assay_id=q.assay_id)
    if q.client_id:
        qs = qs.filter(client_id=q.client_id)
    qs = qs.order_by().values_list(
        "assay_id", "client_id", EpochMicros("received_at"), EpochMicros("reported_at"), EpochMicros("rejected_at"))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = ["assay_id", "client_id", "received_us", "reported_us", "rejected_us"]
    if not rows:
        return pd.DataFrame({c: np.array([], dtype=np.int64) for c in columns})
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for c in ("reported_us", "rejected_us"):
        frame[c] = frame[c].fillna(NEVER).astype(np.int64)
    return frame


def _stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """completed, median, p90, within-target % per group of ``keys`` (frame: completed samples only)."""
    grouped = frame.groupby(keys, sort=True)
    tat = grouped["tat_h"]
    return pd.DataFrame({
        "completed": tat.size(), "median": tat.median(),
        "p90": tat.quantile(0.9, interpolation=QUANTILE_INTERPOLATION),
        "within": grouped["within"].mean() * 100,
    })


def _backlog(frame: pd.DataFrame, key: str | None, ends: np.ndarray) -> dict:
    """{(key value, bucket index): open samples at ends[bucket index]} for key values with any open sample."""
    closed = np.minimum(frame["reported_us"].to_numpy(), frame["rejected_us"].to_numpy())
    received = frame["received_us"].to_numpy()
    groups = {None: np.arange(len(frame))} if key is None else frame.groupby(key).indices
    result = {}
    for value, idx in groups.items():
        r, c = np.sort(received[idx]), np.sort(closed[idx])
        counts = np.searchsorted(r, ends, side="left") - np.searchsorted(c, ends, side="left")
        for i, n in enumerate(counts):
            if n:
                result[(value, i)] = int(n)
    return result


def _hours(value):
    return None if value is None or pd.isna(value) else round(float(value), 2)


def compute(q: Query) -> dict:
    """The figures of the window: ``rows`` per period and assay (completed > 0), ``clients`` per period and
    client (completed > 0), ``totals`` per period over the selection (every period of the window)."""
    frame = fetch(q)
    starts = periods(q)
    start_us, end_us = local_midnight_us(q.start), local_midnight_us(q.end + timedelta(days=1))
    ends = np.array([min(local_midnight_us(next_bucket(p, q.bucket)), end_us) for p in starts], dtype=np.int64)
    start_days = np.array(starts, dtype="datetime64[D]")

    targets = dict(Assay.objects.values_list("id", "tat_target_hours"))
    done = frame[(frame["reported_us"] >= start_us) & (frame["reported_us"] < end_us)].copy()
    tat_us = done["reported_us"].to_numpy() - done["received_us"].to_numpy()
    target_us = done["assay_id"].map(targets).to_numpy(dtype=np.int64) * HOUR_US
    done["tat_h"] = tat_us / HOUR_US
    done["within"] = tat_us <= target_us
    done["bucket"] = np.searchsorted(start_days, _bucket_of(done["reported_us"].to_numpy(), q.bucket))

    def table(key, label, names):
        stats = _stats(done, ["bucket", key]) if len(done) else None
        backlog = _backlog(frame, key, ends)
        rows = []
        if stats is not None:
            for (b, k), s in stats.iterrows():
                rows.append({
                    "period": starts[b].isoformat(), label: int(k), f"{label}_code": names.get(int(k), ""),
                    "completed": int(s["completed"]), "median_tat_hours": _hours(s["median"]),
                    "p90_tat_hours": _hours(s["p90"]), "within_target_pct": _hours(s["within"]),
                    "backlog": backlog.get((k, b), 0),
                })
        rows.sort(key=lambda r: (r["period"], r[f"{label}_code"]))
        return rows

    assay_codes = dict(Assay.objects.values_list("id", "code"))
    client_codes = dict(Client.objects.values_list("id", "code"))
    totals_stats = _stats(done.assign(_all=0), ["bucket", "_all"]) if len(done) else None
    totals_backlog = _backlog(frame, None, ends)
    totals = []
    for b, p in enumerate(starts):
        s = totals_stats.loc[(b, 0)] if totals_stats is not None and (b, 0) in totals_stats.index else None
        totals.append({
            "period": p.isoformat(), "completed": int(s["completed"]) if s is not None else 0,
            "median_tat_hours": _hours(s["median"]) if s is not None else None,
            "p90_tat_hours": _hours(s["p90"]) if s is not None else None,
            "within_target_pct": _hours(s["within"]) if s is not None else None,
            "backlog": totals_backlog.get((None, b), 0),
        })
    return {
        "start": q.start.isoformat(), "end": q.end.isoformat(), "bucket": q.bucket, "assay": q.assay_id,
        "client": q.client_id, "time_zone": settings.TIME_ZONE,
        "rows": table("assay_id", "assay", assay_codes),
        "clients": table("client_id", "client", client_codes),
        "totals": totals,
    }


def open_samples_beyond_target(now=None, limit=None):
    """Open samples (received or in testing) older than their assay's turnaround target, oldest first, as
    ``(sample, hours_over)``. Open samples are few, so the age is computed here rather than in SQL date
    arithmetic, which SQLite and PostgreSQL spell differently."""
    from django.utils import timezone

    now = now or timezone.now()
    rows = []
    for sample in Sample.objects.filter(status__in=Sample.OPEN).select_related("assay", "client").order_by(
            "received_at"):
        over = (now - sample.received_at).total_seconds() / 3600 - sample.assay.tat_target_hours
        if over > 0:
            rows.append((sample, over))
    return rows[:limit] if limit else rows
