"""Collects each app's API routes (``<app>/api/urls.py`` with ``urlpatterns``) under /api/v1/<app>/."""

from django.urls import include, path

from lims.registry import DOMAIN_APPS, api_prefix, app_modules

urlpatterns = [path(api_prefix(name), include(module)) for name, module in app_modules("api.urls", DOMAIN_APPS[1:])]
