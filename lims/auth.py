"""Sign-in lock-out responses (django-axes): JSON for the API, a page for people."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-in attempts. Try again in %(minutes)s minutes or ask an administrator.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=403)
    return render(request, "registration/locked_out.html", {"message": message}, status=403)
