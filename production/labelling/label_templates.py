"""Production's label templates: the kit (unit) box label, the shipping case label and the receiving label of a
material lot, registered into the label engine (``lims.labels``) from ``LabellingConfig.ready()``.

The receiving label identifies a lot of a component as received: a GS1 DataMatrix with the expiry (17), the
material's code (240, additional product identification) and the plant's internal lot code (10, ``ML000123``) —
the scan that consumes the lot on a batch reads it — and the lot's status in large letters: QUARANTINE until
incoming QC approves it, then a released label.

Kit and case labels carry the particulars of IVDR (EU) 2017/746 Annex I 20.2 that fit on them, with the
ISO 15223-1 symbols, the UDI as a GS1 DataMatrix with its human-readable interpretation, and beside it a QR
code with the GS1 Digital Link URI for phones (a QR code is not accepted as the UDI carrier, DOMAIN.md §8).
The printed words are fixed regulatory artwork (English, plus the product's Chinese name), not UI strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from weakref import WeakKeyDictionary

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lims.labels import symbols
from lims.labels.barcodes import draw_datamatrix, draw_qr
from lims.labels.fonts import LATIN, LATIN_BOLD, font_for
from lims.labels.gs1 import (
    ElementString,
    digital_link,
    element_string,
    validate_ai82,
    validate_gtin14,
    validate_lot,
    validate_resolver_url,
    validate_serial,
    yymmdd,
)
from lims.labels.layout import Box, draw_line, draw_paragraph
from lims.labels.templates import LabelTemplate, register_template


@dataclass(frozen=True, kw_only=True)
class LabelData:
    """Everything printed on a kit (unit) or shipping case label; validated when created."""

    product_name: str
    ref: str
    gtin: str
    lot: str
    expiry: date
    manufactured_on: date
    tests_per_kit: int
    storage_min_c: int | float | Decimal
    storage_max_c: int | float | Decimal
    manufacturer_name: str
    manufacturer_address: str
    ifu_url_or_text: str
    resolver_base_url: str
    product_name_zh: str | None = None
    notified_body: str | None = None
    eu_representative_name: str | None = None
    eu_representative_address: str | None = None
    serial: str | None = None
    professional_use: bool = True
    pilot: bool = False  # a pilot-manufacture lot (issue 20): "PILOT LOT" printed before the intended use

    def __post_init__(self) -> None:
        validate_gtin14(self.gtin)
        validate_lot(self.lot)
        if self.serial is not None:
            validate_serial(self.serial)
        validate_resolver_url(self.resolver_base_url)
        if self.expiry < self.manufactured_on:
            raise ValueError(f"The use-by date {self.expiry} is before the date of manufacture {self.manufactured_on}.")
        if self.tests_per_kit < 1:
            raise ValueError("A kit contains at least one test.")
        if self.storage_min_c > self.storage_max_c:
            raise ValueError("The lowest storage temperature is above the highest.")


def _celsius(value: int | float | Decimal) -> str:
    number = Decimal(str(value)).normalize()
    return f"{number:f} °C"


# Kit and case labels are designed at 60 × 40 mm and scaled by the label's size, widths stretching to fill it.
_DESIGN_WIDTH = 60 * mm
_DESIGN_HEIGHT = 40 * mm
_CE_MIN_HEIGHT = 5 * mm  # IVDR Annex V: the CE marking is at least 5 mm high
# The 2D codes stop growing at 16 mm (a DataMatrix module of about 0.6-0.8 mm): bigger modules scan no better,
# and on large labels the space goes to text instead.
_MAX_CODE_SIZE = 16 * mm


@dataclass(frozen=True)
class _Cell:
    """One symbol with its value beside it in the particulars grid."""

    draw_symbol: Callable[[Canvas, float, float, float], float]
    value: str = ""
    bold: bool = False


def _draw_cell(canvas: Canvas, cell: _Cell, box: Box, symbol_size: float, font_size: float, *, fixed: bool = True,
               varying: bool = True) -> None:
    """The cell's symbol (when ``fixed``) and its value (when ``varying``) beside it."""
    symbol_y = box.y + (box.height - symbol_size) / 2
    used = cell.draw_symbol(canvas, box.x, symbol_y, symbol_size) if fixed else _width(cell.draw_symbol, symbol_size)
    if cell.value and varying:
        gap = 0.3 * symbol_size
        text_box = Box(box.x + used + gap, symbol_y, box.width - used - gap, symbol_size)
        draw_line(canvas, cell.value, text_box, font=font_for(cell.value, bold=cell.bold), max_size=font_size)


