"""Factories of every tracked monitoring model, through the services (tests/core/test_every_model_audited.py)."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record
from production import services as production
from production.models import CleanRoom, Line
from production.monitoring import services
from production.monitoring.models import (
    Excursion,
    ExcursionAssessment,
    ExcursionBatch,
    Limit,
    MonitoringPoint,
)
from production.validators import gtin_check_digit
from tests.conftest import sig

_numbers = itertools.count(1)


def number():
    return next(_numbers)


def make_room(user, reason, iso_class=8):
    n = number()
    return create_record(CleanRoom, {"code": f"EM-{n}", "name": f"Room {n}", "iso_class": iso_class,
                                     "area_m2": Decimal("700")}, user=user, reason=reason)


def make_line(user, reason, room):
    n = number()
    return create_record(Line, {"code": f"E{n}", "name": f"Line {n}", "kind": "automated", "clean_room": room,
                                "rated_units_per_hour": 3000}, user=user, reason=reason)


def make_batch(user, reason, line, started_at=None, completed_at=None):
    n = number()
    data = f"0690999{n:06d}"
    product = production.create_product(
        {"code": f"EMK-{n}", "name": f"Kit {n}", "gtin": data + str(gtin_check_digit(data)), "tests_per_kit": 1,
         "shelf_life_months": 24, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30")},
        user=user, reason=reason, steps=[])
    batch = production.create_batch(product=product, line=line, planned_quantity=100, user=user, reason=reason)
    if started_at is not None:
        batch = production.start_batch(batch, user=user, reason=reason, at=started_at)
    if completed_at is not None:
        batch = production.complete_batch(batch, quantity_made=100, user=user, reason=reason, at=completed_at)
    return batch


def make_point(user, reason, room=None, **overrides):
    n = number()
    data = {"code": f"PT-{n}", "clean_room": room or make_room(user, reason), "location": f"Bench {n}",
            "measures_particles": True, "measures_temperature": True, "measures_humidity": True,
            "measures_pressure": True, **overrides}
    return services.create_point(data, user=user, reason=reason)


def make_limit(user, reason):
    return services.set_limit(clean_room=make_room(user, reason), parameter="temperature_c", alert_low=19,
                              alert_high=27, action_low=18, action_high=28, source="test", user=user, reason=reason)


def make_excursion(user, reason, level="action", batch=True):
    """A closed excursion of a point in a room with default limits, a batch in production during it."""
    room = make_room(user, reason)
    services.set_default_limits(room, user=user, reason=reason, valid_from=timezone.now() - timedelta(days=30))
    point = make_point(user, reason, room=room)
    t0 = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    if batch:
        make_batch(user, reason, make_line(user, reason, room), started_at=t0 - timedelta(hours=1))
    value = 30 if level == "action" else 27.5
    rows = [{"point": str(point.pk), "measured_at": (t0 + timedelta(minutes=i)).isoformat(),
             "temperature_c": value if 1 <= i <= 3 else 22} for i in range(6)]
    services.ingest_readings(rows, user=user, reason=reason)
    return Excursion.objects.get(point=point)


def make_excursion_batch(user, reason):
    return make_excursion(user, reason).batch_links.get()


def make_assessment(user, reason):
    excursion = make_excursion(user, reason)
    return services.assess_excursion(excursion, impact="No product exposed", conclusion="no_impact",
                                     **sig(user), user=user, reason=reason)


FACTORIES = {
    MonitoringPoint: make_point,
    Limit: make_limit,
    Excursion: make_excursion,
    ExcursionBatch: make_excursion_batch,
    ExcursionAssessment: make_assessment,
}
