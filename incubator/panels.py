"""Panels on the project page that other apps provide (DESIGN.md, Layout: a lower app offers an extension point,
a higher app fills it from its ``AppConfig.ready()``). Production adds "products of this project", the lab adds
"use of the lab"; the incubator never imports them.

    from incubator.panels import register_project_panel
    register_project_panel("lab/panels/project_lab_usage.html", lab_usage_context)

``context_func(request, project)`` returns the template's context (a dict), or ``None`` to hide the panel
(for instance when the user may not see it). It must run a fixed number of queries, whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectPanel:
    template_name: str
    context_func: Callable
    order: int = 100


_panels: list[ProjectPanel] = []


def register_project_panel(template_name: str, context_func: Callable, *, order: int = 100) -> None:
    """Add a panel to every project page (idempotent: registering the same template again replaces it)."""
    global _panels
    _panels = [p for p in _panels if p.template_name != template_name]
    _panels.append(ProjectPanel(template_name, context_func, order))
    _panels.sort(key=lambda p: (p.order, p.template_name))


def registered_panels() -> list[ProjectPanel]:
    return list(_panels)


def project_panels(request, project) -> list[dict]:
    """``[{"template": name, "context": dict}]`` of the panels to show this user for this project."""
    shown = []
    for panel in _panels:
        context = panel.context_func(request, project)
        if context is not None:
            shown.append({"template": panel.template_name, "context": context})
    return shown
