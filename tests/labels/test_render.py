from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from lims.labels import STOCKS, TEMPLATES, render_labels
from lims.labels.gs1 import GROUP_SEPARATOR, digital_link, element_string, yymmdd

from .factories import kit, receiving, tube
from .scanning import image_count, pdf_reader, scan_labels, scan_pages

KIT_COMBINATIONS = [
    (template.name, stock) for template in TEMPLATES.values() if template.name in ("unit", "case")
    for stock in template.allowed_stocks
]  # fmt: skip


def expected_uri(data) -> str:
    return digital_link(data.resolver_base_url, data.gtin, data.lot, expiry=data.expiry)


def assert_kit_symbols(scans, data, *, with_serial: bool) -> None:
    """Every DataMatrix is a GS1 DataMatrix with the UDI of ``data`` (with its serial on case labels); every QR code
    the lot's Digital Link URI."""
    for scan in scans:
        if scan.format == "DataMatrix":
            assert scan.symbology_identifier == "]d2"
            expected = {"01": data.gtin, "17": data.expiry, "10": data.lot}
            if with_serial:
                expected["21"] = data.serial
            assert scan.gs1() == expected
        else:
            assert scan.format == "QRCode"
            assert scan.text == expected_uri(data)  # the lot's page, also on case labels


@pytest.mark.parametrize(("template", "stock"), KIT_COMBINATIONS)
def test_every_kit_label_decodes_on_every_allowed_stock(template, stock):
    data = kit()
    copies = 2 if STOCKS[stock].labels_per_page == 1 else 5
    pages = scan_pages(render_labels(template, [data], stock, copies=copies))
    per_page = STOCKS[stock].labels_per_page
    assert len(pages) == -(-copies // per_page)
    scans = [scan for page in pages for scan in page]
    assert Counter(scan.format for scan in scans) == {"DataMatrix": copies, "QRCode": copies}
    assert_kit_symbols(scans, data, with_serial=template == "case")


@pytest.mark.parametrize("stock", TEMPLATES["tube"].allowed_stocks)
def test_tube_label_decodes_as_a_plain_datamatrix(stock):
    data = tube()
    pages = scan_pages(render_labels("tube", [data], stock, copies=3))
    scans = [scan for page in pages for scan in page]
    assert [(scan.format, scan.symbology_identifier, scan.text) for scan in scans] == [
        ("DataMatrix", "]d1", "LS-2025-000123")
    ] * 3


def test_a_full_sheet_and_a_second_page():
    first, second = kit(lot="SC2611220101"), kit(lot="SC2611220102")
    pages = scan_pages(render_labels("unit", [first, second], "a4-3x8", copies=13))
    assert [len(page) for page in pages] == [48, 4]
    lots = Counter(scan.gs1()["10"] for page in pages for scan in page if scan.format == "DataMatrix")
    assert lots == {"SC2611220101": 13, "SC2611220102": 13}
    # Collated: the second page holds the last two copies of the second item.
    assert {scan.gs1()["10"] for scan in pages[1] if scan.format == "DataMatrix"} == {"SC2611220102"}


def test_roll_prints_one_label_per_page():
    pages = scan_pages(render_labels("case", [kit(serial="C1"), kit(serial="C2")]))
    assert [sorted(scan.format for scan in page) for page in pages] == [["DataMatrix", "QRCode"]] * 2
    assert [next(s.gs1()["21"] for s in page if s.format == "DataMatrix") for page in pages] == ["C1", "C2"]


def case_labels_of_two_lots() -> list:
    """Nine case labels: five of one lot, three of another, then one more of the first (so a lot's labels are not
    all together), each with its own serial."""
    first = kit(lot="SC2611220101")
    second = kit(lot="SC2611220102", product_name="Influenza A/B Antigen Rapid Test", ref="RAT-FLU-25")
    return (
        [replace(first, serial=f"C{number:06d}") for number in range(1, 6)]
        + [replace(second, serial=f"D{number:06d}") for number in range(1, 4)]
        + [replace(first, serial="C000006")]
    )


@pytest.mark.parametrize("stock", TEMPLATES["case"].allowed_stocks)
def test_each_case_label_scans_as_its_own_udi_and_prints_its_serial(stock):
    """Each label, cut out of its rendered page and read with zxing-cpp, carries its own GS1 element string (the
    lot's and its serial, nothing of a neighbour's) and the lot's Digital Link, and prints its serial and UDI."""
    items = case_labels_of_two_lots()
    pdf = render_labels("case", items, stock)
    labels = scan_labels(pdf, STOCKS[stock])
    assert len(labels) == len(items)
    for data, scans in zip(items, labels, strict=True):
        [dm] = [scan for scan in scans if scan.format == "DataMatrix"]
        [qr] = [scan for scan in scans if scan.format == "QRCode"]
        assert dm.symbology_identifier == "]d2"
        assert dm.text == f"01{data.gtin}17{yymmdd(data.expiry)}10{data.lot}{GROUP_SEPARATOR}21{data.serial}"
        assert qr.text == expected_uri(data)
    per_page = STOCKS[stock].labels_per_page
    pages = pdf_reader(pdf).pages
    assert len(pages) == -(-len(items) // per_page)
    for index, page in enumerate(pages):
        text = " ".join(page.extract_text().split())
        for data in items[index * per_page : (index + 1) * per_page]:
            assert element_string(data.gtin, data.expiry, data.lot, serial=data.serial).human_readable in text
            assert f"{data.product_name} " in text
            assert data.ref in text


def test_a_lots_case_labels_share_one_drawing_of_what_they_have_in_common():
    """What is the same on every case label of a lot (all but the UDI and the serial) is one form XObject per lot in
    the PDF for each size of label it is printed in, placed on each of its labels."""
    items = case_labels_of_two_lots()
    reader = pdf_reader(render_labels("case", items, "roll-100x70"))
    forms = [set(page["/Resources"]["/XObject"]) for page in reader.pages]
    assert [len(names) for names in forms] == [1] * len(items)
    assert len({name for names in forms for name in names}) == 2
    # On a sheet the printer's margins make the edge labels' printable parts smaller: one drawing per lot and size.
    stock = STOCKS["a4-2x4"]
    sizes = [stock.printable_part(box) for box in stock.label_boxes()]
    expected = {(data.lot, sizes[index % len(sizes)].width, sizes[index % len(sizes)].height)
                for index, data in enumerate(items)}
    reader = pdf_reader(render_labels("case", items, "a4-2x4"))
    assert len({name for page in reader.pages for name in page["/Resources"]["/XObject"]}) == len(expected)


def test_lot_needing_percent_encoding_decodes_in_both_codes():
    data = kit(lot="A/B%C&D+E?(1)", serial="x:1")
    pages = scan_pages(render_labels("case", [data]))
    [scans] = pages
    assert_kit_symbols(scans, data, with_serial=True)
    qr = next(scan for scan in scans if scan.format == "QRCode")
    assert qr.text.endswith("/10/A%2FB%25C%26D%2BE%3F%281%29?17=271130")


@pytest.mark.parametrize(("template", "stock"), KIT_COMBINATIONS)
def test_lot_and_serial_of_twenty_characters_fit_and_decode(template, stock):
    data = kit(lot="ABCDEFGHIJ0123456789", serial="SERIAL-0123456789-AB")
    [scans] = scan_pages(render_labels(template, [data], stock))
    assert len(scans) == 2
    assert_kit_symbols(scans, data, with_serial=template == "case")


def test_lot_of_twenty_one_characters_is_refused():
    with pytest.raises(ValueError, match="at most 20"):
        kit(lot="ABCDEFGHIJ01234567890")


def test_labels_are_vector_graphics_without_images():
    for template, stock in KIT_COMBINATIONS:
        assert image_count(render_labels(template, [kit()], stock, copies=2)) == 0
    assert image_count(render_labels("tube", [tube()])) == 0
    for stock in TEMPLATES["receiving"].allowed_stocks:
        assert image_count(render_labels("receiving", [receiving()], stock)) == 0


@pytest.mark.parametrize("stock", TEMPLATES["receiving"].allowed_stocks)
@pytest.mark.parametrize("status", ["QUARANTINE", "RELEASED"])
def test_receiving_label_decodes_on_every_allowed_stock(stock, status):
    data = receiving(status=status)
    pdf = render_labels("receiving", [data], stock)
    (page,) = scan_pages(pdf)
    (dm,) = page
    assert dm.symbology_identifier == "]d2"
    assert dm.gs1() == {"17": data.expiry, "240": data.material_code, "10": data.internal_lot}
    assert status in pdf_reader(pdf).pages[0].extract_text()


def test_chinese_name_is_printed_in_an_embedded_font():
    reader = pdf_reader(render_labels("unit", [kit()]))
    page = reader.pages[0]
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    assert "/STSong-Light" not in {f["/BaseFont"] for f in fonts}
    embedded = [f for f in fonts if "NotoSansSC" in f["/BaseFont"]]
    assert embedded and all("/FontFile2" in f["/FontDescriptor"] for f in embedded)
    assert "新型冠状病毒抗原检测试剂盒（胶体金法）" in page.extract_text()


def test_label_prints_the_particulars():
    text = " ".join(pdf_reader(render_labels("case", [kit()])).pages[0].extract_text().split())
    for particular in (
        "SARS-CoV-2 Antigen Rapid",
        "RAT-COV-25",
        "SC2611220101",
        "2027-11-30",
        "2025-11-30",
        "25",
        "2 °C",
        "30 °C",
        "Hangzhou Example Biotech Co., Ltd.",
        "www.example.com/ifu",
        "2797",
        "C000123",
        "For professional use only",
        "(01)09521234543213(17)271130(10)SC2611220101(21)C000123",
    ):
        assert particular in text, particular


def test_self_test_kits_say_so():
    text = pdf_reader(render_labels("unit", [kit(professional_use=False)])).pages[0].extract_text()
    assert "For self-testing" in text


def test_long_texts_shrink_and_the_codes_still_decode():
    data = kit(
        product_name="Influenza A/B and SARS-CoV-2 Combined Antigen Rapid Test Cassette (Nasal Swab), Multiplex",
        manufacturer_address="Building 7, No. 1888 Some Very Long Industrial Park Avenue, High-Tech Development "
        "Zone, Hangzhou 310052, Zhejiang Province, People's Republic of China",
        ifu_url_or_text="https://www.example.com/products/antigen/instructions-for-use",
    )
    [scans] = scan_pages(render_labels("unit", [data], "a4-3x8"))
    assert_kit_symbols(scans, data, with_serial=False)


def test_pdf_has_title_and_author():
    metadata = pdf_reader(render_labels("unit", [kit()])).metadata
    assert metadata.title == "Kit labels (Roll, one 60 × 40 mm label per page)"
    assert metadata.author == "Hangzhou Example Biotech Co., Ltd."
    assert pdf_reader(render_labels("tube", [tube()], author="Central Lab")).metadata.author == "Central Lab"


def test_page_size_is_the_stock_page():
    reader = pdf_reader(render_labels("unit", [kit()], "a4-2x4"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: render_labels("poster", [kit()]), "Unknown label template"),
        (lambda: render_labels("unit", [kit()], "a5-1x1"), "Unknown label stock"),
        (lambda: render_labels("case", [kit()], "roll-60x40"), "cannot be printed on stock"),
        (lambda: render_labels("unit", [tube()]), "prints LabelData items only"),
        (lambda: render_labels("unit", []), "no labels"),
        (lambda: render_labels("unit", [kit()], copies=0), "Copies"),
        (lambda: render_labels("unit", [kit()], copies=100_000), "Copies"),
        (lambda: render_labels("case", [kit(serial=None)]), "serial number"),
    ],
)
def test_bad_requests_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gtin": "09521234543210"}, "check digit"),
        ({"expiry": date(2025, 1, 1)}, "before the date of manufacture"),
        ({"tests_per_kit": 0}, "at least one test"),
        ({"storage_min_c": 31}, "storage temperature"),
        ({"resolver_base_url": "id.example.com"}, "resolver"),
        ({"serial": "S N"}, "serial number"),
    ],
)
def test_invalid_label_data_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        kit(**changes)


def test_tube_label_needs_a_barcode():
    with pytest.raises(ValueError, match="barcode"):
        tube(barcode=" ")
