"""Grouping readings into excursions (DESIGN.md, Environmental reading).

Per point and parameter, consecutive readings beyond an alert or action limit form one excursion: it starts
at the first such reading, ends at the first reading back within limits (or at its last reading when the data
stop for longer than the maximum gap), its level is the highest reached and its peak the worst value.

Detection is incremental: after readings arrive, only the affected window of each point is recomputed — from
the excursions that overlap the new readings (widened by the maximum gap) to their ends — and the excursions
found there are reconciled with the stored ones (extended, escalated, split or merged). Late and out-of-order
readings therefore give the same result as readings in order.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from production.monitoring import standards
from production.monitoring.models import Excursion, ExcursionBatch, Limit, Reading

LEVELS = {1: Excursion.Level.ALERT, 2: Excursion.Level.ACTION}


@dataclass
class Group:
    started_at: datetime
    last_reading_at: datetime
    level: int
    peak: float
    worst: float  # distance beyond the limit that made the peak, to keep the worst value on either side
    limit: Limit
    count: int = 1
    ended_at: datetime | None = None
    changed: list = field(default_factory=list)


class LimitBook:
    """The limits in effect at any time for a room and parameter (versions by ``valid_from``)."""

    def __init__(self, room_ids):
        self.rows: dict[tuple[int, str], list[Limit]] = {}
        for limit in Limit.objects.filter(clean_room_id__in=list(room_ids)).order_by("valid_from", "pk"):
            self.rows.setdefault((limit.clean_room_id, limit.parameter), []).append(limit)
        self.starts = {k: [x.valid_from for x in v] for k, v in self.rows.items()}

    def at(self, room_id, parameter, moment) -> Limit | None:
        rows = self.rows.get((room_id, parameter))
        if not rows:
            return None
        i = bisect.bisect_right(self.starts[(room_id, parameter)], moment) - 1
        return rows[i] if i >= 0 else None

    def level(self, room_id, parameter, moment, value) -> int:
        limit = self.at(room_id, parameter, moment)
        return limit.level_of(value) if limit else 0


def _severity(limit: Limit, value: float) -> float:
    """How far beyond its limits a value is, relative to the innermost limit on the side it left (so the peak
    of an excursion on a two-sided limit is its worst value)."""
    high = limit.alert_high if limit.alert_high is not None else limit.action_high
    low = limit.alert_low if limit.alert_low is not None else limit.action_low
    if high is not None and value > high:
        return (value - high) / (abs(high) or 1)
    if low is not None and value < low:
        return (low - value) / (abs(low) or 1)
    return 0.0


def group_readings(series, limit_at, *, max_gap, now=None) -> list[Group]:
    """``series``: [(measured_at, value)] in time order; ``limit_at(t)`` → Limit. Pure: no database."""
    now = now or timezone.now()
    groups: list[Group] = []
    current: Group | None = None
    previous_at = None
    for moment, value in series:
        if current is not None and moment - previous_at > max_gap:
            current.ended_at = current.last_reading_at  # the data stopped: the gap closes it
            current = None
        limit = limit_at(moment)
        level = limit.level_of(value) if limit else 0
        if level == 0:
            if current is not None:
                current.ended_at = moment
                current = None
        elif current is None:
            current = Group(moment, moment, level, value, _severity(limit, value), limit)
            groups.append(current)
        else:
            current.last_reading_at = moment
            current.count += 1
            current.level = max(current.level, level)
            severity = _severity(limit, value)
            if severity > current.worst:
                current.worst, current.peak = severity, value
        previous_at = moment
    if current is not None and now - current.last_reading_at > max_gap:
        current.ended_at = current.last_reading_at
    return groups


def _end(excursion_or_group):
    return excursion_or_group.ended_at or excursion_or_group.last_reading_at


def affected_window(point, parameter, lo, hi, gap):
    """Widen [lo, hi] until no stored excursion straddles its edges: recomputing inside it cannot change
    anything outside (every reading beyond limits belongs to a stored excursion)."""
    while True:
        straddling = Excursion.objects.filter(point=point, parameter=parameter, started_at__lte=hi + gap).filter(
            Q(ended_at__isnull=True, last_reading_at__gte=lo - gap) | Q(ended_at__gte=lo - gap)
        ).filter(Q(started_at__lt=lo) | Q(ended_at__isnull=True) | Q(ended_at__gt=hi))
        bounds = list(straddling.values_list("started_at", "ended_at", "last_reading_at"))
        new_lo = min([lo, *[b[0] for b in bounds]])
        new_hi = max([hi, *[(b[1] or b[2]) for b in bounds]])
        if (new_lo, new_hi) == (lo, hi):
            return lo, hi
        lo, hi = new_lo, new_hi


def recompute(point, lo, hi, *, limits: LimitBook | None = None, parameters=None, now=None):
    """Recompute the excursions of ``point`` around [lo, hi]; returns the excursions created or changed."""
    gap = standards.max_gap()
    now = now or timezone.now()
    limits = limits or LimitBook([point.clean_room_id])
    touched = []
    for parameter in parameters or point.parameters:
        start, end = affected_window(point, parameter, lo, hi, gap)
        series = list(
            Reading.objects.filter(point=point, measured_at__gte=start - gap, measured_at__lte=end + gap,
                                   correction__isnull=True, **{f"{parameter}__isnull": False})
            .order_by("measured_at").values_list("measured_at", parameter)
        )
        groups = group_readings(series, lambda t, p=parameter: limits.at(point.clean_room_id, p, t),
                                max_gap=gap, now=now)
        stored = list(Excursion.objects.filter(point=point, parameter=parameter, started_at__lte=end + gap)
                      .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start - gap)).order_by("started_at", "pk"))
        touched += reconcile(point, parameter, groups, stored, now=now)
    return touched


def reconcile(point, parameter, groups: list[Group], stored: list[Excursion], *, now) -> list[Excursion]:
    """Make the stored excursions equal the groups: the earliest stored one overlapping a group becomes it,
    others overlapping the same group were merged into it and are deleted (with history), stored ones matching
    no group any more (a correction brought them within limits) are deleted too."""
    used = set()
    touched = []
    for g in groups:
        match = next((e for e in stored if e.pk not in used and e.started_at <= _end(g)
                      and _end(e) >= g.started_at), None)
        values = {"started_at": g.started_at, "ended_at": g.ended_at, "last_reading_at": g.last_reading_at,
                  "level": LEVELS[g.level], "peak_value": g.peak, "reading_count": g.count}
        if match is None:
            excursion = Excursion(point=point, parameter=parameter, limit=g.limit, **values)
            excursion.save()
        else:
            used.add(match.pk)
            excursion = match
            if any(getattr(match, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(match, k, v)
                match.save()
            else:
                excursion = None
        if excursion is not None:
            touched.append(excursion)
            link_batches(excursion, now=now)
    for e in stored:
        if e.pk in used or e.is_assessed:
            continue  # an assessed excursion stays as it was signed, even if later data change the picture
        for link in e.batch_links.all():
            link.delete()
        e.delete()
    return touched


def batches_exposed(clean_room_id, start, end, *, now=None):
    """Batches made in the room while [start, end] lasted: their line is in the room and their production
    interval [started_at, completed_at or now] overlaps it."""
    from production.models import Batch

    now = now or timezone.now()
    return (Batch.objects.filter(line__clean_room_id=clean_room_id, started_at__isnull=False,
                                 started_at__lte=end or now)
            .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=start)))


def link_batches(excursion, *, now=None):
    """An action-level excursion links every batch exposed to it (explicit, tracked through rows)."""
    if excursion.level != Excursion.Level.ACTION:
        return
    wanted = set(batches_exposed(excursion.point.clean_room_id, excursion.started_at,
                                 excursion.ended_at, now=now).values_list("pk", flat=True))
    have = {link.batch_id: link for link in excursion.batch_links.all()}
    for batch_id in wanted - set(have):
        ExcursionBatch(excursion=excursion, batch_id=batch_id).save()
    if not excursion.is_assessed:
        for batch_id in set(have) - wanted:
            have[batch_id].delete()
