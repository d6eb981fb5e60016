"""The lab throughput endpoint over one million samples received over five years, on SQLite and PostgreSQL: wall
time, answer size and peak memory of the whole five-year window, the last year and the last 30 days, per day, ISO
week and month. Writes its numbers to bench/results/lab_throughput.md.

    .venv/bin/python bench/lab_throughput.py                                         # SQLite (a file database)
    DB_STATEMENT_TIMEOUT_MS=0 .venv/bin/python bench/lab_throughput.py \
        --database-url postgres://postgres@127.0.0.1:5432/lims_bench   # the COPY outlasts the 30 s default

Both run against a throw-away *test* database (``test_<name>``, created here and kept between runs so the
million rows are generated once; ``--fresh`` regenerates them). FAST PATH, FOR THIS BENCHMARK DATABASE ONLY:
the samples are bulk-inserted straight into ``lab_sample`` (executemany on SQLite, COPY on PostgreSQL), without
history rows and without the services — which the application itself never does on a tracked model — because
generating a million audited samples through ``receive_samples`` would take minutes and measure the intake,
not the throughput query. Clients and assays still go through the services. The throughput rollup
(lab.models.ThroughputDay, which the services keep current) is then rebuilt with ``lab.rollup.rebuild`` — the
work of ``manage.py rebuild_lab_throughput`` — and timed; before anything is measured the rollup's figures are
checked equal to the direct computation from the samples (``lab.throughput.compute_direct``) for the
five-year window by day.

What is timed: ``lab.throughput.compute`` (the function behind ``GET /api/v1/lab/throughput/``) and the
endpoint itself through DRF's test client (authentication, validation, JSON), each the best of ``--repeat``
runs; peak memory is the tracemalloc peak of one separate run of the function (Python allocations, including
pandas/NumPy buffers) and the process's maximum resident set size. The rebuild leaves no period stale, so
those reads use the kept periods; then, in a transaction rolled back, 20 samples are received and reported
through the services on the last data day (its day, week and month marked stale, lab.rollup) and the five-year
windows are timed again (the stale periods ranked from their day arrays), then after ``lab.rollup.refresh``.
"""

import argparse
import hashlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "lab_throughput.md"
ASSAYS = [("COV-AG", 4, 12), ("COV-PCR", 24, 8), ("FLU-AG", 4, 6), ("CBC", 4, 20), ("CRP", 4, 14),
          ("HBA1C", 24, 8), ("PCT", 6, 5), ("LFT", 8, 9), ("CULT", 72, 5), ("HPV", 72, 4), ("IGRA", 48, 2),
          ("CTDNA", 240, 1)]
CLIENTS = 15
END = date(2026, 10, 31)  # the data end here
DAYS = 1826  # five years of samples before END


def setup(database_url, fresh):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tempfile.gettempdir()}/lims_bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":  # a file, like the embedded default (the test default would be in memory)
        name = Path(connection.settings_dict["NAME"])  # beside the given file: parallel runs keep apart
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(name.with_name(f"test_{name.stem}5y.sqlite3"))
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not fresh, serialize=False)
    return connection


def master_data():
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from lab.models import Assay, Client
    from lims.services import create_record

    user, _ = get_user_model().objects.get_or_create(username="bench-lab", defaults={"is_superuser": True})
    for i in range(CLIENTS):
        if not Client.objects.filter(code=f"H{i:02d}").exists():
            create_record(Client, {"code": f"H{i:02d}", "name": f"Hospital {i}", "kind": "hospital"}, user=user,
                          reason="bench")
    for code, target, _w in ASSAYS:
        if not Assay.objects.filter(code=code).exists():
            create_record(Assay, {"code": code, "name": code, "method": "bench", "tat_target_hours": target,
                                  "price": Decimal(10)}, user=user, reason="bench")
    return user, list(Client.objects.values_list("id", flat=True)), dict(Assay.objects.values_list("code", "id"))


