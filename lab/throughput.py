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
* **TAT** = ``reported_at − received_at`` in hours, from the stored times to the millisecond (SQLite's date
  functions keep milliseconds, so both databases round every time to the nearest millisecond alike).
  **Median** and **90th percentile** use linear interpolation between closest ranks (Hyndman & Fan type 7,
  pandas/NumPy ``interpolation="linear"``, Excel ``PERCENTILE.INC``): the value at rank ``(n − 1)·q``; so the
  median of an even count is the mean of the two middle values. Hours are rounded to 2 decimals.
* **Within target %**: the share of completed samples with ``TAT ≤ tat_target_hours`` of their assay (the
  assay's current target), in percent, rounded to 2 decimals.
* **Backlog** of a bucket: samples open at the bucket's end, i.e. received before it and neither reported nor
  rejected before it (``received_at < t ≤ reported_at``, or never reported, and not rejected before ``t``), where
  ``t`` is the end of the bucket or the end of the window, whichever comes first.

How: one query fetches, for every sample that is open at some moment of the window (received before its end,
not closed before its start), the assay, the client, the receipt time and the closing time (report, or
rejection as a negative number) as integer milliseconds since the epoch, computed by the database. Each column
arrives as one comma-separated text (GROUP_CONCAT / STRING_AGG) that NumPy parses in C: no datetime and no
Python tuple per sample, which is what makes a year of a million samples fast. pandas then buckets the report
times in local time and computes the order statistics; the backlog is a difference of two sorted-array counts
per key. The same code gives identical figures on SQLite and PostgreSQL (see bench/lab_throughput.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import Aggregate, BigIntegerField, Func, Q, TextField, Value
from django.db.models.functions import Coalesce

from lab.models import Assay, Client, Sample

BUCKETS = ("day", "week", "month")
QUANTILE_INTERPOLATION = "linear"  # Hyndman & Fan type 7 (see the module docstring)
NEVER = np.int64(2**62)  # "not closed": later than any real time in milliseconds
HOUR_MS = 3_600_000


class EpochMillis(Func):
    """A datetime column as integer milliseconds since 1970-01-01 UTC, rounded to the nearest millisecond
    (NULL stays NULL)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # julianday() is exact to the millisecond (SQLite keeps its times in ms); the float error of the day
        # number (< 0.05 ms) vanishes in the rounding.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND((julianday({sql}) - 2440587.5) * 86400000.0) AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # date_part() is float8 (µs exact at today's epoch), much cheaper than EXTRACT's numeric.
        return f"CAST(ROUND(date_part('epoch', {sql}) * 1000) AS BIGINT)", params


MAX_DAYS = 3660  # ten years: a longer window is refused (400) rather than left to run
DEFAULT_DAYS = 30


def window(start: date | None, end: date | None) -> tuple[date, date]:
    """The window of a request: ``end`` defaults to today (local), ``start`` to 29 days before ``end``."""
    from django.utils import timezone

    end = end or timezone.localdate()
    return start or end - timedelta(days=DEFAULT_DAYS - 1), end


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    bucket: str = "day"
    assay_id: int | None = None
    client_id: int | None = None


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight_ms(day: date) -> int:
    moment = datetime.combine(day, time.min, tzinfo=zone())
    return int(moment.timestamp()) * 1000


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


def days_of(ms: np.ndarray) -> np.ndarray:
    """The local day (datetime64[D]) of each epoch-millisecond value."""
    wall = pd.to_datetime(ms, unit="ms", utc=True).tz_convert(zone()).tz_localize(None).values
    return wall.astype("datetime64[D]")


def _bucket_of(ms: np.ndarray, bucket: str) -> np.ndarray:
    """Local bucket start (datetime64[D]) of each epoch-millisecond value."""
    wall = pd.to_datetime(ms, unit="ms", utc=True).tz_convert(zone()).tz_localize(None).values
    days = wall.astype("datetime64[D]")
    if bucket == "week":
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        return days - weekday.astype("timedelta64[D]")
    if bucket == "month":
        return wall.astype("datetime64[M]").astype("datetime64[D]")
    return days


class Joined(Aggregate):
    """All values of an integer expression as one comma-separated text (GROUP_CONCAT / STRING_AGG). A million
    numbers travel as one string that NumPy parses in C, instead of a million Python tuples. Several Joined
    aggregates of one query list their rows in the same order (one scan feeds them all)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"STRING_AGG(CAST({sql} AS TEXT), ',')", params


def _ints(text) -> np.ndarray:
    if not text:
        return np.array([], dtype=np.int64)
    values = np.fromstring(text, dtype=np.int64, sep=",")
    if len(values) != text.count(",") + 1:  # fromstring stops quietly at anything unexpected
        raise ValueError("unexpected text in an aggregated column")
    return values


def fetch(q: Query) -> pd.DataFrame:
    """One query: the samples open at some moment of the window (received before its end, not reported or
    rejected before its start) as integer columns: assay_id, client_id, received_ms, reported_ms (NEVER when not
    reported) and closed_ms (report or rejection time, NEVER while open)."""
    start_dt = datetime.combine(q.start, time.min, tzinfo=zone())
    end_dt = datetime.combine(q.end + timedelta(days=1), time.min, tzinfo=zone())
    qs = Sample.objects.filter(received_at__lt=end_dt).filter(
        Q(reported_at__gte=start_dt)
        | Q(reported_at__isnull=True) & (Q(rejected_at__isnull=True) | Q(rejected_at__gte=start_dt)))
    if q.assay_id:
        qs = qs.filter(assay_id=q.assay_id)
    if q.client_id:
        qs = qs.filter(client_id=q.client_id)
    never = Value(int(NEVER), output_field=BigIntegerField())
    rejected = EpochMillis("rejected_at") * Value(-1)
    columns = qs.order_by().aggregate(
        assay_id=Joined("assay_id"), client_id=Joined("client_id"), received_ms=Joined(EpochMillis("received_at")),
        closed=Joined(Coalesce(EpochMillis("reported_at"), rejected, never)))
    frame = pd.DataFrame({name: _ints(text) for name, text in columns.items()})
    closed = frame.pop("closed").to_numpy()
    frame["reported_ms"] = np.where(closed > 0, closed, NEVER)  # rejected (negative) and open → never reported
    frame["closed_ms"] = np.abs(closed)
    return frame


def _stats(frame: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """completed, median, p90 and within-target % per (bucket, key) of the completed samples in ``frame``,
    with columns bucket and key. Grouping by one combined integer is twice as fast as by two columns."""
    keys = frame[key].to_numpy() if key else np.zeros(len(frame), dtype=np.int64)
    width = int(keys.max()) + 1 if len(keys) else 1
    combined = frame["bucket"].to_numpy() * width + keys
    grouped = frame.groupby(combined, sort=True)
    tat = grouped["tat_h"]
    out = pd.DataFrame({
        "completed": tat.size(), "median": tat.median(),
        "p90": tat.quantile(0.9, interpolation=QUANTILE_INTERPOLATION),
        "within": grouped["within"].mean() * 100,
    })
    out["bucket"], out["key"] = np.divmod(out.index.to_numpy(), width)
    return out


def _backlog(frame: pd.DataFrame, key: str | None, ends: np.ndarray) -> dict:
    """{(key value, bucket index): open samples at ends[bucket index]} for key values with any open sample."""
    closed = frame["closed_ms"].to_numpy()
    received = frame["received_ms"].to_numpy()
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


def compute_direct(q: Query) -> dict:
    """The figures of the window computed directly from the samples (the reference that ``compute`` and its
    rollup must equal; used by the tests and the benchmark): ``rows`` per period and assay (completed > 0),
    ``clients`` per period and client (completed > 0), ``totals`` per period over the selection (every period
    of the window)."""
    frame = fetch(q)
    starts = periods(q)
    start_ms, end_ms = local_midnight_ms(q.start), local_midnight_ms(q.end + timedelta(days=1))
    ends = np.array([min(local_midnight_ms(next_bucket(p, q.bucket)), end_ms) for p in starts], dtype=np.int64)
    start_days = np.array(starts, dtype="datetime64[D]")

    assays = list(Assay.objects.values_list("id", "code", "tat_target_hours"))
    targets = {pk: hours for pk, _code, hours in assays}
    done = frame[(frame["reported_ms"] >= start_ms) & (frame["reported_ms"] < end_ms)].copy()
    tat_ms = done["reported_ms"].to_numpy() - done["received_ms"].to_numpy()
    target_of = np.zeros(max(targets, default=0) + 1, dtype=np.int64)
    target_of[list(targets)] = list(targets.values())
    target_ms = target_of[done["assay_id"].to_numpy()] * HOUR_MS
    done["tat_h"] = tat_ms / HOUR_MS
    done["within"] = tat_ms <= target_ms
    done["bucket"] = np.searchsorted(start_days, _bucket_of(done["reported_ms"].to_numpy(), q.bucket))

    def table(key, label, names):
        if not len(done):
            return []
        stats = _stats(done, key)
        backlog = _backlog(frame, key, ends)
        rows = [{
            "period": starts[b].isoformat(), label: int(k), f"{label}_code": names.get(int(k), ""),
            "completed": int(n), "median_tat_hours": _hours(med), "p90_tat_hours": _hours(p90),
            "within_target_pct": _hours(within), "backlog": backlog.get((k, b), 0),
        } for b, k, n, med, p90, within in stats[["bucket", "key", "completed", "median", "p90", "within"]]
            .itertuples(index=False, name=None)]
        rows.sort(key=lambda r: (r["period"], r[f"{label}_code"]))
        return rows

    assay_codes = {pk: code for pk, code, _hours in assays}
    client_codes = dict(Client.objects.values_list("id", "code"))
    per_period = {}
    if len(done):
        stats = _stats(done, None)
        per_period = {int(b): (int(n), _hours(med), _hours(p90), _hours(within)) for b, n, med, p90, within in
                      stats[["bucket", "completed", "median", "p90", "within"]].itertuples(index=False, name=None)}
    totals_backlog = _backlog(frame, None, ends)
    totals = []
    for b, p in enumerate(starts):
        n, med, p90, within = per_period.get(b, (0, None, None, None))
        totals.append({"period": p.isoformat(), "completed": n, "median_tat_hours": med, "p90_tat_hours": p90,
                       "within_target_pct": within, "backlog": totals_backlog.get((None, b), 0)})
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


# --- from the rollup (lab.models.ThroughputDay, kept by lab.rollup) ------------------------------------------
def _bucket_days(days: np.ndarray, bucket: str) -> np.ndarray:
    if bucket == "week":
        return days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    if bucket == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    return days


def _sorted_by_key(key: np.ndarray, tat: np.ndarray) -> np.ndarray:
    """``tat`` ordered by (key, tat). One int64 sort of key·2ᵏ + tat where that fits, else a lexsort."""
    if not len(tat):
        return tat
    bits = max(int(tat.max()).bit_length(), 1)
    if tat.min() >= 0 and int(key.max()) < 2 ** (62 - bits):
        return np.sort((key.astype(np.int64) << bits) | tat) & ((1 << bits) - 1)
    return tat[np.lexsort((tat, key))]


def rank_values(key, tat, within, groups: int, presorted: bool = False):
    """For every group (dense integer ``key`` < ``groups``) with values: ``(group, completed, median_lo,
    median_hi, p90_lo, p90_hi, within count)`` as int64 arrays — the turnaround times (ms) between which the median
    and the 90th percentile interpolate (see ``figures``). ``presorted``: ``tat`` already ordered by (key, tat)."""
    n = np.bincount(key, minlength=groups)
    w = np.bincount(key, weights=within, minlength=groups)
    values = tat if presorted else _sorted_by_key(key, tat)
    first = np.cumsum(n) - n
    nz = np.flatnonzero(n)
    n_nz, s = n[nz], first[nz]
    last = s + n_nz - 1
    mid = s + (n_nz - 1) // 2
    lo = s + np.floor(0.9 * (n_nz - 1)).astype(np.int64)
    return (nz, n_nz, values[mid], values[np.minimum(mid + 1, last)], values[lo], values[np.minimum(lo + 1, last)],
            np.rint(w[nz]).astype(np.int64))


def figures(n, median_lo, median_hi, p90_lo, p90_hi, within):
    """(median h, p90 h, within %) from ``rank_values``. Median of an even count: the mean of the two middle
    values; p90: linear interpolation between closest ranks (type 7) — the arithmetic of pandas that
    compute_direct uses, on the same millisecond values, so the figures are identical."""
    lo_h, hi_h = median_lo / HOUR_MS, median_hi / HOUR_MS
    median = np.where(n % 2 == 1, lo_h, (lo_h + hi_h) / 2)
    frac = (0.9 * (n - 1)) % 1
    x_lo, x_hi = p90_lo / HOUR_MS, p90_hi / HOUR_MS
    return median, x_lo + (x_hi - x_lo) * frac, within / n * 100


def _group_stats(key, tat, within, groups: int, presorted: bool):
    """(group, completed, median h, p90 h, within %) for every group with values."""
    nz, n, *ranks = rank_values(key, tat, within, groups, presorted)
    return (nz, n, *figures(n, *ranks))


class EpochDays(Func):
    """A date column as days since 1970-01-01 (integer)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params


def _rounded(values: np.ndarray) -> list:
    """``round(v, 2)`` of every value, as Python floats: NumPy's rint(v·100)/100 where v·100 is clearly away from
    a half (then both give the same double), Python's correctly rounded ``round`` for the few near a half."""
    scaled = values * 100
    out = np.rint(scaled) / 100
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    result = out.tolist()
    for i in near.tolist():
        result[i] = round(float(values[i]), 2)
    return result


def _h(value):
    """``_hours`` for the floats of the rollup path (NaN never occurs there): Python's correctly rounded
    ``round``, as compute_direct uses, without pandas' per-value NA check."""
    return None if value is None else round(value, 2)


def _join(blobs, dtype) -> np.ndarray:
    return np.frombuffer(b"".join(blobs), dtype=dtype)


def _day_numbers(days) -> np.ndarray:
    """Dates → days since 1970-01-01 (int64), by ordinals: 20× faster than np.array(dates)."""
    unix_day = date(1970, 1, 1).toordinal()
    return np.array([d.toordinal() - unix_day for d in days], dtype=np.int64)


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Inclusive date ranges, sorted, adjacent and overlapping ones joined."""
    out: list[list[date]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + timedelta(days=1):
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def whole_periods(q: Query, starts: list[date]) -> list[int]:
    """Indices of the buckets that lie entirely inside the window (contiguous: only the first and the last can be
    cut by the window)."""
    return [i for i, p in enumerate(starts) if p >= q.start and next_bucket(p, q.bucket) - timedelta(days=1) <= q.end]


def compute(q: Query, *, clients: bool = True, summary: bool = False) -> dict:
    """The figures of the window (same definitions and output as ``compute_direct``), from the rollup, in at most
    eight queries whatever the window. Whole buckets of the window are read from ``ThroughputPeriod`` (their
    figures kept by lab.rollup), the days of a bucket cut by the window — and of a whole bucket marked stale
    (``ThroughputStale``: written since the last refresh) — from ``ThroughputDay``'s arrays, so the work does not
    grow with the samples of whole buckets and the figures are exact whether or not the periods were refreshed.
    A client filter, the per-client table of one assay and the whole-window summaries rank the day arrays of the
    whole window (those groups are not kept per period), as does any query while a target differs from the one
    the periods were counted with.
    ``clients=False`` leaves the per-client table out (the API answers it only when asked); ``summary=True`` adds
    ``assay_summary`` / ``client_summary``: the same figures over the whole window, one row per assay or
    client (the dashboard's short tables), with the backlog at the window's end."""
    from django.db.models import Sum

    from lab.models import ThroughputClientDay, ThroughputDay, ThroughputPeriod, ThroughputStale, ThroughputTarget

    starts = periods(q)
    start_days = np.array(starts, dtype="datetime64[D]")
    nb = len(starts)
    assays = list(Assay.objects.order_by("pk").values_list("id", "code", "tat_target_hours"))
    assay_ids = np.array([a[0] for a in assays], dtype=np.int64)
    width_a = max(len(assays), 1)
    target_ms = np.array([a[2] for a in assays] or [0], dtype=np.int64) * HOUR_MS
    client_rows = list(Client.objects.order_by("pk").values_list("id", "code")) if clients else []
    client_ids = np.array([c[0] for c in client_rows], dtype=np.int64)
    width_c = max(len(client_rows), 1)

    whole = whole_periods(q, starts)
    use_periods = bool(whole) and not q.client_id and not summary and not (q.assay_id and clients)
    if use_periods:
        current = {a[0]: a[2] for a in assays}
        use_periods = all(current.get(a) == h for a, h in ThroughputTarget.objects.values_list("assay_id", "hours"))
    if use_periods:
        first, last = starts[whole[0]], next_bucket(starts[whole[-1]], q.bucket) - timedelta(days=1)
        ranges = ([(q.start, first - timedelta(days=1))] if first > q.start else []) + (
            [(last + timedelta(days=1), q.end)] if last < q.end else [])
    else:
        ranges = [(q.start, q.end)]
    blobs = clients or bool(q.client_id)

    # Periods marked stale (written since the last refresh, lab.rollup): whole buckets of the window among them are
    # ranked from their day arrays like cut ones; months and days before the window among them give their flows
    # from the per-client day counts instead.
    month = q.start.replace(day=1)
    kept_prior = not q.client_id and not (q.assay_id and clients)
    stale_days = np.zeros(0, dtype=np.int64)
    stale_prior = []
    if use_periods or kept_prior:
        marks = Q(bucket="month", period__lt=month) | Q(bucket="day", period__gte=month, period__lt=q.start)
        if use_periods:
            marks |= Q(bucket=q.bucket, period__gte=first, period__lte=last)
        marked = set(ThroughputStale.objects.filter(marks).order_by().values_list("bucket", "period").distinct())
        if use_periods:
            stale_whole = [starts[i] for i in whole if (q.bucket, starts[i]) in marked]
            ranges = _merged(ranges + [(p, next_bucket(p, q.bucket) - timedelta(days=1)) for p in stale_whole])
            stale_days = _day_numbers(stale_whole)
        stale_prior = _merged([(p, next_bucket(p, b) - timedelta(days=1)) for b, p in marked
                               if b == "month" and p < month or b == "day" and month <= p < q.start])

    # The per-group figures as integer matrices (completed, median_lo, median_hi, p90_lo, p90_hi, within) and
    # the flows (received − closed) per bucket: filled from the day arrays and from the kept periods.
    ranks_a = np.zeros((6, nb * width_a), dtype=np.int64)
    ranks_c = np.zeros((6, nb * width_c), dtype=np.int64)
    ranks_t = np.zeros((6, nb), dtype=np.int64)
    net_a = np.zeros((nb, width_a), dtype=np.int64)
    net_c = np.zeros((nb, width_c), dtype=np.int64)

    tat = v_aidx = tat_client = within = None
    if ranges:
        days_q = Q()
        for lo, hi in ranges:
            days_q |= Q(day__gte=lo, day__lte=hi)
        qs = ThroughputDay.objects.filter(days_q)
        if q.assay_id:
            qs = qs.filter(assay_id=q.assay_id)
        fields = ["day", "assay_id", "completed", "received", "closed", "tat_ms"]
        if blobs:
            fields += ["tat_clients", "received_clients", "closed_clients"]
        data = list(qs.order_by("day", "assay_id").values_list(*fields))
        cols = list(zip(*data, strict=True)) if data else [()] * len(fields)
        col = dict(zip(fields, cols, strict=True))
        row_days = _day_numbers(col["day"]).astype("datetime64[D]")
        row_bucket = np.searchsorted(start_days, _bucket_days(row_days, q.bucket)) if data else np.zeros(0, np.int64)
        row_aidx = np.searchsorted(assay_ids, np.array(col["assay_id"], dtype=np.int64))

        tat = _join(col["tat_ms"], "<i8").astype(np.int64)
        tat_client = _join(col["tat_clients"], "<i4").astype(np.int64) if blobs else None
        completed = np.array(col["completed"], dtype=np.int64)
        v_bucket, v_aidx = np.repeat(row_bucket, completed), np.repeat(row_aidx, completed)
        if q.client_id:
            keep = tat_client == q.client_id
            tat, tat_client, v_bucket, v_aidx = tat[keep], tat_client[keep], v_bucket[keep], v_aidx[keep]
        within = (tat <= target_ms[v_aidx]).astype(np.float64)

        def fill(matrix, key, groups, presorted=False):
            nz, *values = rank_values(key, tat, within, groups, presorted)
            matrix[:, nz] = np.array(values, dtype=np.int64).reshape(6, len(nz))

        fill(ranks_a, v_bucket * width_a + v_aidx, nb * width_a, q.bucket == "day")
        fill(ranks_t, v_bucket, nb)
        if clients:
            v_cidx = np.searchsorted(client_ids, tat_client)
            fill(ranks_c, v_bucket * width_c + v_cidx, nb * width_c)

        def flows(ids_col, counts):
            """(per bucket × assay, per bucket × client) of one flow of these days."""
            ids = _join(ids_col, "<i4").astype(np.int64)
            b, a = np.repeat(row_bucket, counts), np.repeat(row_aidx, counts)
            if q.client_id:
                keep = ids == q.client_id
                ids, b, a = ids[keep], b[keep], a[keep]
            c = np.searchsorted(client_ids, ids)
            return (np.bincount(b * width_a + a, minlength=nb * width_a).reshape(nb, width_a),
                    np.bincount(b * width_c + c, minlength=nb * width_c).reshape(nb, width_c) if clients else None)

        received = np.array(col["received"], dtype=np.int64)
        closed = np.array(col["closed"], dtype=np.int64)
        if blobs:
            rin, rout = flows(col["received_clients"], received), flows(col["closed_clients"], closed)
            net_a += rin[0] - rout[0]
            if clients:
                net_c += rin[1] - rout[1]
        else:
            net_a += np.bincount(row_bucket * width_a + row_aidx, weights=received - closed,
                                 minlength=nb * width_a).reshape(nb, width_a).astype(np.int64)

    if use_periods:
        kept = ThroughputPeriod.objects.filter(bucket=q.bucket, period__gte=first, period__lte=last)
        if q.assay_id:
            kept = kept.filter(assay_key=q.assay_id, client_key=0)
        elif not clients:
            kept = kept.filter(client_key=0)
        # One row of comma-joined integer columns (parsed by NumPy in C): no Python tuple or date per period.
        names = ("period", "assay_key", "client_key", "completed", "median_lo", "median_hi", "p90_lo", "p90_hi",
                 "within", "received", "closed")
        joined = kept.order_by().aggregate(**{f"c{i}": Joined(EpochDays(f) if f == "period" else f)
                                              for i, f in enumerate(names)})
        cols = [_ints(joined[f"c{i}"]) for i in range(len(names))]
        if len(stale_days) and len(cols[0]):
            fresh = ~np.isin(cols[0], stale_days)
            cols = [c[fresh] for c in cols]
        if len(cols[0]):
            b = np.searchsorted(start_days, cols[0].astype("datetime64[D]"))
            akey, ckey = np.array(cols[1], dtype=np.int64), np.array(cols[2], dtype=np.int64)
            values = np.array(cols[3:9], dtype=np.int64)
            net = np.array(cols[9], dtype=np.int64) - np.array(cols[10], dtype=np.int64)
            per_assay = (akey > 0) & (ckey == 0)
            aidx = np.searchsorted(assay_ids, akey[per_assay])
            ranks_a[:, b[per_assay] * width_a + aidx] = values[:, per_assay]
            net_a[b[per_assay], aidx] += net[per_assay]
            overall = per_assay if q.assay_id else (akey == 0) & (ckey == 0)
            ranks_t[:, b[overall]] = values[:, overall]
            if clients:
                per_client = (akey == 0) & (ckey > 0)
                cidx = np.searchsorted(client_ids, ckey[per_client])
                ranks_c[:, b[per_client] * width_c + cidx] = values[:, per_client]
                net_c[b[per_client], cidx] += net[per_client]

    # Backlog at each bucket end = open at the window start + received − closed before the bucket end.
    prior_a = np.zeros(width_a, dtype=np.int64)
    prior_c = np.zeros(width_c, dtype=np.int64)
    if kept_prior:
        # Open at the window start from the kept periods' flows: every month before the window's month, then
        # the days of that month before the window (a few thousand narrow rows, however long the history); the
        # stale ones among them from the per-client day counts of their days.
        before = ThroughputPeriod.objects.filter(Q(bucket="month", period__lt=month)
                                                 | Q(bucket="day", period__gte=month, period__lt=q.start))
        stale_q = Q()
        for lo, hi in stale_prior:
            stale_q |= Q(period__gte=lo, period__lte=hi)
        if stale_prior:
            before = before.exclude(stale_q)
        before = before.filter(assay_key=q.assay_id, client_key=0) if q.assay_id else before.exclude(
            assay_key=0, client_key=0) if clients else before.filter(client_key=0).exclude(assay_key=0)
        for assay_key, client_key, r, c in before.order_by().values("assay_key", "client_key").annotate(
                r=Sum("received"), c=Sum("closed")).values_list("assay_key", "client_key", "r", "c"):
            if assay_key:
                prior_a[np.searchsorted(assay_ids, assay_key)] += r - c
            else:
                prior_c[np.searchsorted(client_ids, client_key)] += r - c
        if stale_prior:
            days_q = Q()
            for lo, hi in stale_prior:
                days_q |= Q(day__gte=lo, day__lte=hi)
            counts = ThroughputClientDay.objects.filter(days_q)
            if q.assay_id:
                counts = counts.filter(assay_id=q.assay_id)
            for assay_id, client_id, r, c in counts.order_by().values("assay_id", "client_id").annotate(
                    r=Sum("received"), c=Sum("closed")).values_list("assay_id", "client_id", "r", "c"):
                prior_a[np.searchsorted(assay_ids, assay_id)] += r - c
                if clients:
                    prior_c[np.searchsorted(client_ids, client_id)] += r - c
    elif blobs:
        # Open at the window start per assay and client: one SUM over the narrow per-client counts.
        before = ThroughputClientDay.objects.filter(day__lt=q.start)
        if q.assay_id:
            before = before.filter(assay_id=q.assay_id)
        if q.client_id:
            before = before.filter(client_id=q.client_id)
        for assay_id, client_id, r, c in before.order_by().values("assay_id", "client_id").annotate(
                r=Sum("received"), c=Sum("closed")).values_list("assay_id", "client_id", "r", "c"):
            prior_a[np.searchsorted(assay_ids, assay_id)] += r - c
            if clients:
                prior_c[np.searchsorted(client_ids, client_id)] += r - c
    else:
        prior = ThroughputDay.objects.filter(day__lt=q.start)
        if q.assay_id:
            prior = prior.filter(assay_id=q.assay_id)
        for assay_id, r, c in prior.order_by().values("assay_id").annotate(r=Sum("received"), c=Sum("closed")) \
                .values_list("assay_id", "r", "c"):
            prior_a[np.searchsorted(assay_ids, assay_id)] += r - c
    backlog_a = prior_a + np.cumsum(net_a, axis=0)
    backlog_c = prior_c + np.cumsum(net_c, axis=0)

    def table(ranks, width, backlog, label, ids, codes):
        nz = np.flatnonzero(ranks[0])
        n = ranks[0, nz]
        med, p90, pct = figures(n, *ranks[1:, nz])
        b, k = np.divmod(nz, width)
        labels = [p.isoformat() for p in starts]
        id_list = ids.tolist()
        rows = [{
            "period": labels[bi], label: id_list[ki], f"{label}_code": codes[ki],
            "completed": ni, "median_tat_hours": m, "p90_tat_hours": p, "within_target_pct": w, "backlog": bl,
        } for bi, ki, ni, m, p, w, bl in zip(b.tolist(), k.tolist(), n.tolist(), _rounded(med), _rounded(p90),
                                             _rounded(pct), backlog[b, k].tolist(), strict=True)]
        rows.sort(key=lambda r: (r["period"], r[f"{label}_code"]))
        return rows

    assay_codes = [a[1] for a in assays]
    result = {
        "start": q.start.isoformat(), "end": q.end.isoformat(), "bucket": q.bucket, "assay": q.assay_id,
        "client": q.client_id, "time_zone": settings.TIME_ZONE,
        "rows": table(ranks_a, width_a, backlog_a, "assay", assay_ids, assay_codes),
    }
    if clients:
        result["clients"] = table(ranks_c, width_c, backlog_c, "client", client_ids, [c[1] for c in client_rows])
    if summary:  # never from the kept periods: the arrays of the whole window were read
        def whole_window(key, width, ids, codes, backlog, label):
            nz, n, med, p90, pct = _group_stats(key, tat, within, width, False)
            rows = [{label: int(ids[k]), f"{label}_code": codes[k], "completed": int(ni),
                     "median_tat_hours": _h(m), "p90_tat_hours": _h(p), "within_target_pct": _h(w),
                     "backlog": int(backlog[-1, k]) if len(backlog) else 0}
                    for k, ni, m, p, w in zip(nz.tolist(), n.tolist(), med.tolist(), p90.tolist(), pct.tolist(),
                                              strict=True)]
            return sorted(rows, key=lambda r: r[f"{label}_code"])

        result["assay_summary"] = whole_window(v_aidx, width_a, assay_ids, assay_codes, backlog_a, "assay")
        if clients:
            result["client_summary"] = whole_window(np.searchsorted(client_ids, tat_client), width_c, client_ids,
                                                    [c[1] for c in client_rows], backlog_c, "client")
    n_t = ranks_t[0]
    med, p90, pct = figures(np.maximum(n_t, 1), *ranks_t[1:])
    total_backlog = backlog_a.sum(axis=1)
    totals = []
    for b, (p, ni, m, p9, w) in enumerate(zip(starts, n_t.tolist(), med.tolist(), p90.tolist(), pct.tolist(),
                                              strict=True)):
        totals.append({"period": p.isoformat(), "completed": ni, "median_tat_hours": _h(m) if ni else None,
                       "p90_tat_hours": _h(p9) if ni else None, "within_target_pct": _h(w) if ni else None,
                       "backlog": int(total_backlog[b])})
    result["totals"] = totals
    return result
