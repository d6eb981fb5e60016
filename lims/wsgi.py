"""WSGI entry point for production servers (gunicorn, uWSGI …)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
if not os.environ.get("SECRET_KEY") and os.environ.get("DEBUG", "") not in ("1", "true", "yes", "on"):
    raise ImproperlyConfigured("SECRET_KEY must be set to serve the application (see .env.example).")

application = get_wsgi_application()
