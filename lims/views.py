from datetime import datetime, time, timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lims import exports, history, paging
from lims.listing import Column, ListPage
from lims.models import Signature, UserPreference
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


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.order_by("username"), required=False,
                                  label=_("User"))
    model = forms.ChoiceField(required=False, label=_("Record type"))
    object_id = forms.IntegerField(required=False, min_value=1, label=_("Record id"))
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("To (inclusive)"),
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + sorted(
            (m._meta.label_lower, f"{m._meta.app_config.verbose_name} · {m._meta.verbose_name}")
            for m in history.audited_models()
        )

    def clean(self):
        data = super().clean()
        if data.get("object_id") and not data.get("model"):
            self.add_error("model", _("Choose the record type to filter by record id."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _day_start(d):
    return timezone.make_aware(datetime.combine(d, time.min)) if d else None


@login_required
def audit_log(request):
    """The global audit trail: every history row of every record; filter by user, type, record and dates."""
    if not request.user.has_perm("lims.view_audit_log"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "user_id": d["user"].pk if d.get("user") else None, "model_label": d.get("model") or None,
            "object_id": d.get("object_id"), "date_from": _day_start(d.get("date_from")),
            "date_to": _day_start(d["date_to"] + timedelta(days=1)) if d.get("date_to") else None,
        }
    valid = not form.is_bound or form.is_valid()
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and valid:
        later = exports.background(request, export, history.audit_count(**filters).value)
        return later if later is not None else _audit_export(export, filters)
    page, notice = None, None
    if valid:
        try:
            page = history.audit_page(size=50, cursor=request.GET.get("cursor") or None, **filters)
        except paging.BadCursor:
            notice = _("That page link is no longer valid; showing the newest entries.")
            page = history.audit_page(size=50, **filters)
    rows = history.audit_rows(page.rows) if page else []
    query = request.GET.copy()
    for k in ("page", "cursor"):
        query.pop(k, None)
    return render(request, "lims/audit_log.html",
                  {"form": form, "page": page, "rows": rows, "notice": notice, "querystring": query.urlencode()})


AUDIT_HEADER = ["history_id", "date", "user", "type", "record_type", "record_id", "reason", "reason_by_system"]


def _audit_export(fmt, filters):
    """The whole filtered audit trail, streamed (each table read by key; no OFFSET, no limit)."""
    def rows():
        buffer = []
        for raw in history.audit_iter(**filters):
            buffer.append(raw)
            if len(buffer) >= 1000:
                yield from _audit_cells(buffer)
                buffer = []
        yield from _audit_cells(buffer)

    if fmt == "csv":
        return exports.csv_response("audit-trail", AUDIT_HEADER, rows())
    return exports.xlsx_response("audit-trail", "audit trail", AUDIT_HEADER, rows())


def _audit_cells(raw_rows):
    for r in history.audit_rows(raw_rows, urls=False):
        yield [r["history_id"], timezone.localtime(r["history_date"]).isoformat(), r["user"], r["type"], r["model"],
               r["object_id"], r["reason"], "yes" if r["reason_system"] else ""]


class SignatureList(ListPage):
    model = Signature
    queryset = Signature.objects.select_related("signer", "content_type")
    title = _("Electronic signatures")
    columns = [
        Column("signed_at", _("Signed at"), sort="signed_at"),
        Column("printed_name", _("Printed name"), sort="printed_name"),
        Column("meaning", _("Meaning"), sort="meaning"),
        Column("object_repr", _("Record")),
        Column("reason", _("Reason")),
    ]
    search_fields = ("printed_name", "object_repr", "reason")
    default_sort = "-signed_at"
    export_name = "signatures"


def _api_error(request, status, detail, code):
    """Under /api/ the error pages are the API's JSON error bodies (the schema declares no HTML there)."""
    from django.http import JsonResponse

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(detail), "code": code}, status=status)
    return None


def error_403(request, exception=None):
    return _api_error(request, 403, _("You do not have permission to perform this action."), "permission_denied") \
        or render(request, "errors/403.html", status=403)


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
