import io
from functools import partial

import numpy
import pypdfium2
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lims.labels import symbols

from .scanning import image_count

SIZE = 10 * mm
ORIGIN = 10 * mm
PAGE = (80 * mm, 30 * mm)
DPI = 300

SYMBOLS = {
    "manufacturer": symbols.draw_manufacturer,
    "date_of_manufacture": symbols.draw_date_of_manufacture,
    "use_by": symbols.draw_use_by,
    "lot": symbols.draw_lot,
    "ref": symbols.draw_ref,
    "serial_number": symbols.draw_serial_number,
    "temperature_limit": partial(symbols.draw_temperature_limit, low_c="2 °C", high_c="30 °C"),
    "humidity_limit": partial(symbols.draw_humidity_limit, low_pct="15 %", high_pct="85 %"),
    "do_not_reuse": symbols.draw_do_not_reuse,
    "consult_ifu": symbols.draw_consult_ifu,
    "caution": symbols.draw_caution,
    "ivd": symbols.draw_ivd,
    "tests": partial(symbols.draw_tests, count=25),
    "ce_mark": partial(symbols.draw_ce_mark, notified_body="2797"),
}


def draw_alone(draw) -> tuple[bytes, float]:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    width = draw(canvas, ORIGIN, ORIGIN, SIZE)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), width


def ink_bounds(pdf: bytes) -> tuple[float, float, float, float]:
    """Left, bottom, right and top of the dark pixels on the first page, in points from the lower-left corner."""
    page = pypdfium2.PdfDocument(pdf)[0]
    pixels = page.render(scale=DPI / 72, grayscale=True).to_numpy()
    rows, columns = numpy.nonzero(pixels < 128)
    assert rows.size, "nothing was drawn"
    to_points = 72 / DPI
    height = pixels.shape[0]
    return (
        columns.min() * to_points,
        (height - rows.max() - 1) * to_points,
        (columns.max() + 1) * to_points,
        (height - rows.min()) * to_points,
    )


@pytest.mark.parametrize("name", SYMBOLS)
def test_symbol_stays_within_the_width_it_reports_and_its_height(name):
    pdf, width = draw_alone(SYMBOLS[name])
    left, bottom, right, top = ink_bounds(pdf)
    tolerance = 1.5 * 72 / DPI
    assert left >= ORIGIN - tolerance
    assert right <= ORIGIN + width + tolerance
    assert bottom >= ORIGIN - tolerance
    assert top <= ORIGIN + SIZE + tolerance
    # Each symbol fills its box: nothing is drawn at a fraction of the size asked for.
    assert top - bottom > 0.8 * SIZE
    assert right - left > 0.8 * width
    assert image_count(pdf) == 0


def test_ce_mark_width_is_known_before_drawing():
    _, width = draw_alone(SYMBOLS["ce_mark"])
    assert symbols.ce_mark_width(SIZE, "2797") == pytest.approx(width)
    assert symbols.ce_mark_width(SIZE) == pytest.approx(1.5 * SIZE)
