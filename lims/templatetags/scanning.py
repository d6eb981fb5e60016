"""``{% scan_field "scan" %}``: the scan field outside a Django form (lims/scan_fields.py)."""

from django import template

from lims.scan_fields import scan_settings

register = template.Library()


@register.inclusion_tag("lims/includes/scan_field.html")
def scan_field(name="scan", *, value="", id="", label="", submit=True, next_field=False, autofocus=False,
               css="form-control"):
    attrs = {"id": id or f"id_{name}", "class": css}
    if autofocus:
        attrs["autofocus"] = True
    if label:
        attrs["aria-label"] = label
    return {"widget": {"name": name, "value": value or None, "attrs": attrs}, "submit": submit,
            "next_field": next_field, **scan_settings()}
