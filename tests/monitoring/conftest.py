from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from production.monitoring import services
from tests.monitoring import factories


@pytest.fixture
def room(production_user, qa_user):
    """An ISO 8 room with its default limits (valid for the last 60 days) and one point measuring everything."""
    room = factories.make_room(production_user, "test room")
    services.set_default_limits(room, user=qa_user, reason="initial limits",
                                valid_from=timezone.now() - timedelta(days=60))
    point = factories.make_point(production_user, "test point", room=room, code="P-1")
    line = factories.make_line(production_user, "test line", room)
    return SimpleNamespace(room=room, point=point, line=line, user=production_user)


@pytest.fixture
def t0():
    """A round minute three hours ago: every test's readings lie between it and now."""
    return timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)


def rows(point, t0, values, parameter="particles_0_5um", step=1, start=0):
    """Readings of ``point`` every ``step`` minutes from ``t0 + start`` minutes, one per value (None: skipped)."""
    return [{"point": str(point.pk), "measured_at": (t0 + timedelta(minutes=start + i * step)).isoformat(),
             parameter: v} for i, v in enumerate(values) if v is not None]
