"""The GTIN-14 of a product (DOMAIN.md §8) as a model-field validator with a translated message; the GS1
arithmetic itself is the label engine's (``lims.labels.gs1``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lims.labels.gs1 import gtin_check_digit, is_valid_gtin14

__all__ = ["gtin_check_digit", "is_valid_gtin14", "validate_gtin14"]


def validate_gtin14(value):
    value = str(value or "")
    if not (len(value) == 14 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A GTIN-14 has exactly 14 digits."), code="invalid_gtin")
    if not is_valid_gtin14(value):
        raise ValidationError(
            _("The GS1 check digit of this GTIN is wrong: with these 13 digits it must be %(digit)s."),
            code="invalid_gtin", params={"digit": gtin_check_digit(value[:13])},
        )
