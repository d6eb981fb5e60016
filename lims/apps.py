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


class LimsConfig(AppConfig):
    name = "lims"
    verbose_name = _("LIMS core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lims import audit, checks  # noqa: F401  (connect the history stamping signal, register checks)

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="lims.sync_roles")
