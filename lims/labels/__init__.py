"""The label and barcode engine: labels as vector PDF or as ZPL for thermal printers, with GS1 DataMatrix and QR
codes.

Pure Python on reportlab, independent of the database. ``render_labels`` (PDF) and ``zpl.render_zpl`` (ZPL II)
are the entry points; templates and stocks are registries (``TEMPLATES``, ``STOCKS``) that apps fill: production
registers its kit, case and receiving labels, the lab its tube label (DESIGN.md, Layout).
"""

from .render import render_labels
from .stocks import STOCKS, Stock
from .templates import TEMPLATES, LabelTemplate, get_template, register_template

__all__ = [
    "STOCKS",
    "TEMPLATES",
    "LabelTemplate",
    "Stock",
    "get_template",
    "register_template",
    "render_labels",
]