def _draw_header(canvas: Canvas, header: Box, data: LabelData, scale: float) -> None:
    """Product name (and Chinese name) on the left, the CE marking with the notified body number on the right."""
    ce_height = min(header.height, max(_CE_MIN_HEIGHT, _CE_MIN_HEIGHT * scale))
    ce_width = symbols.ce_mark_width(ce_height, data.notified_body)
    symbols.draw_ce_mark(canvas, header.right - ce_width, header.top - ce_height, ce_height, data.notified_body)
    names = Box(header.x, header.y, header.width - ce_width - 1.5 * mm * scale, header.height)
    if data.product_name_zh:
        name_box = Box(names.x, names.y + names.height * 0.45, names.width, names.height * 0.55)
        zh_box = Box(names.x, names.y, names.width, names.height * 0.42)
        draw_line(canvas, data.product_name_zh, zh_box, font=font_for(data.product_name_zh), max_size=9 * scale)
    else:
        name_box = names
    draw_paragraph(
        canvas, data.product_name, name_box, font=font_for(data.product_name, bold=True), max_size=10 * scale
    )


def _draw_information_block(canvas: Canvas, block: Box, data: LabelData, scale: float) -> None:
    """Beside the codes: IVD, single-use and IFU symbols with where to find the IFU, the intended user, the
    manufacturer's symbol, name and address, and the EU authorised representative's when there is one."""
    symbol_size = min(3.4 * mm * scale, block.height * 0.26)
    font_size = 7 * scale
    gap = 0.04 * block.height
    row = Box(block.x, block.top - symbol_size, block.width, symbol_size)
    x = row.x
    for draw_symbol in (symbols.draw_ivd, symbols.draw_do_not_reuse, symbols.draw_consult_ifu):
        x += draw_symbol(canvas, x, row.y, symbol_size) + 0.35 * symbol_size
    ifu_box = Box(x, row.y, row.right - x, symbol_size)
    draw_line(canvas, data.ifu_url_or_text, ifu_box, font=font_for(data.ifu_url_or_text), max_size=font_size)

    use = "For professional use only" if data.professional_use else "For self-testing"
    if data.pilot:
        use = f"PILOT LOT · {use}"
    use_box = Box(block.x, row.y - gap - 0.16 * block.height, block.width, 0.16 * block.height)
    draw_line(canvas, use, use_box, font=LATIN_BOLD, max_size=font_size)

    maker = Box(block.x, block.y, block.width, use_box.y - gap - block.y)
    if data.eu_representative_name:
        # IVDR Annex I 20.2(b): the EU authorised representative below the manufacturer, with its symbol
        rep = Box(maker.x, maker.y, maker.width, maker.height * 0.42)
        maker = Box(maker.x, rep.top + gap, maker.width, maker.top - rep.top - gap)
        _draw_party(canvas, rep, symbols.draw_ec_rep, data.eu_representative_name,
                    data.eu_representative_address or "", min(symbol_size, rep.height), font_size)
    _draw_party(canvas, maker, symbols.draw_manufacturer, data.manufacturer_name, data.manufacturer_address,
                min(symbol_size, maker.height), font_size)


