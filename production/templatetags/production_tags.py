from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def qty(value):
    """A quantity without trailing zeros or exponent: 1000.000 → 1000, 0.350 → 0.35."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"
