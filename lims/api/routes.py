"""Collects each app's API routes (``<app>/api/urls.py`` with ``urlpatterns``) under /api/v1/<app>/."""

from django.urls import include, path

from lims.registry import DOMAIN_APPS, app_modules

urlpatterns = [
    path(f"{label}/", include(module)) for label, module in app_modules("api.urls", DOMAIN_APPS[1:])
]
