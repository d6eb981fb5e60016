"""Label templates: the registry of label designs. Each app brings its own (DESIGN.md, Layout): production's kit
(unit), case and receiving labels in ``production/labelling/label_templates.py``, the lab's tube label in
``lab/labels.py``; they register from their ``AppConfig.ready()``.

In the spirit of pretix's PDF layouts, a template is data — a name, the stocks it may be printed on, whether it
prints Chinese — plus a ``draw(canvas, box, data)`` function that lays out one label inside ``box``. The same
``draw`` makes the PDF (``render``) and the ZPL for thermal printers (``zpl``): it draws on whatever canvas it is
given, and the barcode helpers (``barcodes.draw_datamatrix``, ``draw_qr``) let a ZPL canvas take the codes as
native printer commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from .layout import Box
from .stocks import STOCKS


@dataclass(frozen=True)
class LabelTemplate:
    """A printable label design; ``draw(canvas, box, data)`` lays out one label of ``data_type`` in ``box``."""

    name: str
    title: str
    data_type: type
    default_stock: str
    allowed_stocks: tuple[str, ...]
    prints_chinese: bool
    draw: Callable[[Canvas, Box, Any], None]


TEMPLATES: dict[str, LabelTemplate] = {}


def register_template(template: LabelTemplate) -> LabelTemplate:
    """Add ``template`` to the registry; its name must be new (registering the same template again, as a second
    ``ready()`` does, is a no-op) and its stocks known."""
    if template.name in TEMPLATES and TEMPLATES[template.name] != template:
        raise ValueError(f"A label template named {template.name!r} is already registered.")
    unknown = [name for name in template.allowed_stocks if name not in STOCKS]
    if unknown or template.default_stock not in template.allowed_stocks:
        raise ValueError(f"Template {template.name!r} names unknown stocks or a default stock it does not allow.")
    TEMPLATES[template.name] = template
    return template


def get_template(name: str) -> LabelTemplate:
    """The template called ``name``; ``ValueError`` naming the known templates if there is none."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"Unknown label template {name!r}; known templates: {', '.join(sorted(TEMPLATES))}.") from None
