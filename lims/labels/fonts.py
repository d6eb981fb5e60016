"""Fonts for label artwork, all available without system fonts or downloads.

Latin text uses the PDF standard fonts Helvetica and Helvetica-Bold. Chinese text uses Adobe's CID font
STSong-Light (Adobe-GB1 character collection), whose metrics ship with reportlab; the PDF names the font rather
than embedding it, and viewers and printer drivers substitute their installed Simplified Chinese font.
"""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CHINESE = "STSong-Light"


def register_fonts() -> None:
    """Register the Chinese CID font with reportlab (idempotent; the standard fonts need no registration)."""
    if CHINESE not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CHINESE))


def needs_cjk_font(text: str) -> bool:
    """Whether ``text`` has characters beyond WinAnsi, reportlab's encoding for Helvetica, e.g. Chinese."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def font_for(text: str, *, bold: bool = False) -> str:
    """The font to set ``text`` in: STSong-Light (which has no bold) for Chinese, else Helvetica."""
    if needs_cjk_font(text):
        register_fonts()
        return CHINESE
    return LATIN_BOLD if bold else LATIN
