"""Readings listed (issue #14): ``GET /api/v1/production/readings/`` by point and time range, cursor-paginated,
and on the monitoring point page; a counter CSV with a formula in a value cell is refused by line and field."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse

from production.monitoring import services
from production.monitoring.models import Reading
from tests.helpers import assert_constant_queries
from tests.monitoring import factories
from tests.monitoring.conftest import rows

pytestmark = pytest.mark.django_db
URL = "/api/v1/production/readings/"


def ingest(room, t0, n, start=0, point=None):
    services.ingest_readings(rows(point or room.point, t0, [21.0] * n, parameter="temperature_c", start=start),
                             user=room.user)


def test_readings_by_point_and_time_range_walk_by_cursor(room, t0, api_for, production_user):
    other = factories.make_point(production_user, "second point", room=room.room, code="P-2")
    ingest(room, t0, 12)
    ingest(room, t0, 5, point=other)
    api = api_for(production_user)
    after, before = t0 + timedelta(minutes=2), t0 + timedelta(minutes=10)
    url = f"{URL}?point={room.point.code}&after={after.isoformat()}&before={before.isoformat()}&page_size=3"
    url = url.replace("+", "%2B")
    body = api.get(url).json()
    assert body["count"] == 8 and set(body["results"][0]) >= {"point", "measured_at", "temperature_c"}
    seen = []
    while True:
        seen += [r["id"] for r in body["results"]]
        if not body["next"]:
            break
        body = api.get(body["next"]).json()
    expected = list(Reading.objects.filter(point=room.point, measured_at__gte=after, measured_at__lt=before)
                    .order_by("measured_at", "id").values_list("id", flat=True))
    assert seen == expected
    everything = api.get(f"{URL}?page_size=500").json()
    assert everything["count"] == 17 and [r["point"] for r in everything["results"]] == sorted(
        r["point"] for r in everything["results"])
    assert api.get(f"{URL}?point={other.pk}").json()["count"] == 5


def test_readings_list_bad_query_is_400_and_needs_the_role(room, api_for, production_user, lab_user):
    api = api_for(production_user)
    response = api.get(f"{URL}?point=NOPE&after=yesterday")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"point", "after"}
    assert api.get(f"{URL}?point={'9' * 40}").status_code == 400
    assert api_for(lab_user).get(URL).status_code == 403


def test_readings_list_query_count_is_constant_at_depth(room, t0, api_for, production_user):
    ingest(room, t0, 6)
    api = api_for(production_user)
    deep = api.get(f"{URL}?point={room.point.pk}&page_size=2").json()["next"]
    assert_constant_queries(api, deep, lambda: ingest(room, t0, 40, start=20))


def test_point_page_lists_the_readings_of_the_window_by_cursor(room, t0, client_for):
    ingest(room, t0, 60)
    client = client_for(room.user)
    url = reverse("monitoring:point-detail", args=[room.point.pk])
    response = client.get(url, {"window": "1d"})
    page = response.context["page"]
    assert len(page.rows) == 50 and page.has_next
    assert page.rows[0].measured_at > page.rows[-1].measured_at  # newest first
    assert "1–50 of 60" in response.content.decode()
    rest = client.get(url, {"window": "1d", "cursor": page.next_cursor}).context["page"]
    assert len(rest.rows) == 10 and not rest.has_next
    assert_constant_queries(client, f"{url}?window=1d&cursor={page.next_cursor}",
                            lambda: ingest(room, t0, 30, start=100))


def test_counter_csv_with_a_formula_is_refused_by_line_and_field(room, t0, client_for):
    text = ("point,measured_at,particles_0_5um,particles_5um,temperature_c,humidity_pct,pressure_pa\n"
            f"{room.point.code},{t0.isoformat()},=1+1,,21.0,50,12\n")
    upload = io.BytesIO(text.encode())
    upload.name = "counter.csv"
    response = client_for(room.user).post(reverse("monitoring:reading-upload"), {"file": upload})
    assert response.status_code == 400
    assert "line 2.particles_0_5um" in response.content.decode() and "formula" in response.content.decode()
    assert Reading.objects.count() == 0
