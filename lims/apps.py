from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    # Runs after the last app's migrations so that every permission exists (auth creates them on post_migrate).
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from lims.roles import sync_roles

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()


def _name_enums():
    """Give every choice set of the domain models a stable OpenAPI enum name (``BatchStatusEnum``) instead of
    drf-spectacular's hashed names for the many fields called ``status`` or ``kind``."""
    from django.apps import apps
    from django.conf import settings

    from lims.registry import installed

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    seen = set()
    modules = set(installed())
    for model in apps.get_models():
        if model._meta.app_config.name not in modules or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if field.choices and not field.is_relation:
                choices = tuple(sorted(str(k) for k, _v in field.flatchoices))
                if choices in seen:  # one name per distinct choice set (drf-spectacular W002 otherwise)
                    continue
                seen.add(choices)
                name = f"{model.__name__}{field.name.title().replace('_', '')}Enum"
                overrides.setdefault(name, [(k, str(v)) for k, v in field.flatchoices])


class LimsConfig(AppConfig):
    name = "lims"
    verbose_name = _("LIMS core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lims import audit, checks, hygiene  # noqa: F401  (connect the history stamping signal, register checks)

        hygiene.install()

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="lims.sync_roles")
        _name_enums()
