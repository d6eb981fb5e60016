"""Label symbols drawn as reportlab vector graphics.

The symbols are those of ISO 15223-1:2021 (medical devices — symbols to be used with information to be
supplied by the manufacturer), each of which reproduces an ISO 7000 graphical symbol, plus the CE marking after
Annex V of Regulation (EU) 2017/746 (IVDR).

Every ``draw_<name>(canvas, x, y, size, …)`` draws with (x, y) as the lower-left corner of the symbol, ``size``
as its height in points, and returns the width it used, so a layout can set text beside it.
"""

from __future__ import annotations

import math

from reportlab.lib.colors import black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .fonts import LATIN, LATIN_BOLD

_CAP_HEIGHT = 0.718  # Helvetica cap height per unit of font size
_CE_STROKE = 0.18  # stroke of the CE letters, per unit of height
_CE_NUMBER_SIZE = 0.62  # font size of the notified body number, per unit of CE height
_CE_NUMBER_GAP = 0.22
_FACTORY_OUTLINE = (
    (0.0, 0.0), (1.1, 0.0), (1.1, 0.62), (0.807, 0.42), (0.807, 0.62), (0.513, 0.42), (0.513, 0.62),
    (0.22, 0.42), (0.22, 1.0), (0.0, 1.0),
)  # fmt: skip


def _pen(canvas: Canvas, size: float) -> float:
    """Set the stroke and fill for a symbol of height ``size``; return the line width."""
    line_width = max(0.3, size * 0.065)
    canvas.setLineWidth(line_width)
    canvas.setLineJoin(0)
    canvas.setLineCap(0)
    canvas.setStrokeColor(black)
    canvas.setFillColor(black)
    return line_width


def _polygon(canvas: Canvas, points, x: float, y: float, scale: float, *, fill: bool) -> None:
    path = canvas.beginPath()
    first, *rest = points
    path.moveTo(x + first[0] * scale, y + first[1] * scale)
    for px, py in rest:
        path.lineTo(x + px * scale, y + py * scale)
    path.close()
    canvas.drawPath(path, stroke=0 if fill else 1, fill=1 if fill else 0)


def _centred_text(canvas: Canvas, text: str, cx: float, cy: float, font: str, font_size: float) -> None:
    """Draw ``text`` with its cap height centred on (cx, cy)."""
    canvas.setFont(font, font_size)
    canvas.drawCentredString(cx, cy - font_size * _CAP_HEIGHT / 2, text)


def _boxed_text(canvas: Canvas, x: float, y: float, size: float, text: str) -> float:
    """A word in a rectangular frame: the form of the LOT, REF, SN and IVD symbols."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    font_size = size * 0.56
    width = stringWidth(text, LATIN_BOLD, font_size) + size * 0.42
    inset = line_width / 2
    canvas.rect(x + inset, y + inset, width - line_width, size - line_width, stroke=1, fill=0)
    _centred_text(canvas, text, x + width / 2, y + size / 2, LATIN_BOLD, font_size)
    canvas.restoreState()
    return width


def draw_manufacturer(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Manufacturer, ISO 15223-1 5.1.1 (ISO 7000-3082): a filled factory."""
    canvas.saveState()
    _pen(canvas, size)
    _polygon(canvas, _FACTORY_OUTLINE, x, y, size, fill=True)
    canvas.restoreState()
    return 1.1 * size


