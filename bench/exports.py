"""Export rate with depth and memory (issue #14): the sample list CSV and XLSX and the audit-trail CSV streamed
through the same code as the pages (``ListPage.export`` / ``lims.views._audit_export``), timed per segment of
rows so that a rate falling with depth would show. Writes bench/results/exports-<database>.md.

    .venv/bin/python bench/exports.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench --rows 300000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(label, chunks, rows_per_chunk_estimate, limit, segments=5):
    """Consume a streamed body; report rows/s for each 1/segments of ``limit`` rows (counted by newlines for CSV)."""
    cpu = time.process_time()
    out, started, seg_start, seen, seg_rows = [], time.perf_counter(), time.perf_counter(), 0, limit // segments
    next_mark, total_bytes = seg_rows, 0
    for chunk in chunks:
        total_bytes += len(chunk)
        seen += chunk.count(b"\n") if rows_per_chunk_estimate is None else rows_per_chunk_estimate
        if seen >= next_mark:
            now = time.perf_counter()
            out.append(seg_rows / (now - seg_start))
            seg_start, next_mark = now, next_mark + seg_rows
        if seen >= limit:
            break
    elapsed = time.perf_counter() - started
    return {"label": label, "rows": seen, "seconds": elapsed, "segments": out, "bytes": total_bytes,
            "cpu_seconds": time.process_time() - cpu,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    os.environ.setdefault("SECRET_KEY", "bench-exports-only")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory

    from lab.views import SampleList
    from lims.audit_views import _audit_export

    admin = get_user_model().objects.get(username="admin")
    load_before = os.getloadavg()[0]
    results = []
    for fmt in ("csv", "xlsx"):
        request = RequestFactory().get("/lab/samples/", {"export": fmt})
        request.user = admin
        request.lims_export_inline = True  # as the background task streams it (lims.exports.export_task)
        response = SampleList.as_view()(request)
        if fmt == "csv":
            results.append(measure("sample list CSV", response.streaming_content, None, args.rows))
        else:  # the XLSX body is compressed: count the rows fed to the writer instead
            view = SampleList()
            view.setup(request)
            from lims import exports

            fed = {"n": 0}

            def rows(view=view, fed=fed):
                for r in view.export_rows():
                    fed["n"] += 1
                    yield r

            body = exports.xlsx_chunks("samples", view.export_header(), rows(), batch=1000)
            cpu = time.process_time()
            started, marks, last, seg = time.perf_counter(), [], time.perf_counter(), args.rows // 5
            nbytes = 0
            for chunk in body:
                nbytes += len(chunk)
                if fed["n"] >= seg * (len(marks) + 1):
                    now = time.perf_counter()
                    marks.append(seg / (now - last))
                    last = now
                if fed["n"] >= args.rows:
                    break
            results.append({"label": "sample list XLSX", "rows": fed["n"], "seconds": time.perf_counter() - started,
                            "segments": marks, "bytes": nbytes, "cpu_seconds": time.process_time() - cpu,
                            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
        print(results[-1], flush=True)
    results.append(measure("audit trail CSV", _audit_export(None, "csv", {}, None).streaming_content, None, args.rows))
    print(results[-1], flush=True)
    text = [f"## Export rates on {connection.vendor} (first {args.rows:,} rows of each; load average "
            f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on 2 shared cores)", "",
            "Wall rate: rows / elapsed seconds, what a person waits for. CPU rate: rows / CPU seconds of the "
            "exporting process (user + system; the database server's own CPU is not included) — the export's cost "
            "without the other work that competes for the two cores.", "",
            "| export | rows | rows/s wall | rows/s per fifth (wall), first → last | rows per CPU second | "
            "peak RSS MB |",
            "| --- | ---: | ---: | --- | ---: | ---: |"]
    for r in results:
        text.append(f"| {r['label']} | {r['rows']:,} | {r['rows'] / r['seconds']:,.0f} | "
                    f"{' → '.join(f'{x:,.0f}' for x in r['segments'])} | {r['rows'] / r['cpu_seconds']:,.0f} | "
                    f"{r['maxrss_mb']:,.0f} |")
    out = ROOT / "bench" / "results" / f"exports-{connection.vendor}.md"
    out.write_text("\n".join(text) + "\n")
    print("\n".join(text))


if __name__ == "__main__":
    main()
