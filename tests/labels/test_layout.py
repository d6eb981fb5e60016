import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

from lims.labels.fonts import CHINESE, LATIN, font_for, needs_cjk_font
from lims.labels.layout import LEADING, Box, fit_paragraph, fitted_size, wrap

ADDRESS = "No. 88 Example Road, Binjiang District, Hangzhou 310052, Zhejiang, China"


def test_short_text_keeps_its_size():
    assert fitted_size("LOT", LATIN, 8, width=50 * mm) == 8


def test_long_text_shrinks_to_the_width():
    size = fitted_size(ADDRESS, LATIN, 8, width=30 * mm)
    assert size < 8
    assert stringWidth(ADDRESS, LATIN, size) == pytest.approx(30 * mm)


def test_text_shrinks_to_the_height():
    size = fitted_size("A", LATIN, 20, width=50 * mm, height=3 * mm)
    ascent, descent = getAscentDescent(LATIN, size)
    assert ascent - descent == pytest.approx(3 * mm)


@pytest.mark.parametrize(
    ("text", "box"),
    [
        (ADDRESS, Box(0, 0, 30 * mm, 8 * mm)),
        (ADDRESS, Box(0, 0, 10 * mm, 2 * mm)),
        ("Supercalifragilisticexpialidocious-and-no-spaces-at-all", Box(0, 0, 12 * mm, 6 * mm)),
        ("浙江省杭州市滨江区示例路88号", Box(0, 0, 15 * mm, 6 * mm)),
    ],
)
def test_paragraph_fits_its_box(text, box):
    font = font_for(text)
    size, lines = fit_paragraph(text, font, 9, box)
    ascent, descent = getAscentDescent(font, size)
    assert max(stringWidth(line, font, size) for line in lines) <= box.width + 1e-6
    assert (len(lines) - 1) * LEADING * size + ascent - descent <= box.height + 1e-6
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_breaks_between_words_and_between_chinese_characters():
    assert wrap("aaa bbb ccc", LATIN, 10, stringWidth("aaa bbb", LATIN, 10)) == ["aaa bbb", "ccc"]
    assert wrap("一二三四", CHINESE, 10, 25) == ["一二", "三四"]


def test_chinese_needs_the_cid_font_and_latin_symbols_do_not():
    assert needs_cjk_font("胶体金法")
    assert not needs_cjk_font("2 °C – 30 °C")
    assert font_for("胶体金法") == CHINESE
    assert font_for("Gold", bold=True) == "Helvetica-Bold"
