"""What a printer would print from our ZPL: a small reader of the commands the label engine writes (~DG, ^XG, ^FO,
^FT, ^A0, ^FH, ^FD, ^BX, ^BQ, ^PQ) and a renderer of a label to an image, so that tests decode the printed
codes with zxing-cpp and check their GS1 data with biip, independently of the code that wrote them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy
import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image, ImageDraw

GS = "\x1d"


@dataclass
class Label:
    width: int = 0
    height: int = 0
    graphic: str | None = None
    texts: list = field(default_factory=list)  # (x, baseline y, height, text)
    datamatrix: list = field(default_factory=list)  # (x, y, module, columns, rows, data as scanned)
    qr: list = field(default_factory=list)  # (x, y, module, text)
    quantity: int = 1


@dataclass
class Zpl:
    graphics: dict
    labels: list

    @property
    def count(self) -> int:
        return sum(label.quantity for label in self.labels)


def _unhex(data: str) -> str:
    return re.sub(r"_([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), data)


def datamatrix_scanned(data: str) -> str:
    """What a scanner transmits for ^BX data with ``_`` as escape: ``]d2`` + GS1 with GS separators, or the text."""
    out, gs1, i = [], False, 0
    while i < len(data):
        if data[i] == "_":
            nxt = data[i + 1]
            if nxt == "1":
                if i == 0:
                    gs1 = True
                else:
                    out.append(GS)
            elif nxt == "_":
                out.append("_")
            else:
                raise ValueError(f"unexpected escape _{nxt}")
            i += 2
        else:
            out.append(data[i])
            i += 1
    text = "".join(out)
    return ("]d2" + text) if gs1 else text


def parse(zpl: bytes | str) -> Zpl:
    text = zpl.decode() if isinstance(zpl, bytes) else zpl
    graphics = {}
    for match in re.finditer(r"~DGR:([A-Z0-9]+)\.GRF,(\d+),(\d+),([0-9A-F]+)", text):
        name, total, row, data = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
        raw = bytes.fromhex(data)
        assert len(raw) == total
        bits = numpy.unpackbits(numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, row), axis=1)
        graphics[name] = bits.astype(bool)
    labels = []
    for body in re.findall(r"\^XA(.*?)\^XZ", text, flags=re.S):
        label = Label()
        pos, font, hexed, pending = (0, 0), 0, False, None
        for command in body.split("^")[1:]:
            code, args = command[:2], command[2:]
            if code == "PW":
                label.width = int(args)
            elif code == "LL":
                label.height = int(args)
            elif code in ("FO", "FT"):
                x, y = args.split(",")[:2]
                pos = (int(x), int(y))
            elif code == "XG":
                label.graphic = re.match(r"R:([A-Z0-9]+)\.GRF", args).group(1)
            elif code == "A0":
                font = int(args.split(",")[1])
                pending = ("text", font)
            elif code == "BX":
                parts = args.split(",")
                assert parts[0] == "N" and parts[2] == "200" and parts[6] == "_", args
                pending = ("dm", int(parts[1]), int(parts[3]), int(parts[4]))
            elif code == "BQ":
                pending = ("qr", int(args.split(",")[2]))
            elif code == "FH":
                hexed = True
            elif code == "FD":
                data = _unhex(args) if hexed else args
                if pending[0] == "text":
                    label.texts.append((*pos, pending[1], data))
                elif pending[0] == "dm":
                    label.datamatrix.append((*pos, pending[1], pending[2], pending[3], datamatrix_scanned(data)))
                else:
                    assert data.startswith("MA,")
                    label.qr.append((*pos, pending[1], data[3:]))
            elif code == "FS":
                hexed, pending = False, None
            elif code == "PQ":
                label.quantity = int(args.split(",")[0])
        labels.append(label)
    return Zpl(graphics, labels)


def _gs1_bracketed(scanned: str) -> str:
    import biip

    result = biip.parse(scanned)
    return "".join(f"[{e.ai.ai}]{e.value}" for e in result.gs1_message.element_strings)


def render(zpl: Zpl, label: Label) -> Image.Image:
    """The label as the printer would print it (text in a stand-in font; codes and artwork exact)."""
    image = Image.new("L", (label.width, label.height), 255)
    if label.graphic:
        bits = zpl.graphics[label.graphic][: label.height, : label.width]
        art = Image.fromarray(numpy.where(bits, 0, 255).astype(numpy.uint8), "L")
        image.paste(art, (0, 0))
    draw = ImageDraw.Draw(image)
    for x, y, height, text in label.texts:
        draw.text((x, y - height), text, fill=0)
    for x, y, module, columns, rows, data in label.datamatrix:
        if data.startswith("]d2"):
            symbol = zxingcpp.create_barcode(_gs1_bracketed(data), zxingcpp.BarcodeFormat.DataMatrix, gs1=True,
                                             forceSquare=True)
        else:
            symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.DataMatrix, forceSquare=True)
        pixels = numpy.array(symbol.to_image(scale=1, add_quiet_zones=False))
        assert pixels.shape == (rows, columns), (pixels.shape, rows, columns)
        image.paste(Image.fromarray(pixels).resize((columns * module, rows * module), Image.NEAREST), (x, y))
    for x, y, module, text in label.qr:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=module)
        code.add_data(text)
        code.make(fit=True)
        image.paste(code.make_image().convert("L"), (x, y))
    return image


def decode(image: Image.Image) -> list:
    """Every code zxing-cpp reads on the printed label: ``[(format name, text as scanned)]``."""
    big = image.resize((image.width * 2, image.height * 2), Image.NEAREST)
    results = zxingcpp.read_barcodes(big)
    return [(r.format.name, (r.symbology_identifier + r.text) if r.format.name == "DataMatrix" else r.text)
            for r in results]
