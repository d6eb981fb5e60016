
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lims import history
from lims.models import UserPreference
from lims.permissions import can
from lims.registry import app_modules
from lims.roles import role_duties
from lims.signatures import signature_rows


@require_GET
@never_cache
def healthz(request):
    """``GET /healthz`` → 200 ``{"status": "ok", "database": "ok", "broker": "ok"}``; 503 within 2 s when the
    database or the broker does not answer. ``RequestContextMiddleware`` answers it before sessions and
    authentication, so signed-in and token callers get the same answer as anonymous ones (lims/health.py)."""
    from lims.health import healthz_response

    return healthz_response()


@login_required
def home(request):
    panels = []
    for _label, module in app_modules("dashboard"):
        panels.extend(module.home_panels(request))
    return render(request, "lims/home.html", {"duties": role_duties(request.user), "panels": panels})


@require_POST
def set_language(request):
    """Switch the interface language; signed-in users keep the choice on their preference."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    if request.user.is_authenticated:
        UserPreference.objects.update_or_create(user=request.user, defaults={"language": language})
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response


def _tracked_model(app_label, model_name):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if model not in history.audited_models():
        raise Http404
    return model


def _absolute_url(obj):
    try:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
    except NoReverseMatch:
        return None


@login_required
def object_history(request, app_label, model_name, pk):
    """The history tab of any tracked record: field-level diffs of it and its child records."""
    model = _tracked_model(app_label, model_name)
    if not can(request.user, "view", model):
        raise PermissionDenied
    obj = get_object_or_404(model._default_manager.all(), pk=pk)
    entries = history.object_history(obj)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    return render(request, "lims/history.html", {
        "object": obj, "model_name": model._meta.verbose_name, "page_obj": page,
        "back_url": _absolute_url(obj),
        "signatures": signature_rows(obj),
    })


from lims.audit_views import SignatureList, _day_start, audit_log  # noqa: E402, F401  (moved; old imports keep working)


def _api_error(request, status, detail, code):
    """Under /api/ the error pages are the API's JSON error bodies (the schema declares no HTML there)."""
    from django.http import JsonResponse

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(detail), "code": code}, status=status)
    return None


def error_403(request, exception=None):
    """The refused page says who may act: the roles holding the missing permission and their people."""
    from lims.permissions import refused_permissions, who_may

    api = _api_error(request, 403, _("You do not have permission to perform this action."), "permission_denied")
    if api:
        return api
    may = who_may(refused_permissions(request, exception))
    return render(request, "errors/403.html", {"who_may": may}, status=403)


def error_404(request, exception=None):
    return _api_error(request, 404, _("There is no page or record at this address."), "not_found") \
        or render(request, "errors/404.html", status=404)


def error_500(request):
    """A database outage (connection refused, timeout, lock wait) is 503 with the app's own page — or JSON for
    the API — rendered without the database; anything else is the 500 page."""
    import sys

    from django.template.loader import render_to_string

    from lims.logs import is_outage

    exc = sys.exc_info()[1]
    if is_outage(exc):
        detail = _("The service is unavailable for a moment (the database does not answer). Nothing was saved; "
                   "please try again in a minute.")
        if request.path_info.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"detail": str(detail), "code": "unavailable"}, status=503)
        else:
            try:
                body = render_to_string("errors/503.html", {"detail": detail})
            except Exception:  # the outage page itself must never fail (e.g. static files not collected)
                body = f"<!doctype html><title>503</title><h1>{_('Service unavailable (503)')}</h1><p>{detail}</p>"
            response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return _api_error(request, 500, _("Server error."), "server_error") \
        or render(request, "errors/500.html", status=500)
