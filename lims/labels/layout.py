"""Layout primitives for label artwork: boxes and text that is shrunk until it fits its box.

Label text is regulatory content, so it is never truncated: when it does not fit at the preferred size, the font
size is reduced until it does (wrapping first where a paragraph may take several lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

LEADING = 1.15
"""Line pitch of wrapped text as a multiple of the font size."""

_MIN_WRAP_SIZE = 4.0
_SIZE_STEP = 0.25

# A wrapping token: a run of non-space characters other than CJK, or a single CJK character (CJK text may break
# between any two characters), each with the white space before it.
_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"\s*(?:[{_CJK}]|[^\s{_CJK}]+)")


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, (x, y) being its lower-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def inset(self, dx: float, dy: float | None = None) -> Box:
        """The box shrunk by ``dx`` on the left and right and ``dy`` (default ``dx``) at top and bottom."""
        dy = dx if dy is None else dy
        return Box(self.x + dx, self.y + dy, self.width - 2 * dx, self.height - 2 * dy)


def _text_height(font: str, size: float) -> float:
    ascent, descent = getAscentDescent(font, size)
    return ascent - descent


@lru_cache(maxsize=4096)  # labels of one job repeat the same texts in the same boxes: measure them once
def fitted_size(text: str, font: str, max_size: float, width: float, height: float | None = None) -> float:
    """The largest size up to ``max_size`` at which ``text`` fits on one line ``width`` wide (and ``height`` high)."""
    size = max_size
    text_width = stringWidth(text, font, size)
    if text_width > width:
        size *= width / text_width
    if height is not None and _text_height(font, size) > height:
        size *= height / _text_height(font, size)
    return size


def draw_line(canvas: Canvas, text: str, box: Box, *, font: str, max_size: float, align: str = "left") -> float:
    """Draw ``text`` on one line inside ``box``, vertically centred, shrunk to fit; return the font size used."""
    size = fitted_size(text, font, max_size, box.width, box.height)
    ascent, descent = getAscentDescent(font, size)
    baseline = box.y + (box.height - (ascent - descent)) / 2 - descent
    canvas.setFont(font, size)
    if align == "left":
        canvas.drawString(box.x, baseline, text)
    elif align == "right":
        canvas.drawRightString(box.right, baseline, text)
    elif align == "center":
        canvas.drawCentredString(box.x + box.width / 2, baseline, text)
    else:
        raise ValueError(f"Unknown alignment {align!r}.")
    return size


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` where possible: between words, or between CJK characters.

    A single word wider than ``width`` stays whole on its own line; ``fit_paragraph`` then shrinks the font.
    """
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _TOKEN.findall(paragraph):
            if line and stringWidth(line + token, font, size) > width:
                lines.append(line)
                line = token.lstrip()
            else:
                line += token
        lines.append(line.strip())
    return lines


@lru_cache(maxsize=4096)  # Box is frozen (hashable); the same particulars repeat on every label of a job
def fit_paragraph(text: str, font: str, max_size: float, box: Box) -> tuple[float, tuple[str, ...]]:
    """Find the largest size up to ``max_size`` at which ``text``, wrapped, fits ``box``; return it and the lines."""
    if not text.strip():
        return max_size, ()
    size = max_size
    while True:
        lines = wrap(text, font, size, box.width)
        widest = max(stringWidth(line, font, size) for line in lines)
        block = (len(lines) - 1) * LEADING * size + _text_height(font, size)
        if (widest <= box.width and block <= box.height) or size - _SIZE_STEP < _MIN_WRAP_SIZE:
            break
        size -= _SIZE_STEP
    # Below the smallest wrapping size, scale the last wrapping down until it fits: never overflow the box.
    return size * min(1.0, box.width / widest, box.height / block), tuple(lines)


def draw_paragraph(canvas: Canvas, text: str, box: Box, *, font: str, max_size: float) -> float:
    """Draw ``text`` wrapped into ``box`` from its top, shrunk to fit; return the font size used."""
    size, lines = fit_paragraph(text, font, max_size, box)
    ascent, _ = getAscentDescent(font, size)
    canvas.setFont(font, size)
    baseline = box.top - ascent
    for line in lines:
        canvas.drawString(box.x, baseline, line)
        baseline -= LEADING * size
    return size
