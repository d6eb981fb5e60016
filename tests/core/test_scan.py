"""lims.scan: what keyboard-wedge scanners send, read as GS1 data."""

import datetime

import pytest

from lims.scan import GS, ScanError, parse_scan


def test_element_string_with_symbology_identifier_and_group_separator():
    scan = parse_scan(f"]d2010541234567890817271231104711{GS}21AB12\r\n")
    assert (scan.gtin, scan.lot, scan.serial, scan.expiry) == ("05412345678908", "4711", "AB12",
                                                               datetime.date(2027, 12, 31))


def test_prefix_suffix_caret_separator_and_human_readable_form():
    assert parse_scan("#240MAT-001^]10L123^]17270101!", prefix="#", suffix="!").material_code == "MAT-001"
    scan = parse_scan("(240)MAT-001(10)L123(17)270101")
    assert (scan.material_code, scan.lot, scan.expiry) == ("MAT-001", "L123", datetime.date(2027, 1, 1))


def test_digital_link_uri():
    scan = parse_scan("https://lims.example.org/01/05412345678908/10/4711?17=271231")
    assert (scan.gtin, scan.lot, scan.expiry) == ("05412345678908", "4711", datetime.date(2027, 12, 31))


@pytest.mark.parametrize("text", ["", "   ", "hello world", "(99", "]d2"])
def test_text_that_is_not_gs1_says_why(text):
    with pytest.raises(ScanError) as caught:
        parse_scan(text)
    assert str(caught.value)
