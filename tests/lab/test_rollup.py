"""The throughput rollup (lab.models.ThroughputDay) kept by the sample services gives exactly the figures of a
direct computation from the samples, for every bucket and selection, after intake, reports, rejections and
corrections; the rebuild command reproduces it; the query count does not depend on the number of samples."""

import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lab import rollup, services
from lab.models import Assay, ThroughputClientDay, ThroughputDay, ThroughputPeriod, ThroughputStale
from lab.throughput import Query, compute, compute_direct
from tests.lab.factories import local, make_assay, make_client

pytestmark = pytest.mark.django_db


def intake(user, clients, assays, n, *, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        received = local(2026, 2, 20, 0, 0) + timedelta(minutes=rng.randrange(0, 40 * 24 * 60),
                                                        microseconds=rng.randrange(0, 10**6))
        row = {"client": rng.choice(clients), "assay": rng.choice(assays), "received_at": received}
        fate = rng.random()
        if fate < 0.8:  # back-entry of a finished test: TAT of minutes to days, to the microsecond
            row["reported_at"] = received + timedelta(seconds=rng.randrange(60, 6 * 86400),
                                                      microseconds=rng.randrange(0, 10**6))
            row["result"] = "negative"
        rows.append(row)
    return services.receive_samples(rows, user=user, reason="intake")


@pytest.fixture
def lab(lab_user):
    clients = [make_client(lab_user, code=f"H{i}") for i in range(3)]
    assays = [make_assay(lab_user, code=code, tat_target_hours=hours) for code, hours in
              (("CRP", 4), ("PCR", 24), ("CULT", 72))]
    return lab_user, clients, assays


QUERIES = [
    {"start": date(2026, 2, 20), "end": date(2026, 4, 10), "bucket": "day"},
    {"start": date(2026, 3, 4), "end": date(2026, 3, 25), "bucket": "week"},  # a window cut inside weeks
    {"start": date(2026, 2, 1), "end": date(2026, 4, 30), "bucket": "month"},
    {"start": date(2026, 3, 10), "end": date(2026, 3, 20), "bucket": "day"},  # samples open at the window start
]


def assert_equal_to_direct(clients, assays):
    for params in QUERIES:
        for extra in ({}, {"assay_id": assays[1].pk}, {"client_id": clients[2].pk},
                      {"assay_id": assays[0].pk, "client_id": clients[0].pk}):
            q = Query(**params, **extra)
            direct = compute_direct(q)
            assert compute(q) == direct, (params, extra)
            without_clients = {k: v for k, v in direct.items() if k != "clients"}
            assert compute(q, clients=False) == without_clients, (params, extra)  # from the kept periods


def test_rollup_equals_the_direct_computation_through_every_service(lab):
    user, clients, assays = lab
    samples = intake(user, clients, assays, 400, seed=1)
    rng = random.Random(2)
    open_ = [s for s in samples if s.reported_at is None]
    for s in open_[:30]:
        services.start_testing(s, user=user, started_at=s.received_at + timedelta(minutes=5))
        services.report_result(s, user=user, result="positive", reported_at=s.received_at + timedelta(hours=3))
    for s in open_[30:45]:
        services.reject_sample(s, user=user, reason="haemolysed", rejected_at=s.received_at + timedelta(hours=1))
    done = [s for s in samples if s.reported_at is not None]
    for s in rng.sample(done, 25):  # corrections move a sample to another assay, client, day or TAT
        services.correct_sample(s, {"assay": rng.choice(assays), "client": rng.choice(clients),
                                    "received_at": s.received_at - timedelta(hours=rng.randrange(1, 30)),
                                    "reported_at": s.reported_at + timedelta(minutes=rng.randrange(0, 600))},
                                user=user, reason="typo in the intake sheet")
    assert rollup.differences() == 0
    assert_equal_to_direct(clients, assays)
    total = sum(t["completed"] for t in compute(Query(**QUERIES[2]))["totals"])
    assert total == len(done) + 30


def test_a_changed_target_applies_to_past_figures(lab):
    from lims.services import update_record

    user, clients, assays = lab
    intake(user, clients, assays, 120, seed=3)
    update_record(assays[0], {"tat_target_hours": 1}, user=user, reason="tighter target")
    assert_equal_to_direct(clients, assays)


def test_a_target_changed_behind_the_services_still_gives_exact_figures(lab):
    user, clients, assays = lab
    intake(user, clients, assays, 120, seed=7)
    rollup.refresh()
    Assay.objects.filter(pk=assays[1].pk).update(tat_target_hours=2)  # no signal: the periods count the old one
    assert rollup.differences() > 0
    assert_equal_to_direct(clients, assays)  # computed from the day rows meanwhile
    call_command("rebuild_lab_throughput", verbosity=0)
    assert rollup.differences() == 0
    assert_equal_to_direct(clients, assays)


def test_whole_periods_are_read_not_ranked(lab):
    """A window of whole months (or days) reads the kept periods, not the turnaround arrays of its days; a window
    cut inside weeks reads the arrays of the cut days only."""
    user, clients, assays = lab
    intake(user, clients, assays, 200, seed=8)
    rollup.refresh()
    assert ThroughputPeriod.objects.filter(bucket="month", assay_key=0, client_key=0).count() == 3

    def sql(q, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            figures = compute(q, **kwargs)
        assert figures == {k: v for k, v in compute_direct(q).items() if kwargs.get("clients", True) or k != "clients"}
        return " ".join(c["sql"] for c in ctx.captured_queries)

    assert "tat_ms" not in sql(Query(**QUERIES[2]))
    assert "tat_ms" not in sql(Query(**QUERIES[0]), clients=False)
    assert "tat_ms" not in sql(Query(**QUERIES[2], assay_id=assays[0].pk), clients=False)
    cut = sql(Query(**QUERIES[1]))  # Wednesday 4 March … Wednesday 25 March: two cut weeks
    assert "tat_ms" in cut and "2026-03-04" in cut and "2026-03-23" in cut


def test_rebuild_command_reproduces_the_rollup(lab):
    user, clients, assays = lab
    intake(user, clients, assays, 150, seed=4)

    def rows():
        return [(d, a, n, bytes(t)) for d, a, n, t in ThroughputDay.objects.order_by("day", "assay_id").values_list(
            "day", "assay_id", "completed", "tat_ms")]

    kept = rows()
    ThroughputDay.objects.all().delete()
    assert rollup.differences() > 0
    call_command("rebuild_lab_throughput", verbosity=0)
    assert rows() == kept
    assert rollup.differences() == 0
    periods = sorted(ThroughputPeriod.objects.values_list("bucket", "period", "assay_key", "client_key", "completed",
                                                          "median_lo", "median_hi", "p90_lo", "p90_hi", "within"))
    ThroughputPeriod.objects.filter(bucket="week").delete()
    assert rollup.differences() > 0  # the kept periods are checked too
    call_command("rebuild_lab_throughput", verbosity=0)
    assert sorted(ThroughputPeriod.objects.values_list("bucket", "period", "assay_key", "client_key", "completed",
                                                       "median_lo", "median_hi", "p90_lo", "p90_hi", "within")) \
        == periods
    call_command("rebuild_lab_throughput", "--check", verbosity=0)
    counts = list(ThroughputClientDay.objects.values_list("day", "assay_id", "client_id", "received", "closed"))
    assert counts and sum(r[3] for r in counts) == 150
    ThroughputClientDay.objects.filter(pk=ThroughputClientDay.objects.order_by("pk").first().pk).delete()
    assert rollup.differences() == 1  # the per-client counts are checked too
    call_command("rebuild_lab_throughput", verbosity=0)
    assert sorted(ThroughputClientDay.objects.values_list("day", "assay_id", "client_id", "received", "closed")) \
        == sorted(counts)


def test_the_query_count_does_not_grow_with_the_samples(lab):
    user, clients, assays = lab

    def queries(q):
        with CaptureQueriesContext(connection) as ctx:
            compute(q)
        return len(ctx.captured_queries)

    intake(user, clients, assays, 20, seed=5)
    small = [queries(Query(**params)) for params in QUERIES]  # stale periods (one more query for their flows)
    rollup.refresh()
    fresh = [queries(Query(**params)) for params in QUERIES]
    intake(user, clients, assays, 400, seed=6)
    assert [queries(Query(**params)) for params in QUERIES] == small
    rollup.refresh()
    assert [queries(Query(**params)) for params in QUERIES] == fresh
    assert max(small) <= 8 and max(fresh) <= 7


def kept_periods():
    return sorted(ThroughputPeriod.objects.values_list("bucket", "period", "assay_key", "client_key",
                                                       *rollup.PERIOD_FIELDS))


def test_services_mark_periods_stale_and_the_figures_stay_exact(lab):
    """A service call marks the day, week and month it touches stale (it recomputes nothing); compute ranks the
    day arrays of the stale periods, so it equals the direct computation before any refresh."""
    user, clients, assays = lab
    samples = intake(user, clients, assays, 150, seed=11)
    rollup.refresh()
    assert not ThroughputStale.objects.exists()
    before = kept_periods()
    s = next(s for s in samples if s.reported_at is None)
    services.start_testing(s, user=user, started_at=s.received_at + timedelta(minutes=5))
    reported = s.received_at + timedelta(hours=2)
    services.report_result(s, user=user, result="positive", reported_at=reported)
    day = timezone.localtime(reported).date()
    assert {("day", day), ("week", day - timedelta(days=day.weekday())), ("month", day.replace(day=1))} \
        <= rollup.stale_periods()
    assert kept_periods() == before  # not recomputed by the service
    assert rollup.differences() == 0  # the day rows are exact; stale periods are not compared
    assert_equal_to_direct(clients, assays)


def test_the_refresh_task_recomputes_stale_periods_as_the_rebuild_does(lab):
    from lims.tasks import registry

    user, clients, assays = lab
    intake(user, clients, assays, 150, seed=12)
    assert ThroughputStale.objects.exists()
    periodic = registry.SCHEDULE["lab.refresh_throughput"]
    assert periodic.schedule == {"every_minutes": 5}
    assert periodic.run(None) > 0
    assert not ThroughputStale.objects.exists()
    refreshed = kept_periods()
    call_command("rebuild_lab_throughput", verbosity=0)
    assert kept_periods() == refreshed
    assert rollup.differences() == 0
    assert_equal_to_direct(clients, assays)
    intake(user, clients, assays, 10, seed=13)
    call_command("rebuild_lab_throughput", "--refresh", verbosity=0)
    assert not ThroughputStale.objects.exists()
    call_command("rebuild_lab_throughput", "--check", verbosity=0)


def test_a_write_during_the_refresh_leaves_its_period_stale(lab, monkeypatch):
    """The refresh deletes only the marks it read before reading the day rows: a change that lands after that
    read (here: after the recomputation, before the marks are deleted) keeps its period stale."""
    user, clients, assays = lab
    intake(user, clients, assays, 60, seed=14)
    recompute = rollup._recompute_periods
    late = {}

    def recompute_then_write(touched):
        recompute(touched)
        if not late:
            late["sample"] = services.receive_samples(
                [{"client": clients[0], "assay": assays[0], "received_at": local(2026, 3, 11, 9, 0)}],
                user=user, reason="intake")[0]

    monkeypatch.setattr(rollup, "_recompute_periods", recompute_then_write)
    rollup.refresh(chunk=1000)
    assert late
    assert rollup.stale_periods() == {("day", date(2026, 3, 11)), ("week", date(2026, 3, 9)),
                                      ("month", date(2026, 3, 1))}
    assert_equal_to_direct(clients, assays)  # the late sample counts: its periods are ranked from the days
    monkeypatch.setattr(rollup, "_recompute_periods", recompute)
    rollup.refresh()
    assert not ThroughputStale.objects.exists()
    refreshed = kept_periods()
    call_command("rebuild_lab_throughput", verbosity=0)
    assert kept_periods() == refreshed
