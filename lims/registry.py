"""Extension points: a lower app offers a hook, higher apps fill it by providing a module of a known name
(DESIGN.md, Layout). ``app_modules("navigation")`` yields each domain app's ``navigation`` module, in the
import order of the apps.

Apps are named by their Python module; two live inside ``production/`` as apps of their own (environmental
monitoring and labelling) so that their models and migrations stay separate. Their pages are mounted under
``/production/<name>/`` and their API under ``/api/v1/production/`` (API.md keeps those paths).
"""

from importlib import import_module

from django.apps import apps as django_apps

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
