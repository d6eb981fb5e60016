"""Keeping ``ThroughputDay`` (the throughput rollup, lab.models) equal to what the samples say.

A sample contributes to at most three rows: it is *received* on the local day of ``received_at``; it is
*closed* on the local day of ``reported_at`` (then it is also *completed*, with its turnaround time) or of
``rejected_at``. The sample services call ``apply(before, after)`` with the sample's state before and after the
change, inside their transaction: the rows concerned are locked (``select_for_update``), the old contribution
removed and the new one added. ``rebuild()`` recomputes every row from the samples (``manage.py
rebuild_lab_throughput``), e.g. after a bulk load that bypassed the services (the benchmark's fast path).

``ThroughputPeriod`` keeps the figures of every whole day, ISO week and month (per assay, per client, overall:
the turnaround times the median and p90 interpolate between, counts within target, flows), so that a long window
reads one narrow row per bucket and group instead of ranking every turnaround time. The services do not recompute
them (that would cost more than the change itself): the same transaction only marks the periods it touches stale
(``ThroughputStale``, one INSERT, no lock beyond the day rows'), lab.throughput ranks the day arrays of a marked
period as it does for a bucket cut by the window, and ``refresh()`` — every five minutes (lab.tasks) and in
``rebuild_lab_throughput`` — recomputes the marked periods from their day rows and deletes the marks it read before
reading them (a mark added meanwhile stays, so the period stays stale until the next refresh). Its ``within``
counts use the targets in ``ThroughputTarget``; a changed target recounts them (``assay_saved``, connected in
lab.apps).

Times are taken to the nearest millisecond, as lab.throughput's direct computation does (see its docstring),
so both give identical figures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import IntegrityError, transaction

from lab.models import Sample, ThroughputClientDay, ThroughputDay, ThroughputPeriod, ThroughputStale, ThroughputTarget

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATE_FIELDS = ("assay_id", "client_id", "received_at", "reported_at", "rejected_at")


def millis(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded half up like the databases' ROUND (lab.throughput.EpochMillis)."""
    micro = (moment - EPOCH) // timedelta(microseconds=1)
    return (micro + 500) // 1000


def local_day(ms: int) -> date:
    from lab.throughput import zone

    return (EPOCH + timedelta(milliseconds=int(ms))).astimezone(zone()).date()


def state(sample) -> dict | None:
    """What of a sample the rollup depends on (None for no sample)."""
    if sample is None:
        return None
    return {f: getattr(sample, f) for f in STATE_FIELDS}


def contributions(st: dict | None) -> list[tuple]:
    """``(kind, day, assay_id, client_id, tat_ms)`` for kind ``received``, ``completed`` or ``rejected``."""
    if st is None or st["received_at"] is None:
        return []
    received = millis(st["received_at"])
    out = [("received", local_day(received), st["assay_id"], st["client_id"], None)]
    if st["reported_at"] is not None:
        reported = millis(st["reported_at"])
        out.append(("completed", local_day(reported), st["assay_id"], st["client_id"], reported - received))
    elif st["rejected_at"] is not None:
        out.append(("rejected", local_day(millis(st["rejected_at"])), st["assay_id"], st["client_id"], None))
    return out


def _i64(buf) -> np.ndarray:
    return np.frombuffer(bytes(buf or b""), dtype="<i8")


def _i32(buf) -> np.ndarray:
    return np.frombuffer(bytes(buf or b""), dtype="<i4")


def _remove_one(values: np.ndarray, value) -> np.ndarray:
    hits = np.flatnonzero(values == value)
    return np.delete(values, hits[0]) if len(hits) else values


