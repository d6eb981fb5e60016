"""Reading a sample intake file (CSV or XLSX) into rows for ``lab.services.receive_samples``.

Every problem is reported with the row number the user sees in the file (the header is row 1), the column and
the reason; the caller imports nothing when any row is bad. Text files may be UTF-8 (with or without a byte
order mark), UTF-16 LE or BE (with or without a BOM), or GB18030 (the superset of GBK/GB2312 that Chinese
Excel and WPS write): UTF-8 is tried strictly first because text in GB18030 is almost never valid UTF-8,
while every ASCII/UTF-8 file would also "decode" as GB18030 — so the order makes the detection unambiguous.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lab.models import Assay, Client, Sample
from lab.throughput import zone
from lims.hygiene import EncodingProblem, check_cell, date_message, decimal_for_field, decode_text

MAX_ROWS = 10_000
COLUMNS = ["barcode", "client", "assay", "received_at", "reported_at", "result", "result_value", "result_unit"]
REQUIRED = ["client", "assay", "received_at"]
# Headers as Chinese users write them.
ALIASES = {"条码": "barcode", "样本条码": "barcode", "客户": "client", "送检单位": "client", "项目": "assay",
           "检测项目": "assay", "接收时间": "received_at", "报告时间": "reported_at", "结果": "result",
           "结果值": "result_value", "单位": "result_unit"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M")


@dataclass
class RowError:
    row: int
    field: str
    message: str


class IntakeFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


def decode(data: bytes) -> str:
    """The text of an uploaded CSV file (lims.hygiene.decode_text: UTF-8 with or without BOM, UTF-16 LE/BE with
    or without BOM, GB18030); a message naming the encoding problem otherwise."""
    try:
        return decode_text(data)
    except EncodingProblem as exc:
        raise IntakeFileError(str(exc)) from None


def _csv_rows(data: bytes):
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise IntakeFileError(_("The file is not a readable XLSX workbook.")) from None
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, ["" if v is None else v for v in row]


def read_table(name: str, data: bytes):
    """(header columns, [(row number, {column: value})]) of the file; empty rows are skipped."""
    rows = _xlsx_rows(data) if name.lower().endswith((".xlsx", ".xlsm")) else _csv_rows(data)
    try:
        _n, header = next(rows)
    except StopIteration:
        raise IntakeFileError(_("The file is empty.")) from None
    columns = []
    for cell in header:
        key = str(cell).strip().lstrip("\ufeff")
        columns.append(ALIASES.get(key, key.lower()))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise IntakeFileError(_("The header lacks the column(s) %(cols)s. Expected columns: %(all)s.")
                              % {"cols": ", ".join(missing), "all": ", ".join(COLUMNS)})
    body = []
    for number, row in rows:
        if all(str(v).strip() == "" for v in row):
            continue
        body.append((number, {c: row[i] if i < len(row) else "" for i, c in enumerate(columns) if c in COLUMNS}))
        if len(body) > MAX_ROWS:
            raise IntakeFileError(_("At most %(n)s samples per file.") % {"n": MAX_ROWS})
    return columns, body


def parse_time(value):
    """An aware datetime from a cell (a datetime from Excel, or text such as 2026-03-01 08:30 or
    2026/3/1 8:30:00); naive times are local (settings.TIME_ZONE). Raises ValueError when unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ValueError(_("A time of day is needed, not only a date."))
    else:
        text = str(value).strip().replace("/", "-")
        moment = parse_datetime(text)
        for fmt in TIME_FORMATS:
            if moment is not None:
                break
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
        if moment is None:
            raise ValueError(_("“%(value)s” is not a date and time such as 2026-03-01 08:30.") % {"value": value})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone())
    return moment


def parse_rows(body) -> tuple[list[dict], list[int], list[RowError]]:
    """Rows ready for receive_samples, their file row numbers, and the problems found while reading them."""
    clients = {c.code: c for c in Client.objects.all()}
    assays = {a.code: a for a in Assay.objects.all()}
    rows, numbers, errors = [], [], []
    for number, cells in body:
        row, ok = {}, True

        def bad(field, message, number=number):
            nonlocal ok
            ok = False
            errors.append(RowError(number, field, str(message)))

        refused = set()
        for field, value in cells.items():
            message = check_cell(value, field)
            if message:
                bad(field, message)
                refused.add(field)
        cells = {k: v for k, v in cells.items() if k not in refused}

        for field, table, label in (("client", clients, _("client")), ("assay", assays, _("assay"))):
            code = str(cells.get(field, "")).strip()
            if not code:
                bad(field, _("This field is required."))
            elif code not in table:
                bad(field, _("No %(what)s with code “%(code)s”.") % {"what": label, "code": code})
            else:
                row[field] = table[code]
        for field in ("received_at", "reported_at"):
            value = cells.get(field, "")
            if str(value).strip() == "":
                if field == "received_at":
                    bad(field, _("This field is required."))
                continue
            try:
                row[field] = parse_time(value)
            except ValueError as exc:
                bad(field, exc)
                continue
            message = date_message(row[field])
            if message:
                bad(field, message)
        value = str(cells.get("result_value", "")).strip()
        if value:
            try:
                row["result_value"] = decimal_for_field(value, Sample._meta.get_field("result_value"))
            except ValueError as exc:
                bad("result_value", str(exc))
        row["barcode"] = str(cells.get("barcode", "")).strip()
        row["result"] = str(cells.get("result", "")).strip()
        row["result_unit"] = str(cells.get("result_unit", "")).strip()
        if ok:
            rows.append(row)
            numbers.append(number)
    return rows, numbers, errors


def check_file(name: str, data: bytes) -> tuple[list[dict], list[RowError]]:
    """Read and check a whole intake file: the rows, and every problem (row number, column, reason)."""
    from lab.services import check_sample_rows

    _columns, body = read_table(name, data)
    if not body:
        raise IntakeFileError(_("The file has a header but no samples."))
    rows, numbers, errors = parse_rows(body)
    for key, messages in check_sample_rows(rows).items():
        index, field = key.split(".", 1)
        errors.extend(RowError(numbers[int(index)], field, m) for m in messages)
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.field) if e.field in COLUMNS else 99))
    return rows, errors
