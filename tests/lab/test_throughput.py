"""Throughput and TAT against hand-computed values: even counts (median = mean of the middle two), ties, the
90th percentile by linear interpolation (type 7), % within target, backlog, and buckets in local time."""

from datetime import date, timedelta

import pytest

from lab.throughput import Query, compute
from tests.lab.factories import local, make_assay, make_client, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(lab_user):
    return {"user": lab_user, "client": make_client(lab_user, code="H1"), "other": make_client(lab_user, code="H2"),
            "assay": make_assay(lab_user, code="CRP", tat_target_hours=4),
            "pcr": make_assay(lab_user, code="PCR", tat_target_hours=24)}


def reported(lab, received, hours, *, assay="assay", client="client"):
    return make_sample(lab["user"], client=lab[client], assay=lab[assay], received_at=received,
                       reported_at=received + timedelta(hours=hours), result="negative")


def row(result, period, code, key="rows"):
    matches = [r for r in result[key] if r["period"] == period and r.get("assay_code", r.get("client_code")) == code]
    assert len(matches) == 1, (period, code, result[key])
    return matches[0]


def test_even_count_ties_and_p90_by_linear_interpolation(lab):
    day = local(2026, 3, 2, 8, 0)
    for h in (1, 2, 3, 10):  # median (2+3)/2 = 2.5; p90 rank 0.9·3 = 2.7 → 3 + 0.7·(10−3) = 7.9
        reported(lab, day, h)
    for h in (4, 4, 4):  # ties; with the 30 h below: median 4; p90 rank 2.7 → 4 + 0.7·(30−4) = 22.2
        reported(lab, day + timedelta(days=1), h)  # a TAT of exactly 4 h is within a 4 h target
    reported(lab, local(2026, 3, 2, 0, 0), 30)  # reported 3 March 06:00
    for h in (0.5, 1.25, 6.0):  # odd count: median 1.25; p90 rank 1.8 → 1.25 + 0.8·4.75 = 5.05
        reported(lab, day + timedelta(days=2), h)
    result = compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 4), bucket="day"))
    r = row(result, "2026-03-02", "CRP")
    assert (r["completed"], r["median_tat_hours"], r["p90_tat_hours"], r["within_target_pct"]) == (4, 2.5, 7.9, 75.0)
    r = row(result, "2026-03-03", "CRP")
    assert (r["completed"], r["median_tat_hours"], r["p90_tat_hours"], r["within_target_pct"]) == (4, 4.0, 22.2, 75.0)
    r = row(result, "2026-03-04", "CRP")
    assert (r["completed"], r["median_tat_hours"], r["p90_tat_hours"], r["within_target_pct"]) == (
        3, 1.25, 5.05, 66.67)
    assert r["assay"] == lab["assay"].pk
    weekly = compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 8), bucket="week"))
    # 11 values sorted: 0.5 1 1.25 2 3 4 4 4 6 10 30 → median 4; p90 rank 9 → 10
    w = row(weekly, "2026-03-02", "CRP")
    assert (w["completed"], w["median_tat_hours"], w["p90_tat_hours"], w["within_target_pct"]) == (
        11, 4.0, 10.0, round(100 * 8 / 11, 2))


def test_tat_uses_exact_times_and_minutes(lab):
    received = local(2026, 3, 2, 8, 0, 0)
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], received_at=received,
                reported_at=received + timedelta(hours=4, seconds=1), result="x")  # 1 s beyond the 4 h target
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], received_at=received,
                reported_at=received + timedelta(minutes=100, microseconds=500), result="x")
    r = row(compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 2))), "2026-03-02", "CRP")
    assert r["completed"] == 2
    assert r["median_tat_hours"] == round((4 + 1 / 3600 + 100 / 60) / 2, 2) == 2.83
    assert r["within_target_pct"] == 50.0


