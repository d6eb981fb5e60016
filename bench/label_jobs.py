"""Streamed label jobs (issue 12): one print job's PDF rendered RENDER_CHUNK labels at a time and streamed as one
PDF (lims.labels.stream.stream_labels, as production.labelling.services.job_pdf does), compared with the label
benchmark's single-document rates (bench/labels.py). Case labels each carry their own serial (and DataMatrix);
unit labels are one item repeated. Peak resident memory is reported to show it stays at one chunk.
No database is used: ``--database-url`` is accepted (bench/run.py passes it) and ignored.

Run: .venv/bin/python bench/label_jobs.py  → bench/results/label_jobs.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")

import django  # noqa: E402

django.setup()

from bench.labels import KIT  # noqa: E402
from lims.labels.stream import stream_labels  # noqa: E402
from production.labelling.services import RENDER_CHUNK  # noqa: E402

JOBS = [("case", "a4-2x4", 10_000), ("unit", "roll-60x40", 40_000), ("unit", "a4-3x8", 40_000)]


def run(template: str, stock: str, n: int) -> tuple[float, int, int]:
    def items(start, stop):
        if template == "case":
            return [replace(KIT, serial=f"{i + 1:06d}") for i in range(start, stop)]
        return [KIT] * (stop - start)

    started = time.perf_counter()
    first_byte = None
    size = 0
    for part in stream_labels(template, items, n, stock, chunk=RENDER_CHUNK):
        if first_byte is None and size > 100:
            first_byte = time.perf_counter() - started
        size += len(part)
    return time.perf_counter() - started, size, first_byte or 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.parse_args()
    rows = []
    for template, stock, n in JOBS:
        seconds, size, first = run(template, stock, n)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        rows.append(f"| {template} | {stock} | {n:,} | {seconds:.1f} s | {n / seconds:,.0f} /s | {first:.2f} s | "
                    f"{size / 1e6:.1f} MB | {rss} MiB |")
        print(rows[-1], flush=True)
    load = os.getloadavg()
    text = "\n".join([
        "# Streamed label jobs", "",
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average at the end {load[0]:.1f} (other work was running).",
        f"Chunk: {RENDER_CHUNK} labels. Peak RSS is the process's maximum so far (cumulative over the rows).", "",
        "| template | stock | labels | time | rate | first bytes after | PDF | peak RSS |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, ""])
    out = ROOT / "bench" / "results" / "label_jobs.md"
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
