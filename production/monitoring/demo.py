"""Demo data: monitoring points in clean room CR-01, limits from its ISO class, and minute readings with a
daily pattern (shift changes raise particles, the HVAC night setback lowers temperature and pressure) and a
few excursions — one at action level while a batch is in production. Idempotent; through the services."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record
from production.models import Batch, CleanRoom, Line, Product
from production.monitoring import services
from production.monitoring.models import Limit, MonitoringPoint, Reading

POINTS = [
    # code, location, particles, temperature, humidity, pressure
    ("CR01-PC01", "Line A1, dispensing and lamination", True, False, False, False),
    ("CR01-PC02", "Line M1, cassette assembly", True, False, False, False),
    ("CR01-PC03", "Personnel airlock (gowning)", True, False, False, False),
    ("CR01-TH01", "Room centre, 1.5 m", False, True, True, False),
    ("CR01-TH02", "Pouching area", False, True, True, False),
    ("CR01-DP01", "CR-01 to corridor", False, False, False, True),
    ("CR01-DP02", "CR-01 to material airlock", False, False, False, True),
]
CHUNK = 20_000


def seed(ctx):
    production, qa = ctx.users["production"], ctx.users["qa"]
    room = CleanRoom.objects.filter(code="CR-01").first() or create_record(
        CleanRoom, {"code": "CR-01", "name": "Assembly and packaging", "iso_class": 8, "area_m2": Decimal("700")},
        user=production, reason="demo clean room")
    points = []
    for code, location, particles, temperature, humidity, pressure in POINTS:
        point = MonitoringPoint.objects.filter(code=code).first() or services.create_point(
            {"code": code, "clean_room": room, "location": location, "measures_particles": particles,
             "measures_temperature": temperature, "measures_humidity": humidity, "measures_pressure": pressure},
            user=production, reason="demo monitoring point")
        points.append(point)
    days = 90 if ctx.full else 14
    end = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    start = end - timedelta(days=days)
    if not Limit.objects.filter(clean_room=room).exists():
        services.set_default_limits(room, user=qa, reason="Demo: limits from ISO 8 and the room set points",
                                    valid_from=start - timedelta(days=1))
    if Reading.objects.filter(point__in=points).exists():
        ctx.log("monitoring: readings already present")
        return
    batch = _batch_in_production(ctx, room, production, end)
    action_at = _action_time(batch, end)
    events = _events(end, action_at)
    rng = ctx.random
    total = 0
    for point in points:
        rows = []
        minutes = int((end - start).total_seconds() // 60)
        for i in range(minutes + 1):
            t = start + timedelta(minutes=i)
            rows.append(_reading(point, t, rng, events))
            if len(rows) == CHUNK:
                total += services.ingest_readings(rows, user=production, reason="demo readings")["created"]
                rows = []
        if rows:
            total += services.ingest_readings(rows, user=production, reason="demo readings")["created"]
    ctx.log(f"monitoring: {len(points)} points in {room.code}, {total} readings over {days} days"
            + (f", action excursion during batch {batch.lot_number}" if batch else ""))


def _batch_in_production(ctx, room, user, end):
    """An in-production batch on a line of the room: the demo's, or one started here for the excursion."""
    batch = (Batch.objects.filter(line__clean_room=room, status=Batch.Status.IN_PRODUCTION)
             .order_by("started_at").first())
    if batch:
        return batch
    from production import services as production

    planned = Batch.objects.filter(line__clean_room=room, status=Batch.Status.PLANNED).order_by("pk").first()
    if planned is None:
        line = Line.objects.filter(clean_room=room, active=True).order_by("code").first()
        product = Product.objects.order_by("code").first()
        if line is None or product is None:
            ctx.log("monitoring: no line or product in CR-01, the action excursion links no batch")
            return None
        planned = production.create_batch(product=product, line=line, planned_quantity=20_000, user=user,
                                          reason="demo batch exposed to an excursion")
    return production.start_batch(planned, user=user, reason="demo: production started",
                                  at=end - timedelta(days=3))


def _action_time(batch, end):
    wanted = (end - timedelta(days=2)).replace(hour=2, minute=30)  # local night shift in UTC+8 = 10:30
    if batch is None or batch.started_at is None or batch.started_at < wanted - timedelta(hours=1):
        return wanted
    return batch.started_at + (end - batch.started_at) / 2


def _events(end, action_at):
    """(point code, parameter, start, minutes, value): the demo's excursions."""
    day = timedelta(days=1)
    return [
        ("CR01-PC01", "particles_0_5um", action_at, 9, 4_150_000.0),
        ("CR01-PC01", "particles_5um", action_at + timedelta(minutes=2), 5, 31_500.0),
        ("CR01-PC03", "particles_0_5um", (end - 5 * day).replace(hour=0, minute=5), 6, 2_800_000.0),
        ("CR01-TH02", "humidity_pct", (end - 9 * day).replace(hour=6, minute=0), 25, 64.2),
        ("CR01-DP01", "pressure_pa", (end - 3 * day).replace(hour=8, minute=12), 4, 8.1),
        ("CR01-TH01", "temperature_c", (end - 11 * day).replace(hour=19, minute=40), 12, 18.6),
    ]


def _reading(point, t, rng, events):
    local = timezone.localtime(t)
    hour = local.hour + local.minute / 60
    working = 7.5 <= hour < 23.5  # two shifts
    shift_change = any(abs(hour - h) < 0.35 for h in (8, 16, 23.5))
    row = {"point": str(point.pk), "measured_at": t}
    if point.measures_particles:
        base = 650_000 if working else 140_000
        if point.code == "CR01-PC03":
            base *= 1.15
        if shift_change:
            base *= 1.8
        p05 = max(0.0, rng.gauss(base, base * 0.12))
        row["particles_0_5um"] = round(p05)
        row["particles_5um"] = round(max(0.0, rng.gauss(p05 / 220, p05 / 2200)))
    if point.measures_temperature:
        setback = -1.4 * (0.5 + 0.5 * math.cos((hour - 3) / 24 * 2 * math.pi)) if not working else 0
        row["temperature_c"] = round(rng.gauss(21.5 + setback, 0.25), 2)
    if point.measures_humidity:
        row["humidity_pct"] = round(rng.gauss(53 + 2 * math.sin(hour / 24 * 2 * math.pi), 0.6), 1)
    if point.measures_pressure:
        row["pressure_pa"] = round(rng.gauss(15.5 if working else 14.0, 0.35), 1)
    for code, parameter, start, minutes, value in events:
        if point.code == code and start <= t < start + timedelta(minutes=minutes):
            edge = 0.85 if t in (start, start + timedelta(minutes=minutes - 1)) else 1.0
            row[parameter] = round(value * edge if value > 1000 else value, 2)
    return row
