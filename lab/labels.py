"""The lab's label template: the sample tube label (a plain DataMatrix of the sample barcode with the barcode,
assay, client and arrival), registered into the label engine from ``LabConfig.ready()``, and what a sample's tube
label carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lims.labels.barcodes import draw_datamatrix
from lims.labels.fonts import LATIN, font_for
from lims.labels.layout import Box, draw_line
from lims.labels.templates import LabelTemplate, register_template


@dataclass(frozen=True, kw_only=True)
class TubeLabelData:
    """A laboratory sample tube label: the sample's barcode, its client, the assay ordered and when it arrived."""

    barcode: str
    client: str
    assay: str
    received_at: datetime

    def __post_init__(self) -> None:
        if not self.barcode.strip():
            raise ValueError("A sample tube label needs the sample's barcode.")


def draw_tube_label(canvas: Canvas, box: Box, data: TubeLabelData) -> None:
    """A sample tube label: a plain DataMatrix of the sample barcode with the barcode, assay, client and arrival."""
    scale = min(box.width / (50 * mm), box.height / (25 * mm))
    area = box.inset(1.5 * mm * scale)
    code_size = min(area.height, 15 * mm * scale)
    draw_datamatrix(canvas, data.barcode, area.x, area.y + (area.height - code_size) / 2, code_size)
    text_x = area.x + code_size + 1.5 * mm * scale
    text = Box(text_x, area.y, area.right - text_x, area.height)
    lines = (
        (data.barcode, font_for(data.barcode, bold=True), 11),
        (data.assay, font_for(data.assay), 8),
        (data.client, font_for(data.client), 8),
        (f"Received {data.received_at:%Y-%m-%d %H:%M}", LATIN, 7),
    )
    line_height = text.height / len(lines)
    for index, (value, font, size) in enumerate(lines):
        line_box = Box(text.x, text.top - (index + 1) * line_height, text.width, line_height)
        draw_line(canvas, value, line_box, font=font, max_size=size * scale)


TUBE = register_template(
    LabelTemplate(
        name="tube",
        title="Sample tube labels",
        data_type=TubeLabelData,
        default_stock="roll-50x25",
        allowed_stocks=("roll-50x25", "a4-3x8"),
        prints_chinese=False,
        draw=draw_tube_label,
    )
)