def _draw_party(canvas: Canvas, box: Box, draw_symbol, name: str, address: str, symbol_size: float,
                font_size: float) -> None:
    """A symbol (manufacturer, EC REP) with a name in bold and the address below it."""
    used = draw_symbol(canvas, box.x, box.top - symbol_size, symbol_size)
    text_x = box.x + used + 0.35 * symbol_size
    name_height = min(symbol_size * 0.8, box.height * 0.4)
    name_box = Box(text_x, box.top - name_height, box.right - text_x, name_height)
    draw_line(canvas, name, name_box, font=font_for(name, bold=True), max_size=font_size)
    if address:
        address_box = Box(text_x, box.y, name_box.width, name_box.y - box.y)
        draw_paragraph(canvas, address, address_box, font=font_for(address), max_size=font_size)


def _draw_kit_label(canvas: Canvas, box: Box, data: LabelData, *, serial: str | None, fixed: bool = True,
                    varying: bool = True) -> None:
    """The layout shared by unit and case labels: header, particulars grid, then codes with the information block.

    The GS1 DataMatrix carries (01)(17)(10), plus (21) when ``serial`` is given; the QR code the lot's Digital Link
    URI (01, 10, 17); the human-readable interpretation runs under the codes.

    ``fixed`` draws what is the same on every label of the lot, ``varying`` what holds the serial number: the UDI
    (DataMatrix and its human-readable interpretation) and the serial's value beside the SN symbol. A case label
    is the fixed part, drawn once per lot, plus its varying part; a label drawn whole is both.
    """
    scale = min(box.width / _DESIGN_WIDTH, box.height / _DESIGN_HEIGHT)
    area = box.inset(1.8 * mm * scale)
    gap = 0.8 * mm * scale

    header_height = max(_CE_MIN_HEIGHT, 6.8 * mm * scale)
    header = Box(area.x, area.top - header_height, area.width, header_height)
    if fixed:
        _draw_header(canvas, header, data, scale)

    # Pilot lots (Batch.kind) are marked "PILOT" on their labels: the marking goes in the header, beside the name.
    hri_box = Box(area.x, area.y, area.width, 2.4 * mm * scale)
    code_size = min(13.5 * mm * scale, _MAX_CODE_SIZE)
    codes_y = hri_box.top + 0.5 * mm * scale
    if varying:
        udi = element_string(data.gtin, data.expiry, data.lot, serial=serial)
        draw_line(canvas, udi.human_readable, hri_box, font=LATIN, max_size=7.5 * scale)
        draw_datamatrix(canvas, udi, area.x, codes_y, code_size)
    # On large labels the codes stop growing; the information block beside them still takes its share.
    block_height = max(code_size, 0.3 * area.height)
    if fixed:
        # The QR is for phones: the lot's Digital Link page (issue 5: /01/<GTIN>/10/<lot>?17=<YYMMDD>), the same on
        # every label of a lot, so it is encoded once per job; a case's serial (21) is in the UDI carrier, the
        # DataMatrix.
        uri = digital_link(data.resolver_base_url, data.gtin, data.lot, expiry=data.expiry)
        draw_qr(canvas, uri, area.x + code_size + gap, codes_y, code_size)
        block_x = area.x + 2 * code_size + 2 * gap
        _draw_information_block(canvas, Box(block_x, codes_y, area.right - block_x, block_height), data, scale)

    # The particulars grid: REF and LOT, use-by and manufacture dates, tests and storage, then SN on case labels.
    # Only the serial's value varies, so the other rows are only laid out for the fixed part.
    rows = _particulars(data) if fixed else [()] * 3
    if serial is not None:
        rows.append((_Cell(symbols.draw_serial_number, serial, bold=True),))
    grid_bottom = codes_y + block_height + gap
    grid = Box(area.x, grid_bottom, area.width, header.y - gap - grid_bottom)
    pitch = grid.height / len(rows)
    symbol_size = min(3.6 * mm * scale, pitch * 0.82)
    column_width = (grid.width - gap) / 2
    for index, cells in enumerate(rows):
        row_y = grid.top - (index + 1) * pitch
        serial_row = serial is not None and index == len(rows) - 1
        for column, cell in enumerate(cells):
            width = column_width if len(cells) > 1 else grid.width
            cell_box = Box(grid.x + column * (column_width + gap), row_y, width, pitch)
            _draw_cell(canvas, cell, cell_box, symbol_size, font_size=8.5 * scale, fixed=fixed,
                       varying=varying or not serial_row)


