import random
from datetime import date

import biip
import pytest
from biip.gtin import Gtin

from lims.labels.gs1 import (
    GROUP_SEPARATOR,
    digital_link,
    element_string,
    gtin_check_digit,
    is_valid_gtin14,
    validate_gtin14,
    yymmdd,
)

EXPIRY = date(2027, 11, 30)


def test_check_digit_of_the_domain_example():
    assert gtin_check_digit("0952123454321") == 3
    assert is_valid_gtin14("09521234543213")


@pytest.mark.parametrize(
    "gtin",
    ["00012345600012", "04006381333931", "05901234123457", "10614141000415", "95012345678903", "19521234543210"],
)
def test_known_gtins_are_valid(gtin):
    assert gtin_check_digit(gtin[:13]) == int(gtin[13])
    assert is_valid_gtin14(gtin)


def test_check_digit_agrees_with_an_independent_implementation():
    generator = random.Random(2797)
    for _ in range(500):
        data = "".join(generator.choice("0123456789") for _ in range(13))
        gtin = data + str(gtin_check_digit(data))
        assert Gtin.parse(gtin).check_digit == int(gtin[13])


@pytest.mark.parametrize(
    "candidate",
    [
        "09521234543214",  # wrong check digit
        "9521234543213",  # 13 digits
        "109521234543213",  # 15 digits
        "0952123454321X",
        " 09521234543213",
        "",
        "٠٩٥٢١٢٣٤٥٤٣٢١٣",  # Arabic-Indic digits pass str.isdigit() but are not GS1 digits
    ],
)
def test_invalid_gtins_are_refused(candidate):
    assert not is_valid_gtin14(candidate)
    with pytest.raises(ValueError):
        validate_gtin14(candidate)


def test_check_digit_needs_digits():
    with pytest.raises(ValueError, match="digits"):
        gtin_check_digit("09521234A4321")


def test_wrong_check_digit_message_names_the_expected_digit():
    with pytest.raises(ValueError, match="check digit is 3"):
        validate_gtin14("09521234543219")


def test_yymmdd():
    assert yymmdd(date(2027, 11, 30)) == "271130"
    assert yymmdd(date(2030, 1, 5)) == "300105"


def test_unit_element_string_needs_no_separator():
    udi = element_string("09521234543213", EXPIRY, "SC2611220101")
    assert str(udi) == "01095212345432131727113010SC2611220101"
    assert udi.human_readable == "(01)09521234543213(17)271130(10)SC2611220101"


def test_a_separator_ends_the_lot_when_a_serial_follows():
    udi = element_string("09521234543213", EXPIRY, "SC2611220101", serial="C000123")
    assert str(udi) == f"01095212345432131727113010SC2611220101{GROUP_SEPARATOR}21C000123"
    assert udi.human_readable == "(01)09521234543213(17)271130(10)SC2611220101(21)C000123"


def test_production_date_goes_with_the_fixed_length_fields():
    udi = element_string("09521234543213", EXPIRY, "L1", production_date=date(2025, 11, 30))
    assert str(udi) == "0109521234543213112511301727113010L1"
    assert [ai for ai, _ in udi.fields] == ["01", "11", "17", "10"]


def test_element_string_parses_back_with_biip():
    udi = element_string("09521234543213", EXPIRY, "A/B-12", serial="X.9")
    message = biip.parse("]d2" + str(udi)).gs1_message
    assert {element.ai.ai: element.value for element in message.element_strings} == {
        "01": "09521234543213",
        "17": "271130",
        "10": "A/B-12",
        "21": "X.9",
    }


def test_lot_of_twenty_characters_is_accepted():
    lot = "ABCDEFGHIJ0123456789"
    assert len(lot) == 20
    assert element_string("09521234543213", EXPIRY, lot).fields[-1] == ("10", lot)


def test_lot_of_twenty_one_characters_is_refused():
    with pytest.raises(ValueError, match="21 characters; GS1 allows at most 20"):
        element_string("09521234543213", EXPIRY, "ABCDEFGHIJ01234567890")


def test_serial_of_twenty_one_characters_is_refused():
    with pytest.raises(ValueError, match="serial number"):
        element_string("09521234543213", EXPIRY, "L1", serial="S" * 21)


@pytest.mark.parametrize("lot", ["SC 01", "SC#01", "SC€01", "LOT[1]", "SC\x1d01", ""])
def test_lot_outside_the_ai82_set_is_refused(lot):
    with pytest.raises(ValueError, match="lot number"):
        element_string("09521234543213", EXPIRY, lot)


def test_element_string_refuses_an_invalid_gtin():
    with pytest.raises(ValueError, match="check digit"):
        element_string("09521234543210", EXPIRY, "L1")


def test_digital_link_of_the_domain_example():
    uri = digital_link("https://id.example.com", "09521234543213", "SC2611220101", expiry=EXPIRY)
    assert uri == "https://id.example.com/01/09521234543213/10/SC2611220101?17=271130"


def test_digital_link_with_serial_and_path_prefix():
    uri = digital_link("https://example.com/gs1/", "09521234543213", "SC1", expiry=EXPIRY, serial="C000123")
    assert uri == "https://example.com/gs1/01/09521234543213/10/SC1/21/C000123?17=271130"


def test_digital_link_without_expiry_has_no_query():
    assert digital_link("https://id.example.com", "09521234543213", "SC1") == (
        "https://id.example.com/01/09521234543213/10/SC1"
    )


def test_digital_link_percent_encodes_all_but_unreserved_characters():
    lot = "A/B%C&D+E?F(1)"
    uri = digital_link("https://id.example.com", "09521234543213", lot, serial="x:y", expiry=EXPIRY)
    assert uri == "https://id.example.com/01/09521234543213/10/A%2FB%25C%26D%2BE%3FF%281%29/21/x%3Ay?17=271130"
    parsed = biip.parse(uri).gs1_digital_link_uri
    values = {element.ai.ai: element.value for element in parsed.element_strings}
    assert values == {"01": "09521234543213", "10": lot, "21": "x:y", "17": "271130"}


def test_digital_link_keeps_unreserved_characters():
    uri = digital_link("https://id.example.com", "09521234543213", "a-b.c_d")
    assert uri.endswith("/10/a-b.c_d")


@pytest.mark.parametrize(
    "base", ["id.example.com", "ftp://id.example.com", "https://", "https://id.example.com?x=1", "https://a.b/#f"]
)
def test_digital_link_refuses_a_bad_resolver(base):
    with pytest.raises(ValueError, match="resolver"):
        digital_link(base, "09521234543213", "SC1")


def test_digital_link_validates_keys():
    with pytest.raises(ValueError):
        digital_link("https://id.example.com", "09521234543213", "L" * 21)
    with pytest.raises(ValueError):
        digital_link("https://id.example.com", "0952123454321", "SC1")
