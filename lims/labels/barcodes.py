"""2D symbols drawn as vector shapes on a reportlab canvas: GS1 DataMatrix (the UDI carrier) and QR codes.

The symbols are computed as module matrices and then drawn as one filled path of rectangles (one per run of
dark modules in a row), never as raster images, so they stay sharp at any printer resolution.

- DataMatrix ECC 200 (ISO/IEC 16022) comes from zxing-cpp's writer, which is built on libzint. In GS1 mode it
  starts the symbol with FNC1, so scanners report the symbology identifier ``]d2``, and ends variable-length
  fields with FNC1 where another field follows (GS1 General Specifications, GS1 DataMatrix section and §7.8).
  Only square symbol sizes are used, the usual choice on healthcare items.
- QR codes (ISO/IEC 18004) come from the ``qrcode`` package, error correction level M.

Each ``draw_*`` function takes the square *footprint* of the symbol including its quiet zone: the light margin a
scanner needs around it, one module for DataMatrix (ISO/IEC 16022) and four modules for QR (ISO/IEC 18004). The
footprint is painted white, so a layout only has to keep other artwork out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy
import qrcode
import qrcode.constants
import zxingcpp
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from .gs1 import ElementString

DATAMATRIX_QUIET_ZONE = 1
QR_QUIET_ZONE = 4

Matrix = tuple[tuple[bool, ...], ...]
"""Rows of modules from the top, ``True`` for a dark module."""


def _datamatrix_dark(content: ElementString | str) -> numpy.ndarray:
    """Encode a DataMatrix ECC 200 symbol: its modules (without quiet zone) as a boolean array, True for dark."""
    if isinstance(content, ElementString):
        # Bracketed AIs are unambiguous: neither "[" nor "]" belongs to the GS1 AI-82 character set.
        text = "".join(f"[{ai}]{value}" for ai, value in content.fields)
        symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, gs1=True, forceSquare=True)
    else:
        if not content:
            raise ValueError("A DataMatrix needs some data to encode.")
        symbol = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.DataMatrix, forceSquare=True)
    return numpy.asarray(symbol.to_image(scale=1, add_quiet_zones=False)) == 0


@lru_cache(maxsize=512)
def datamatrix_modules(content: ElementString | str) -> Matrix:
    """Encode a DataMatrix ECC 200 symbol and return its module matrix (without quiet zone).

    An ``ElementString`` is encoded as a GS1 DataMatrix (FNC1 in first position, FNC1 separators); a plain
    ``str`` as an ordinary DataMatrix of that text, e.g. a sample tube's barcode. Raises ``ValueError`` when the
    encoder refuses the data.
    """
    return tuple(map(tuple, _datamatrix_dark(content).tolist()))


@lru_cache(maxsize=512)
def qr_modules(text: str) -> Matrix:
    """Encode ``text`` as the smallest QR code with error correction level M and return its module matrix."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(bool(module) for module in row) for row in code.get_matrix())


def _matrix_operators(dark: numpy.ndarray) -> str:
    """The PDF path operators of the module array ``dark`` in module units (one ``re`` per run of dark modules in a
    row, rows counted from the bottom), ending with a fill: integers only, so they are short and cheap to write.

    The runs are found with numpy (where a row steps from light to dark and back) and written by one ``%``
    format, so a symbol costs a few array operations rather than a Python loop over its modules.
    """
    rows, columns = dark.shape
    padded = numpy.zeros((rows, columns + 2), numpy.int8)
    padded[:, 1:-1] = dark
    steps = numpy.diff(padded, axis=1)
    run_rows, starts = numpy.nonzero(steps == 1)
    _, ends = numpy.nonzero(steps == -1)  # row-major like the starts, so the n-th end closes the n-th start
    values = numpy.empty((len(starts), 3), numpy.int64)
    values[:, 0] = starts
    values[:, 1] = rows - 1 - run_rows
    values[:, 2] = ends - starts
    return ("%d %d %d 1 re\n" * len(starts)) % tuple(values.ravel().tolist()) + "f"


@dataclass(frozen=True)
class _Drawing:
    """A symbol ready to draw: its size in modules and its path operators in module units."""

    rows: int
    columns: int
    operators: str

    @classmethod
    def of(cls, dark: numpy.ndarray) -> _Drawing:
        rows, columns = dark.shape
        return cls(rows, columns, _matrix_operators(dark))


@lru_cache(maxsize=512)
def _datamatrix_drawing(content: ElementString | str) -> _Drawing:
    return _Drawing.of(_datamatrix_dark(content))


@lru_cache(maxsize=512)
def _qr_drawing(text: str) -> _Drawing:
    return _Drawing.of(numpy.array(qr_modules(text), dtype=bool))


def draw_matrix(canvas: Canvas, matrix: Matrix, x: float, y: float, module: float) -> None:
    """Draw ``matrix`` with its lower-left corner at (x, y), each module ``module`` points wide.

    Runs of dark modules in a row become one rectangle, and all rectangles form a single path, so a rasteriser
    leaves no hairline seams between neighbouring modules. The path is written in module units under a scaling
    transform (``x y`` translate, ``module`` scale), so each rectangle is four small integers in the PDF.
    """
    canvas.addLiteral(_symbol_literal(_Drawing.of(numpy.array(matrix, dtype=bool)), x, y, module))


def _symbol_literal(drawing: _Drawing, x: float, y: float, module: float) -> str:
    """The PDF operators that draw ``drawing`` in black, inside ``q``/``Q`` so that the canvas's own graphics
    state (colours, transform) is untouched."""
    return f"q 0 g {fp_str(module, 0, 0, module, x, y)} cm\n{drawing.operators}\nQ"


def _draw_symbol(canvas: Canvas, drawing: _Drawing, x: float, y: float, size: float, quiet_zone: int) -> float:
    """Draw a square symbol centred in the ``size`` footprint with its quiet zone; return the module size.

    The footprint is painted white and the symbol drawn over it in one literal block of operators, so drawing a
    symbol costs one string per label (the symbol's operators are computed once per content).
    """
    module = size / (max(drawing.rows, drawing.columns) + 2 * quiet_zone)
    offset_x = (size - drawing.columns * module) / 2
    offset_y = (size - drawing.rows * module) / 2
    canvas.addLiteral(
        f"q 1 g {fp_str(x, y, size, size)} re f Q\n"
        + _symbol_literal(drawing, x + offset_x, y + offset_y, module)
    )
    return module


def draw_datamatrix(canvas: Canvas, content: ElementString | str, x: float, y: float, size: float) -> float:
    """Draw a DataMatrix in the square footprint (x, y, size), quiet zone included; return the module size.

    Pass an ``ElementString`` (see ``gs1.element_string``) for a GS1 DataMatrix, a ``str`` for a plain one.
    A canvas that prints codes natively (``zpl.ZplCanvas``) takes the symbol as a command instead.
    """
    place = getattr(canvas, "place_code", None)
    if place is not None:
        return place("datamatrix", content, x, y, size)
    return _draw_symbol(canvas, _datamatrix_drawing(content), x, y, size, DATAMATRIX_QUIET_ZONE)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> float:
    """Draw a QR code of ``text`` in the square footprint (x, y, size), quiet zone included; return the module size."""
    place = getattr(canvas, "place_code", None)
    if place is not None:
        return place("qr", text, x, y, size)
    return _draw_symbol(canvas, _qr_drawing(text), x, y, size, QR_QUIET_ZONE)
