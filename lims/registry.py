"""Extension points: a lower app offers a hook, higher apps fill it by providing a module of a known name
(DESIGN.md, Layout). ``app_modules("navigation")`` yields each domain app's ``navigation`` module, in the
import order of the apps."""

from importlib import import_module

DOMAIN_APPS = ["lims", "incubator", "production", "qc", "regulatory", "lab"]


def app_modules(name: str, apps=DOMAIN_APPS):
    for label in apps:
        dotted = f"{label}.{name}"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name in (dotted, label, f"{label}.{name.split('.')[0]}"):
                continue
            raise
        yield label, module
