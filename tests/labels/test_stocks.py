from dataclasses import astuple
from itertools import combinations

import pytest
from reportlab.lib.units import mm

from lims.labels import STOCKS, TEMPLATES
from lims.labels.stocks import Stock


def overlap(a, b) -> bool:
    return a.x < b.right - 1e-6 and b.x < a.right - 1e-6 and a.y < b.top - 1e-6 and b.y < a.top - 1e-6


@pytest.mark.parametrize("stock", STOCKS.values(), ids=lambda stock: stock.name)
def test_labels_lie_on_the_page_without_overlapping(stock):
    boxes = stock.label_boxes()
    page_width, page_height = stock.page_size
    assert len(boxes) == stock.columns * stock.rows
    for box in boxes:
        assert box.width == pytest.approx(stock.label_width_mm * mm)
        assert box.height == pytest.approx(stock.label_height_mm * mm)
        assert box.x >= -1e-6 and box.y >= -1e-6
        assert box.right <= page_width + 1e-6 and box.top <= page_height + 1e-6
    assert not any(overlap(a, b) for a, b in combinations(boxes, 2))


def test_sheet_positions_run_in_reading_order():
    boxes = STOCKS["a4-2x4"].label_boxes()
    assert (boxes[0].x, boxes[0].top) == pytest.approx((4.65 * mm, (297 - 13.1) * mm))
    assert boxes[1].x == pytest.approx((4.65 + 99.1 + 2.5) * mm)
    assert boxes[2].top == pytest.approx(boxes[0].y)


def test_rolls_print_edge_to_edge_and_sheets_keep_clear_of_the_printer_border():
    roll = STOCKS["roll-60x40"]
    [label] = roll.label_boxes()
    assert astuple(roll.printable_part(label)) == pytest.approx(astuple(label))
    sheet = STOCKS["a4-3x8"]
    first, second = sheet.label_boxes()[:2]
    assert sheet.printable_part(first).x == pytest.approx(4 * mm)
    assert sheet.printable_part(first).right == pytest.approx(first.right)
    assert astuple(sheet.printable_part(second)) == pytest.approx(astuple(second))


def test_every_template_names_known_stocks():
    for template in TEMPLATES.values():
        assert template.default_stock in template.allowed_stocks
        assert set(template.allowed_stocks) <= set(STOCKS)


def test_a_grid_larger_than_its_page_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        Stock("bad", "too many", 210, 297, 70, 37, columns=4, rows=8)