def generate(connection, n, clients, assays, seed=7):
    """n samples received over the DAYS days before END (local hours weighted like a lab's day), log-normal TAT
    around 55 % of each assay's target; 0.5 % still open, 1 % rejected. Inserted directly (see the docstring)."""
    import numpy as np

    from lab.models import Sample

    if Sample.objects.count() == n:
        return False
    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lab_sample")
    hours = np.array([1, .5, .3, .3, .3, .5, 1, 3, 8, 10, 9, 7, 4, 5, 8, 9, 7, 5, 3, 2, 2, 1.5, 1.2, 1])
    start_us = (np.datetime64(END, "us") - np.timedelta64(DAYS, "D")).astype(np.int64) - 8 * 3_600_000_000
    day = rng.integers(0, DAYS, n)
    hour = rng.choice(24, n, p=hours / hours.sum())
    received = start_us + day * 86_400_000_000 + hour * 3_600_000_000 + rng.integers(0, 3_600_000_000, n)
    which = rng.choice(len(ASSAYS), n, p=np.array([a[2] for a in ASSAYS]) / sum(a[2] for a in ASSAYS))
    target_h = np.array([a[1] for a in ASSAYS])[which]
    tat_us = (rng.lognormal(np.log(target_h * 0.55), 0.45) * 3_600_000_000).astype(np.int64)
    fate = rng.random(n)
    reported = received + tat_us
    assay_ids = np.array([assays[a[0]] for a in ASSAYS])[which]
    client_ids = np.array(clients)[rng.integers(0, len(clients), n)]

    order = np.argsort(received, kind="stable")  # a lab receives in time order: rowids follow received_at
    received, reported, fate = received[order], reported[order], fate[order]
    assay_ids, client_ids = assay_ids[order], client_ids[order]

    def text(us):
        return np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()

    status = np.where(fate < 0.005, "received", np.where(fate < 0.015, "rejected", "reported")).tolist()
    rec_s, rep_s = text(received), text(reported)
    now = rec_s[-1]
    rows = [
        (1, now, now, f"B{i:08d}", c, a, st, rec, None, rep if st == "reported" else None,
         rec if st == "rejected" else None, "negative" if st == "reported" else "", None, "", "", "")
        for i, (c, a, st, rec, rep) in enumerate(zip(client_ids.tolist(), assay_ids.tolist(), status, rec_s, rep_s,
                                                     strict=True))
    ]
    columns = ("version, created_at, updated_at, barcode, client_id, assay_id, status, received_at, started_at, "
               "reported_at, rejected_at, result, result_value, result_unit, rejection_reason, outcome")
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.executemany(f"INSERT INTO lab_sample ({columns}) VALUES ({', '.join('?' * 16)})", rows)
        raw.commit()
        raw.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY lab_sample ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([v if not isinstance(v, str) or i not in (1, 2, 7, 9, 10) else v + "+00"
                                    for i, v in enumerate(row)])
            cursor.execute("ANALYZE lab_sample")
        connection.commit() if not connection.get_autocommit() else None
    return True


WINDOWS = (("five years", DAYS), ("one year", 365), ("30 days", 30))


def measure(repeat):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from lab.throughput import Query, compute, compute_direct

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="bench-lab"))
    full = Query(start=END - timedelta(days=DAYS - 1), end=END, bucket="day")
    t = time.perf_counter()
    direct = compute_direct(full)
    direct_s = time.perf_counter() - t
    assert compute(full) == direct, "the rollup's figures differ from the direct computation"
    print(f"  rollup figures equal the direct computation (direct: {direct_s:.2f} s)")
    results = []
    for label, days in WINDOWS:
        start = END - timedelta(days=days - 1)
        for bucket in ("day", "week", "month"):
            query = Query(start=start, end=END, bucket=bucket)
            times, api_times = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                figures = compute(query)
                times.append(time.perf_counter() - t)
            for _ in range(repeat):
                t = time.perf_counter()
                response = client.get("/api/v1/lab/throughput/", {"start": start.isoformat(), "end": END.isoformat(),
                                                                  "bucket": bucket})
                assert response.status_code == 200, response.content[:300]
                api_times.append(time.perf_counter() - t)
            size = len(response.content)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before tracemalloc's own overhead
            tracemalloc.start()
            compute(query)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            completed = sum(t["completed"] for t in figures["totals"])
            # The same figures on both databases: a digest of everything but the ids (which differ between runs).
            digest = hashlib.sha256(json.dumps([{k: v for k, v in r.items() if k != "assay"} for r in figures["rows"]]
                                               + figures["totals"], sort_keys=True).encode()).hexdigest()[:12]
            results.append({"window": label, "bucket": bucket, "best_s": min(times), "api_best_s": min(api_times),
                            "api_worst_s": max(api_times),
                            "bytes": size, "peak_mb": peak / 2**20, "rows": len(figures["rows"]),
                            "completed": completed, "digest": digest, "rss_mb": rss, "direct_s": direct_s})
            print(f"  {label:10} {bucket:5} function {min(times):.3f} s, API {min(api_times):.3f} s, "
                  f"{size / 1024:.0f} KiB, peak {peak / 2**20:.0f} MiB, {len(figures['rows'])} rows, "
                  f"{completed} completed, figures {digest}")
    return results


