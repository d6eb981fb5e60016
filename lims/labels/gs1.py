"""GS1 data structures for the UDI on kit labels: GTIN check digits, element strings and Digital Link URIs.

Rules come from the GS1 General Specifications (GenSpecs) and the GS1 Digital Link URI Syntax standard:

- the mod-10 check digit of a GTIN (GenSpecs §7.9.1, "standard check digit calculation"),
- the application identifiers used on medical-device labels (GenSpecs §3): (01) GTIN-14, (11) production date,
  (17) expiration date, both YYMMDD, (10) batch/lot and (21) serial number, each 1–20 characters of the
  "GS1 AI encodable character set 82" (GenSpecs §7.11, Figure 7.11-1),
- concatenation (GenSpecs §7.8): element strings of a predefined length need no separator; a variable-length
  one is ended by FNC1 (transmitted as the ASCII group separator, GS) unless it is the last in the symbol,
- GS1 Digital Link: the primary key (01) in the path, then the key qualifiers in the order 22, 10, 21, then the
  data attributes such as (17) in the query string; values are percent-encoded (RFC 3986).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlsplit

GROUP_SEPARATOR = "\x1d"
"""How FNC1 used as a field separator is transmitted by a scanner (ASCII 29)."""

AI_82_CHARACTERS = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
"""GS1 AI encodable character set 82 (GenSpecs Figure 7.11-1): what a lot or serial number may contain."""

MAX_LOT_LENGTH = 20
MAX_SERIAL_LENGTH = 20

_DIGITS = re.compile(r"[0-9]+")

# Application identifiers whose data has a predefined length, so no FNC1 separator follows them (GenSpecs §7.8, the
# table of element strings with a predefined length).
_PREDEFINED_LENGTH = {"01": 14, "11": 6, "17": 6}


def gtin_check_digit(data13: str) -> int:
    """Return the GS1 check digit for the data digits of a GTIN (or any GS1 key without its check digit).

    From the rightmost data digit leftwards the digits are weighted 3, 1, 3, 1 …; the check digit brings the
    weighted sum up to the next multiple of ten: ``(10 − sum mod 10) mod 10`` (GenSpecs §7.9.1).
    For the data digits ``0952123454321`` this gives 3.
    """
    if not _DIGITS.fullmatch(data13):
        raise ValueError(f"GTIN data must consist of the digits 0-9 only, got {data13!r}.")
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(data13)))
    return (10 - total % 10) % 10


def is_valid_gtin14(s: str) -> bool:
    """Whether ``s`` is exactly 14 digits whose last digit is the correct GS1 check digit."""
    return isinstance(s, str) and len(s) == 14 and bool(_DIGITS.fullmatch(s)) and gtin_check_digit(s[:13]) == int(s[13])


def validate_gtin14(gtin: str) -> str:
    """Return ``gtin`` if it is a valid GTIN-14, else raise ``ValueError`` saying what is wrong."""
    if not isinstance(gtin, str) or len(gtin) != 14 or not _DIGITS.fullmatch(gtin):
        raise ValueError(f"A GTIN for AI (01) must be exactly 14 digits, got {gtin!r}.")
    expected = gtin_check_digit(gtin[:13])
    if expected != int(gtin[13]):
        raise ValueError(f"GTIN {gtin} has check digit {gtin[13]}, but the GS1 check digit is {expected}.")
    return gtin


def validate_ai82(value: str, *, field: str, max_length: int) -> str:
    """Return ``value`` if it is 1–``max_length`` characters of the GS1 AI-82 set, else raise ``ValueError``."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"The {field} must not be empty.")
    if len(value) > max_length:
        raise ValueError(f"The {field} {value!r} has {len(value)} characters; GS1 allows at most {max_length}.")
    invalid = sorted({character for character in value if character not in AI_82_CHARACTERS})
    if invalid:
        shown = ", ".join(repr(character) for character in invalid)
        raise ValueError(
            f"The {field} {value!r} contains {shown}, outside the GS1 AI encodable character set 82 "
            "(letters, digits and !\"%&'()*+,-./:;<=>?_)."
        )
    return value


def validate_lot(lot: str) -> str:
    """Validate a batch/lot number for AI (10)."""
    return validate_ai82(lot, field="lot number", max_length=MAX_LOT_LENGTH)


def validate_serial(serial: str) -> str:
    """Validate a serial number for AI (21)."""
    return validate_ai82(serial, field="serial number", max_length=MAX_SERIAL_LENGTH)


def yymmdd(day: date) -> str:
    """Format a date as the YYMMDD used by the date AIs (11) and (17)."""
    return day.strftime("%y%m%d")


@dataclass(frozen=True)
class ElementString:
    """A GS1 element string: application identifiers with their data, in the order they are encoded.

    ``str()`` gives the data as a scanner transmits it after the symbology identifier ``]d2``: AIs and values
    concatenated, with the GS character where FNC1 ends a variable-length field that is not the last one.
    """

    fields: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        parts = []
        for index, (ai, value) in enumerate(self.fields):
            parts.append(ai + value)
            is_last = index == len(self.fields) - 1
            if ai not in _PREDEFINED_LENGTH and not is_last:
                parts.append(GROUP_SEPARATOR)
        return "".join(parts)

    @property
    def human_readable(self) -> str:
        """The human-readable interpretation, AIs in parentheses: ``(01)09521234543213(17)271130(10)…``."""
        return "".join(f"({ai}){value}" for ai, value in self.fields)


def element_string(
    gtin: str, expiry: date, lot: str, serial: str | None = None, production_date: date | None = None
) -> ElementString:
    """Build the UDI element string (01)[(11)](17)(10)[(21)] for a kit or case label.

    The predefined-length fields come first and the variable-length lot and serial last, so at most one FNC1
    separator is needed (GenSpecs §7.8). Raises ``ValueError`` for an invalid GTIN, lot or serial.
    """
    fields = [("01", validate_gtin14(gtin))]
    if production_date is not None:
        fields.append(("11", yymmdd(production_date)))
    fields.append(("17", yymmdd(expiry)))
    fields.append(("10", validate_lot(lot)))
    if serial is not None:
        fields.append(("21", validate_serial(serial)))
    return ElementString(tuple(fields))


def validate_resolver_url(base_url: str) -> str:
    """Return ``base_url`` if it can prefix a Digital Link URI: http(s), a host, no query or fragment."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"The resolver base URL must be an http(s) URL without query or fragment, got {base_url!r}.")
    return base_url


def _percent_encode(value: str) -> str:
    """Percent-encode everything but the RFC 3986 unreserved characters, as GS1 Digital Link requires for values."""
    return quote(value, safe="")


def digital_link(base_url: str, gtin: str, lot: str, expiry: date | None = None, serial: str | None = None) -> str:
    """Build the GS1 Digital Link URI ``<base>/01/<GTIN>/10/<lot>[/21/<serial>][?17=<YYMMDD>]``.

    ``base_url`` is the resolver (a company's own domain may serve as one), e.g. ``https://id.example.com``;
    a path prefix is kept. The key qualifiers follow the GTIN in the order 10 then 21, the expiry date is a
    data attribute in the query string, and lot and serial are percent-encoded.
    """
    resolver = validate_resolver_url(base_url).rstrip("/")
    uri = f"{resolver}/01/{validate_gtin14(gtin)}/10/{_percent_encode(validate_lot(lot))}"
    if serial is not None:
        uri += f"/21/{_percent_encode(validate_serial(serial))}"
    if expiry is not None:
        uri += f"?17={yymmdd(expiry)}"
    return uri