def draw_date_of_manufacture(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Date of manufacture, ISO 15223-1 5.1.3 (ISO 7000-2497): the factory in outline."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    inner = size - line_width
    _polygon(canvas, _FACTORY_OUTLINE, x + line_width / 2, y + line_width / 2, inner, fill=False)
    canvas.restoreState()
    return 1.1 * inner + line_width


def draw_use_by(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Use-by date, ISO 15223-1 5.1.4 (ISO 7000-2607): an hourglass."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    width = 0.68 * size
    top, bottom, middle = y + size - line_width, y + line_width, y + size / 2
    left, right, centre = x + 0.1 * width, x + 0.9 * width, x + width / 2
    canvas.setLineWidth(line_width * 1.4)
    canvas.line(x, y + size - line_width * 0.7, x + width, y + size - line_width * 0.7)
    canvas.line(x, y + line_width * 0.7, x + width, y + line_width * 0.7)
    canvas.setLineWidth(line_width)
    glass = canvas.beginPath()
    glass.moveTo(left, top)
    glass.lineTo(right, top)
    glass.lineTo(centre, middle)
    glass.lineTo(right, bottom)
    glass.lineTo(left, bottom)
    glass.lineTo(centre, middle)
    glass.close()
    canvas.drawPath(glass, stroke=1, fill=0)
    sand = ((0.5, 0.3), (0.78, 0.06), (0.22, 0.06))
    _polygon(canvas, [(px * width / size, py) for px, py in sand], x, y + line_width * 0.2, size, fill=True)
    canvas.restoreState()
    return width


def draw_lot(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Batch code, ISO 15223-1 5.1.5 (ISO 7000-2492): "LOT" in a frame."""
    return _boxed_text(canvas, x, y, size, "LOT")


def draw_ec_rep(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Authorised representative in the European Community, ISO 15223-1 5.1.2: "EC REP" in a frame."""
    return _boxed_text(canvas, x, y, size, "EC REP")


def draw_ref(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Catalogue number, ISO 15223-1 5.1.6 (ISO 7000-2493): "REF" in a frame."""
    return _boxed_text(canvas, x, y, size, "REF")


def draw_serial_number(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Serial number, ISO 15223-1 5.1.7 (ISO 7000-2498): "SN" in a frame."""
    return _boxed_text(canvas, x, y, size, "SN")


def draw_ivd(canvas: Canvas, x: float, y: float, size: float) -> float:
    """In vitro diagnostic medical device, ISO 15223-1 5.5.1 (ISO 7000-1045): "IVD" in a frame."""
    return _boxed_text(canvas, x, y, size, "IVD")


def _limit_bracket(canvas: Canvas, x: float, y: float, size: float, low: str, high: str, draw_middle) -> float:
    """The limit symbols' shared form: lower limit at the lower left, upper limit at the upper right.

    A horizontal line runs left from the bottom of the central figure and right from its top; the limit values are
    written at the outer ends of those lines.
    """
    canvas.saveState()
    line_width = _pen(canvas, size)
    font_size = size * 0.55
    low_width = stringWidth(low, LATIN, font_size)
    high_width = stringWidth(high, LATIN, font_size)
    arm = 0.3 * size
    figure = 0.36 * size
    centre_left = x + low_width + 0.06 * size + arm
    centre_right = centre_left + figure
    bottom_line, top_line = y + line_width / 2, y + size - line_width / 2
    canvas.line(centre_left - arm, bottom_line, centre_left + figure / 2, bottom_line)
    canvas.line(centre_right - figure / 2, top_line, centre_right + arm, top_line)
    draw_middle(canvas, centre_left, y, figure, size, line_width)
    canvas.setFont(LATIN, font_size)
    canvas.drawString(x, y + line_width, low)
    canvas.drawString(centre_right + arm + 0.06 * size, y + size - font_size * _CAP_HEIGHT - line_width, high)
    canvas.restoreState()
    return low_width + high_width + 2 * arm + figure + 0.12 * size


def _thermometer(canvas: Canvas, left: float, y: float, width: float, size: float, line_width: float) -> None:
    centre = left + width / 2
    stem = width * 0.42
    bulb = width * 0.42
    canvas.roundRect(centre - stem / 2, y + bulb, stem, size - bulb - line_width, stem / 2, stroke=1, fill=0)
    canvas.circle(centre, y + bulb + line_width / 2, bulb - line_width / 2, stroke=1, fill=1)
    canvas.rect(centre - stem / 6, y + bulb, stem / 3, size * 0.35, stroke=0, fill=1)


def _droplets(canvas: Canvas, left: float, y: float, width: float, size: float, line_width: float) -> None:
    for fraction_x, fraction_y in ((0.2, 0.62), (0.75, 0.72), (0.5, 0.28)):
        cx, cy, radius = left + fraction_x * width, y + fraction_y * size, width * 0.2
        drop = canvas.beginPath()
        drop.moveTo(cx, cy + radius * 2.1)
        drop.arcTo(cx - radius, cy - radius, cx + radius, cy + radius, startAng=30, extent=-240)
        drop.close()
        canvas.drawPath(drop, stroke=0, fill=1)


def draw_temperature_limit(canvas: Canvas, x: float, y: float, size: float, low_c: str, high_c: str) -> float:
    """Temperature limit, ISO 15223-1 5.3.7 (ISO 7000-0632), with the limits, e.g. "2 °C" and "30 °C"."""
    return _limit_bracket(canvas, x, y, size, low_c, high_c, _thermometer)


def draw_humidity_limit(canvas: Canvas, x: float, y: float, size: float, low_pct: str, high_pct: str) -> float:
    """Humidity limitation, ISO 15223-1 5.3.8 (ISO 7000-2620), with the limits, e.g. "15 %" and "85 %"."""
    return _limit_bracket(canvas, x, y, size, low_pct, high_pct, _droplets)


def draw_do_not_reuse(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Do not re-use, ISO 15223-1 5.4.2 (ISO 7000-1051): a crossed-out "2" in a circle."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    radius = (size - line_width) / 2
    cx, cy = x + size / 2, y + size / 2
    _centred_text(canvas, "2", cx, cy, LATIN_BOLD, size * 0.72)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    reach = radius * math.cos(math.pi / 4)
    canvas.line(cx - reach, cy + reach, cx + reach, cy - reach)
    canvas.restoreState()
    return size


def draw_consult_ifu(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Consult instructions for use, ISO 15223-1 5.4.3 (ISO 7000-1641): a book with an "i"."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    width = 0.82 * size
    half = line_width / 2
    cover = canvas.beginPath()
    cover.moveTo(x + half, y + 0.16 * size)
    cover.lineTo(x + half, y + size - half)
    cover.lineTo(x + width - half, y + size - half)
    cover.lineTo(x + width - half, y + 0.16 * size)
    cover.close()
    canvas.drawPath(cover, stroke=1, fill=0)
    # The page block below the cover.
    canvas.line(x + half, y + 0.16 * size, x + 0.16 * width, y + half)
    canvas.line(x + 0.16 * width, y + half, x + width - half, y + half)
    canvas.line(x + width - half, y + half, x + width - half, y + 0.16 * size)
    stem = 0.13 * size
    canvas.rect(x + width / 2 - stem / 2, y + 0.3 * size, stem, 0.34 * size, stroke=0, fill=1)
    canvas.circle(x + width / 2, y + 0.78 * size, stem * 0.62, stroke=0, fill=1)
    canvas.restoreState()
    return width


def draw_caution(canvas: Canvas, x: float, y: float, size: float) -> float:
    """Caution, ISO 15223-1 5.4.4 (ISO 7000-0434A): an exclamation mark in a triangle."""
    canvas.saveState()
    line_width = _pen(canvas, size)
    width = size * 2 / math.sqrt(3)
    canvas.setLineJoin(1)
    _polygon(
        canvas,
        ((line_width, line_width * 0.6), (width - line_width, line_width * 0.6), (width / 2, size - line_width)),
        x,
        y,
        1.0,
        fill=False,
    )
    stem = 0.1 * size
    canvas.rect(x + width / 2 - stem / 2, y + 0.34 * size, stem, 0.3 * size, stroke=0, fill=1)
    canvas.circle(x + width / 2, y + 0.2 * size, stem * 0.6, stroke=0, fill=1)
    canvas.restoreState()
    return width


def draw_tests(canvas: Canvas, x: float, y: float, size: float, count: int) -> float:
    """Contains sufficient for <n> tests, ISO 15223-1 5.5.5 (ISO 7000-0518): a Sigma with the number beside it."""
    canvas.saveState()
    line_width = _pen(canvas, size) * 1.3
    canvas.setLineWidth(line_width)
    canvas.setLineJoin(2)  # bevelled: a mitre at the Sigma's acute corners would reach outside the symbol
    width = 0.62 * size
    top, bottom = y + size - line_width / 2, y + line_width / 2
    sigma = canvas.beginPath()
    sigma.moveTo(x + width, top - 0.14 * size)
    sigma.lineTo(x + width, top)
    sigma.lineTo(x + line_width / 2, top)
    sigma.lineTo(x + 0.52 * width, y + size / 2)
    sigma.lineTo(x + line_width / 2, bottom)
    sigma.lineTo(x + width, bottom)
    sigma.lineTo(x + width, bottom + 0.14 * size)
    canvas.drawPath(sigma, stroke=1, fill=0)
    number = str(count)
    font_size = size * 0.7
    canvas.setFont(LATIN_BOLD, font_size)
    canvas.drawString(x + width + 0.2 * size, y, number)
    canvas.restoreState()
    return width + 0.2 * size + stringWidth(number, LATIN_BOLD, font_size)


def draw_ce_mark(canvas: Canvas, x: float, y: float, size: float, notified_body: str | None = None) -> float:
    """The CE marking (IVDR Annex V), followed by the notified body's identification number where one applies.

    The letters are built from circle arcs in the manner of the Annex V graphic: each is the left half of a ring
    whose outer circle spans the full height ``size`` (IVDR: at least 5 mm), the two outer circles touch, and the E
    has a middle bar shorter than its arms.
    """
    canvas.saveState()
    _pen(canvas, size)
    outer = size / 2
    stroke = _CE_STROKE * size
    inner = outer - stroke
    cy = y + outer
    for cx in (x + outer, x + 3 * outer):
        letter = canvas.beginPath()
        letter.moveTo(cx, cy + outer)
        letter.arcTo(cx - outer, cy - outer, cx + outer, cy + outer, startAng=90, extent=180)
        letter.lineTo(cx, cy - inner)
        letter.arcTo(cx - inner, cy - inner, cx + inner, cy + inner, startAng=270, extent=-180)
        letter.close()
        canvas.drawPath(letter, stroke=0, fill=1)
    bar_left, bar_right = x + 2 * outer + stroke / 2, x + 3 * outer - 0.22 * outer
    canvas.rect(bar_left, cy - 0.08 * size, bar_right - bar_left, 0.16 * size, stroke=0, fill=1)
    if notified_body:
        canvas.setFont(LATIN_BOLD, size * _CE_NUMBER_SIZE)
        canvas.drawString(x + (1.5 + _CE_NUMBER_GAP) * size, y, notified_body)
    canvas.restoreState()
    return ce_mark_width(size, notified_body)


def ce_mark_width(size: float, notified_body: str | None = None) -> float:
    """The width ``draw_ce_mark`` uses for a marking ``size`` high, so a layout can reserve it beforehand."""
    width = 1.5 * size
    if notified_body:
        width += _CE_NUMBER_GAP * size + stringWidth(notified_body, LATIN_BOLD, size * _CE_NUMBER_SIZE)
    return width
