"""Fonts for labels and record PDFs, all available without system fonts or downloads at run time.

Latin text uses the PDF standard fonts Helvetica and Helvetica-Bold. Chinese text (and any other text beyond
WinAnsi) uses Noto Sans SC, a TrueType font shipped by the ``justmytype-intl-cjk`` package (Google Fonts' build,
SIL OFL 1.1). reportlab embeds the subset of glyphs each document uses (``/FontFile2``), so a printer or viewer
without a Chinese font prints exactly what the screen shows (the CID font STSong-Light was only named).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CHINESE = "NotoSansSC"


@cache
def chinese_font_path() -> Path:
    """Noto Sans SC as TrueType outlines (glyf), which reportlab can subset and embed (CFF/OTF it cannot)."""
    return Path(str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"))


def register_fonts() -> None:
    """Register the embedded Chinese font with reportlab (idempotent; the standard fonts need no registration)."""
    if CHINESE not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(CHINESE, str(chinese_font_path())))


def needs_cjk_font(text: str) -> bool:
    """Whether ``text`` has characters beyond WinAnsi, reportlab's encoding for Helvetica, e.g. Chinese."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def font_for(text: str, *, bold: bool = False) -> str:
    """The font to set ``text`` in: Noto Sans SC (embedded; one weight) for Chinese, else Helvetica."""
    if needs_cjk_font(text):
        register_fonts()
        return CHINESE
    return LATIN_BOLD if bold else LATIN
