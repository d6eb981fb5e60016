"""Label throughput (issue 5): time to produce 10,000 unit labels and 10,000 case labels on a roll and on A4
sheets with the real engine (lims.labels.render_labels), the PDF sizes, and two baselines on the same stock:

* ``text only`` — the same number of labels with only their text drawn (the ceiling: no codes at all);
* ``raster QR`` — text plus the qrcode package's PIL image of the Digital Link made and embedded for every label
  (the naive way: one raster image per label). Slow, so it runs on BASELINE_N labels; rates are comparable.

The engine draws codes as vector paths; a lot's codes are the same on every unit label, so a unit label is drawn
once per job and placed as a form. Each case label has its own serial and so its own DataMatrix (the QR, the lot's
Digital Link, is the same on all of them); everything else on a lot's case labels is one form per document
(issue 14), so a case label costs its DataMatrix, its UDI text and its serial.

The machine is shared: besides wall-clock rates the table gives the CPU seconds of this process and the load
average before and after the run, so a slow row can be told from a busy machine.
A request is capped at 5,000 labels (lims.labels.render.MAX_LABELS_PER_DOCUMENT), so 10,000 are two documents.
No database is used: ``--database-url`` is accepted (bench/run.py passes it) and ignored.

Run: .venv/bin/python bench/labels.py  → bench/results/labels.md
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")

import django  # noqa: E402

django.setup()

import qrcode  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from lims.labels import render_labels  # noqa: E402
from lims.labels.gs1 import digital_link  # noqa: E402
from lims.labels.render import MAX_LABELS_PER_DOCUMENT  # noqa: E402
from lims.labels.stocks import get_stock  # noqa: E402
from production.labelling.label_templates import LabelData  # noqa: E402

N = 10_000
BASELINE_N = 2_000
KIT = LabelData(
    product_name="SARS-CoV-2 Antigen Rapid Test (Colloidal Gold)",
    product_name_zh="新型冠状病毒抗原检测试剂盒（胶体金法）",
    ref="SC-AG-1", gtin="06901234000016", lot="SC261122A101", expiry=date(2028, 11, 22),
    manufactured_on=date(2026, 11, 22), tests_per_kit=1, storage_min_c=2, storage_max_c=30,
    manufacturer_name="Chongqing University IVD Institute Co., Ltd.",
    manufacturer_address="No. 1 Science Park Road, Shapingba, Chongqing 400044, China",
    ifu_url_or_text="eIFU: https://id.example-ivd.cn/01/06901234000016", resolver_base_url="https://id.example-ivd.cn",
    notified_body="2797",
)


def engine(template: str, stock: str, case: bool) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    for start in range(0, N, MAX_LABELS_PER_DOCUMENT):
        count = min(MAX_LABELS_PER_DOCUMENT, N - start)
        if case:
            items = [replace(KIT, serial=f"{start + i + 1:06d}") for i in range(count)]
            pdf = render_labels(template, items, stock)
        else:
            pdf = render_labels(template, [KIT], stock, copies=count)
        size += len(pdf)
    return time.perf_counter() - started, size


def baseline(stock_name: str, *, raster: bool, n: int) -> tuple[float, int]:
    stock = get_stock(stock_name)
    boxes = stock.label_boxes()
    started = time.perf_counter()
    size = 0
    for start in range(0, n, MAX_LABELS_PER_DOCUMENT):
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=stock.page_size, pageCompression=1)
        count = min(MAX_LABELS_PER_DOCUMENT, n - start)
        for i in range(count):
            position = i % len(boxes)
            if position == 0 and i:
                canvas.showPage()
            box = boxes[position]
            canvas.setFont("Helvetica", 7)
            canvas.drawString(box.x + 2 * mm, box.y + box.height - 5 * mm, KIT.product_name)
            canvas.drawString(box.x + 2 * mm, box.y + box.height - 9 * mm, f"LOT {KIT.lot}  EXP {KIT.expiry}")
            canvas.drawString(box.x + 2 * mm, box.y + box.height - 13 * mm, f"REF {KIT.ref}  GTIN {KIT.gtin}")
            if raster:  # the naive way: a fresh raster image per label
                uri = digital_link(KIT.resolver_base_url, KIT.gtin, KIT.lot, expiry=KIT.expiry)
                png = io.BytesIO()
                qrcode.make(uri).save(png)
                png.seek(0)
                canvas.drawImage(ImageReader(png), box.x + box.width - 22 * mm, box.y + 2 * mm, 20 * mm, 20 * mm)
        canvas.showPage()
        canvas.save()
        size += len(buffer.getvalue())
    return time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="ignored: this benchmark uses no database")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "labels.md"))
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []
    for template, case in (("unit", False), ("case", True)):
        for stock in ("roll-100x70", "a4-2x4") if case else ("roll-60x40", "a4-3x8"):
            for name, n, run in (
                ("engine (vector GS1 DataMatrix + QR)", N, lambda t=template, s=stock, c=case: engine(t, s, c)),
                ("baseline: raster QR per label", BASELINE_N, lambda s=stock: baseline(s, raster=True, n=BASELINE_N)),
                ("ceiling: text only", N, lambda s=stock: baseline(s, raster=False, n=N)),
            ):
                cpu = time.process_time()
                seconds, size = run()
                cpu = time.process_time() - cpu
                rows.append((template, stock, name, n, n / seconds, seconds, cpu, size))
                print(f"{template:5} {stock:12} {name:38} {n / seconds:8.0f} labels/s  {cpu:6.2f} CPU s  "
                      f"{size / 1e6:6.1f} MB", flush=True)
    load_after = os.getloadavg()
    lines = [
        "# Label throughput",
        "",
        f"`bench/labels.py`: {N:,} labels of each kind ({BASELINE_N:,} for the raster baseline), rendered to PDF "
        f"in documents of at most {MAX_LABELS_PER_DOCUMENT:,}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; Python "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; load average (1, 5, 15 min) "
        f"{_load(load_before)} before, {_load(load_after)} after. No database involved.",
        "",
        "| labels | stock | how | count | labels/s | seconds | CPU s | PDF size (MB) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {t} | {s} | {name} | {n:,} | {r:,.0f} | {sec:.2f} | {cpu:.2f} | {size / 1e6:.1f} |"
              for t, s, name, n, r, sec, cpu, size in rows]
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.output}")


def _load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in averages)


if __name__ == "__main__":
    main()