def test_buckets_are_local_days_iso_weeks_and_months(lab):
    # 23:59:59 local on Monday 2 March is 15:59:59 UTC; midnight local on the 3rd is still the 2nd in UTC.
    reported(lab, local(2026, 3, 2, 20, 0), 3 + 59 / 60 + 59 / 3600)  # → 2026-03-02 23:59:59 local
    reported(lab, local(2026, 3, 2, 20, 0), 4)  # → 2026-03-03 00:00:00 local
    reported(lab, local(2026, 3, 8, 20, 0), 3.5)  # Sunday 23:30 → ISO week of Monday 2 March
    reported(lab, local(2026, 3, 8, 22, 0), 2)  # Monday 9 March 00:00 → next week
    reported(lab, local(2026, 3, 31, 20, 0), 3.99)  # 31 March 23:59:24 → March
    reported(lab, local(2026, 3, 31, 21, 0), 3)  # 1 April 00:00 local (31 March 16:00 UTC) → April
    days = compute(Query(start=date(2026, 3, 2), end=date(2026, 4, 1), bucket="day"))
    assert {r["period"]: r["completed"] for r in days["rows"]} == {
        "2026-03-02": 1, "2026-03-03": 1, "2026-03-08": 1, "2026-03-09": 1, "2026-03-31": 1, "2026-04-01": 1}
    weeks = compute(Query(start=date(2026, 3, 1), end=date(2026, 4, 5), bucket="week"))
    assert {r["period"]: r["completed"] for r in weeks["rows"]} == {
        "2026-03-02": 3, "2026-03-09": 1, "2026-03-30": 2}
    assert weeks["totals"][0]["period"] == "2026-02-23"  # the window's first day (Sunday) is in that ISO week
    months = compute(Query(start=date(2026, 3, 1), end=date(2026, 4, 30), bucket="month"))
    assert [(r["period"], r["completed"]) for r in months["rows"]] == [("2026-03-01", 5), ("2026-04-01", 1)]
    # The window itself is local days: 2 March alone excludes the midnight report of the 3rd.
    assert [r["completed"] for r in compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 2)))["rows"]] == [1]


def test_backlog_is_open_samples_at_the_bucket_end(lab):
    user, c, a = lab["user"], lab["client"], lab["assay"]
    make_sample(user, client=c, assay=a, received_at=local(2026, 3, 1, 10))  # never reported
    reported(lab, local(2026, 3, 2, 11), 22)  # reported 3 March 09:00
    reported(lab, local(2026, 3, 2, 12), 2)  # reported the same day
    make_sample(user, client=c, assay=a, received_at=local(2026, 3, 4, 23, 59))
    result = compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 4)))
    assert [(t["period"], t["completed"], t["backlog"]) for t in result["totals"]] == [
        ("2026-03-02", 1, 2), ("2026-03-03", 1, 1), ("2026-03-04", 0, 2)]
    assert row(result, "2026-03-02", "CRP")["backlog"] == 2
    # A week bucket cut by the window: the backlog is counted at the window's end.
    week = compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 3), bucket="week"))
    assert week["totals"][0]["backlog"] == 1


def test_rows_per_assay_and_per_client_and_filters(lab):
    day = local(2026, 5, 4, 9)
    reported(lab, day, 1)
    reported(lab, day, 3, client="other")
    reported(lab, day - timedelta(days=1), 30, assay="pcr")  # reported 4 May 15:00
    result = compute(Query(start=date(2026, 5, 4), end=date(2026, 5, 4)))
    assert [(r["assay_code"], r["completed"], r["within_target_pct"]) for r in result["rows"]] == [
        ("CRP", 2, 100.0), ("PCR", 1, 0.0)]
    # within target per client uses each sample's own assay target
    assert [(r["client_code"], r["completed"], r["within_target_pct"], r["median_tat_hours"])
            for r in result["clients"]] == [("H1", 2, 50.0, 15.5), ("H2", 1, 100.0, 3.0)]
    only = compute(Query(start=date(2026, 5, 4), end=date(2026, 5, 4), assay_id=lab["pcr"].pk))
    assert [r["assay_code"] for r in only["rows"]] == ["PCR"]
    by_client = compute(Query(start=date(2026, 5, 4), end=date(2026, 5, 4), client_id=lab["other"].pk))
    assert [(r["assay_code"], r["completed"]) for r in by_client["rows"]] == [("CRP", 1)]


def test_rejected_samples_are_never_completed(lab):
    from lab.services import reject_sample

    sample = make_sample(lab["user"], client=lab["client"], assay=lab["assay"], received_at=local(2026, 3, 2, 9))
    reject_sample(sample, user=lab["user"], reason="haemolysed")
    result = compute(Query(start=date(2026, 3, 2), end=date(2026, 3, 2)))
    assert result["rows"] == [] and result["totals"][0]["completed"] == 0


def test_empty_window(lab):
    result = compute(Query(start=date(2026, 1, 1), end=date(2026, 1, 31), bucket="week"))
    assert result["rows"] == [] and result["clients"] == []
    assert [t["period"] for t in result["totals"]][:2] == ["2025-12-29", "2026-01-05"]
    assert all(t["completed"] == 0 and t["median_tat_hours"] is None for t in result["totals"])
