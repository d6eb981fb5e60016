"""Audit-trail verification rate and memory: ``lims.integrity.verify_audit`` over millions of chained history
rows, on SQLite or PostgreSQL. Writes its numbers to bench/results/audit_verify.md.

    .venv/bin/python bench/audit_verify.py                                   # SQLite (a temporary file)
    .venv/bin/python bench/audit_verify.py --database-url postgres://…/lims  # PostgreSQL (<name>_audit_bench)
    .venv/bin/python bench/audit_verify.py --rows 1000000                    # fewer rows

A fresh database is migrated; the test suite's factories write one record of every tracked model through the
services (so every history table has real rows); then ``--rows`` history rows (default 4,000,000) are added to
four history tables (lab samples, batches, material lots, projects): copies of the real row with a new id, time
and reason, each with its correct chain hash (inserted in bulk; computing the hashes is part of the generation
time). The verification then runs in a fresh process (``--verify-only``), so that its peak RSS
(``getrusage``) is the verification's own and not the generator's.
"""

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "audit_verify.md"
TABLES = ["lab.Sample", "production.Batch", "production.MaterialLot", "incubator.Project"]


def django_setup(database_url):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")
    import django

    django.setup()


def recreate_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_audit_bench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def drop_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generate(rows):
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from lims import integrity
    from tests.core.test_every_model_audited import all_factories

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    from tests.conftest import PASSWORD

    user = get_user_model().objects.create_superuser("bench-writer", password=PASSWORD)  # factories sign
    for make in all_factories().values():
        make(user, "bench")
    per_table = rows // len(TABLES)
    qn = connection.ops.quote_name
    t0 = time.perf_counter()
    for label in TABLES:
        hist = apps.get_model(label).history.model
        table = hist._meta.db_table
        cols = integrity.columns(hist)
        names = [c.attname for c in cols]
        hash_name = "history_hash"
        template = list(hist.objects.order_by("-history_id").values_list(*names)[0])
        index = {n: i for i, n in enumerate(names)}
        sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(hist._meta.get_field(n).column) for n in names)}, "
               f"{qn(hash_name)}) VALUES ({', '.join(['%s'] * (len(names) + 1))})")
        with transaction.atomic():
            last_id, previous = integrity._chain_head(hist, "default")
            base_date = template[index["history_date"]]
            done = 0
            while done < per_table:
                batch = []
                for _ in range(min(20_000, per_table - done)):
                    last_id += 1
                    done += 1
                    values = list(template)
                    values[index["history_id"]] = last_id
                    values[index["history_date"]] = base_date + timedelta(microseconds=done * 1000)
                    values[index["history_change_reason"]] = f"bench change {done}"
                    values[index["history_type"]] = "~"
                    previous = integrity.row_hash(table, previous, integrity.canonical(cols, values))
                    batch.append([*values, previous])
                with connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
        print(f"  {table}: {per_table:,} rows", flush=True)
    generate_s = time.perf_counter() - t0
    return {"migrate_s": migrate_s, "generate_s": generate_s}


def verify():
    from django.db import connection

    from lims.integrity import verify_audit

    connection.ensure_connection()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = verify_audit()
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"ok": result.ok, "breaks": len(result.breaks), "rows": result.rows_checked, "tables": result.tables,
            "seconds": seconds, "rate": result.rows_checked / seconds, "baseline_mb": baseline / 1024,
            "peak_mb": peak / 1024}


def vendor_version():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL", cursor.fetchone()[0]
        cursor.execute("SELECT sqlite_version()")
        return "SQLite", cursor.fetchone()[0]


def write(vendor, version, gen, res, requested):
    section = (
        f"## {vendor} {version}\n\n"
        f"- {res['rows']:,} chained rows in {res['tables']} tables ({requested:,} generated in 4 history tables "
        f"plus the factories' rows of every table and the signatures); migrate {gen['migrate_s']:.0f} s, "
        f"generating and inserting the rows with their hashes {gen['generate_s']:.0f} s\n"
        f"- verification: **{res['rate']:,.0f} rows/s** ({res['seconds']:.1f} s), result "
        f"{'intact' if res['ok'] else 'NOT intact: ' + str(res['breaks']) + ' breaks'}\n"
        f"- memory: peak RSS of the verifying process {res['peak_mb']:.0f} MB, of which "
        f"{res['baseline_mb']:.0f} MB before the verification started (Django and the app loaded): the walk "
        f"reads keyset pages of 5,000 rows, memory does not grow with the number of rows\n"
        f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · Python {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f} at the end (other "
        f"work on the machine slows this down: compare runs at a similar load)\n\n"
    )
    head = ("# Audit-trail verification\n\n"
            "`bench/audit_verify.py`: `lims.integrity.verify_audit()` (what `manage.py verify_audit`, "
            "`GET /api/v1/audit/verify/` and the page `/audit/verify/` run) recomputes the SHA-256 chain of every "
            "history table and of the signatures, in history-id order, in keyset pages.\n\n")
    text = RESULTS.read_text() if RESULTS.exists() else head
    if not text.startswith("# "):
        text = head
    pattern = re.compile(rf"## {re.escape(vendor)} .*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + \
        "\n\n" + section
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text.rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--verify-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_only:
        django_setup(args.database_url)
        print(json.dumps(verify()))
        return
    if args.database_url.startswith("postgres"):
        url = recreate_postgres(args.database_url)
        cleanup = lambda: drop_postgres(url)  # noqa: E731
    else:
        folder = tempfile.mkdtemp()
        url = f"sqlite:///{folder}/audit_bench.sqlite3"
        cleanup = lambda: [p.unlink() for p in Path(folder).glob("audit_bench.sqlite3*")]  # noqa: E731
    try:
        django_setup(url)
        gen = generate(args.rows)
        vendor, version = vendor_version()
        from django.db import connections

        connections.close_all()
        out = subprocess.run([sys.executable, __file__, "--verify-only", "--database-url", url],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        write(vendor, version, gen, res, args.rows)
        print(f"{vendor}: {res['rows']:,} rows verified at {res['rate']:,.0f} rows/s, peak RSS "
              f"{res['peak_mb']:.0f} MB (ok={res['ok']})")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
