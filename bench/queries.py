"""The database's own time for the list queries on the generated data (EXPLAIN ANALYZE on PostgreSQL, wall time
of the query on SQLite): what the indexes and keys buy, apart from Python and HTTP (bench/pages.py measures
those). Writes bench/results/queries-<database>.md.

    .venv/bin/python bench/queries.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    os.environ.setdefault("SECRET_KEY", "bench-queries-only")
    import django

    django.setup()
    from django.db import connection

    from lab.models import Sample
    from lims import history, paging
    from production.models import Batch
    from production.monitoring.listing import readings_queryset
    from production.monitoring.models import MonitoringPoint

    def page_qs(qs, depth=None, size=50):
        keys = paging.order_keys(qs)
        base = paging.with_keys(qs, keys)
        if depth:
            row = paging.ordered(base, keys)[depth]
            base = base.filter(paging._beyond(keys, paging.row_values(row, keys), False))
        return paging.ordered(base, keys)[: size + 1]

    def timed(label, qs=None, fn=None):
        best = None
        for _i in range(5):
            if qs is not None and connection.vendor == "postgresql":
                sql, params = qs.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                    plan = cursor.fetchone()[0]
                ms = plan[0]["Execution Time"]
            else:
                started = time.perf_counter()
                list(qs.all()) if qs is not None else fn()
                ms = (time.perf_counter() - started) * 1000
            best = ms if best is None else min(best, ms)
        rows.append((label, best))
        print(label, f"{best:.2f} ms", flush=True)

    rows = []
    batches = Batch.objects.order_by("-manufactured_on", "-lot_number")
    samples = Sample.objects.order_by("-received_at", "-id")
    timed("batch list page 1 (keyset)", page_qs(batches))
    timed("batch list at row 50,000 (keyset)", page_qs(batches, 49_900))
    timed("batch list page 1000 by OFFSET (before)", batches.order_by("-manufactured_on", "pk")[49_950:50_000])
    timed("batch count, bounded at 10,001", fn=lambda: paging.bounded_count(Batch.objects.all()))
    timed("sample list page 1 (keyset)", page_qs(samples))
    timed("sample list at row 500,000 (keyset)", page_qs(samples, 500_000))
    timed("sample list page 10,000 by OFFSET (before)", samples.order_by("-received_at", "pk")[499_950:500_000])
    timed("sample count (bounded + estimate)", fn=lambda: paging.bounded_count(Sample.objects.all()))
    timed("sample exact COUNT(*) (before)", fn=lambda: Sample.objects.count())
    point = MonitoringPoint.objects.order_by("code").first()
    readings = readings_queryset(point=point)
    timed(f"readings of {point.code} page 1", page_qs(readings))
    timed(f"readings of {point.code} at row 1,000,000", page_qs(readings, 1_000_000))
    timed("/audit/ page 1 (keyset over every history table)", fn=lambda: history.audit_page(size=50))
    cursor = history.audit_page(size=50).next_cursor
    timed("/audit/ page 2 by cursor", fn=lambda: history.audit_page(size=50, cursor=cursor))
    timed("audit count (bounded + estimate, API only)", fn=lambda: history.audit_count())
    out = ROOT / "bench" / "results" / f"queries-{connection.vendor}{args.label}.md"
    text = [f"## Query times on {connection.vendor} (best of 5; PostgreSQL: EXPLAIN ANALYZE execution time)", "",
            f"Load average {os.getloadavg()[0]:.1f} (2 shared cores).", "",
            "| query | ms |", "| --- | ---: |"] + [f"| {label} | {ms:,.2f} |" for label, ms in rows]
    out.write_text("\n".join(text) + "\n")
    print("\n".join(text))


if __name__ == "__main__":
    main()