def _particulars(data: LabelData) -> list[tuple[_Cell, ...]]:
    """The rows of the particulars grid that are the same on every label of a lot."""
    return [
        (_Cell(symbols.draw_ref, data.ref), _Cell(symbols.draw_lot, data.lot, bold=True)),
        (
            _Cell(symbols.draw_use_by, data.expiry.isoformat(), bold=True),
            _Cell(symbols.draw_date_of_manufacture, data.manufactured_on.isoformat()),
        ),
        (
            _Cell(partial(symbols.draw_tests, count=data.tests_per_kit)),
            _Cell(
                partial(
                    symbols.draw_temperature_limit,
                    low_c=_celsius(data.storage_min_c),
                    high_c=_celsius(data.storage_max_c),
                )
            ),
        ),
    ]


class _Measure:
    """A canvas that draws nothing: a symbol drawn on it only reports its width (the varying part of a case
    label sets the serial beside the SN symbol that the fixed part drew)."""

    def __getattr__(self, name):
        return _ignore


def _ignore(*args, **kwargs):
    return _MEASURE


_MEASURE = _Measure()


@lru_cache(maxsize=64)
def _width(draw_symbol: Callable[[Canvas, float, float, float], float], size: float) -> float:
    """The width ``draw_symbol`` takes at ``size`` (the same wherever it is drawn)."""
    return draw_symbol(_MEASURE, 0.0, 0.0, size)

_FIXED_FIELDS = tuple(field.name for field in fields(LabelData) if field.name != "serial")
_FIXED_ARTWORK: WeakKeyDictionary[Canvas, dict[tuple, str]] = WeakKeyDictionary()


def _fixed_artwork(canvas: Canvas, box: Box, data: LabelData) -> str:
    """The name of the PDF form XObject (vector) that holds the fixed part of ``data``'s case labels in ``box``,
    drawn into ``canvas``'s document the first time a lot's case label is drawn there.

    Every case label of a lot says the same but for its serial number, so the header, particulars, QR code,
    symbols and information block are drawn once per lot and document and placed on each label; only the UDI and
    the serial are drawn per label.
    """
    forms = _FIXED_ARTWORK.setdefault(canvas, {})
    key = (box, tuple(getattr(data, name) for name in _FIXED_FIELDS))
    name = forms.get(key)
    if name is None:
        name = forms[key] = f"caseartwork{len(forms)}"
        canvas.beginForm(name, lowerx=box.x, lowery=box.y, upperx=box.right, uppery=box.top)
        _draw_kit_label(canvas, box, data, serial=data.serial, varying=False)
        canvas.endForm()
    return name


def draw_unit_label(canvas: Canvas, box: Box, data: LabelData) -> None:
    """The kit box label: UDI (01)(17)(10), without a serial number."""
    _draw_kit_label(canvas, box, data, serial=None)


def draw_case_label(canvas: Canvas, box: Box, data: LabelData) -> None:
    """The shipping case label: as the kit label, plus the case's serial number (21) in the UDI and as text.

    On a PDF canvas the lot's fixed artwork is a form drawn once per document (``_fixed_artwork``) and each label
    adds its UDI and serial; any other canvas (ZPL) gets the label drawn whole.
    """
    if data.serial is None:
        raise ValueError(f"A case label needs a serial number (AI 21); lot {data.lot} has none.")
    if isinstance(canvas, Canvas):
        canvas.doForm(_fixed_artwork(canvas, box, data))
        _draw_kit_label(canvas, box, data, serial=data.serial, fixed=False)
    else:
        _draw_kit_label(canvas, box, data, serial=data.serial)


UNIT = register_template(
    LabelTemplate(
        name="unit",
        title="Kit labels",
        data_type=LabelData,
        default_stock="roll-60x40",
        allowed_stocks=("roll-60x40", "roll-100x70", "a4-3x8", "a4-2x4"),
        prints_chinese=True,
        draw=draw_unit_label,
    )
)
CASE = register_template(
    LabelTemplate(
        name="case",
        title="Shipping case labels",
        data_type=LabelData,
        default_stock="roll-100x70",
        allowed_stocks=("roll-100x70", "a4-2x4"),
        prints_chinese=True,
        draw=draw_case_label,
    )
)


