"""ZPL II for thermal-transfer label printers, from the same templates as the PDFs.

A template's ``draw(canvas, box, data)`` is run on a ``ZplCanvas`` instead of a reportlab canvas:

- the 2D codes become native printer commands: GS1 DataMatrix as ``^BX`` (ECC 200, ``_`` as the escape
  character, ``_1`` = FNC1 in first position and as the separator after a variable-length field) and QR as ``^BQ``
  (model 2, error correction M), placed and sized as in the PDF (module size in whole printer dots);
- text that differs between the labels of one job (a case's serial and its human-readable UDI line) becomes a
  native text field (``^FT`` … ``^A0``), so each label costs a few hundred bytes;
- everything else (symbols, borders, the text that is the same on every label of the job, Chinese) is drawn once
  per job into a bitmap at the printer's resolution, stored on the printer with ``~DG`` and recalled on every
  label with ``^XG``.

So a label prints what its PDF shows, and a reprint of a job sends exactly the same bytes. ``zpl_stream`` yields
a job chunk by chunk (bounded memory, first bytes at once); runs of identical labels (all the labels of a unit
job) are one format with ``^PQ`` (print quantity). ``send`` writes a stream to a printer over raw TCP (port 9100).
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .barcodes import DATAMATRIX_QUIET_ZONE, QR_QUIET_ZONE, datamatrix_modules, qr_modules
from .fonts import needs_cjk_font, register_fonts
from .gs1 import _PREDEFINED_LENGTH, ElementString
from .layout import Box
from .stocks import Stock, get_stock
from .templates import LabelTemplate, get_template

DOTS_PER_MM = (8, 12, 24)
"""The print heads in use: 203, 300 and 600 dpi."""

DEFAULT_PORT = 9100
SEND_TIMEOUT = 10.0  # seconds to connect and for each write


@dataclass(frozen=True)
class TextOp:
    font: str
    size: float
    x: float
    y: float
    align: str
    text: str


@dataclass(frozen=True)
class CodeOp:
    kind: str  # "datamatrix" | "qr"
    content: object  # ElementString or str
    x: float
    y: float
    size: float


def _noop(*args, **kwargs):
    return _NULL


class _Null:
    """Swallows every drawing call (and paths made from it): the per-label pass only collects text and codes."""

    def __getattr__(self, name):
        return _noop


_NULL = _Null()


class ZplCanvas:
    """What a template draws on to make ZPL: text and codes are collected; every other call goes to ``raster``
    (a reportlab canvas while the job's bitmap is drawn, a sink otherwise). Text whose index is in ``keep`` is
    drawn into the raster too (the text that is the same on every label of the job)."""

    def __init__(self, raster=None, keep: frozenset[int] = frozenset()):
        self._raster = raster if raster is not None else _NULL
        self._keep = keep
        self._font = ("Helvetica", 10.0)
        self.texts: list[TextOp] = []
        self.codes: list[CodeOp] = []

    def __getattr__(self, name):
        return getattr(self._raster, name)

    def setFont(self, font, size, leading=None):
        self._font = (font, size)
        self._raster.setFont(font, size)

    def _text(self, method: str, align: str, x, y, text, *args, **kwargs):
        index = len(self.texts)
        self.texts.append(TextOp(self._font[0], self._font[1], x, y, align, str(text)))
        if index in self._keep:
            getattr(self._raster, method)(x, y, text, *args, **kwargs)

    def drawString(self, x, y, text, *args, **kwargs):
        self._text("drawString", "left", x, y, text, *args, **kwargs)

    def drawRightString(self, x, y, text, *args, **kwargs):
        self._text("drawRightString", "right", x, y, text, *args, **kwargs)

    def drawCentredString(self, x, y, text, *args, **kwargs):
        self._text("drawCentredString", "center", x, y, text, *args, **kwargs)

    def place_code(self, kind, content, x, y, size):
        self.codes.append(CodeOp(kind, content, x, y, size))
        return 0.0


def _capture(template: LabelTemplate, box: Box, item, raster=None, keep=frozenset()) -> ZplCanvas:
    canvas = ZplCanvas(raster, keep)
    template.draw(canvas, box, item)
    return canvas


def _field_data(text: str) -> str:
    """Text for ``^FH^FD``: the characters ZPL treats as commands, and the escape character, as hex."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def datamatrix_data(content) -> str:
    """``^FD`` data of a ``^BX`` ECC 200 symbol with ``_`` as escape: GS1 starts with FNC1 (``_1``) and separates
    a variable-length field from the next with FNC1; ``_`` itself is ``__``."""
    if isinstance(content, ElementString):
        parts = ["_1"]
        for index, (ai, value) in enumerate(content.fields):
            parts.append(ai + value.replace("_", "__"))
            if ai not in _PREDEFINED_LENGTH and index < len(content.fields) - 1:
                parts.append("_1")
        return "".join(parts)
    return str(content).replace("_", "__")


class _Ambiguous(Exception):
    pass


class _Job:
    """One template on one stock at one resolution: the job's bitmap and the commands of each label."""

    def __init__(self, template: LabelTemplate, stock: Stock, dots_per_mm: int, first, last):
        if dots_per_mm not in DOTS_PER_MM:
            raise ValueError(f"A printer has 8, 12 or 24 dots per mm, not {dots_per_mm}.")
        self.template = template
        self.k = dots_per_mm * 25.4 / 72  # dots per point
        self.width_pt, self.height_pt = stock.label_width_mm * mm, stock.label_height_mm * mm
        self.box = Box(0, 0, self.width_pt, self.height_pt)
        self.width_dots = round(stock.label_width_mm * dots_per_mm)
        self.height_dots = round(stock.label_height_mm * dots_per_mm)
        if template.prints_chinese:
            register_fonts()
        a = _capture(template, self.box, first)
        b = _capture(template, self.box, last)
        if len(a.texts) == len(b.texts):
            self.static = frozenset(i for i, (x, y) in enumerate(zip(a.texts, b.texts, strict=True)) if x == y)
        else:
            self.static = frozenset()
        self.reference = a.texts
        for index, op in enumerate(a.texts):
            if index not in self.static and needs_cjk_font(op.text):
                raise ValueError(f"Template {template.name!r}: text that varies per label must be Latin ({op.text!r}).")
        self.graphic_hex, self.row_bytes, self.total_bytes = self._bitmap(first)
        digest = hashlib.sha1(self.graphic_hex.encode()).hexdigest()[:7].upper()
        self.graphic = f"L{digest}"
        self._dm_shape: dict[tuple, tuple[int, int]] = {}
        self._head = (f"^XA^PW{self.width_dots}^LL{self.height_dots}^LH0,0^CI28"
                      f"^FO0,0^XGR:{self.graphic}.GRF,1,1^FS")

    def _bitmap(self, item) -> tuple[str, int, int]:
        """The job's fixed artwork (no codes, no varying text) as a 1-bit bitmap at the printer's resolution."""
        import numpy
        import pypdfium2

        buffer = BytesIO()
        canvas = Canvas(buffer, pagesize=(self.width_pt, self.height_pt))
        _capture(self.template, self.box, item, raster=canvas, keep=self.static)
        canvas.showPage()
        canvas.save()
        document = pypdfium2.PdfDocument(buffer.getvalue())
        try:
            page = document[0]
            bitmap = page.render(scale=self.k, grayscale=True, no_smoothtext=True, no_smoothpath=True)
            pixels = bitmap.to_numpy()
        finally:
            document.close()
        if pixels.ndim == 3:
            pixels = pixels[:, :, 0]
        dark = pixels[: self.height_dots, : self.width_dots] < 128
        packed = numpy.packbits(dark, axis=1)
        return packed.tobytes().hex().upper(), packed.shape[1], packed.size

    def header(self) -> bytes:
        """Store the bitmap on the printer (RAM), once per job."""
        return (f"~DGR:{self.graphic}.GRF,{self.total_bytes},{self.row_bytes},{self.graphic_hex}\n").encode()

    def _y(self, y_pt: float) -> int:
        return round((self.height_pt - y_pt) * self.k)

    def _datamatrix_shape(self, content) -> tuple[int, int]:
        # Data of the same shape (digits where digits are) encodes to the same symbol size: encode once per shape.
        text = str(content)
        key = (type(content), "".join("9" if c.isdigit() else "A" if c.isalnum() else c for c in text))
        shape = self._dm_shape.get(key)
        if shape is None:
            matrix = datamatrix_modules(content)
            shape = self._dm_shape[key] = (len(matrix), len(matrix[0]))
        return shape

    def code(self, op: CodeOp) -> str:
        footprint = op.size * self.k
        left = op.x * self.k
        top = self._y(op.y + op.size)
        if op.kind == "datamatrix":
            rows, columns = self._datamatrix_shape(op.content)
            module = max(1, int(footprint // (max(rows, columns) + 2 * DATAMATRIX_QUIET_ZONE)))
            x = round(left + (footprint - columns * module) / 2)
            y = round(top + (footprint - rows * module) / 2)
            return (f"^FO{x},{y}^BXN,{module},200,{columns},{rows},,_"
                    f"^FD{datamatrix_data(op.content)}^FS")
        matrix = qr_modules(op.content)
        size = len(matrix)
        module = max(1, min(10, int(footprint // (size + 2 * QR_QUIET_ZONE))))
        x = round(left + (footprint - size * module) / 2)
        y = round(top + (footprint - size * module) / 2)
        return f"^FO{x},{y}^BQN,2,{module}^FH^FDMA,{_field_data(str(op.content))}^FS"

    def text(self, op: TextOp) -> str:
        x = op.x
        if op.align != "left":
            width = stringWidth(op.text, op.font, op.size)
            x -= width if op.align == "right" else width / 2
        height = max(1, round(op.size * self.k))
        return f"^FT{round(x * self.k)},{self._y(op.y)}^A0N,{height},{height}^FH^FD{_field_data(op.text)}^FS"

    def _draw(self, item) -> tuple[list[TextOp], list[CodeOp]]:
        drawn = _capture(self.template, self.box, item)
        texts = drawn.texts
        if len(texts) != len(self.reference) or any(texts[i] != self.reference[i] for i in self.static):
            raise ValueError(f"A {self.template.name} label of this job differs from the job's artwork.")
        return texts, drawn.codes

    def _substituted(self, item) -> tuple[list[TextOp], list[CodeOp]] | None:
        """The labels of a job differ in a serial: when ``item`` differs from the job's first item only in fields
        where digits replace digits of the same length, its text and codes are the first label's with those
        values replaced (digits have one width in the label fonts, so every size and position stays; checked
        against a full drawing once per chunk). None when that does not apply."""
        first = self.first_item
        if type(item) is not type(first) or not is_dataclass(item):
            return None
        swaps = []
        for f in fields(item):
            old, new = getattr(first, f.name), getattr(item, f.name)
            if old == new:
                continue
            if not (isinstance(old, str) and isinstance(new, str) and len(old) == len(new) and old.isdigit()
                    and new.isdigit()):
                return None
            swaps.append((old, new))
        if not swaps:
            return self.first_drawn

        def swap(text: str) -> str:
            for old, new in swaps:
                if text.count(old) > 1:
                    raise _Ambiguous
                text = text.replace(old, new)
            return text

        texts, codes = self.first_drawn
        try:
            new_texts = [op if index in self.static else replace(op, text=swap(op.text))
                         for index, op in enumerate(texts)]
            new_codes = []
            for op in codes:
                if isinstance(op.content, ElementString):
                    content = ElementString(tuple((ai, swap(value)) for ai, value in op.content.fields))
                else:
                    content = swap(str(op.content))
                new_codes.append(replace(op, content=content))
        except _Ambiguous:
            return None
        return new_texts, new_codes

    def label(self, item, quantity: int = 1, *, check: bool = False) -> str:
        if not hasattr(self, "first_item"):
            self.first_item, self.first_drawn = item, self._draw(item)
        ops = self._substituted(item)
        if ops is None or check:
            drawn = self._draw(item)
            if ops is not None and (ops[0] != drawn[0] or ops[1] != drawn[1]):
                raise ValueError(f"A {self.template.name} label of this job differs from the job's artwork.")
            ops = drawn
        texts, codes = ops
        parts = [self._head]
        parts.extend(self.text(op) for index, op in enumerate(texts) if index not in self.static)
        parts.extend(self.code(op) for op in codes)
        if quantity > 1:
            parts.append(f"^PQ{quantity},0,1,Y")
        parts.append("^XZ\n")
        return "".join(parts)


def zpl_stream(template_name: str, items: Callable[[int, int], list], total: int, stock_name: str | None = None,
               *, dots_per_mm: int = 8, chunk: int = 1000) -> Iterator[bytes]:
    """Yield the ZPL of ``total`` labels, made ``chunk`` labels at a time: ``items(start, stop)`` returns the label
    items of positions [start, stop) in order (as for ``stream.stream_labels``). The first bytes store the job's
    bitmap; then one format per label, or one with a print quantity for a run of identical labels."""
    if total < 1:
        raise ValueError("There are no labels to print.")
    template = get_template(template_name)
    stock = get_stock(stock_name or template.default_stock)
    if stock.name not in template.allowed_stocks:
        raise ValueError(f"Template {template.name!r} cannot be printed on stock {stock.name!r}.")
    first = items(0, 1)[0]
    last = items(total - 1, total)[0] if total > 1 else first
    job = _Job(template, stock, dots_per_mm, first, last)
    yield job.header()
    for start in range(0, total, max(1, chunk)):
        batch = items(start, min(total, start + max(1, chunk)))
        out = []
        run_item, run = None, 0
        for item in batch:
            if run and (item is run_item or item == run_item):
                run += 1
                continue
            if run:
                out.append(job.label(run_item, run, check=not out))
            run_item, run = item, 1
        if run:
            out.append(job.label(run_item, run, check=not out))
        yield "".join(out).encode()


def render_zpl(template_name: str, items: list, stock_name: str | None = None, *, dots_per_mm: int = 8) -> bytes:
    """The ZPL of ``items`` (one label each), as bytes."""
    return b"".join(zpl_stream(template_name, lambda start, stop: items[start:stop], len(items), stock_name,
                               dots_per_mm=dots_per_mm))


class PrinterUnreachable(Exception):
    """The printer did not accept the connection or the data (address, port and the reason in the message)."""


def send(chunks: Iterable[bytes], address: str, port: int = DEFAULT_PORT, *, timeout: float = SEND_TIMEOUT) -> int:
    """Write ``chunks`` to a printer's raw TCP port; return the bytes sent. ``PrinterUnreachable`` when the
    printer cannot be reached or stops taking data (nothing is retried here)."""
    sent = 0
    try:
        with socket.create_connection((address, int(port)), timeout=timeout) as connection:
            for data in chunks:
                connection.sendall(data)
                sent += len(data)
            connection.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise PrinterUnreachable(f"{address}:{port}: {exc.strerror or exc}") from exc
    return sent
