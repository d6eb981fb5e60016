"""Render labels to a PDF: the public entry point of the label engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from .fonts import register_fonts
from .layout import Box
from .stocks import get_stock
from .templates import get_template

MAX_LABELS_PER_DOCUMENT = 5000
"""A bound on one request's output (items × copies), so a mistyped copy count cannot exhaust the server."""


def render_labels(
    template_name: str,
    items: Sequence,
    stock_name: str | None = None,
    copies: int = 1,
    *,
    author: str | None = None,
) -> bytes:
    """Render ``copies`` labels of each item with the named template and return the PDF.

    The labels fill the stock's positions in reading order, item by item (all copies of the first item, then the
    second …), starting a new page when a sheet is full; a roll gets one label per page. Each label is drawn in
    the part of it the printer can print. The stock defaults to the template's own. The PDF's author is
    ``author``, by default the manufacturers the items name (``manufacturer_name``), else "LIMS".

    Raises ``ValueError`` for an unknown template or stock, a stock the template does not allow, items of the
    wrong kind, or a copy count out of range.
    """
    template = get_template(template_name)
    stock = get_stock(stock_name or template.default_stock)
    if stock.name not in template.allowed_stocks:
        raise ValueError(
            f"Template {template.name!r} cannot be printed on stock {stock.name!r}; "
            f"allowed: {', '.join(template.allowed_stocks)}."
        )
    if not items:
        raise ValueError("There are no labels to print.")
    wrong = [item for item in items if not isinstance(item, template.data_type)]
    if wrong:
        raise ValueError(f"Template {template.name!r} prints {template.data_type.__name__} items only.")
    if copies < 1 or len(items) * copies > MAX_LABELS_PER_DOCUMENT:
        raise ValueError(f"Copies must be at least 1 and at most {MAX_LABELS_PER_DOCUMENT} labels in all.")
    if template.prints_chinese:
        register_fonts()

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=stock.page_size, pageCompression=1)
    canvas.setTitle(f"{template.title} ({stock.description})")
    canvas.setAuthor(author or _default_author(items))
    canvas.setSubject(f"Template {template.name} on stock {stock.name}: {len(items) * copies} label(s)")
    canvas.setCreator("LIMS label engine")

    boxes = stock.label_boxes()
    sequence = [item for item in items for _ in range(copies)]
    placements = Counter(id(item) for item in sequence)
    forms: dict[tuple[int, float, float], str] = {}
    for index, item in enumerate(sequence):
        position = index % len(boxes)
        if position == 0 and index:
            canvas.showPage()
        box = stock.printable_part(boxes[position])
        canvas.saveState()
        canvas.translate(box.x, box.y)
        if placements[id(item)] == 1:
            # A label printed once (a case label with its own serial) is drawn straight onto the page: a form of
            # its own would only add an object to the PDF.
            _clip_to(canvas, box)
            template.draw(canvas, Box(0, 0, box.width, box.height), item)
        else:
            # Copies of one item are identical: the label is drawn once into a PDF form XObject (still vector) and
            # placed at every position, so a lot's codes are encoded and drawn once per job, not once per label.
            key = (id(item), round(box.width, 3), round(box.height, 3))
            name = forms.get(key)
            if name is None:
                name = forms[key] = f"label{len(forms)}"
                canvas.beginForm(name, lowerx=0, lowery=0, upperx=box.width, uppery=box.height)
                _clip_to(canvas, box)
                template.draw(canvas, Box(0, 0, box.width, box.height), item)
                canvas.endForm()
            canvas.doForm(name)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _clip_to(canvas: Canvas, box: Box) -> None:
    """Clip to the label (at the origin) so that nothing a template draws can reach a neighbouring label or the
    sheet edge."""
    clip = canvas.beginPath()
    clip.rect(0, 0, box.width, box.height)
    canvas.clipPath(clip, stroke=0, fill=0)


def _default_author(items: Sequence) -> str:
    manufacturers = dict.fromkeys(name for item in items if (name := getattr(item, "manufacturer_name", None)))
    return ", ".join(manufacturers) or "LIMS"