@dataclass(frozen=True, kw_only=True)
class ReceivingLabelData:
    """What a material lot's receiving label carries; validated when created. ``status`` is what the label says
    in large letters: ``QUARANTINE`` or ``RELEASED``."""

    material_code: str
    material_name: str
    internal_lot: str
    supplier: str
    supplier_lot: str
    expiry: date
    received_on: date
    status: str

    STATUSES = ("QUARANTINE", "RELEASED")

    def __post_init__(self) -> None:
        validate_ai82(self.material_code, field="material code", max_length=30)
        validate_lot(self.internal_lot)
        if self.status not in self.STATUSES:
            raise ValueError(f"A receiving label says {' or '.join(self.STATUSES)}, not {self.status!r}.")

    @property
    def element_string(self) -> ElementString:
        """(17) expiry first (fixed length), then (240) material code and (10) internal lot: one FNC1 between."""
        return ElementString((("17", yymmdd(self.expiry)), ("240", self.material_code), ("10", self.internal_lot)))


def draw_receiving_label(canvas: Canvas, box: Box, data: ReceivingLabelData) -> None:
    """Status banner across the top (QUARANTINE white on black, RELEASED in a frame), the DataMatrix on the left,
    the material, internal lot, supplier lot, expiry and receipt on the right, the element string at the foot."""
    scale = min(box.width / _DESIGN_WIDTH, box.height / _DESIGN_HEIGHT)
    area = box.inset(1.8 * mm * scale)
    gap = 1 * mm * scale
    banner = Box(area.x, area.top - 9 * mm * scale, area.width, 9 * mm * scale)
    canvas.saveState()
    if data.status == "QUARANTINE":
        canvas.setFillColorRGB(0, 0, 0)
        canvas.rect(banner.x, banner.y, banner.width, banner.height, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
    else:
        canvas.setLineWidth(0.8 * mm * scale)
        canvas.rect(banner.x, banner.y, banner.width, banner.height, stroke=1, fill=0)
    draw_line(canvas, data.status, banner.inset(1.5 * mm * scale, 0.8 * mm * scale), font=LATIN_BOLD,
              max_size=24 * scale, align="center")
    canvas.restoreState()

    hri = data.element_string.human_readable
    hri_box = Box(area.x, area.y, area.width, 2.6 * mm * scale)
    draw_line(canvas, hri, hri_box, font=LATIN, max_size=7 * scale)
    body = Box(area.x, hri_box.top + gap, area.width, banner.y - gap - hri_box.top - gap)
    code_size = min(body.height, _MAX_CODE_SIZE)
    draw_datamatrix(canvas, data.element_string, body.x, body.top - code_size, code_size)
    text_x = body.x + code_size + 1.5 * gap
    text = Box(text_x, body.y, body.right - text_x, body.height)
    lines = (
        (data.material_code, True, 9),
        (data.material_name, False, 7),
        (f"LOT {data.internal_lot}", True, 9),
        (f"Supplier lot {data.supplier_lot}" + (f" ({data.supplier})" if data.supplier else ""), False, 6.5),
        (f"EXP {data.expiry.isoformat()}", True, 8),
        (f"Received {data.received_on.isoformat()}", False, 6.5),
    )
    pitch = text.height / len(lines)
    for index, (value, bold, size) in enumerate(lines):
        line_box = Box(text.x, text.top - (index + 1) * pitch, text.width, pitch)
        draw_line(canvas, value, line_box, font=font_for(value, bold=bold), max_size=size * scale)


RECEIVING = register_template(
    LabelTemplate(
        name="receiving",
        title="Receiving labels",
        data_type=ReceivingLabelData,
        default_stock="roll-60x40",
        allowed_stocks=("roll-60x40", "roll-100x70", "a4-3x8"),
        prints_chinese=True,
        draw=draw_receiving_label,
    )
)
