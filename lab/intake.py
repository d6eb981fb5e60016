"""Reading a sample intake file (CSV or XLSX) into rows for ``lab.services.receive_samples``.

Every problem is reported with the row number the user sees in the file (the header is row 1), the column and
the reason; the caller imports nothing when any row is bad. Text files may be UTF-8 (with or without a byte
order mark), UTF-16 LE or BE (with or without a BOM), or GB18030 (the superset of GBK/GB2312 that Chinese
Excel and WPS write): UTF-8 is tried strictly first because text in GB18030 is almost never valid UTF-8,
while every ASCII/UTF-8 file would also "decode" as GB18030 — so the order makes the detection unambiguous.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lab.models import Assay, Client, Sample
from lab.throughput import zone
from lims.exports import formula_error, formula_like
from lims.hygiene import EncodingProblem, check_cell, date_message, decimal_for_field, decode_text

MAX_ROWS = 10_000
COLUMNS = ["barcode", "client", "assay", "received_at", "reported_at", "outcome", "control_line", "result",
           "result_value", "result_unit"]
REQUIRED = ["client", "assay", "received_at"]
# Headers as Chinese users write them.
ALIASES = {"条码": "barcode", "样本条码": "barcode", "客户": "client", "送检单位": "client", "项目": "assay",
           "检测项目": "assay", "接收时间": "received_at", "报告时间": "reported_at", "结果": "result",
           "结果值": "result_value", "单位": "result_unit", "判定": "outcome", "结论": "outcome",
           "质控线": "control_line", "对照线": "control_line"}
CONTROL_LINE_WORDS = {"yes": True, "y": True, "true": True, "1": True, "present": True, "是": True, "有": True,
                      "no": False, "n": False, "false": False, "0": False, "absent": False, "否": False,
                      "无": False}
OUTCOME_WORDS = {"阳性": "positive", "阴性": "negative", "无效": "invalid", "pos": "positive", "neg": "negative",
                 "+": "positive", "-": "negative"}
DATE_PARTS = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M")


@dataclass
class RowError:
    row: int
    field: str
    message: str

    @property
    def sentence(self) -> str:
        """The problem as one sentence naming the row (as the file shows it) and the column."""
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row, "column": self.field, "message": self.message}


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
        # data_only=False: a formula cell reads as its formula text (refused as a value), not as a cached result.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
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
        try:
            moment = parse_datetime(text)
        except ValueError:  # well formed but impossible (month 13, 30 February, 25:00): say which part
            raise ValueError(_impossible(text, value)) from None
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


def _impossible(text: str, value) -> str:
    shown = {"value": value}
    match = DATE_PARTS.match(text)
    if match:
        year, month, day, hour, minute, second = (int(g) if g is not None else None for g in match.groups())
        if not 1 <= month <= 12:
            return _("“%(value)s” is not a date: there is no month %(month)s (months go from 1 to 12).") % {
                **shown, "month": month}
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return _("“%(value)s” is not a date: %(year)s-%(month)02d has %(last)s days, not %(day)s.") % {
                **shown, "year": year, "month": month, "last": last, "day": day}
        if hour is not None and not 0 <= hour <= 23:
            return _("“%(value)s” is not a time: hours go from 0 to 23.") % shown
        if minute is not None and not 0 <= minute <= 59 or second is not None and not 0 <= second <= 59:
            return _("“%(value)s” is not a time: minutes and seconds go from 0 to 59.") % shown
    return _("“%(value)s” is not a date and time such as 2026-03-01 08:30.") % shown


def parse_control_line(value):
    """True / False from a cell (yes/no, present/absent, 是/否, TRUE/FALSE); None when empty."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in CONTROL_LINE_WORDS:
        return CONTROL_LINE_WORDS[text]
    raise ValueError(_("“%(value)s” is not a reading of the control line: enter yes (present) or no (absent).")
                     % {"value": value})


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

        formulas = {f for f, v in cells.items() if formula_like(v)}
        for field in sorted(formulas, key=COLUMNS.index):
            bad(field, formula_error(cells[field]))
        for field, table, label in (("client", clients, _("client")), ("assay", assays, _("assay"))):
            if field in formulas:
                continue
            code = str(cells.get(field, "")).strip()
            if not code:
                bad(field, _("This field is required."))
            elif code not in table:
                bad(field, _("No %(what)s with code “%(code)s”.") % {"what": label, "code": code})
            else:
                row[field] = table[code]
        for field in ("received_at", "reported_at"):
            if field in formulas:
                continue
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
        if value and "result_value" not in formulas:
            try:
                row["result_value"] = decimal_for_field(value, Sample._meta.get_field("result_value"))
            except ValueError as exc:
                bad("result_value", str(exc))
        if "control_line" not in formulas:
            try:
                row["control_line"] = parse_control_line(cells.get("control_line", ""))
            except ValueError as exc:
                bad("control_line", str(exc))
        outcome = str(cells.get("outcome", "")).strip().lower()
        row["outcome"] = OUTCOME_WORDS.get(outcome, outcome)
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


def template_rows(now=None) -> list[list]:
    """The header and one example row per result type the lab's active assays use (a received sample, then
    finished tests: qualitative with the control line, quantitative in the assay's unit, descriptive), with the
    codes of real clients and assays, so the template imports as it is."""
    now = timezone.localtime(now or timezone.now(), zone()).replace(second=0, microsecond=0)
    received = (now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    reported = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    client = Client.objects.filter(active=True).order_by("code").first()
    client_code = client.code if client else "CLIENT-CODE"
    rows = [COLUMNS]
    examples = {}
    for assay in Assay.objects.filter(active=True).order_by("code"):
        examples.setdefault(assay.result_type, assay)
    first = next(iter(examples.values()), None)
    rows.append(["", client_code, first.code if first else "ASSAY-CODE", received, "", "", "", "", "", ""])
    for kind, assay in sorted(examples.items()):
        example = dict.fromkeys(COLUMNS, "")
        example.update(client=client_code, assay=assay.code, received_at=received, reported_at=reported)
        if kind == Assay.ResultType.QUALITATIVE:
            example.update(outcome="negative", control_line="yes")
        elif kind == Assay.ResultType.QUANTITATIVE:
            low, high = assay.reference_low, assay.reference_high
            value = (low + high) / 2 if low is not None and high is not None else low if low is not None else (
                high if high is not None else Decimal(1))
            example.update(result_value=f"{value.normalize():f}", result_unit=assay.unit)
        else:
            example.update(result=_("No growth after 48 h"))
        rows.append([example[c] for c in COLUMNS])
    return rows


def template_file(fmt: str) -> tuple[bytes, str]:
    """The import template as (content, content type): CSV (UTF-8 with a byte order mark, which Excel reads
    as UTF-8) or XLSX (every cell text, so times stay as typed)."""
    rows = template_rows()
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "samples"
    for row in rows:
        sheet.append([str(v) for v in row])
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