def _change_row(row: ThroughputDay, removed: list[tuple], added: list[tuple]) -> None:
    received, closed = _i32(row.received_clients), _i32(row.closed_clients)
    tats, tat_clients = _i64(row.tat_ms), _i32(row.tat_clients)
    for kind, _day, _assay, client, tat in removed:
        if kind == "received":
            received = _remove_one(received, client)
        else:
            closed = _remove_one(closed, client)
        if kind == "completed":
            hits = np.flatnonzero((tats == tat) & (tat_clients == client))
            if len(hits):
                tats, tat_clients = np.delete(tats, hits[0]), np.delete(tat_clients, hits[0])
    new = defaultdict(list)
    for kind, _day, _assay, client, tat in added:
        new["received" if kind == "received" else "closed"].append(client)
        if kind == "completed":
            new["tats"].append(tat)
            new["tat_clients"].append(client)
    received = np.sort(np.concatenate([received, np.array(new["received"], dtype="<i4")]))
    closed = np.sort(np.concatenate([closed, np.array(new["closed"], dtype="<i4")]))
    tats = np.concatenate([tats, np.array(new["tats"], dtype="<i8")])
    tat_clients = np.concatenate([tat_clients, np.array(new["tat_clients"], dtype="<i4")])
    order = np.lexsort((tat_clients, tats))
    tats, tat_clients = tats[order], tat_clients[order]
    row.received, row.closed, row.completed = len(received), len(closed), len(tats)
    row.received_clients, row.closed_clients = received.astype("<i4").tobytes(), closed.astype("<i4").tobytes()
    row.tat_ms, row.tat_clients = tats.astype("<i8").tobytes(), tat_clients.astype("<i4").tobytes()


def _locked_rows(keys) -> dict:
    days = {d for d, _a in keys}
    assays = {a for _d, a in keys}
    rows = {(r.day, r.assay_id): r for r in ThroughputDay.objects.select_for_update().filter(
        day__in=days, assay_id__in=assays) if (r.day, r.assay_id) in keys}
    for key in sorted(set(keys) - set(rows)):
        try:
            with transaction.atomic():  # a concurrent intake may create the same row: then lock that one
                rows[key] = ThroughputDay.objects.create(day=key[0], assay_id=key[1])
        except IntegrityError:
            rows[key] = ThroughputDay.objects.select_for_update().get(day=key[0], assay_id=key[1])
    return rows


def apply(before: list[dict | None], after: list[dict | None]) -> None:
    """Move the contributions of samples from their ``before`` states to their ``after`` states (lists of
    ``state()``; None for a sample that did not exist). Call inside the service's transaction."""
    removed, added = defaultdict(list), defaultdict(list)
    for st_before, st_after in zip(before, after, strict=True):
        old, new = contributions(st_before), contributions(st_after)
        if old == new:
            continue
        for c in old:
            removed[(c[1], c[2])].append(c)
        for c in new:
            added[(c[1], c[2])].append(c)
    keys = set(removed) | set(added)
    if not keys:
        return
    rows = _locked_rows(keys)
    _apply_client_counts(removed, added)
    for key in sorted(keys):
        row = rows[key]
        _change_row(row, removed.get(key, []), added.get(key, []))
        row.save(update_fields=["received", "closed", "completed", "tat_ms", "tat_clients", "received_clients",
                                "closed_clients"])
    mark_stale({d for d, _a in keys})


def _apply_client_counts(removed: dict, added: dict) -> None:
    """Keep ``ThroughputClientDay`` with the contributions moved by ``apply`` (an UPDATE locks the row; a row
    that does not exist yet is created, or updated when a concurrent intake created it first)."""
    from django.db.models import F

    delta = defaultdict(lambda: [0, 0])
    for sign, groups in ((-1, removed), (1, added)):
        for contribution in groups.values():
            for kind, day, assay, client, _tat in contribution:
                delta[(day, assay, client)][0 if kind == "received" else 1] += sign
    for (day, assay, client), (dr, dc) in sorted(delta.items()):
        if not dr and not dc:
            continue
        qs = ThroughputClientDay.objects.filter(day=day, assay_id=assay, client_id=client)
        if qs.update(received=F("received") + dr, closed=F("closed") + dc):
            continue
        try:
            with transaction.atomic():
                ThroughputClientDay.objects.create(day=day, assay_id=assay, client_id=client, received=dr, closed=dc)
        except IntegrityError:
            qs.update(received=F("received") + dr, closed=F("closed") + dc)


def client_rows(objs) -> list[ThroughputClientDay]:
    """The per-client counts of the rollup rows ``objs`` (ThroughputDay)."""
    out = []
    for o in objs:
        counts: dict = {}
        for i, blob in enumerate((o.received_clients, o.closed_clients)):
            ids, n = np.unique(_i32(blob), return_counts=True)
            for c, k in zip(ids.tolist(), n.tolist(), strict=True):
                counts.setdefault(c, [0, 0])[i] = k
        out += [ThroughputClientDay(day=o.day, assay_id=o.assay_id, client_id=c, received=r, closed=k)
                for c, (r, k) in counts.items()]
    return out


