from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if not settings.SECRET_KEY_FROM_ENV:
        return [Error("SECRET_KEY is not set in the environment.", hint="Set SECRET_KEY (see .env.example).",
                      id="lims.E001")]
    return []


# Concrete models of the domain apps that carry no history, each for a stated reason. Any other domain model
# without ``history = lims.audit.history()`` is an error (lims.E002), so new code cannot drift.
UNTRACKED_ALLOWED = {
    "lims.signature": "immutable itself, chained by hash and protected by triggers",
    "lims.signaturefailure": "an append-only log of refused signing attempts",
    "lims.userpreference": "the interface language, no GMP data",
    "lims.auditverification": "an append-only log of verification runs",
    "production.lotsequence": "a counter locked while a lot number is issued; the batch carries history",
    "monitoring.reading": "measurements are never edited (a correction is a new reading)",
    "labelling.caseserialcounter": "a counter locked while a range is issued; the label job carries history",
    "lab.throughputday": "a rollup derived from the samples (which carry history), rebuilt by a command",
    "lab.throughputclientday": "part of the same rollup (per-client counts), rebuilt with it",
    "lab.throughputperiod": "part of the same rollup (figures of whole days, weeks, months), rebuilt with it",
    "lab.throughputtarget": "part of the same rollup (the targets its period counts use), rebuilt with it",
    "lab.throughputstale": "part of the same rollup (marks of periods to recompute), rebuilt with it",
}


@register()
def domain_models_have_history(app_configs, **kwargs):
    from django.apps import apps

    from lims.registry import installed

    modules = set(installed())
    errors = []
    for model in apps.get_models():
        opts = model._meta
        if opts.app_config.name not in modules or not opts.managed or opts.proxy:
            continue
        if hasattr(model, "instance_type") or opts.label_lower in UNTRACKED_ALLOWED:  # historical models
            continue
        if not hasattr(opts, "simple_history_manager_attribute"):
            errors.append(Error(
                f"{opts.label} has no history: every domain record carries an audit trail.",
                hint="Add `history = lims.audit.history()` to the model (and a factory in tests/<app>/factories.py),"
                     " or list it with its reason in lims.checks.UNTRACKED_ALLOWED.",
                obj=model, id="lims.E002"))
    return errors


@register(Tags.database)
def audit_tables_are_protected(app_configs, databases=None, **kwargs):
    """Every history table and the signature table carry the triggers that refuse UPDATE and DELETE. Runs with
    the database checks (``manage.py check --database default``; ``migrate`` runs it before migrating, when it
    stays quiet while migrations are pending: post_migrate installs the triggers)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from lims.integrity import unprotected_tables

    errors = []
    for alias in databases or ():
        connection = connections[alias]
        try:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                continue
            missing = unprotected_tables(connection)
        except Exception as exc:  # an unreachable database is reported by Django's own checks
            errors.append(Error(f"Could not inspect the audit tables of {alias!r}: {exc}", id="lims.E004"))
            continue
        for table in missing:
            errors.append(Error(
                f"The audit table {table} ({alias}) has no trigger refusing UPDATE and DELETE.",
                hint="Run `manage.py migrate` (its post_migrate step installs the triggers).", id="lims.E003"))
    return errors


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@register()
def signing_takes_both_components(app_configs, **kwargs):
    """Every signing page and service takes both components of a signature (21 CFR 11.200(a)(1)), so that new
    code cannot drift back to password-only signing: signing services are declared with a SigningAction (the
    ``service`` decorator refuses one that lacks ``username``/``password``/``meaning``), and every signing
    page's form has a user name and a password field."""
    from django.urls import get_resolver

    from lims import audit
    from lims.pages import SigningActionView

    errors = []
    # Import every view module reachable from the URLconf so that their classes are known.
    get_resolver().url_patterns  # noqa: B018
    for view in _subclasses(SigningActionView):
        fields = getattr(view.form_class, "base_fields", {})
        missing = {"username", "password"} - set(fields)
        if missing:
            errors.append(Error(f"{view.__module__}.{view.__qualname__} signs without {sorted(missing)}.",
                                hint="Use lims.forms.SignatureForm (or a subclass) as its form.", id="lims.E010"))
        if getattr(view, "signing", None) is None and not hasattr(view, "perform"):
            errors.append(Error(f"{view.__qualname__} has no service to call.", id="lims.E011"))
    for fn in audit.SIGNING_SERVICES:
        if fn.signs is None:
            errors.append(Error(f"{fn.__qualname__} signs without a SigningAction.", id="lims.E012"))
    return errors
