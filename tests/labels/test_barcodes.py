import io
from datetime import date

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lims.labels.barcodes import (
    DATAMATRIX_QUIET_ZONE,
    QR_QUIET_ZONE,
    datamatrix_modules,
    draw_datamatrix,
    draw_qr,
    qr_modules,
)
from lims.labels.gs1 import GROUP_SEPARATOR, element_string

from .scanning import image_count, page_contents, scan_pages


def one_symbol_pdf(draw, content, size=20 * mm) -> tuple[bytes, float]:
    """A page with one symbol footprint of ``size``; returns the PDF and the module size drawn."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size + 10 * mm, size + 10 * mm))
    module = draw(canvas, content, 5 * mm, 5 * mm, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), module


def test_gs1_datamatrix_starts_with_fnc1_and_separates_the_lot():
    udi = element_string("09521234543213", date(2027, 11, 30), "SC2611220101", serial="C000123")
    pdf, _ = one_symbol_pdf(draw_datamatrix, udi)
    [[scan]] = scan_pages(pdf)
    assert scan.format == "DataMatrix"
    assert scan.symbology_identifier == "]d2"
    assert scan.text == f"01095212345432131727113010SC2611220101{GROUP_SEPARATOR}21C000123"
    assert scan.gs1() == {"01": "09521234543213", "17": date(2027, 11, 30), "10": "SC2611220101", "21": "C000123"}


def test_lot_with_parentheses_survives_gs1_encoding():
    udi = element_string("09521234543213", date(2027, 11, 30), "A(1)/B%", serial="(2)")
    pdf, _ = one_symbol_pdf(draw_datamatrix, udi)
    [[scan]] = scan_pages(pdf)
    assert scan.gs1()["10"] == "A(1)/B%"
    assert scan.gs1()["21"] == "(2)"


def test_plain_datamatrix_has_no_fnc1():
    pdf, _ = one_symbol_pdf(draw_datamatrix, "LS-2025-000123")
    [[scan]] = scan_pages(pdf)
    assert (scan.format, scan.symbology_identifier, scan.text) == ("DataMatrix", "]d1", "LS-2025-000123")


def test_datamatrix_is_square_and_fills_its_footprint_with_a_one_module_quiet_zone():
    udi = element_string("09521234543213", date(2027, 11, 30), "SC2611220101")
    matrix = datamatrix_modules(udi)
    assert len(matrix) == len(matrix[0])
    _, module = one_symbol_pdf(draw_datamatrix, udi, size=15 * mm)
    assert module == pytest.approx(15 * mm / (len(matrix) + 2 * DATAMATRIX_QUIET_ZONE))


def test_qr_code_carries_the_text_exactly_with_a_four_module_quiet_zone():
    uri = "https://id.example.com/01/09521234543213/10/A%2FB?17=271130"
    pdf, module = one_symbol_pdf(draw_qr, uri)
    [[scan]] = scan_pages(pdf)
    assert (scan.format, scan.text) == ("QRCode", uri)
    assert module == pytest.approx(20 * mm / (len(qr_modules(uri)) + 2 * QR_QUIET_ZONE))


def test_symbols_are_vector_shapes_not_images():
    udi = element_string("09521234543213", date(2027, 11, 30), "SC1")
    for draw, content in ((draw_datamatrix, udi), (draw_qr, "https://id.example.com")):
        pdf, _ = one_symbol_pdf(draw, content)
        assert image_count(pdf) == 0
        [content] = page_contents(pdf)
        assert content.count(b" re") > 10  # the modules, as rectangles of a path


def test_empty_datamatrix_is_refused():
    with pytest.raises(ValueError):
        datamatrix_modules("")