def rebuild(batch_size: int = 2000) -> int:
    """Recompute every rollup row (``ThroughputDay``, ``ThroughputClientDay``, ``ThroughputPeriod`` and
    ``ThroughputTarget``) from the samples. Returns the number of day × assay rows written."""
    marks = list(ThroughputStale.objects.values_list("pk", flat=True))  # later marks stay (a write meanwhile)
    objs = computed_rows()
    clients = client_rows(objs)
    targets = current_targets()
    kept = period_rows(_day_arrays(objs), targets)
    with transaction.atomic():  # derived tables: no history (lab.models)
        ThroughputStale.objects.filter(pk__in=marks).delete()
        ThroughputDay.objects.all().delete()
        ThroughputClientDay.objects.all().delete()
        ThroughputPeriod.objects.all().delete()
        ThroughputTarget.objects.all().delete()
        ThroughputDay.objects.bulk_create(objs, batch_size=batch_size)
        ThroughputClientDay.objects.bulk_create(clients, batch_size=batch_size)
        ThroughputPeriod.objects.bulk_create(kept, batch_size=batch_size)
        ThroughputTarget.objects.bulk_create([ThroughputTarget(assay_id=a, hours=h) for a, h in targets.items()])
    return len(objs)


# --- whole periods (ThroughputPeriod) -------------------------------------------------------------------------
BUCKETS = ("day", "week", "month")
PERIOD_FIELDS = ("completed", "median_lo", "median_hi", "p90_lo", "p90_hi", "within", "received", "closed")


def current_targets() -> dict:
    from lab.models import Assay

    return dict(Assay.objects.values_list("id", "tat_target_hours"))


def _periods_of(days) -> set:
    from lab.throughput import bucket_start

    return {(b, bucket_start(d, b)) for d in days for b in BUCKETS}


def mark_stale(days) -> None:
    """Mark the periods (day, week, month) that contain ``days`` stale: plain INSERTs (no unique key, so two
    transactions never wait for each other here), in the service's transaction."""
    ThroughputStale.objects.bulk_create([ThroughputStale(bucket=b, period=p) for b, p in sorted(_periods_of(days))])


def stale_periods() -> set:
    return set(ThroughputStale.objects.values_list("bucket", "period").distinct())


def refresh(chunk: int = 40) -> int:
    """Recompute the periods marked stale from their day rows, ``chunk`` periods per transaction, and delete the
    marks read before the day rows were (under the periods' locks: two refreshes take turns); a mark added by a
    write after that read stays. Returns the number of periods recomputed."""
    from django.db.models import Q

    todo = sorted(stale_periods())
    for i in range(0, len(todo), chunk):
        part = set(todo[i:i + chunk])
        with transaction.atomic():
            _lock_periods(part)
            which = Q()
            for bucket, period in part:
                which |= Q(bucket=bucket, period=period)
            marks = list(ThroughputStale.objects.filter(which).values_list("pk", flat=True))
            _recompute_periods(part)  # reads the day rows after the marks: every marked change is in them
            ThroughputStale.objects.filter(pk__in=marks).delete()
    return len(todo)


def _lock_periods(touched: set) -> None:
    """Lock the periods ``touched`` — their (bucket, period, 0, 0) rows, created when missing — in one global
    order: two refreshes of one period take turns (and cannot deadlock)."""
    for bucket, period in sorted(touched):
        qs = ThroughputPeriod.objects.select_for_update().filter(bucket=bucket, period=period, assay_key=0,
                                                                 client_key=0)
        if list(qs):
            continue
        try:
            with transaction.atomic():
                ThroughputPeriod.objects.create(bucket=bucket, period=period)
        except IntegrityError:
            list(qs)  # created meanwhile by a concurrent transaction: wait for its lock


