from django.apps import AppConfig


class IncubatorConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'incubator'
