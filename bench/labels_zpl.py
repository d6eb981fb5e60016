"""ZPL label jobs (issue 21): a 40,000-label job as ZPL II (lims.labels.zpl.zpl_stream, as
production.labelling.services.job_zpl makes it), streamed to a printer — a local TCP listener that reads and
discards, as a thermal printer's port 9100 would take it — at 8 and 12 dots/mm; and the same case job as PDF
(lims.labels.stream.stream_labels) for comparison with the label benchmarks' rates (bench/labels.py,
bench/label_jobs.py). Case labels each carry their own serial in the DataMatrix (^BX) and as text; unit labels are
one format with a print quantity (^PQ). No database is used: ``--database-url`` is accepted and ignored.

Target (issue 21): ≥ 2,000 labels/s of generated ZPL for a 40,000-label job.

Run: .venv/bin/python bench/labels_zpl.py [--pdf-labels 40000]  → bench/results/labels_zpl.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")

import django  # noqa: E402

django.setup()

from bench.labels import KIT  # noqa: E402
from lims.labels import zpl  # noqa: E402
from lims.labels.stream import stream_labels  # noqa: E402
from production.labelling.services import RENDER_CHUNK  # noqa: E402

LABELS = 40_000


def items_for(template):
    def items(start, stop):
        if template == "case":
            return [replace(KIT, serial=f"{i + 1:06d}") for i in range(start, stop)]
        return [KIT] * (stop - start)
    return items


class Sink:
    """A printer's raw port on 127.0.0.1: reads everything and counts the bytes."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                while data := connection.recv(1 << 20):
                    self.received += len(data)


def zpl_row(template: str, stock: str, dpmm: int, sink: Sink) -> str:
    started = time.perf_counter()
    size = 0
    first = None
    for part in zpl.zpl_stream(template, items_for(template), LABELS, stock, dots_per_mm=dpmm, chunk=RENDER_CHUNK):
        size += len(part)
        if first is None:
            first = time.perf_counter() - started
    generated = time.perf_counter() - started
    before = sink.received
    started = time.perf_counter()
    zpl.send(zpl.zpl_stream(template, items_for(template), LABELS, stock, dots_per_mm=dpmm, chunk=RENDER_CHUNK),
             "127.0.0.1", sink.port)
    while sink.received - before < size:
        time.sleep(0.001)
    sent = time.perf_counter() - started
    return (f"| ZPL {dpmm} dots/mm | {template} | {stock} | {LABELS:,} | {generated:.1f} s | "
            f"{LABELS / generated:,.0f} /s | {LABELS / sent:,.0f} /s | {first:.2f} s | {size / 1e6:.1f} MB |")


def pdf_row(template: str, stock: str, n: int) -> str:
    started = time.perf_counter()
    size = 0
    for part in stream_labels(template, items_for(template), n, stock, chunk=RENDER_CHUNK):
        size += len(part)
    seconds = time.perf_counter() - started
    return (f"| PDF | {template} | {stock} | {n:,} | {seconds:.1f} s | {n / seconds:,.0f} /s | — | — | "
            f"{size / 1e6:.1f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--pdf-labels", type=int, default=10_000,
                        help="labels of the PDF comparison (40000 for the whole job; case PDFs run at ~160/s)")
    args = parser.parse_args()
    sink = Sink()
    rows = []
    for template, stock, dpmm in (("case", "roll-100x70", 8), ("case", "roll-100x70", 12),
                                  ("unit", "roll-60x40", 8)):
        rows.append(zpl_row(template, stock, dpmm, sink))
        print(rows[-1], flush=True)
    rows.append(pdf_row("case", "roll-100x70", args.pdf_labels))
    print(rows[-1], flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    load = os.getloadavg()
    text = "\n".join([
        "# ZPL label jobs", "",
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average at the end {load[0]:.1f} (other work was running). "
        f"Chunk: {RENDER_CHUNK} labels; peak RSS {rss} MiB.", "",
        "\"Generated\" is the ZPL made in memory; \"to printer\" streams it over TCP to a listener on 127.0.0.1 "
        "(the printer's raw port). The first bytes are the job's stored bitmap (~DG).", "",
        "| output | template | stock | labels | time | generated | to printer | first bytes | size |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, ""])
    out = ROOT / "bench" / "results" / "labels_zpl.md"
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
