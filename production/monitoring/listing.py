"""Readings listed by time range (API and the point page) over tens of millions of rows.

One point's readings are ordered by (measured_at, id) and read through the index on (point, measured_at): a page
and its cursor cost the same at any depth. Without a point the order is (point, measured_at, id), the same index.
"""

from production.monitoring.models import Reading


def readings_queryset(*, point=None, after=None, before=None, newest_first=False):
    qs = Reading.objects.all()
    if point is not None:
        qs = qs.filter(point=point)
    if after is not None:
        qs = qs.filter(measured_at__gte=after)
    if before is not None:
        qs = qs.filter(measured_at__lt=before)
    if point is not None:
        return qs.order_by("-measured_at", "-id") if newest_first else qs.order_by("measured_at", "id")
    return qs.order_by("point_id", "measured_at", "id")
