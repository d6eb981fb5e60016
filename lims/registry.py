"""The one extension point of the project (DESIGN.md, Layout: a lower app offers, a higher app fills).

Modelled on NetBox's ``netbox/registry.py``: a fixed set of named stores that higher apps fill from their
``AppConfig.ready()``, so that a lower app (production, incubator) never imports a higher one (qc, regulatory,
lab). Every store is keyed; registering the same key again (a second ``ready()``, a test) replaces the entry.

Stores
    ``panels``          a panel on a detail page: ``register_panel("batch", "qc/includes/batch_panel.html",
                        context_func)``; pages are ``batch``, ``product``, ``project`` and ``materiallot``.
                        ``context_func(request, obj)`` returns the template's context (a dict), or ``None`` to
                        hide the panel (for instance when the user may not see that data). It must run a fixed
                        number of queries.
    ``record_sections`` a section of the batch record PDF: ``register_record_section(func)`` with
                        ``func(batch) -> lims.pdf.Section | list[Section] | None``.
    ``batch_parts``     what belongs to a batch, for the batch story (lims.story: timeline, audit search by lot,
                        batch record): ``register_batch_part(key, func, order=)`` with ``func(batch) ->
                        iterable of lims.story.BatchPart(model, q, label_fields=())``: ``q`` filters the *historical*
                        table of ``model`` (columns are the model's attnames, e.g. ``Q(batch_id=batch.pk)``; a child
                        uses a subquery, ``lims.story.ids_of(Parent, q)``) so that deleted records stay in the
                        story. ``func`` runs no query itself; the story reads one query per part, whatever its
                        length, and adds the signatures of every record it finds.
    ``project_figures`` what became of a project's products, from the app that records it (API.md incubator
                        projects: ``products``, ``batches_made`` …): ``register_project_figure(key, totals,
                        per_quarter=None)``; see ``register_project_figure``.

    from lims.registry import register_panel
    register_panel("batch", "qc/includes/batch_panel.html", batch_panel_context, order=50)

App modules: a higher app may also fill a hook by providing a module of a known name (DESIGN.md, Layout).
``app_modules("navigation")`` yields each domain app's ``navigation`` module, in the import order of the apps.

Apps are named by their Python module; two live inside ``production/`` as apps of their own (environmental
monitoring and labelling) so that their models and migrations stay separate. Their pages are mounted under
``/production/<name>/`` and their API under ``/api/v1/production/`` (API.md keeps those paths).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps

PAGES = ("batch", "product", "project", "materiallot")


class Registry(dict):
    """A dict whose stores are fixed at start-up: a typo in a store name fails loudly instead of registering
    into a store nobody reads."""

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(f"Unknown registry store {key!r}; the stores are {', '.join(self)}") from None

    def __setitem__(self, key, value):
        raise TypeError("Registry stores are fixed; register into an existing store instead")

    def __delitem__(self, key):
        raise TypeError("Registry stores cannot be removed")


registry = Registry()
dict.__setitem__(registry, "panels", {page: {} for page in PAGES})
dict.__setitem__(registry, "record_sections", {})
dict.__setitem__(registry, "batch_parts", {})
dict.__setitem__(registry, "project_figures", {})


@dataclass(frozen=True)
class Panel:
    template_name: str
    context_func: Callable | None
    order: int = 100


def register_panel(page: str, template_name: str, context_func: Callable | None = None, *, order: int = 100):
    """Show ``template_name`` on every ``page`` (batch, product, project, materiallot) page. The template is
    included with the page's object (``batch``, ``product``, ``project``, ``lot``) and ``panel`` (the dict
    ``context_func`` returned)."""
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; panels go on {', '.join(PAGES)}")
    registry["panels"][page][template_name] = Panel(template_name, context_func, order)


def unregister_panel(page: str, template_name: str):
    registry["panels"][page].pop(template_name, None)


def registered_panels(page: str) -> list[Panel]:
    return sorted(registry["panels"][page].values(), key=lambda p: (p.order, p.template_name))


def panels(page: str, request, obj) -> list[dict]:
    """``[{"template_name": name, "context": dict}]`` of the panels to show this user for ``obj``."""
    shown = []
    for panel in registered_panels(page):
        context = panel.context_func(request, obj) if panel.context_func else {}
        if context is not None:
            shown.append({"template_name": panel.template_name, "context": context})
    return shown


def register_record_section(func: Callable, *, key: str | None = None, order: int = 100) -> Callable:
    """Add ``func(batch) -> Section | list[Section] | None`` to every batch record (one entry per key)."""
    registry["record_sections"][key or f"{func.__module__}.{func.__qualname__}"] = (order, func)
    return func


def record_section_funcs() -> list[Callable]:
    return [func for _, func in sorted(registry["record_sections"].values(), key=lambda entry: entry[0])]


def register_batch_part(key: str, func: Callable[..., Any], *, order: int = 100):
    """Register what belongs to a batch, under a unique ``key`` (e.g. ``"qc.quality"``): ``func(batch)`` returns
    ``lims.story.BatchPart`` entries (see the module docstring, ``batch_parts``); parts are read in ``order``."""
    registry["batch_parts"][key] = (order, func)


def batch_parts() -> list[tuple[str, Callable]]:
    return [(key, func) for key, (_, func) in sorted(registry["batch_parts"].items(), key=lambda kv: kv[1][0])]


def register_project_figure(key: str, totals: Callable[[list[int]], dict] | None, *,
                            per_quarter: Callable[[int], dict] | None = None):
    """A figure of incubator projects under ``key``: ``totals(project_ids) -> {project_id: value}`` and,
    optionally, ``per_quarter(project_id) -> {"2026-Q3": value}`` (``totals`` None: quarterly only). Each runs
    a fixed number of queries."""
    registry["project_figures"][key] = (totals, per_quarter)


def project_figures() -> dict[str, tuple[Callable, Callable | None]]:
    return dict(registry["project_figures"])


# --- App modules -------------------------------------------------------------------------------------------

DOMAIN_APPS = [
    "lims", "incubator", "production", "production.monitoring", "production.labelling", "qc", "regulatory", "lab",
]


def installed(modules=None) -> list[str]:
    return [m for m in (modules or DOMAIN_APPS) if django_apps.is_installed(m)]


def app_config(module: str):
    return next(c for c in django_apps.get_app_configs() if c.name == module)


def url_prefix(module: str) -> str:
    return module.replace(".", "/") + "/"


def api_prefix(module: str) -> str:
    return module.split(".")[0] + "/"


def app_modules(name: str, modules=None):
    for module_name in installed(modules):
        dotted = f"{module_name}.{name}"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name in (dotted, f"{module_name}.{name.split('.')[0]}"):
                continue
            raise
        yield module_name, module
