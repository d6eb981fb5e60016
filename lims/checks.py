from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if not settings.SECRET_KEY_FROM_ENV:
        return [Error("SECRET_KEY is not set in the environment.", hint="Set SECRET_KEY (see .env.example).",
                      id="lims.E001")]
    return []


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
