"""Parsing and validation of readings from any source (API body, a counter's CSV export, a tailed file).

Every bad row is reported, by row and field, and nothing is stored when any row is bad (DESIGN.md, Bad input:
imports are all-or-nothing). Validation is hand-written rather than a DRF serializer per row: it runs on
every reading of every counter, and a serializer per row costs about ten times as much (bench/readings_ingest.py).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from production.monitoring.models import PARAMETERS, MonitoringPoint

CLOCK_SKEW = timedelta(minutes=2)

# Physically possible values (not limits): a value outside is a unit mix-up or a broken sensor.
RANGES = {
    "particles_0_5um": (0.0, 1e10),
    "particles_5um": (0.0, 1e10),
    "temperature_c": (-40.0, 100.0),
    "humidity_pct": (0.0, 100.0),
    "pressure_pa": (-1000.0, 1000.0),
}
FIELDS = ("point", "measured_at", *PARAMETERS)


class RowErrors(Exception):
    """``fields`` maps "<row>.<field>" to messages, in the API's 400 format."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


def parse_time(value):
    """A timezone-aware ISO 8601 time, or a message."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            return None, _("This field is required.")
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            return None, _("Not an ISO 8601 date and time: %(value)s.") % {"value": text[:40]}
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, _("The time needs a time zone (e.g. 2025-01-31T08:00:00+08:00 or …Z).")
    return moment, None


def parse_number(field, value):
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, _("A number is required.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, _("A number is required.")
    if math.isnan(number) or math.isinf(number):
        return None, _("A number is required.")
    low, high = RANGES[field]
    if number < low or (number >= high if field.startswith("particles") else number > high):
        if field.startswith("particles"):
            return None, _("Not physically possible: a particle count must be at least 0 and below 10¹⁰ per m³.")
        return None, _("Not physically possible: %(field)s must be between %(low)s and %(high)s.") % {
            "field": field, "low": f"{low:g}", "high": f"{high:g}"}
    return number, None


def validate_rows(rows, *, points=None, label=str, now=None):
    """Clean ``rows`` (dicts) into tuples (point, measured_at, values dict). ``label(i)`` names a row in the
    messages (list index for the API, line number for a CSV file). Raises RowErrors with every problem."""
    now = now or timezone.now()
    latest = now + CLOCK_SKEW
    if points is None:
        codes_or_ids = {str(r.get("point", "")).strip() for r in rows if isinstance(r, dict)}
        points = points_by_reference(codes_or_ids)
    errors: dict[str, list[str]] = {}
    clean = []
    for index, row in enumerate(rows):
        key = label(index)
        if not isinstance(row, dict):
            errors[f"{key}.non_field_errors"] = [_("Each reading must be an object.")]
            continue
        unknown = [k for k in row if k not in FIELDS and k != "reason"]
        for k in unknown:
            errors[f"{key}.{k}"] = [_("Unknown field.")]
        point = points.get(str(row.get("point", "")).strip())
        if point is None:
            ref = str(row.get("point", "")).strip()
            errors[f"{key}.point"] = [_("Unknown monitoring point: %(ref)s.") % {"ref": ref[:40]} if ref
                                      else _("This field is required.")]
        elif not point.active:
            errors[f"{key}.point"] = [_("Monitoring point %(code)s is not active.") % {"code": point.code}]
        moment, message = parse_time(row.get("measured_at"))
        if message:
            errors[f"{key}.measured_at"] = [message]
        elif moment > latest:
            errors[f"{key}.measured_at"] = [_("A reading cannot be in the future (%(time)s).") % {
                "time": moment.isoformat()}]
        values = {}
        for field in PARAMETERS:
            number, message = parse_number(field, row.get(field))
            if message:
                errors[f"{key}.{field}"] = [message]
            values[field] = number
        if point is not None:
            measured = point.parameters
            for field, number in values.items():
                if number is not None and field not in measured:
                    errors[f"{key}.{field}"] = [_("Monitoring point %(code)s does not measure %(field)s "
                                                  "(it measures: %(measured)s).") % {
                        "code": point.code, "field": field, "measured": ", ".join(measured) or "-"}]
        if not errors and all(v is None for v in values.values()):
            errors[f"{key}.non_field_errors"] = [_("A reading needs at least one measured value.")]
        if not errors:
            clean.append((point, moment, values))
    if errors:
        raise RowErrors(errors)
    return clean


def points_by_reference(refs) -> dict[str, MonitoringPoint]:
    """Points by id and by code: API clients send the id, counters' exports usually carry the code."""
    ids = [int(r) for r in refs if r.isdigit()]
    found = {}
    for p in MonitoringPoint.objects.filter(pk__in=ids):
        found[str(p.pk)] = p
    codes = [r for r in refs if r and r not in found]
    if codes:
        for p in MonitoringPoint.objects.filter(code__in=codes):
            found[p.code] = p
    return found
