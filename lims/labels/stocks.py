"""Label stocks: the physical media labels are printed on, as data.

A roll carries one label per page (thermal-transfer printers feed label by label and print to its edges); an A4
sheet carries a grid of die-cut labels, and office printers leave a border of the sheet unprinted, so artwork on
the outer labels keeps clear of it. All dimensions are in millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm

from .layout import Box

_TOLERANCE_MM = 0.01
_OFFICE_PRINTER_MARGIN_MM = 4.0  # the unprintable border of a typical office laser or inkjet printer


@dataclass(frozen=True)
class Stock:
    """A label stock: page size, label size, the grid of labels on the page with its margins and gaps, and the
    border of the page that the printer cannot print (``printer_margin_mm``)."""

    name: str
    description: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int = 1
    rows: int = 1
    margin_left_mm: float = 0.0
    margin_top_mm: float = 0.0
    gap_x_mm: float = 0.0
    gap_y_mm: float = 0.0
    printer_margin_mm: float = 0.0

    def __post_init__(self) -> None:
        used_width = self.margin_left_mm + self.columns * self.label_width_mm + (self.columns - 1) * self.gap_x_mm
        used_height = self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        if used_width > self.page_width_mm + _TOLERANCE_MM or used_height > self.page_height_mm + _TOLERANCE_MM:
            raise ValueError(f"The labels of stock {self.name!r} do not fit on its page.")

    @property
    def page_size(self) -> tuple[float, float]:
        """Page width and height in points."""
        return self.page_width_mm * mm, self.page_height_mm * mm

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    def label_boxes(self) -> list[Box]:
        """The label positions on a page in reading order (left to right, then top to bottom), in points."""
        width, height = self.label_width_mm * mm, self.label_height_mm * mm
        boxes = []
        for row in range(self.rows):
            top = self.page_height_mm - self.margin_top_mm - row * (self.label_height_mm + self.gap_y_mm)
            for column in range(self.columns):
                left = self.margin_left_mm + column * (self.label_width_mm + self.gap_x_mm)
                boxes.append(Box(left * mm, top * mm - height, width, height))
        return boxes

    def printable_part(self, box: Box) -> Box:
        """The part of the label ``box`` that the printer can print: inside ``printer_margin_mm`` of every edge."""
        margin = self.printer_margin_mm * mm
        page_width, page_height = self.page_size
        left, bottom = max(box.x, margin), max(box.y, margin)
        right, top = min(box.right, page_width - margin), min(box.top, page_height - margin)
        return Box(left, bottom, right - left, top - bottom)


def _roll(width_mm: float, height_mm: float) -> Stock:
    return Stock(
        name=f"roll-{width_mm:g}x{height_mm:g}",
        description=f"Roll, one {width_mm:g} × {height_mm:g} mm label per page",
        page_width_mm=width_mm,
        page_height_mm=height_mm,
        label_width_mm=width_mm,
        label_height_mm=height_mm,
    )


STOCKS: dict[str, Stock] = {
    stock.name: stock
    for stock in (
        _roll(50, 25),
        _roll(60, 40),
        _roll(100, 70),
        Stock(
            name="a4-3x8",
            description="A4 sheet, 3 × 8 labels of 70 × 36 mm",
            page_width_mm=210,
            page_height_mm=297,
            label_width_mm=70,
            label_height_mm=36,
            columns=3,
            rows=8,
            margin_top_mm=4.5,
            printer_margin_mm=_OFFICE_PRINTER_MARGIN_MM,
        ),
        Stock(
            name="a4-2x4",
            description="A4 sheet, 2 × 4 labels of 99.1 × 67.7 mm",
            page_width_mm=210,
            page_height_mm=297,
            label_width_mm=99.1,
            label_height_mm=67.7,
            columns=2,
            rows=4,
            margin_left_mm=4.65,
            margin_top_mm=13.1,
            gap_x_mm=2.5,
            printer_margin_mm=_OFFICE_PRINTER_MARGIN_MM,
        ),
    )
}


def get_stock(name: str) -> Stock:
    """The stock called ``name``; ``ValueError`` naming the known stocks if there is none."""
    try:
        return STOCKS[name]
    except KeyError:
        raise ValueError(f"Unknown label stock {name!r}; known stocks: {', '.join(sorted(STOCKS))}.") from None
