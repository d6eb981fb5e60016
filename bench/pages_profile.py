"""Where the time of each bench/pages.py case goes, server side: every case requested through Django's test
client in this process (no gunicorn, no network) against the generated data, with each SQL statement timed
(``connection.queries``), optionally EXPLAIN ANALYZE of each statement and a cProfile of the request.

    .venv/bin/python bench/pages_profile.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench
    .venv/bin/python bench/pages_profile.py --database-url ... --only "sample list search" --explain --profile

Prints per case: median wall time of ``--repeat`` requests, the number of queries, the time in SQL, and the
slowest statements. A tool for finding costs, not a benchmark (bench/pages.py is the benchmark).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--only", default="", help="comma-separated case name prefixes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements")
    parser.add_argument("--profile", action="store_true", help="cProfile one request of each case")
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    os.environ.setdefault("SECRET_KEY", "bench-profile-only")
    os.environ.setdefault("INSECURE_HTTP", "1")
    import django

    django.setup()
    import pages as bench_pages
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client

    settings.DEBUG = False
    plan = bench_pages.cases()
    print({k: f"{v:,}" for k, v in plan["counts"].items()})
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    token = bench_pages.token()
    prefixes = [p for p in args.only.split(",") if p]
    for name, url, _admin in plan["cases"]:
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if url.startswith("/api/") else {}
        connection.force_debug_cursor = True
        walls, queries = [], []
        for _i in range(args.repeat + 1):
            reset_queries()
            started = time.perf_counter()
            try:
                response = client.get(url, **headers)
            except Exception as exc:
                print(f"{name}: {type(exc).__name__}: {exc}")
                break
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            walls.append(time.perf_counter() - started)
            queries = list(connection.queries)
            if response.status_code != 200:
                print(f"{name}: {response.status_code}")
                break
        connection.force_debug_cursor = False
        if not walls:
            continue
        walls = walls[1:] or walls
        sql_time = sum(float(q["time"]) for q in queries)
        print(f"\n== {name}  {url[:90]}\n   wall median {statistics.median(walls) * 1000:.1f} ms, "
              f"{len(queries)} queries, SQL {sql_time * 1000:.1f} ms (last run)")
        for q in sorted(queries, key=lambda q: -float(q["time"]))[: args.top]:
            print(f"   {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
            if args.explain and not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")):
                prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                with connection.cursor() as cursor:
                    try:
                        cursor.execute(prefix + q["sql"])
                        for line in cursor.fetchall():
                            print("        " + " | ".join(str(x) for x in line))
                    except Exception as exc:  # a statement with literal % or params inlined oddly
                        print(f"        (no plan: {exc})")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            response = client.get(url, **headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(r"/(lims|lab|production|qc|regulatory|incubator)/", 40)
            print(out.getvalue())


if __name__ == "__main__":
    main()
