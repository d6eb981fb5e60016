"""The HTTP contract (API.md: monitoring-points, readings, excursions), the pages and the CSV paths."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from production.monitoring import services
from production.monitoring.models import Excursion, Reading
from tests.conftest import sig_body
from tests.helpers import assert_constant_queries
from tests.monitoring import factories
from tests.monitoring.conftest import rows

URL = "/api/v1/production/readings/"
OK, ACTION = 1_000_000, 4_000_000


@pytest.mark.django_db
def test_post_a_list_creates_readings_and_reports_the_excursion_with_its_batch(room, api_for, t0):
    batch = factories.make_batch(room.user, "b", room.line, started_at=t0 - timedelta(hours=1))
    body = rows(room.point, t0, [OK, ACTION, ACTION, OK])
    response = api_for(room.user).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["created"], data["duplicates"]) == (4, 0)
    [excursion] = data["excursions"]
    assert excursion["point"] == room.point.pk and excursion["parameter"] == "particles_0_5um"
    assert excursion["level"] == "action" and excursion["batches"] == [batch.lot_number]
    assert excursion["assessed"] is False
    listed = api_for(room.user).get("/api/v1/production/excursions/", {"level": "action"}).json()
    assert listed["count"] == 1
    assert {k: listed["results"][0][k] for k in ("id", "point", "parameter", "level", "batches", "assessed")} == {
        "id": excursion["id"], "point": room.point.pk, "parameter": "particles_0_5um", "level": "action",
        "batches": [batch.lot_number], "assessed": False}
    assert listed["results"][0]["started_at"] and listed["results"][0]["ended_at"]


@pytest.mark.django_db
def test_post_one_object_and_a_duplicate_is_ignored(room, api_for, t0):
    client = api_for(room.user)
    one = {"point": room.point.pk, "measured_at": t0.isoformat(), "temperature_c": 21.5, "humidity_pct": 50}
    assert client.post(URL, one, format="json").json()["created"] == 1
    again = client.post(URL, [one, {**one, "measured_at": (t0 + timedelta(minutes=1)).isoformat()}], format="json")
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["duplicates"]) == (1, 1)
    assert Reading.objects.count() == 2


@pytest.mark.django_db
def test_a_list_with_bad_rows_reports_every_one_and_stores_nothing(room, api_for, t0):
    future = timezone.now() + timedelta(minutes=5)
    body = [
        {"point": room.point.pk, "measured_at": t0.isoformat(), "particles_0_5um": OK},  # good
        {"point": 999999, "measured_at": t0.isoformat(), "particles_0_5um": OK},
        {"point": room.point.pk, "measured_at": "2025-01-01T08:00:00", "temperature_c": 21},
        {"point": room.point.pk, "measured_at": future.isoformat(), "temperature_c": 21},
        {"point": room.point.pk, "measured_at": t0.isoformat(), "humidity_pct": 101, "particles_5um": -1},
        {"point": room.point.pk, "measured_at": "yesterday", "temperature_c": "warm"},
    ]
    response = api_for(room.user).post(URL, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert sorted(data["fields"]) == ["1.point", "2.measured_at", "3.measured_at", "4.humidity_pct",
                                      "4.particles_5um", "5.measured_at", "5.temperature_c"]
    assert "future" in data["fields"]["3.measured_at"][0]
    assert Reading.objects.count() == 0 and Excursion.objects.count() == 0


@pytest.mark.django_db
def test_two_minutes_of_clock_skew_are_accepted(room, api_for):
    ahead = timezone.now() + timedelta(seconds=90)
    body = {"point": room.point.code, "measured_at": ahead.isoformat(), "temperature_c": 21}
    assert api_for(room.user).post(URL, body, format="json").status_code == 201


@pytest.mark.django_db
def test_who_may_post_readings(room, api_for, qc_user, auditor_user, qa_user, t0):
    body = rows(room.point, t0, [OK])
    for user in (qc_user, auditor_user, qa_user):
        assert api_for(user).post(URL, body, format="json").status_code == 403
    anonymous = api_for(None).post(URL, body, format="json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    assert Reading.objects.count() == 0
    for user in (qc_user, qa_user, auditor_user):
        assert api_for(user).get("/api/v1/production/excursions/").status_code == 200
    assert api_for(room.user).post(URL, body, format="json").status_code == 201


@pytest.mark.django_db
def test_monitoring_points_api(room, api_for, qc_user):
    data = api_for(qc_user).get("/api/v1/production/monitoring-points/").json()
    assert [(p["id"], p["code"], p["clean_room"], p["location"]) for p in data["results"]] == [
        (room.point.pk, "P-1", room.room.pk, room.point.location)]
    created = api_for(room.user).post("/api/v1/production/monitoring-points/", {
        "code": "P-2", "clean_room": room.room.pk, "location": "Door", "measures_pressure": True,
        "reason": "new sensor"}, format="json")
    assert created.status_code == 201, created.json()
    assert api_for(qc_user).post("/api/v1/production/monitoring-points/", {
        "code": "P-3", "clean_room": room.room.pk}, format="json").status_code == 403


@pytest.mark.django_db
def test_assessment_through_the_api_wrong_password_changes_nothing(room, api_for, qa_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=room.user)
    excursion = Excursion.objects.get()
    url = f"/api/v1/production/excursions/{excursion.pk}/assess/"
    body = {"impact": "none", "conclusion": "no_impact", **sig_body(qa_user, "wrong"), "meaning": "assessed"}
    refused = api_for(qa_user).post(url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "bad_signature"
    assert not Excursion.objects.get().is_assessed
    assert api_for(room.user).post(url, {**body, **sig_body(room.user)}, format="json").status_code == 403
    signed = api_for(qa_user).post(url, {**body, **sig_body(qa_user)}, format="json")
    assert signed.status_code == 201 and signed.json()["assessed"] is True


# --- pages ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_pages_answer_for_the_roles_and_refuse_outsiders(room, client_for, qa_user, outsider, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=room.user)
    excursion = Excursion.objects.get()
    urls = [reverse("monitoring:excursion-list"), excursion.get_absolute_url(), reverse("monitoring:point-list"),
            room.point.get_absolute_url() + "?parameter=particles_0_5um&window=1d",
            reverse("monitoring:room-summary", args=[room.room.pk]), reverse("monitoring:limit-list")]
    for url in urls:
        assert client_for(qa_user).get(url).status_code == 200, url
        assert client_for(outsider).get(url).status_code == 403, url
    page = client_for(qa_user).get(urls[3]).content.decode()
    assert 'data-chart="trend-config"' in page and "<script>" not in page
    home = client_for(qa_user).get("/").content.decode()
    assert "action-level excursion" in home


@pytest.mark.django_db
def test_signing_the_assessment_on_the_page(room, client_for, qa_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=room.user)
    excursion = Excursion.objects.get()
    client = client_for(qa_user)
    bad = client.post(excursion.get_absolute_url(),
                      {"impact": "x", "conclusion": "no_impact", **sig_body(qa_user, "no")})
    assert bad.status_code == 400 and not Excursion.objects.get().is_assessed
    good = client.post(excursion.get_absolute_url(),
                       {"impact": "x", "conclusion": "impact", **sig_body(qa_user)})
    assert good.status_code == 302 and Excursion.objects.get().assessment.conclusion == "impact"
    history = client.get(reverse("object-history", args=["monitoring", "excursion", excursion.pk]))
    assert history.status_code == 200
    detail = client.get(excursion.get_absolute_url()).content.decode()
    assert "Impact: batches to be rejected or investigated" in detail


@pytest.mark.django_db
def test_list_pages_keep_a_constant_query_count(room, client_for, qa_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=room.user)
    counter = iter(range(10, 100, 10))

    def more():
        start = next(counter)
        services.ingest_readings(rows(room.point, t0, [ACTION, OK], start=start), user=room.user)
        factories.make_point(room.user, "more", room=room.room)

    client = client_for(qa_user)
    assert_constant_queries(client, reverse("monitoring:excursion-list"), more)
    assert_constant_queries(client, reverse("monitoring:point-list"), more)
    assert_constant_queries(client, reverse("monitoring:limit-list"), more)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(qa_user)
    assert_constant_queries(api, "/api/v1/production/excursions/", more)


@pytest.mark.django_db
def test_csv_upload_reports_file_line_numbers_and_stores_nothing(room, client_for, t0):
    good = f"{room.point.code},{t0.isoformat()},{OK},,21.0,50,12\n"
    bad = f"{room.point.code},{(t0 + timedelta(minutes=1)).isoformat()},-5,,21.0,50,12\n"
    text = "point,measured_at,particles_0_5um,particles_5um,temperature_c,humidity_pct,pressure_pa\n" + good + bad
    client = client_for(room.user)
    upload = io.BytesIO(text.encode())
    upload.name = "counter.csv"
    response = client.post(reverse("monitoring:reading-upload"), {"file": upload})
    assert response.status_code == 400
    assert "line 3.particles_0_5um" in response.content.decode()
    assert Reading.objects.count() == 0
    upload = io.BytesIO((text.replace(bad, "")).encode())
    upload.name = "counter.csv"
    assert client.post(reverse("monitoring:reading-upload"), {"file": upload}).status_code == 302
    assert Reading.objects.count() == 1


@pytest.mark.django_db
def test_tail_readings_once_follows_a_growing_file(room, tmp_path, t0):
    path = tmp_path / "counter.csv"
    header = "point,measured_at,particles_0_5um\n"
    path.write_text(header + "".join(f"{room.point.code},{(t0 + timedelta(minutes=i)).isoformat()},{v}\n"
                                     for i, v in enumerate([OK, ACTION])))
    out = io.StringIO()
    call_command("tail_readings", str(path), "--once", "--user", room.user.username, stdout=out)
    assert Reading.objects.count() == 2 and "2 stored" in out.getvalue()
    with path.open("a") as f:
        f.write(f"{room.point.code},{(t0 + timedelta(minutes=2)).isoformat()},{OK}\n")
        f.write(f"{room.point.code},{(t0 + timedelta(minutes=3)).isoformat()}")  # incomplete line: not yet
    call_command("tail_readings", str(path), "--once", "--user", room.user.username, stdout=io.StringIO())
    assert Reading.objects.count() == 3
    excursion = Excursion.objects.get()
    assert excursion.ended_at == t0 + timedelta(minutes=2)
    with path.open("a") as f:
        f.write(f",{OK}\n")
    call_command("tail_readings", str(path), "--once", "--user", room.user.username, stdout=io.StringIO())
    assert Reading.objects.count() == 4
