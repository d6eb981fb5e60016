"""Reading labels back as a scanner would: rasterise each PDF page, then decode every 2D symbol on it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import biip
import numpy
import pypdfium2
import zxingcpp
from pypdf import PdfReader

from lims.labels.stocks import Stock

SCAN_DPI = 300


@dataclass(frozen=True)
class Scan:
    """What a scanner reports for one symbol: format, symbology identifier and the transmitted data."""

    format: str
    symbology_identifier: str
    text: str

    def gs1(self) -> dict[str, str | object]:
        """The GS1 element strings as parsed by biip: AI → value, with (17) as a date."""
        message = biip.parse(self.symbology_identifier + self.text).gs1_message
        assert message is not None, f"no GS1 message in {self.text!r}"
        return {
            element.ai.ai: element.date if element.date is not None else element.value
            for element in message.element_strings
        }


def scan_pages(pdf: bytes, dpi: int = SCAN_DPI) -> list[list[Scan]]:
    """Decode every DataMatrix and QR code on every page, in plain text mode (GS1 separators kept as GS)."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        symbols = zxingcpp.read_barcodes(
            pixels,
            formats=(zxingcpp.BarcodeFormat.DataMatrix, zxingcpp.BarcodeFormat.QRCode),
            text_mode=zxingcpp.TextMode.Plain,
        )
        pages.append([Scan(symbol.format.name, symbol.symbology_identifier, symbol.text) for symbol in symbols])
    return pages


def scan_labels(pdf: bytes, stock: Stock, dpi: int = SCAN_DPI) -> list[list[Scan]]:
    """Decode each label on its own, in print order: every page is rendered and each of the stock's label positions
    cut out of it and read, so a symbol is known to belong to the label it sits on. Positions with no symbol (the
    rest of a last sheet) are left out."""
    scale = dpi / 72
    labels = []
    for page in pypdfium2.PdfDocument(pdf):
        pixels = page.render(scale=scale, grayscale=True).to_numpy()
        for box in stock.label_boxes():
            top = round(pixels.shape[0] - box.top * scale)
            crop = numpy.ascontiguousarray(
                pixels[max(0, top) : round(top + box.height * scale), round(box.x * scale) : round(box.right * scale)]
            )
            symbols = zxingcpp.read_barcodes(
                crop,
                formats=(zxingcpp.BarcodeFormat.DataMatrix, zxingcpp.BarcodeFormat.QRCode),
                text_mode=zxingcpp.TextMode.Plain,
            )
            if symbols:
                labels.append([Scan(code.format.name, code.symbology_identifier, code.text) for code in symbols])
    return labels


def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_contents(pdf: bytes) -> list[bytes]:
    """The decompressed content stream of each page."""
    return [page.get_contents().get_data() for page in pdf_reader(pdf).pages]


def image_count(pdf: bytes) -> int:
    """Raster images in the PDF: image XObjects in any page's resources plus inline images (BI … ID … EI)."""
    count = 0
    for page in pdf_reader(pdf).pages:
        x_objects = page.get("/Resources", {}).get("/XObject", {})
        count += sum(1 for name in x_objects if x_objects[name].get_object().get("/Subtype") == "/Image")
        count += len(re.findall(rb"(?:^|\s)BI\s", page.get_contents().get_data()))
    return count
