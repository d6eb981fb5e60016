"""Extension point of the batch page (DESIGN.md, Layout): higher apps (QC results, export eligibility …) add a
panel from their ``AppConfig.ready()`` without production importing them.

    from production.panels import register_batch_panel
    register_batch_panel("qc/includes/batch_panel.html", lambda request, batch: {"inspections": ...})

The template is included on the batch page with ``batch`` and ``panel`` (the dict the function returned). A
context function returning ``None`` hides its panel (e.g. when the user may not see that data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BatchPanel:
    template_name: str
    context_func: Callable | None
    order: int


_PANELS: list[BatchPanel] = []


def register_batch_panel(template_name: str, context_func: Callable | None = None, *, order: int = 100):
    """Show ``template_name`` on every batch page; ``context_func(request, batch)`` gives its context.
    Registering the same template twice (a second ``ready()``) replaces the first registration."""
    _PANELS[:] = [p for p in _PANELS if p.template_name != template_name]
    _PANELS.append(BatchPanel(template_name, context_func, order))
    _PANELS.sort(key=lambda p: p.order)


def unregister_batch_panel(template_name: str):
    _PANELS[:] = [p for p in _PANELS if p.template_name != template_name]


def batch_panels(request, batch) -> list[dict]:
    panels = []
    for panel in _PANELS:
        context = panel.context_func(request, batch) if panel.context_func else {}
        if context is not None:
            panels.append({"template_name": panel.template_name, "context": context})
    return panels


# --- The product page: the same extension point (e.g. QC's stability warning) --------------------------------

_PRODUCT_PANELS: list[BatchPanel] = []


def register_product_panel(template_name: str, context_func: Callable | None = None, *, order: int = 100):
    """Show ``template_name`` on every product page; ``context_func(request, product)`` gives its context
    (None hides it)."""
    _PRODUCT_PANELS[:] = [p for p in _PRODUCT_PANELS if p.template_name != template_name]
    _PRODUCT_PANELS.append(BatchPanel(template_name, context_func, order))
    _PRODUCT_PANELS.sort(key=lambda p: p.order)


def product_panels(request, product) -> list[dict]:
    panels = []
    for panel in _PRODUCT_PANELS:
        context = panel.context_func(request, product) if panel.context_func else {}
        if context is not None:
            panels.append({"template_name": panel.template_name, "context": context})
    return panels