def _recompute_periods(touched: set) -> None:
    """Recompute the kept periods ``touched`` from their day rows (all assays)."""
    from django.db.models import Q

    from lab.throughput import next_bucket

    days = Q()
    for bucket, period in touched:
        days |= Q(day__gte=period, day__lt=next_bucket(period, bucket))
    rows = ThroughputDay.objects.filter(days).order_by("day", "assay_id").values_list(
        "day", "assay_id", "tat_ms", "tat_clients", "received_clients", "closed_clients")
    targets = _targets_for_periods()
    fresh = {(o.bucket, o.period, o.assay_key, o.client_key): o
             for o in period_rows(_day_arrays(rows), targets, only=touched)}
    periods = Q()
    for bucket, period in touched:
        periods |= Q(bucket=bucket, period=period)
    ThroughputPeriod.objects.filter(periods).exclude(assay_key=0, client_key=0).delete()
    for bucket, period in sorted(touched):
        anchor = fresh.pop((bucket, period, 0, 0), None) or ThroughputPeriod(bucket=bucket, period=period)
        ThroughputPeriod.objects.filter(bucket=bucket, period=period, assay_key=0, client_key=0).update(
            **{f: getattr(anchor, f) for f in PERIOD_FIELDS})
    ThroughputPeriod.objects.bulk_create(list(fresh.values()), batch_size=2000)


def _targets_for_periods() -> dict:
    """The targets the kept periods count ``within`` with; an assay new to the rollup gets its current one."""
    kept = dict(ThroughputTarget.objects.values_list("assay_id", "hours"))
    for assay_id, hours in current_targets().items():
        if assay_id not in kept:
            try:
                with transaction.atomic():
                    ThroughputTarget.objects.create(assay_id=assay_id, hours=hours)
            except IntegrityError:  # a concurrent intake added it
                hours = ThroughputTarget.objects.get(assay_id=assay_id).hours
            kept[assay_id] = hours
    return kept


def retarget() -> None:
    """After an assay's target changed: recount the kept periods with the current targets (the day rows do not
    depend on targets). Called by the assay's post-save signal inside the saving transaction."""
    targets = current_targets()
    if dict(ThroughputTarget.objects.values_list("assay_id", "hours")) == targets:
        return
    with transaction.atomic():
        list(ThroughputPeriod.objects.select_for_update().filter(assay_key=0, client_key=0)
             .order_by("bucket", "period"))  # every period's lock
        marks = list(ThroughputStale.objects.values_list("pk", flat=True))
        rows = ThroughputDay.objects.order_by("day", "assay_id").values_list(
            "day", "assay_id", "tat_ms", "tat_clients", "received_clients", "closed_clients")
        kept = period_rows(_day_arrays(rows), targets)
        ThroughputPeriod.objects.all().delete()
        ThroughputTarget.objects.all().delete()
        ThroughputPeriod.objects.bulk_create(kept, batch_size=2000)
        ThroughputTarget.objects.bulk_create([ThroughputTarget(assay_id=a, hours=h) for a, h in targets.items()])
        ThroughputStale.objects.filter(pk__in=marks).delete()


def assay_saved(sender, instance, created, raw=False, **kwargs):
    """post_save of Assay: a changed target recounts the kept periods (lab.apps connects it)."""
    if raw or created:
        return
    kept = ThroughputTarget.objects.filter(assay_id=instance.pk).values_list("hours", flat=True).first()
    if kept is not None and kept != instance.tat_target_hours:
        retarget()


