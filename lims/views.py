import csv
from datetime import datetime, time, timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lims import history
from lims.listing import Column, ListPage
from lims.models import Signature, UserPreference
from lims.permissions import can
from lims.registry import app_modules
from lims.roles import role_duties
from lims.signatures import signature_rows


@require_GET
@never_cache
def healthz(request):
    """``GET /healthz`` → 200 ``{"status": "ok", "database": "ok"}``; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
    if model not in history.tracked_models():
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
            for m in history.tracked_models()
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
    qs = history.audit_log(**filters) if valid else None
    if request.GET.get("export") == "csv" and qs is not None:
        return _audit_csv(qs)
    page = Paginator(qs if qs is not None else [], 50).get_page(request.GET.get("page"))
    rows = history.audit_rows(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "lims/audit_log.html",
                  {"form": form, "page_obj": page, "rows": rows, "querystring": query.urlencode()})


def _audit_csv(qs):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff" + writer.writerow(["history_id", "date", "user", "type", "record_type", "record_id",
                                          "reason", "reason_by_system"])
        chunk = 2000
        offset = 0
        while True:
            part = list(qs[offset:offset + chunk])
            if not part:
                break
            for r in history.audit_rows(part):
                yield writer.writerow([r["history_id"], timezone.localtime(r["history_date"]).isoformat(),
                                       r["user"], r["type"], r["model"], r["object_id"], r["reason"],
                                       "yes" if r["reason_system"] else ""])
            offset += chunk

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response


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
    return _api_error(request, 500, _("Server error."), "server_error") \
        or render(request, "errors/500.html", status=500)
