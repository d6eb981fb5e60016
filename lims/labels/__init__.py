"""The label and barcode engine: kit, case and tube labels as vector PDF, with GS1 DataMatrix UDI and QR codes.

Pure Python on reportlab, independent of the database. ``render_labels`` is the entry point; templates and
stocks are registries (``TEMPLATES``, ``STOCKS``) that apps may extend.
"""

from .render import render_labels
from .stocks import STOCKS, Stock
from .templates import TEMPLATES, LabelData, LabelTemplate, TubeLabelData, register_template

__all__ = [
    "STOCKS",
    "TEMPLATES",
    "LabelData",
    "LabelTemplate",
    "Stock",
    "TubeLabelData",
    "register_template",
    "render_labels",
]
