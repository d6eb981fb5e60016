"""The room conditions while a batch was made: min / max / mean per parameter over its production interval
and the excursions that touched it (batch page panel, batch record)."""

from django.db.models import Avg, Count, Max, Min
from django.utils import timezone

from production.monitoring.models import PARAMETERS, Excursion, Parameter, Reading


def conditions_for_batch(batch):
    if batch.started_at is None or batch.line_id is None:
        return {"rows": [], "excursions": [], "start": None, "end": None}
    start, end = batch.started_at, batch.completed_at or timezone.now()
    room = batch.line.clean_room_id
    aggregates = {}
    for p in PARAMETERS:
        aggregates[f"{p}__min"] = Min(p)
        aggregates[f"{p}__max"] = Max(p)
        aggregates[f"{p}__avg"] = Avg(p)
        aggregates[f"{p}__n"] = Count(p)
    values = Reading.objects.filter(point__clean_room_id=room, measured_at__gte=start, measured_at__lte=end,
                                    correction__isnull=True).aggregate(**aggregates)
    rows = [{"parameter": p, "label": Parameter(p).label, "min": values[f"{p}__min"], "max": values[f"{p}__max"],
             "mean": values[f"{p}__avg"], "count": values[f"{p}__n"]}
            for p in PARAMETERS if values[f"{p}__n"]]
    excursions = list(Excursion.objects.filter(point__clean_room_id=room).overlapping(start, end)
                      .select_related("point", "assessment").order_by("started_at"))
    return {"rows": rows, "excursions": excursions, "start": start, "end": end}


def batch_panel_context(request, batch):
    if not request.user.has_perm("monitoring.view_reading"):
        return None
    return conditions_for_batch(batch)
