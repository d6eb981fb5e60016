"""Line capacity and the surge planner (DOMAIN.md §1: about 3 million tests a month; manual stations can be
added in a surge).

Units: line rates are in **kits** per hour; a demand is given in **tests** and becomes kits with the product's
tests per kit (kits = ⌈tests ÷ tests per kit⌉). Rated capacity of a line per day = rated kits/hour × scheduled
hours per day; per month = that × the working days of the month (the plant's working days per week, counted on
the calendar). The arithmetic here is pure (no database); ``production.views`` and the API feed it.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate

from production.models import Batch, Line, Plant, yield_pct

# A manual station's kits per hour when the plant has no manual line to copy the rate from.
DEFAULT_STATION_RATE = 1000


@dataclass(frozen=True)
class LineRate:
    code: str
    kind: str
    rated_units_per_hour: int
    hours_per_day: Decimal

    @property
    def kits_per_day(self) -> int:
        return int(self.rated_units_per_hour * Decimal(self.hours_per_day))


def working_days(year: int, month: int, days_per_week: int) -> int:
    """Working days of a month when the plant works the first ``days_per_week`` weekdays (Monday first):
    5 → Monday–Friday, 6 → Monday–Saturday, 7 → every day."""
    if not 1 <= days_per_week <= 7:
        raise ValueError("days_per_week must be 1–7")
    days = calendar.monthrange(year, month)[1]
    return sum(1 for d in range(1, days + 1) if date(year, month, d).weekday() < days_per_week)


def kits_for_tests(tests: int, tests_per_kit: int) -> int:
    return math.ceil(tests / tests_per_kit)


def utilisation_pct(output: int, capacity: int) -> float | None:
    """Output as a percentage of capacity, one decimal; None when there is no capacity to compare with."""
    return round(output * 100 / capacity, 1) if capacity else None


@dataclass(frozen=True)
class Plan:
    demand_tests: int
    tests_per_kit: int
    demand_kits: int
    working_days: int
    lines: list[dict] = field(default_factory=list)
    capacity_kits: int = 0
    shortfall_kits: int = 0
    station_rate: int = 0
    station_hours: Decimal = Decimal("0")
    station_kits_per_month: int = 0
    stations_needed: int = 0

    @property
    def enough(self) -> bool:
        return self.shortfall_kits == 0

    @property
    def capacity_tests(self) -> int:
        return self.capacity_kits * self.tests_per_kit

    @property
    def utilisation_pct(self) -> float | None:
        return utilisation_pct(self.demand_kits, self.capacity_kits)

    def as_dict(self) -> dict:
        return {
            "demand_tests": self.demand_tests, "tests_per_kit": self.tests_per_kit, "demand_kits": self.demand_kits,
            "working_days": self.working_days, "capacity_kits": self.capacity_kits,
            "capacity_tests": self.capacity_tests, "utilisation_pct": self.utilisation_pct, "enough": self.enough,
            "shortfall_kits": self.shortfall_kits, "station_rate": self.station_rate,
            "station_hours": float(self.station_hours), "station_kits_per_month": self.station_kits_per_month,
            "stations_needed": self.stations_needed, "lines": self.lines,
        }


def plan(*, demand_tests: int, tests_per_kit: int, lines: list[LineRate], days: int, station_rate: int,
         station_hours: Decimal) -> Plan:
    """Are ``lines`` (the active ones) enough for a month's demand, and if not, how many manual stations of
    ``station_rate`` kits/hour for ``station_hours`` a day must be added?

    stations = ⌈(demand kits − line capacity) ÷ (station rate × station hours × working days)⌉."""
    if demand_tests < 0:
        raise ValueError("demand must not be negative")
    if tests_per_kit < 1:
        raise ValueError("tests_per_kit must be at least 1")
    demand_kits = kits_for_tests(demand_tests, tests_per_kit)
    rows = [{"code": r.code, "kind": r.kind, "rated_units_per_hour": r.rated_units_per_hour,
             "hours_per_day": float(r.hours_per_day), "kits_per_day": r.kits_per_day,
             "kits_per_month": r.kits_per_day * days} for r in lines]
    capacity = sum(row["kits_per_month"] for row in rows)
    shortfall = max(0, demand_kits - capacity)
    per_station = int(station_rate * Decimal(station_hours)) * days
    if shortfall and per_station <= 0:
        raise ValueError("a station must have a rate, hours and working days to close a shortfall")
    stations = math.ceil(shortfall / per_station) if shortfall else 0
    return Plan(demand_tests=demand_tests, tests_per_kit=tests_per_kit, demand_kits=demand_kits, working_days=days,
                lines=rows, capacity_kits=capacity, shortfall_kits=shortfall, station_rate=station_rate,
                station_hours=Decimal(station_hours), station_kits_per_month=per_station, stations_needed=stations)


# --- Reading the plant (the only part that touches the database) ------------------------------------------

def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def line_rates(lines) -> list[LineRate]:
    return [LineRate(line.code, line.kind, line.rated_units_per_hour, line.hours_per_day) for line in lines]


def monthly_output(year: int, month: int) -> dict:
    """Output per line and day of a month (kits made by the batches completed that day, local time) against the
    rated capacity of each line on each working day, and the month's tests against the plant's nameplate."""
    plant = Plant.current()
    first, last = month_bounds(year, month)
    rows = (Batch.objects.filter(completed_at__date__gte=first, completed_at__date__lte=last)
            .annotate(day=TruncDate("completed_at")).order_by().values("line_id", "day")
            .annotate(kits=Sum("quantity_made"), tests=Sum(F("quantity_made") * F("product__tests_per_kit"))))
    output = {(r["line_id"], r["day"]): (r["kits"] or 0, r["tests"] or 0) for r in rows}
    used_lines = {line_id for line_id, _day in output}
    lines = [ln for ln in Line.objects.select_related("clean_room").order_by("code")
             if ln.active or ln.pk in used_lines]
    days = [date(year, month, d) for d in range(1, last.day + 1)]
    working = {d for d in days if d.weekday() < plant.working_days_per_week}
    table = []
    for day in days:
        cells = []
        for line in lines:
            kits = output.get((line.pk, day), (0, 0))[0]
            capacity = line.daily_capacity if (day in working and line.active) else 0
            cells.append({"line": line.code, "output": kits, "capacity": capacity,
                          "utilisation_pct": utilisation_pct(kits, capacity)})
        table.append({"day": day, "working": day in working, "cells": cells,
                      "output": sum(c["output"] for c in cells), "capacity": sum(c["capacity"] for c in cells)})
    per_line = []
    for index, line in enumerate(lines):
        made = sum(row["cells"][index]["output"] for row in table)
        capacity = sum(row["cells"][index]["capacity"] for row in table)
        per_line.append({"line": line, "code": line.code, "output": made, "capacity": capacity,
                         "utilisation_pct": utilisation_pct(made, capacity)})
    # Yield per line over the batches completed this month: made / planned, and released / made of those QA
    # has disposed of.
    yields = {r["line_id"]: r for r in (
        Batch.objects.filter(completed_at__date__gte=first, completed_at__date__lte=last).order_by()
        .values("line_id").annotate(
            planned=Sum("planned_quantity"), made=Sum("quantity_made"),
            disposed_made=Sum("quantity_made", filter=Q(status__in=Batch.DISPOSED)),
            released=Sum("quantity_released", filter=Q(status__in=Batch.DISPOSED))))}
    for p in per_line:
        y = yields.get(p["line"].pk, {})
        p.update(planned=y.get("planned") or 0, made=y.get("made") or 0, released=y.get("released") or 0,
                 made_yield_pct=yield_pct(y.get("made") or 0, y.get("planned") or 0),
                 release_yield_pct=yield_pct(y.get("released") or 0, y.get("disposed_made") or 0))
    tests = sum(t for _kits, t in output.values())
    kits = sum(k for k, _t in output.values())
    return {
        "year": year, "month": month, "plant": plant, "lines": lines, "days": table, "per_line": per_line,
        "working_days": len(working), "output_kits": kits, "output_tests": tests,
        "capacity_kits": sum(p["capacity"] for p in per_line), "nameplate_tests": plant.nameplate_tests_per_month,
        "nameplate_pct": utilisation_pct(tests, plant.nameplate_tests_per_month),
    }


def chart_configs(report: dict) -> tuple[dict, dict]:
    """Chart.js configurations drawn from the same numbers as the table: output per line per day (stacked
    bars) and utilisation % per line per day."""
    labels = [row["day"].strftime("%m-%d") for row in report["days"]]
    output = {"type": "bar", "data": {"labels": labels, "datasets": [
        {"label": line.code, "data": [row["cells"][i]["output"] for row in report["days"]], "stack": "output"}
        for i, line in enumerate(report["lines"])]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}}}
    utilisation = {"type": "line", "data": {"labels": labels, "datasets": [
        {"label": line.code, "data": [row["cells"][i]["utilisation_pct"] for row in report["days"]],
         "spanGaps": False}
        for i, line in enumerate(report["lines"])]},
        "options": {"scales": {"y": {"beginAtZero": True, "suggestedMax": 100}}}}
    return output, utilisation


def surge_plan(*, year: int, month: int, demand_tests: int, product=None, station_rate: int | None = None,
               station_hours=None) -> Plan:
    """The planner on the plant's data: active lines, the month's working days, the product's tests per kit
    (1 without a product). A station's rate defaults to the slowest active manual line (a conservative
    assumption), its hours to the default hours of a manual line."""
    plant = Plant.current()
    active = list(Line.objects.filter(active=True).order_by("code"))
    manual = [ln for ln in active if ln.kind == Line.Kind.MANUAL]
    if station_rate is None:
        station_rate = min((ln.rated_units_per_hour for ln in manual), default=DEFAULT_STATION_RATE)
    if station_hours is None:
        station_hours = Line(kind=Line.Kind.MANUAL).hours_per_day
    return plan(demand_tests=demand_tests, tests_per_kit=product.tests_per_kit if product else 1,
                lines=line_rates(active), days=working_days(year, month, plant.working_days_per_week),
                station_rate=station_rate, station_hours=Decimal(station_hours))
