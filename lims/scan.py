"""What a barcode scanner sent, read as GS1 data (DOMAIN.md §8; GS1 General Specifications §7.8, §7.9).

A keyboard-wedge scanner types the symbol's data, often with a symbology identifier (``]d2`` for GS1 DataMatrix,
``]Q3`` for GS1 QR), and sends the group separator (GS, 0x1D) as Ctrl+] — browsers deliver both as the same
character. Some scanners are set to add a prefix or suffix; the caller passes those from the settings. People may
also type the human-readable form with parentheses, ``(240)MAT-001(10)L123(17)270101``, or a scanner may read the QR
code's GS1 Digital Link URI. All of them end up as one ``Scan``: AI → value.

Parsing is done by biip (a maintained GS1 parser); this module only normalises what scanners send and turns a
failure into a sentence a person can act on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

GS = "\x1d"


class ScanError(ValueError):
    """The text could not be read as GS1 data; ``str(error)`` says why, in the user's language."""


@dataclass(frozen=True)
class Scan:
    raw: str
    elements: dict[str, str] = field(default_factory=dict)
    dates: dict[str, datetime.date] = field(default_factory=dict)

    def get(self, ai: str) -> str | None:
        return self.elements.get(ai)

    @property
    def gtin(self) -> str | None:
        return self.elements.get("01")

    @property
    def lot(self) -> str | None:
        return self.elements.get("10")

    @property
    def serial(self) -> str | None:
        return self.elements.get("21")

    @property
    def material_code(self) -> str | None:
        """AI (240), additional product identification: the material's code on our receiving labels."""
        return self.elements.get("240")

    @property
    def expiry(self) -> datetime.date | None:
        return self.dates.get("17")


def clean(text: str, *, prefix: str = "", suffix: str = "") -> str:
    """Strip what the scanner adds around the data (configured prefix/suffix, CR/LF), keep GS inside it."""
    value = (text or "").strip("\r\n\t ")
    if prefix and value.startswith(prefix):
        value = value[len(prefix):]
    if suffix and value.endswith(suffix):
        value = value[: -len(suffix)]
    # A few wedge set-ups send the separator as the caret notation of Ctrl+] or as "<GS>"; read them as GS.
    return value.replace("^]", GS).replace("<GS>", GS).strip("\r\n\t ")


def parse_scan(text: str, *, prefix: str = "", suffix: str = "") -> Scan:
    """Read ``text`` as a GS1 element string, its human-readable form or a GS1 Digital Link URI."""
    import biip
    from biip.gs1_messages import GS1Message

    value = clean(text, prefix=prefix, suffix=suffix)
    if not value:
        raise ScanError(_("Nothing was scanned."))
    elements: list = []
    error = ""
    if value.startswith("("):
        try:
            elements = GS1Message.parse_hri(value).element_strings
        except Exception as exc:  # biip raises its own ParseError subclasses with a message
            error = str(exc)
    else:
        try:
            result = biip.parse(value)
        except Exception as exc:
            result, error = None, str(exc)
        if result is not None:
            if result.gs1_digital_link_uri is not None:
                elements = result.gs1_digital_link_uri.element_strings
            elif result.gs1_message is not None:
                elements = result.gs1_message.element_strings
            else:
                error = result.gs1_message_error or result.gs1_digital_link_uri_error or ""
    if not elements:
        raise ScanError(_("The scan %(text)s is not GS1 data (%(why)s).") % {
            "text": _shown(value), "why": error or _("no application identifiers found")})
    return Scan(
        raw=value,
        elements={e.ai.ai: e.value for e in elements},
        dates={e.ai.ai: e.date for e in elements if e.date is not None},
    )


def _shown(value: str) -> str:
    """The scanned text as a person can read it in a message (GS shown as ␝, cut when long)."""
    shown = value.replace(GS, "␝")
    return f"“{shown[:60]}…”" if len(shown) > 60 else f"“{shown}”"
