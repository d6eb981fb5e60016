"""Readings per second through the real API endpoint (POST /api/v1/production/readings/, token auth, JSON,
batches of 1,000), on SQLite or PostgreSQL. Writes its numbers to bench/results/readings_ingest.md.

    .venv/bin/python bench/readings_ingest.py                                   # SQLite (a temporary file)
    .venv/bin/python bench/readings_ingest.py --database-url postgres://…/lims  # PostgreSQL (a test_ database)

The database is a fresh test database (created and dropped here); 8 points of an ISO 8 room post one reading
a minute each; one batch in 20 carries an excursion, so the detection path is measured too.
"""

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "readings_ingest.md"


def setup(database_url):
    sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def fixtures():
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from lims.roles import sync_roles
    from lims.services import create_record
    from production.models import CleanRoom
    from production.monitoring import services

    sync_roles()
    user = get_user_model().objects.create_user("bench-counter", password="x")
    user.groups.add(Group.objects.get(name="Production"))
    room = create_record(CleanRoom, {"code": "CR-B", "name": "Bench", "iso_class": 8, "area_m2": Decimal("700")},
                         user=user, reason="bench")
    from django.utils import timezone

    services.set_default_limits(room, user=user, reason="bench", valid_from=timezone.now() - timedelta(days=30))
    points = [services.create_point({"code": f"B-{i}", "clean_room": room, "measures_particles": True,
                                     "measures_temperature": True, "measures_humidity": True,
                                     "measures_pressure": True}, user=user, reason="bench") for i in range(8)]
    token, _ = Token.objects.get_or_create(user=user)
    return points, token.key


def bodies(points, batches, size):
    from django.utils import timezone

    per_point = size // len(points)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=per_point * batches + 10)
    for b in range(batches):
        rows = []
        excursion = b % 20 == 10
        for p in points:
            for m in range(per_point):
                minute = b * per_point + m
                t = start + timedelta(minutes=minute)
                high = excursion and 10 <= m < 20
                rows.append({"point": p.pk, "measured_at": t.isoformat(),
                             "particles_0_5um": 3_800_000 if high else 600_000 + (minute * 7919) % 90_000,
                             "particles_5um": 2_900 + (minute * 31) % 400, "temperature_c": 21.3,
                             "humidity_pct": 52.0, "pressure_pa": 15.2})
        yield json.dumps(rows)


def run(batches, size):
    from rest_framework.test import APIClient

    from production.monitoring.models import Excursion, Reading

    points, token = fixtures()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    payloads = list(bodies(points, batches, size))  # encoded before the clock starts, as a client would
    # warm-up (imports, first queries) outside the measurement, on readings in the past of the run
    timings = []
    for body in payloads:
        t = time.perf_counter()
        response = client.post("/api/v1/production/readings/", body, content_type="application/json")
        timings.append(time.perf_counter() - t)
        assert response.status_code == 201, response.content[:500]
    total = sum(timings)
    stored = Reading.objects.count()
    # The same batches again: every reading a duplicate, ignored.
    t = time.perf_counter()
    for body in payloads[:5]:
        assert client.post("/api/v1/production/readings/", body, content_type="application/json").json()[
            "duplicates"] == size
    dup_rate = 5 * size / (time.perf_counter() - t)
    timings.sort()
    return {"readings": stored, "batches": batches, "size": size, "seconds": total,
            "rate": stored / total, "p50_ms": 1000 * timings[len(timings) // 2],
            "p95_ms": 1000 * timings[int(len(timings) * 0.95)], "duplicate_rate": dup_rate,
            "excursions": Excursion.objects.count()}


def write(vendor, version, result):
    section = (
        f"## {vendor} {version}\n\n"
        f"- {result['readings']:,} readings in {result['batches']} POSTs of {result['size']:,} "
        f"(8 points × {result['size'] // 8} minutes, 5 values each; {result['excursions']} excursions detected)\n"
        f"- **{result['rate']:,.0f} readings/s** ({result['seconds']:.2f} s in total; per request p50 "
        f"{result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms)\n"
        f"- re-posting the same batches (all duplicates, ignored): {result['duplicate_rate']:,.0f} readings/s\n"
        f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · Python {platform.python_version()} · "
        f"{platform.machine()} · "
        f"{os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f} at the end (other work on the machine "
        f"slows this down: compare runs at a similar load)\n\n"
    )
    head = ("# Readings ingestion through the API\n\n"
            "`bench/readings_ingest.py`: `POST /api/v1/production/readings/` with the Django test client (the whole "
            "middleware, token authentication, DRF, validation of every row, insert, excursion detection), "
            "in batches of 1,000 readings. Aim: ≥ 5,000 readings/s.\n\n")
    text = RESULTS.read_text() if RESULTS.exists() else head
    if not text.startswith("# "):
        text = head
    pattern = re.compile(rf"## {re.escape(vendor)} .*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + \
        "\n\n" + section
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text.rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args()
    connection = setup(args.database_url)
    try:
        result = run(args.batches, args.size)
        vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
        with connection.cursor() as cursor:
            cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0].replace("PostgreSQL ", "")
        write(vendor, version, result)
        print(f"{vendor}: {result['rate']:,.0f} readings/s ({result['readings']} readings, "
              f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms)")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
