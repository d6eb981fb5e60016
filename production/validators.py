"""GS1 GTIN-14 check (DOMAIN.md §8). Private to production until ``lims.labels.gs1`` lands; then this module
only re-exports it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def gtin_check_digit(data: str) -> int:
    """GS1 check digit of the data digits: from the rightmost data digit, weights 3, 1, 3, 1 …;
    check = (10 − sum mod 10) mod 10. ``gtin_check_digit("0952123454321") == 3``."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def is_valid_gtin14(value: str) -> bool:
    value = str(value or "")
    return len(value) == 14 and value.isascii() and value.isdigit() and gtin_check_digit(value[:13]) == int(value[13])


def validate_gtin14(value):
    value = str(value or "")
    if not (len(value) == 14 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A GTIN-14 has exactly 14 digits."), code="invalid_gtin")
    expected = gtin_check_digit(value[:13])
    if expected != int(value[13]):
        raise ValidationError(
            _("The GS1 check digit of this GTIN is wrong: with these 13 digits it must be %(digit)s."),
            code="invalid_gtin", params={"digit": expected},
        )
