"""Limits from the ISO class (DOMAIN.md §4) and the grouping of readings into excursions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from production.monitoring import services, standards
from production.monitoring.excursions import group_readings
from production.monitoring.gates import unassessed_excursions
from production.monitoring.models import Excursion, Limit
from tests.conftest import sig
from tests.helpers import Snapshot, assert_history
from tests.monitoring import factories
from tests.monitoring.conftest import rows

OK, ALERT, ACTION = 1_000_000, 3_000_000, 4_000_000


@pytest.mark.parametrize(("iso_class", "size", "expected"), [
    (8, 0.5, 3_520_000), (8, 5.0, 29_300), (7, 0.5, 352_000), (7, 5.0, 2_930), (7, 1.0, 83_200), (8, 1.0, 832_000),
])
def test_class_limit_from_the_iso_14644_1_formula(iso_class, size, expected):
    assert standards.iso_class_limit(iso_class, size) == expected


@pytest.mark.django_db
def test_default_limits_of_an_iso_7_room_are_data_with_their_source(qa_user, production_user):
    room = factories.make_room(production_user, "room", iso_class=7)
    services.set_default_limits(room, user=qa_user, reason="new room")
    limits = {x.parameter: x for x in Limit.objects.filter(clean_room=room)}
    assert (limits["particles_0_5um"].action_high, limits["particles_0_5um"].alert_high) == (352_000, 246_400)
    assert (limits["particles_5um"].action_high, limits["particles_5um"].alert_high) == (2_930, 2_051)
    assert (limits["temperature_c"].action_low, limits["temperature_c"].action_high) == (18, 28)
    assert (limits["humidity_pct"].action_low, limits["humidity_pct"].action_high) == (45, 65)
    assert (limits["pressure_pa"].action_low, limits["pressure_pa"].action_high) == (10, None)
    assert "ISO 14644-1" in limits["particles_0_5um"].source and "ISO 7" in limits["particles_0_5um"].source
    assert_history(limits["pressure_pa"], user=qa_user, reason="new room")


@pytest.mark.django_db
def test_a_new_limit_version_supersedes_the_old_from_its_valid_from(room, qa_user, t0):
    old = Limit.objects.in_effect().get(clean_room=room.room, parameter="temperature_c")
    new = services.set_limit(clean_room=room.room, parameter="temperature_c", alert_low=20, alert_high=25,
                             action_low=19, action_high=26, source="trend study 2025", valid_from=t0,
                             user=qa_user, reason="tighter after trend review")
    assert Limit.objects.in_effect().get(clean_room=room.room, parameter="temperature_c") == new
    assert Limit.objects.in_effect(t0 - timedelta(minutes=1)).get(clean_room=room.room,
                                                                  parameter="temperature_c") == old
    assert new.set_by == qa_user and new.reason == "tighter after trend review"
    # 25.5 °C: alert under the new limits, within the old ones.
    services.ingest_readings(rows(room.point, t0, [25.5, 22], "temperature_c", start=1), user=room.user)
    assert Excursion.objects.get().level == "alert"


def _series(values, t0, step=1):
    return [(t0 + timedelta(minutes=i * step), v) for i, v in enumerate(values) if v is not None]


def test_grouping_consecutive_readings_escalation_and_gaps(t0):
    limit = Limit(alert_high=ALERT - 500_000, action_high=ACTION - 500_000)
    values = [OK, ALERT, ACTION, ALERT, OK, OK, ALERT, None, None, None, None, None, None, None, None, None, None,
              None, None, ALERT, OK]
    groups = group_readings(_series(values, t0), lambda t: limit, max_gap=timedelta(minutes=10), now=t0)
    assert [(g.started_at, g.ended_at, g.level, g.peak, g.count) for g in groups] == [
        (t0 + timedelta(minutes=1), t0 + timedelta(minutes=4), 2, ACTION, 3),  # alert → action: one excursion
        (t0 + timedelta(minutes=6), t0 + timedelta(minutes=6), 1, ALERT, 1),  # 13 min without data closes it
        (t0 + timedelta(minutes=19), t0 + timedelta(minutes=20), 1, ALERT, 1),
    ]


def test_an_excursion_without_a_reading_back_within_limits_stays_open_until_the_gap_passes(t0):
    limit = Limit(alert_high=10, action_high=20)
    series = _series([5, 15, 25], t0)
    gap = timedelta(minutes=10)
    assert group_readings(series, lambda t: limit, max_gap=gap, now=t0 + timedelta(minutes=5))[0].ended_at is None
    closed = group_readings(series, lambda t: limit, max_gap=gap, now=t0 + timedelta(minutes=30))[0]
    assert closed.ended_at == t0 + timedelta(minutes=2)


@pytest.mark.django_db
def test_ingestion_opens_extends_and_closes_an_excursion(room, t0):
    p = room.point
    services.ingest_readings(rows(p, t0, [OK, ALERT, ALERT]), user=room.user, now=t0 + timedelta(minutes=3))
    excursion = Excursion.objects.get()
    assert (excursion.level, excursion.started_at, excursion.ended_at) == ("alert", t0 + timedelta(minutes=1), None)
    services.ingest_readings(rows(p, t0, [ACTION, OK], start=3), user=room.user, now=t0 + timedelta(minutes=5))
    excursion.refresh_from_db()
    assert (excursion.level, excursion.peak_value, excursion.ended_at) == ("action", ACTION,
                                                                            t0 + timedelta(minutes=4))
    assert excursion.reading_count == 3
    assert Excursion.objects.count() == 1
    assert_history(excursion, user=room.user, type="~")


@pytest.mark.django_db
def test_out_of_order_batches_give_the_same_excursions_as_in_order(room, production_user, t0):
    values = [OK, ALERT, ALERT, ACTION, ALERT, OK, OK, ALERT, ALERT, OK]
    all_rows = rows(room.point, t0, values)
    # The second half first, then the first half, then a reading in the middle again (a duplicate).
    services.ingest_readings(all_rows[5:], user=production_user)
    services.ingest_readings(all_rows[:3], user=production_user)
    services.ingest_readings(all_rows[3:5], user=production_user)
    got = list(Excursion.objects.order_by("started_at").values_list("started_at", "ended_at", "level", "peak_value"))
    assert got == [
        (t0 + timedelta(minutes=1), t0 + timedelta(minutes=5), "action", ACTION),
        (t0 + timedelta(minutes=7), t0 + timedelta(minutes=9), "alert", ALERT),
    ]


@pytest.mark.django_db
def test_a_late_reading_that_fills_a_gap_merges_two_excursions(room, production_user, t0):
    first = rows(room.point, t0, [OK, ALERT, ALERT])
    second = rows(room.point, t0, [ALERT, ALERT, OK], start=14)
    services.ingest_readings(first + second, user=production_user)
    assert Excursion.objects.count() == 2
    middle = rows(room.point, t0, [ALERT, ALERT, ALERT], start=4, step=4)  # minutes 4, 8, 12: no gap > 10 min
    services.ingest_readings(middle, user=production_user)
    excursion = Excursion.objects.get()
    assert (excursion.started_at, excursion.ended_at) == (t0 + timedelta(minutes=1), t0 + timedelta(minutes=16))


@pytest.mark.django_db
def test_a_late_reading_within_limits_splits_an_excursion(room, production_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ALERT, None, ALERT, OK]), user=production_user)
    assert Excursion.objects.count() == 1
    services.ingest_readings(rows(room.point, t0, [OK], start=2), user=production_user)
    assert list(Excursion.objects.order_by("started_at").values_list("started_at", "ended_at")) == [
        (t0 + timedelta(minutes=1), t0 + timedelta(minutes=2)),
        (t0 + timedelta(minutes=3), t0 + timedelta(minutes=4))]


@pytest.mark.django_db
def test_excursions_overlapping_a_window_include_those_starting_before_and_ending_after(room, production_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ALERT, ALERT, ALERT, ALERT, OK]), user=production_user)
    window = Excursion.objects.overlapping(t0 + timedelta(minutes=2), t0 + timedelta(minutes=3))
    excursion = window.get()
    assert (excursion.started_at, excursion.ended_at) == (t0 + timedelta(minutes=1), t0 + timedelta(minutes=5))
    assert not Excursion.objects.overlapping(t0 + timedelta(minutes=6), t0 + timedelta(minutes=9)).exists()


@pytest.mark.django_db
def test_a_correction_is_a_new_reading_and_can_remove_an_excursion(room, production_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=production_user)
    original = room.point.readings.get(measured_at=t0 + timedelta(minutes=1))
    correction = services.correct_reading(original, {"particles_0_5um": OK}, user=production_user,
                                          reason="counter purge cycle, value of the purge air")
    assert correction.corrected_reading == original and original.particles_0_5um == ACTION
    assert not Excursion.objects.exists()


# --- batches ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_action_excursion_links_the_batches_in_production_in_that_room_only(room, production_user, t0):
    u = production_user
    during = factories.make_batch(u, "b", room.line, started_at=t0 - timedelta(hours=1))  # still in production
    finished_in = factories.make_batch(u, "b", room.line, started_at=t0 - timedelta(hours=2),
                                       completed_at=t0 + timedelta(minutes=2))
    before = factories.make_batch(u, "b", room.line, started_at=t0 - timedelta(hours=2),
                                  completed_at=t0 - timedelta(minutes=30))
    planned = factories.make_batch(u, "b", room.line)
    other_room = factories.make_room(u, "r")
    other_line = factories.make_line(u, "l", other_room)
    elsewhere = factories.make_batch(u, "b", other_line, started_at=t0 - timedelta(hours=1))
    services.ingest_readings(rows(room.point, t0, [OK, ALERT, ACTION, ACTION, OK], start=30), user=u)
    excursion = Excursion.objects.get()
    assert sorted(excursion.batches.values_list("lot_number", flat=True)) == sorted([during.lot_number])
    # finished_in ended at minute 2, the excursion ran from minute 31 to 34: not exposed either.
    assert set(unassessed_excursions(during)) == {excursion}
    for batch in (finished_in, before, planned, elsewhere):
        assert not unassessed_excursions(batch).exists()


@pytest.mark.django_db
def test_a_batch_completed_during_the_excursion_is_linked(room, production_user, t0):
    batch = factories.make_batch(production_user, "b", room.line, started_at=t0 - timedelta(hours=2),
                                 completed_at=t0 + timedelta(minutes=2))
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, ACTION, ACTION, OK]), user=production_user)
    assert list(Excursion.objects.get().batches.all()) == [batch]


@pytest.mark.django_db
def test_an_alert_excursion_links_no_batch(room, production_user, t0):
    factories.make_batch(production_user, "b", room.line, started_at=t0 - timedelta(hours=1))
    services.ingest_readings(rows(room.point, t0, [OK, ALERT, OK]), user=production_user)
    assert Excursion.objects.get().batches.count() == 0


@pytest.mark.django_db
def test_the_signed_assessment_clears_the_release_gate(room, production_user, qa_user, t0):
    batch = factories.make_batch(production_user, "b", room.line, started_at=t0 - timedelta(hours=1))
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=production_user)
    excursion = Excursion.objects.get()
    blockers = _release_blockers(batch, qa_user)
    assert "unassessed_excursion" in blockers
    assessment = services.assess_excursion(excursion, impact="Counts were at the door, away from the line.",
                                           conclusion="no_impact", **sig(qa_user), user=qa_user,
                                           reason="impact assessed")
    assert assessment.signatures().get().meaning == "assessed"
    assert not unassessed_excursions(batch).exists()
    assert "unassessed_excursion" not in _release_blockers(batch, qa_user)


def _release_blockers(batch, signer):
    from qc.gates import release_blockers

    return {r["code"] for r in release_blockers(batch, signer)}


@pytest.mark.django_db
def test_a_wrong_password_signs_nothing(room, production_user, qa_user, t0):
    services.ingest_readings(rows(room.point, t0, [OK, ACTION, OK]), user=production_user)
    excursion = Excursion.objects.get()
    snapshot = Snapshot(excursion)
    from lims.errors import BadSignature

    with pytest.raises(BadSignature):
        services.assess_excursion(excursion, impact="x", conclusion="no_impact", **sig(qa_user, "wrong"), user=qa_user)
    snapshot.assert_unchanged()
    assert not hasattr(Excursion.objects.get(), "assessment") or not Excursion.objects.get().is_assessed


@pytest.mark.django_db
def test_an_open_excursion_cannot_be_assessed_yet(room, production_user, qa_user):
    now = timezone.now()
    services.ingest_readings(rows(room.point, now - timedelta(minutes=2), [ACTION]), user=production_user)
    from lims.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.assess_excursion(Excursion.objects.get(), impact="x", conclusion="no_impact", **sig(qa_user),
                                  user=qa_user)
    assert refused.value.code == "excursion_open"
