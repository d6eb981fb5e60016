from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "lims.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from lims.metrics import count_signin_failure
        from lims.notifications import delivery  # noqa: F401  (registers the delivery job)

        user_login_failed.connect(count_signin_failure, dispatch_uid="lims.metrics.signin_failure")
