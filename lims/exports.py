"""CSV and XLSX exports, streamed, and the one rule that keeps them safe to open (OWASP CSV injection).

Every cell of every export goes through :func:`safe_cell`: text that a spreadsheet would read as a formula or a
command (first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with a single quote, so
``=HYPERLINK(...)`` is shown as the text it is. XLSX cells are written as inline text or plain numbers: an XLSX
export never contains a formula. Imports use :func:`formula_like` to refuse such values in value cells.

Both writers take an iterator of rows and yield bytes as they go: nothing is held in memory but the current
chunk, and the first byte leaves before the last row is read. The XLSX file is written by a small streaming
writer (a zip written forward, no seeking) rather than by openpyxl's write-only workbook, which must finish the
whole file in a temporary file before the first byte can be sent (a million-row export would outlast a
worker's timeout); openpyxl reads the result in the tests.
"""

from __future__ import annotations

import contextvars
import csv
import hashlib
import re
import zipfile
from datetime import timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The cell as it may be written to a CSV or XLSX file: numbers stay numbers, text that starts like a formula
    is prefixed with ``'`` (OWASP: "prepend each cell field with a single quote")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


_SIGNED_VALUE = re.compile(r"[+-][\d\s.,+\-eE%]*")


def formula_like(value) -> bool:
    """True for imported text a spreadsheet would evaluate: ``=…``, ``@…``, text starting with a tab or carriage
    return, and ``+…``/``-…`` followed by anything but a number (``+A1``, ``-cmd|' /c calc'!A0``). Signed numbers
    (``-0.5``) and the qualitative results ``+``, ``++``, ``-`` are values, not formulas."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "=@\t\r":
        return True
    return value[0] in "+-" and not _SIGNED_VALUE.fullmatch(value.strip())


def formula_error(value) -> str:
    """The field error an import gives for a formula in a value cell."""
    shown = str(value)[:40]
    return _("A formula is not accepted as a value (“%(value)s”); enter the value itself.") % {"value": shown}


def filename(name: str, ext: str) -> str:
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


# --- CSV ---------------------------------------------------------------------------------------------------
class _Echo:
    def write(self, value):
        return value


def csv_chunks(header, rows, *, batch: int = 500):
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow([safe_cell(v) for v in header])).encode()
    buf = []
    report = _progress.get()
    done = 0
    starts = FORMULA_STARTS
    for row in rows:
        # safe_cell, with the common cases (text that cannot be a formula, whole numbers) inline
        buf.append(writer.writerow([
            v if (type(v) is str and not v.startswith(starts)) or type(v) is int else safe_cell(v) for v in row]))
        if len(buf) >= batch:
            done += len(buf)
            if report is not None:
                report(done)
            yield "".join(buf).encode()
            buf = []
    if buf:
        done += len(buf)
        if report is not None:
            report(done)
        yield "".join(buf).encode()


def csv_response(name: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "csv")}"'
    return response


# --- XLSX --------------------------------------------------------------------------------------------------
class _Sink:
    """A write-only file for zipfile: it keeps what was written until it is taken."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _workbook(title: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>')


_ILLEGAL_XML = {c: None for c in range(32) if c not in (9, 10, 13)}
_NEEDS_WORK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>]|^\s|\s$")


def _cell(value) -> str:
    value = safe_cell(value)
    kind = type(value)
    if kind is str:
        if not _NEEDS_WORK.search(value):  # most cells: nothing to escape, no spaces to keep
            return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
    elif kind is int or (isinstance(value, int) and kind is not bool):
        return f"<c><v>{int(value)}</v></c>"
    elif isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return f"<c><v>{float(value)!r}</v></c>"
    text = escape(str(value).translate(_ILLEGAL_XML))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in str(title) if ch not in '[]:*?/\\')[:31].strip()
    return cleaned or "export"


def xlsx_chunks(title: str, header, rows, *, batch: int = 500):
    """The workbook's bytes as they are made: rows are turned into XML ``batch`` at a time and deflated at
    level 1 (the sheet's XML compresses well at any level; level 6 cost more than writing the rows)."""
    sink = _Sink()
    report = _progress.get()
    n = 0
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _workbook(_sheet_title(title)))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        yield sink.take()
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(("<row>" + "".join(_cell(v) for v in header) + "</row>").encode())
            buf = []
            for n, row in enumerate(rows, start=1):
                buf.append("<row>" + "".join([_cell(v) for v in row]) + "</row>")
                if n % batch == 0:
                    sheet.write("".join(buf).encode())
                    buf = []
                    if report is not None:
                        report(n)
                    data = sink.take()
                    if data:
                        yield data
            if buf:
                sheet.write("".join(buf).encode())
            sheet.write(b"</sheetData></worksheet>")
    if report is not None:
        report(n)
    yield sink.take()