def _day_arrays(rows) -> dict:
    """Day rows (ThroughputDay objects, or tuples day, assay_id, tat_ms, tat_clients, received_clients,
    closed_clients) as flat NumPy arrays: per completed sample its day number, assay, client and TAT; per received
    and per closed sample its day number, assay and client."""
    from lab.throughput import _day_numbers

    rows = [(o.day, o.assay_id, o.tat_ms, o.tat_clients, o.received_clients, o.closed_clients)
            if isinstance(o, ThroughputDay) else o for o in rows]
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    days, assays = _day_numbers(cols[0]), np.array(cols[1], dtype=np.int64)
    tat = np.frombuffer(b"".join(bytes(b) for b in cols[2]), dtype="<i8").astype(np.int64)
    out = {"tat": tat}
    for name, blobs in (("tat", cols[3]), ("received", cols[4]), ("closed", cols[5])):
        parts = [bytes(b) for b in blobs]
        counts = np.array([len(b) // 4 for b in parts], dtype=np.int64)
        out[f"{name}_client"] = np.frombuffer(b"".join(parts), dtype="<i4").astype(np.int64)
        out[f"{name}_day"], out[f"{name}_assay"] = np.repeat(days, counts), np.repeat(assays, counts)
    return out


def period_rows(arrays: dict, targets: dict, only: set | None = None) -> list[ThroughputPeriod]:
    """The kept periods (ThroughputPeriod, unsaved) of the day arrays: per bucket, for each period, one row per
    assay (client 0), per client (assay 0) and over everything (both 0); ``only``: just those (bucket, period)."""
    from lab.throughput import HOUR_MS, _bucket_days, rank_values

    tat = arrays["tat"]
    ids = np.unique(np.concatenate([arrays["tat_assay"], arrays["received_assay"], arrays["closed_assay"]]))
    target_of = np.array([targets.get(int(a), 0) for a in ids], dtype=np.int64) * HOUR_MS
    within = (tat <= target_of[np.searchsorted(ids, arrays["tat_assay"])]).astype(np.float64)
    cids = np.unique(np.concatenate([arrays["tat_client"], arrays["received_client"], arrays["closed_client"]]))
    out = []
    for bucket in BUCKETS:
        def period_of(day_numbers, bucket=bucket):
            return _bucket_days(day_numbers.astype("datetime64[D]"), bucket).astype(np.int64)

        p = {k: period_of(arrays[f"{k}_day"]) for k in ("tat", "received", "closed")}
        starts = np.unique(np.concatenate(list(p.values())))
        pidx = {k: np.searchsorted(starts, v) for k, v in p.items()}
        for kind, key_ids in (("assay", ids), ("client", cids), ("all", np.zeros(1, dtype=np.int64))):
            width = len(key_ids) or 1

            def key(k, kind=kind, key_ids=key_ids, width=width, pidx=pidx):
                if kind == "all":
                    return pidx[k]
                return pidx[k] * width + np.searchsorted(key_ids, arrays[f"{k}_{kind}"])

            groups = len(starts) * width
            nz, *values = rank_values(key("tat"), tat, within, groups)
            table = np.zeros((8, groups), dtype=np.int64)
            table[:6, nz] = np.array(values, dtype=np.int64).reshape(6, len(nz))
            table[6] = np.bincount(key("received"), minlength=groups)
            table[7] = np.bincount(key("closed"), minlength=groups)
            present = np.flatnonzero(table[0] | table[6] | table[7]) if kind != "all" else np.arange(groups)
            for g, values in zip(present.tolist(), table[:, present].T.tolist(), strict=True):
                pi, ki = divmod(g, width)
                period = date(1970, 1, 1) + timedelta(days=int(starts[pi]))
                if only is not None and (bucket, period) not in only:
                    continue
                kid = int(key_ids[ki])
                out.append(ThroughputPeriod(bucket=bucket, period=period,
                                            assay_key=kid if kind == "assay" else 0,
                                            client_key=kid if kind == "client" else 0,
                                            **dict(zip(PERIOD_FIELDS, values, strict=True))))
    return out


def period_differences(objs) -> int:
    """How many kept periods differ from what the day rows ``objs`` (as the samples give them) give, plus the
    assays whose kept target is not the current one (0: exact). Periods marked stale are not compared: their
    figures are known to lag (nothing reads them) until the next refresh."""
    targets = current_targets()
    want = {(o.bucket, o.period, o.assay_key, o.client_key): tuple(getattr(o, f) for f in PERIOD_FIELDS)
            for o in period_rows(_day_arrays(objs), targets)}
    have = {r[:4]: tuple(r[4:]) for r in ThroughputPeriod.objects.values_list(
        "bucket", "period", "assay_key", "client_key", *PERIOD_FIELDS)}
    zero = (0,) * len(PERIOD_FIELDS)
    stale = stale_periods()
    keys = {k for k, v in want.items() if v != zero and k[:2] not in stale} | {
        k for k, v in have.items() if v != zero and k[:2] not in stale}
    retargeted = sum(1 for a, h in ThroughputTarget.objects.values_list("assay_id", "hours") if targets.get(a) != h)
    return sum(1 for k in keys if want.get(k, zero) != have.get(k, zero)) + retargeted


ROW_FIELDS = ("received", "closed", "completed", "tat_ms", "tat_clients", "received_clients", "closed_clients")


def differences() -> int:
    """How many day × assay rows (and day × assay × client counts) of the rollup differ from what the samples
    give (0: it is exact)."""
    objs = computed_rows()
    want = {(o.day, o.assay_id): tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v
                                       for v in (getattr(o, f) for f in ROW_FIELDS)) for o in objs}
    have = {(r[0], r[1]): tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v for v in r[2:])
            for r in ThroughputDay.objects.values_list("day", "assay_id", *ROW_FIELDS)
            if r[2] or r[3] or r[4]}  # rows emptied by corrections count as absent
    want_c = {(o.day, o.assay_id, o.client_id): (o.received, o.closed) for o in client_rows(objs)}
    have_c = {(d, a, c): (r, k) for d, a, c, r, k in ThroughputClientDay.objects.values_list(
        "day", "assay_id", "client_id", "received", "closed") if r or k}
    return (sum(1 for k in set(want) | set(have) if want.get(k) != have.get(k))
            + sum(1 for k in set(want_c) | set(have_c) if want_c.get(k) != have_c.get(k))
            + period_differences(objs))


