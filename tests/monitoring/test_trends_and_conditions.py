"""Trend aggregation in the database, the room summary, the batch panel and the acceptance path of a new room."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from production.monitoring import services, trends
from production.monitoring.conditions import conditions_for_batch
from production.monitoring.models import Excursion, Limit
from tests.monitoring import factories
from tests.monitoring.conftest import rows


@pytest.mark.django_db
def test_trend_buckets_are_aggregated_in_the_database_and_downsampled(room, t0):
    values = [20.0 + (i % 10) / 10 for i in range(180)]
    services.ingest_readings(rows(room.point, t0, values, "temperature_c"), user=room.user)
    step, series = trends.series(room.point, "temperature_c", t0, t0 + timedelta(minutes=180))
    assert step == 60 and len(series) == 180
    step, series = trends.series(room.point, "temperature_c", t0 - timedelta(days=7), t0 + timedelta(minutes=180))
    assert step == 1800 and len(series) <= trends.MAX_POINTS
    assert sum(n for *_x, n in series) == 180
    assert min(low for _b, low, *_r in series) == 20.0 and max(high for *_x, high, _n in series) == 20.9
    config, step, count = trends.chart(room.point, "temperature_c", t0 - timedelta(days=365), timezone.now())
    assert count <= trends.MAX_POINTS
    labels = [d["label"] for d in config["data"]["datasets"]]
    assert "action limit" in labels and "alert limit" in labels


@pytest.mark.django_db
def test_excursions_are_shaded_on_the_chart(room, t0):
    services.ingest_readings(rows(room.point, t0, [1e6, 4e6, 4e6, 1e6]), user=room.user)
    config, _step, _n = trends.chart(room.point, "particles_0_5um", t0, t0 + timedelta(minutes=10))
    shaded = next(d for d in config["data"]["datasets"] if d["label"] == "action excursion")
    assert [v is not None for v in shaded["data"]] == [False, True, True, True]


@pytest.mark.django_db
def test_room_summary_hours_within_limits_and_excursions_per_month(room, t0):
    services.ingest_readings(rows(room.point, t0, [1e6] * 30 + [4e6] + [1e6] * 5, step=5), user=room.user)
    summary = trends.room_summary(room.room, t0 - timedelta(hours=1), timezone.now())
    row = next(r for r in summary["parameters"] if r["parameter"] == "particles_0_5um")
    # The excursion's hours are not "within limits": one hour, or two when it straddles a full hour (t0 follows
    # the clock, so both happen).
    from production.monitoring.models import Excursion

    excursion = Excursion.objects.get(point=room.point, parameter="particles_0_5um")
    first, last = (int(t.timestamp()) // 3600 for t in (excursion.started_at, excursion.ended_at))
    assert row["hours"] in (3, 4) and row["hours_within"] == row["hours"] - (last - first + 1)
    assert sum(m["action"] for m in summary["months"]) == 1


@pytest.mark.django_db
def test_batch_conditions_min_max_mean_and_excursions(room, production_user, t0, client_for, qa_user):
    batch = factories.make_batch(production_user, "b", room.line, started_at=t0 + timedelta(minutes=1),
                                 completed_at=t0 + timedelta(minutes=3))
    services.ingest_readings(rows(room.point, t0, [20, 21, 22, 23, 30], "temperature_c"), user=room.user)
    conditions = conditions_for_batch(batch)
    [row] = conditions["rows"]
    assert (row["min"], row["max"], row["mean"], row["count"]) == (21, 23, 22, 3)
    assert conditions["excursions"] == []
    page = client_for(qa_user).get(reverse("production:batch-detail", args=[batch.lot_number]))
    assert page.status_code == 200
    assert "Clean-room conditions during production" in page.content.decode()


@pytest.mark.django_db
def test_a_new_room_gets_default_limits_with_its_first_point_and_judges_readings(api_for, production_user, t0):
    room = factories.make_room(production_user, "room", iso_class=7)
    created = api_for(production_user).post("/api/v1/production/monitoring-points/", {
        "code": "NEW-1", "clean_room": room.pk, "location": "door", "measures_particles": True}, format="json")
    assert created.status_code == 201
    assert Limit.objects.filter(clean_room=room).count() == 5
    point = created.json()["id"]
    body = [{"point": point, "measured_at": (t0 + timedelta(minutes=i)).isoformat(), "particles_0_5um": v}
            for i, v in enumerate([100_000, 400_000, 100_000])]
    response = api_for(production_user).post("/api/v1/production/readings/", body, format="json")
    assert [(e["level"], e["parameter"]) for e in response.json()["excursions"]] == [("action", "particles_0_5um")]
    assert Excursion.objects.get().peak_value == 400_000


@pytest.mark.django_db
def test_qa_sets_a_new_limit_version_on_the_page(room, client_for, qa_user, production_user):
    data = {"clean_room": room.room.pk, "parameter": "humidity_pct", "alert_low": 42, "alert_high": 38,
            "action_low": 40, "action_high": 45, "source": "pouching room ≤ 40 % RH", "reason": "pouching"}
    assert client_for(production_user).post(reverse("monitoring:limit-create"), data).status_code == 403
    refused = client_for(qa_user).post(reverse("monitoring:limit-create"), data)
    assert refused.status_code == 200 and "The high limit is below the low limit." in refused.content.decode()
    data.update(alert_low=41, alert_high=43)
    assert client_for(qa_user).post(reverse("monitoring:limit-create"), data).status_code == 302
    current = Limit.objects.in_effect().get(clean_room=room.room, parameter="humidity_pct")
    assert (current.action_high, current.set_by, current.reason) == (45, qa_user, "pouching")
    assert Limit.objects.filter(clean_room=room.room, parameter="humidity_pct").count() == 2