def xlsx_response(name: str, title: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(xlsx_chunks(title, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "xlsx")}"'
    return response


# --- exports too large for one request: background tasks ---------------------------------------------------
# A list or the audit trail with more rows than ``LIMS_EXPORT_INLINE_MAX`` is exported by a background task
# (``lims.export``, lims.tasks): the request answers with the run's progress page; the task calls the same view
# for the same user and query with the export streamed inline, writes the file to MEDIA_ROOT/exports/ (rows
# reported as they are written), and offers it for download to the person who asked for it only, until
# ``LIMS_EXPORT_KEEP_HOURS`` later (each download is recorded in the run's history; an hourly sweep removes
# expired files). The same code writes the rows either way: the file holds every row exactly once.

EXPORT_TASK = "lims.export"
EXPORT_DIR = "exports"
_progress: contextvars.ContextVar = contextvars.ContextVar("lims_export_progress", default=None)


def background(request, fmt: str, rows: int):
    """The response that starts a background export when ``rows`` (the list's bounded count) is over
    ``LIMS_EXPORT_INLINE_MAX``, else None (stream it in this request). Double clicks within a minute are one run."""
    if getattr(request, "lims_export_inline", False) or rows <= settings.LIMS_EXPORT_INLINE_MAX:
        return None
    from lims.tasks import start_task

    query = request.GET.urlencode()
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:24]
    slot = timezone.now().strftime("%Y%m%d%H%M")
    run = start_task(EXPORT_TASK, {"path": request.path, "query": query, "format": fmt, "rows": int(rows),
                                   "language": translation.get_language() or settings.LANGUAGE_CODE},
                     user=request.user, key=f"export:{request.user.pk}:{digest}:{slot}")
    return redirect(run.get_absolute_url())


def export_task(ctx):
    """Handler of ``lims.export``: the export of ``params["path"]?params["query"]`` for the person who asked, as
    that person (the view checks the role again), streamed to a file. Reads only: a retry writes it again."""
    import os
    from pathlib import Path

    from django.http import QueryDict
    from django.test import RequestFactory
    from django.urls import resolve

    from lims.errors import DomainError

    params = ctx.params
    query = QueryDict(params.get("query", ""), mutable=True)
    query["export"] = params.get("format", "csv")
    request = RequestFactory().get(params["path"], query)
    request.user = ctx.user
    request.lims_export_inline = True
    total = int(params.get("rows") or 0)
    match = resolve(params["path"])
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        response = match.func(request, *match.args, **match.kwargs)
        if response.status_code != 200 or not getattr(response, "streaming", False):
            raise DomainError(translation.gettext("This export cannot be made (answer %(status)s).")
                              % {"status": response.status_code}, "export_refused")
        disposition = response.get("Content-Disposition", "")
        name = disposition.split('filename="', 1)[-1].rstrip('"') if 'filename="' in disposition else "export"
        folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        stored = f"{EXPORT_DIR}/{ctx.run.pk}-{name}"
        partial = folder / f".{ctx.run.pk}-{name}.part"
        written = {"rows": 0}

        def report(done):
            written["rows"] = done
            ctx.progress(done, max(total, done))

        token = _progress.set(report)
        try:
            with open(partial, "wb") as out:
                for chunk in response.streaming_content:
                    out.write(chunk)
        finally:
            _progress.reset(token)
        os.replace(partial, folder / stored.split("/", 1)[1])
    ctx.progress(written["rows"], written["rows"], force=True)
    keep = timezone.now() + timedelta(hours=settings.LIMS_EXPORT_KEEP_HOURS)
    ctx.save_result(name=name, stored=stored, expires_at=keep, data={"rows": written["rows"]})


def expire_exports(ctx=None, *, now=None) -> int:
    """Remove result files past their ``expires_at`` (hourly)."""
    from lims.tasks.models import TaskRun
    from lims.tasks.services import expire_result, system_user

    now = now or timezone.now()
    user = ctx.user if ctx is not None else system_user()
    removed = 0
    for run_id in TaskRun.objects.filter(expires_at__lte=now).exclude(result_file="").values_list("pk", flat=True):
        expire_result(run_id, user=user)
        removed += 1
    if ctx is not None:
        ctx.save_result(data={"removed": removed})
    return removed
