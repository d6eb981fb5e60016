"""The one scan field of every page (issue 21): a text input for keyboard-wedge scanners and a tablet's camera.

``ScanField`` is a form field whose widget renders ``lims/includes/scan_field.html`` (behaviour in
``lims/static/lims/scan.js``): the group separator a scanner sends as Ctrl+] becomes GS (U+001D) in the value, the
configured prefix and suffix (settings ``LIMS_SCAN_PREFIX`` / ``LIMS_SCAN_SUFFIX``) are dropped, Enter submits the
form (``submit=True``) or moves to the next scan field (``next_field=True``), and a camera button decodes the
symbol with the locally served ZXing decoder. The field accepts GS (lims.hygiene: scan fields) and nothing else of
the control characters. Outside a form: ``{% load scanning %}{% scan_field "scan" %}``.
"""

import json

from django import forms
from django.conf import settings

from lims.hygiene import allow_scanned_text
from lims.scan import GS, Scan, clean, parse_scan


def scanner_affixes() -> tuple[str, str]:
    return getattr(settings, "LIMS_SCAN_PREFIX", ""), getattr(settings, "LIMS_SCAN_SUFFIX", "")


def read_scan(text: str) -> Scan:
    """``lims.scan.parse_scan`` with the plant's scanner prefix and suffix (settings ``LIMS_SCAN_PREFIX`` /
    ``LIMS_SCAN_SUFFIX``). A camera decoder reports the leading FNC1 of a GS1 DataMatrix as GS: dropped here."""
    prefix, suffix = scanner_affixes()
    return parse_scan((text or "").lstrip(GS), prefix=prefix, suffix=suffix)


def scanned_text(text: str) -> str:
    """What was scanned without the scanner's prefix and suffix (for records named by plain text: a tube)."""
    prefix, suffix = scanner_affixes()
    return clean((text or "").lstrip(GS), prefix=prefix, suffix=suffix).strip(GS)


def scan_settings() -> dict:
    """The scanner's prefix and suffix as JSON strings (they may hold control characters) for the widget."""
    prefix, suffix = scanner_affixes()
    return {"scan_prefix_json": json.dumps(prefix), "scan_suffix_json": json.dumps(suffix)}


class ScanInput(forms.TextInput):
    template_name = "lims/widgets/scan_input.html"

    def __init__(self, attrs=None, *, submit=False, next_field=False):
        super().__init__({"class": "form-control font-monospace", **(attrs or {})})
        self.submit, self.next_field = submit, next_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context.update(scan_settings(), submit=self.submit, next_field=self.next_field)
        return context


class ScanField(forms.CharField):
    def __init__(self, *, submit=False, next_field=False, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", ScanInput(submit=submit, next_field=next_field))
        super().__init__(**kwargs)
        allow_scanned_text(self)

    def to_python(self, value):
        # Keep GS inside; drop only what surrounds the data (spaces, CR/LF a scanner may add).
        return super().to_python(value).strip(" \r\n\t")