def computed_rows() -> list[ThroughputDay]:
    """Every rollup row as the samples give it (one pass; the samples are read as integer columns, as in
    lab.throughput.fetch)."""
    from django.db.models import BigIntegerField, Value
    from django.db.models.functions import Coalesce

    from lab.throughput import EpochMillis, Joined, _ints, days_of

    never = Value(0, output_field=BigIntegerField())
    columns = Sample.objects.order_by().aggregate(
        assay=Joined("assay_id"), client=Joined("client_id"), received=Joined(EpochMillis("received_at")),
        reported=Joined(Coalesce(EpochMillis("reported_at"), never)),
        rejected=Joined(Coalesce(EpochMillis("rejected_at"), never)))
    a, c, rec, rep, rej = (_ints(columns[k]) for k in ("assay", "client", "received", "reported", "rejected"))
    rows: dict = {}

    def row(day, assay):
        key = (day, int(assay))
        if key not in rows:
            rows[key] = {"received": [], "closed": [], "tats": [], "tat_clients": []}
        return rows[key]

    reported = rep != 0
    closed_ms = np.where(reported, rep, rej)
    closed = closed_ms != 0
    rec_days = days_of(rec)
    for kind, mask, days in (("received", np.ones(len(a), bool), rec_days),
                             ("closed", closed, days_of(closed_ms[closed]))):
        idx = np.flatnonzero(mask)
        order = np.lexsort((c[idx], a[idx], days))
        for (day, assay), group in _groups(days[order], a[idx][order], c[idx][order]):
            row(day, assay)[kind] = group
    idx = np.flatnonzero(reported)
    tats = rep[idx] - rec[idx]
    days = days_of(rep[idx])
    order = np.lexsort((c[idx], tats, a[idx], days))
    for (day, assay), group, tat in _groups(days[order], a[idx][order], c[idx][order], tats[order]):
        r = row(day, assay)
        r["tat_clients"], r["tats"] = group, tat
    objs = []
    for (day, assay), r in rows.items():
        rc, cc = np.asarray(r["received"], "<i4"), np.asarray(r["closed"], "<i4")
        tt, tc = np.asarray(r["tats"], "<i8"), np.asarray(r["tat_clients"], "<i4")
        objs.append(ThroughputDay(day=day, assay_id=assay, received=len(rc), closed=len(cc), completed=len(tt),
                                  received_clients=rc.tobytes(), closed_clients=cc.tobytes(), tat_ms=tt.tobytes(),
                                  tat_clients=tc.tobytes()))
    return objs


def _groups(days, assays, clients, tats=None):
    """Runs of equal (day, assay) in sorted arrays: ``((day, assay), clients[, tats])`` per run."""
    if not len(days):
        return
    change = np.flatnonzero((days[1:] != days[:-1]) | (assays[1:] != assays[:-1])) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(days)]])
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        key = (days[s].astype(object), int(assays[s]))
        if tats is None:
            yield key, clients[s:e]
        else:
            yield key, clients[s:e], tats[s:e]
