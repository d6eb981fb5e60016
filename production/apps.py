from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'production'
    verbose_name = _("Production")

    def ready(self):
        from lims.registry import register_batch_part
        from production.story import batch_parts

        register_batch_part("production.batch", batch_parts, order=10)

        from production import project_panel

        project_panel.register()  # the project page's products panel and the project API's plant figures