def measure_stale(repeat, writes=20):
    """Five years by day / week / month right after ``writes`` service writes on the last data day (stale
    periods), then after the refresh; everything rolled back. Returns the line for the results."""
    from datetime import datetime

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from lab import rollup, services
    from lab.models import Assay, Client
    from lab.throughput import Query, compute, compute_direct

    user = get_user_model().objects.get(username="bench-lab")
    client, assay = Client.objects.order_by("pk").first(), Assay.objects.order_by("pk").first()

    def best(bucket):
        query = Query(start=END - timedelta(days=DAYS - 1), end=END, bucket=bucket)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            compute(query)
            times.append(time.perf_counter() - t)
        return min(times)

    class Rollback(Exception):
        pass

    out = {}
    try:
        with transaction.atomic():
            base = timezone.make_aware(datetime.combine(END - timedelta(days=1), datetime.min.time())) \
                + timedelta(hours=9)
            for i in range(writes):
                (s,) = services.receive_samples([{"client": client, "assay": assay,
                                                  "received_at": base + timedelta(minutes=i)}], user=user,
                                                reason="bench")
                services.report_result(s, user=user, reason="bench", result="negative",
                                       reported_at=base + timedelta(minutes=i, hours=2))
            stale = len(rollup.stale_periods())
            out["stale"] = [best(b) for b in ("day", "week", "month")]
            month = Query(start=END - timedelta(days=DAYS - 1), end=END, bucket="month")
            assert compute(month) == compute_direct(month), "stale periods: figures differ from the direct ones"
            t = time.perf_counter()
            refreshed = rollup.refresh()
            out["refresh"] = time.perf_counter() - t
            out["fresh"] = [best(b) for b in ("day", "week", "month")]
            raise Rollback
    except Rollback:
        pass
    line = (f"After {writes} receive + report on {END - timedelta(days=1)} ({stale} periods stale), five years by "
            f"day / week / month: {' / '.join(f'{v:.3f}' for v in out['stale'])} s (function, best of {repeat}); "
            f"`lab.rollup.refresh` of the {refreshed} periods {out['refresh']:.3f} s, then "
            f"{' / '.join(f'{v:.3f}' for v in out['fresh'])} s (rolled back).")
    print(f"  {line}")
    return line


def write(vendor, n, results, generated_s, rebuilt_s, stale_line=""):
    maxrss = max(r["rss_mb"] for r in results)
    lines = [f"## {vendor}", "",
             f"{n:,} samples received over {DAYS} local days ending {END}; the rollup rebuilt from them in "
             f"{rebuilt_s:.1f} s; its figures equal the direct computation from the samples (which takes "
             f"{results[0]['direct_s']:.2f} s for the five-years-by-day window); best / worst of the runs; "
             f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
             f"{os.cpu_count()} CPUs (a shared, busy machine); data generation {generated_s}; process max RSS "
             f"{maxrss:.0f} MiB; load average at the end {' / '.join(f'{v:.2f}' for v in os.getloadavg())} "
             f"(1 / 5 / 15 min)." + (f" {stale_line}" if stale_line else ""), "",
             "| window | bucket | function (s) | endpoint best / worst (s) | answer (KiB) | peak traced memory (MiB) "
             "| rows | completed | figures digest |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        lines.append(f"| {r['window']} | {r['bucket']} | {r['best_s']:.3f} | {r['api_best_s']:.3f} / "
                     f"{r['api_worst_s']:.3f} | {r['bytes'] / 1024:,.0f} | {r['peak_mb']:.0f} | {r['rows']:,} | "
                     f"{r['completed']:,} | `{r['digest']}` |")
    section = "\n".join(lines) + "\n"
    head = ("# Lab throughput benchmark\n\n`bench/lab_throughput.py` — see its docstring for what is measured and "
            "how the data are made.\n\n")
    existing = RESULTS.read_text() if RESULTS.exists() else head
    parts = existing.split("\n## ")
    kept = [parts[0].rstrip() + "\n\n"] + ["## " + p.rstrip() + "\n\n" for p in parts[1:]
                                            if not p.startswith(vendor)]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("".join(kept) + section)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the benchmark database")
    args = parser.parse_args()
    connection = setup(args.database_url, args.fresh)
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    print(f"{vendor}: {connection.settings_dict['NAME']}")
    _user, clients, assays = master_data()
    t = time.perf_counter()
    made = generate(connection, args.rows, clients, assays)
    generated = f"{time.perf_counter() - t:.0f} s" if made else "reused"
    print(f"  data: {generated}")
    from lab import rollup

    t = time.perf_counter()
    rows = rollup.rebuild()
    rebuilt = time.perf_counter() - t
    print(f"  rollup: {rows} day × assay rows in {rebuilt:.1f} s")
    results = measure(args.repeat)
    stale_line = measure_stale(args.repeat)
    write(vendor, args.rows, results, generated, rebuilt, stale_line)
    print(f"  written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
