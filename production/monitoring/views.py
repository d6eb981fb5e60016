from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from lims import paging
from lims.errors import DomainError
from lims.listing import Column, ListPage, RolePageMixin, count_text
from lims.signatures import signature_rows
from production.models import CleanRoom
from production.monitoring import trends
from production.monitoring.csvfile import decode, parse_rows
from production.monitoring.filters import ExcursionFilter, LimitFilter, PointFilter
from production.monitoring.forms import AssessmentForm, LimitForm, TrendForm, UploadForm
from production.monitoring.ingestion import RowErrors
from production.monitoring.listing import readings_queryset
from production.monitoring.models import Excursion, ExcursionBatch, Limit, MonitoringPoint, Parameter
from production.monitoring.services import assess_excursion, ingest_readings, set_limit

WINDOW_DAYS = {"1d": 1, "7d": 7, "30d": 30, "90d": 90, "365d": 365}
DEFAULT_WINDOW = "7d"


class ExcursionList(ListPage):
    model = Excursion
    queryset = Excursion.objects.select_related("point", "point__clean_room", "assessment")
    filterset_class = ExcursionFilter
    title = gettext_lazy("Excursions")
    columns = [
        Column("started_at", gettext_lazy("started at"), sort="started_at", link=True),
        Column("ended_at", gettext_lazy("ended at"), sort="ended_at"),
        Column("point.code", gettext_lazy("point"), sort="point__code"),
        Column("point.clean_room.code", gettext_lazy("clean room")),
        Column("parameter", gettext_lazy("parameter"), sort="parameter"),
        Column("level", gettext_lazy("level"), sort="level"),
        Column("peak_value", gettext_lazy("peak value")),
        Column("is_assessed", gettext_lazy("assessed")),
    ]
    search_fields = ("point__code",)
    default_sort = "-started_at"
    export_name = "excursions"


class ExcursionDetail(RolePageMixin, TemplateView):
    permission_required = "monitoring.view_excursion"
    template_name = "monitoring/excursion_detail.html"

    def get_excursion(self):
        return get_object_or_404(
            Excursion.objects.select_related("point", "point__clean_room", "limit", "assessment",
                                             "assessment__assessed_by")
            .prefetch_related(Prefetch("batch_links", ExcursionBatch.objects.select_related("batch"))),
            pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        excursion = self.get_excursion()
        assessment = excursion.assessment if excursion.is_assessed else None
        trend_end = min(timezone.localtime(excursion.ended_at or timezone.now()) + timedelta(hours=6),
                        timezone.localtime())
        ctx.update({
            "excursion": excursion, "title": str(excursion), "assessment": assessment,
            "signatures": signature_rows(assessment) if assessment else [],
            "can_assess": (not assessment and excursion.ended_at is not None
                           and self.request.user.has_perm("monitoring.assess_excursion")),
            "form": kwargs.get("form") or AssessmentForm(),
            "trend_url": f"{excursion.point.get_absolute_url()}?parameter={excursion.parameter}&window=1d&end="
                         f"{trend_end:%Y-%m-%dT%H:%M}",
        })
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("monitoring.assess_excursion"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        excursion = self.get_excursion()
        form = AssessmentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                assess_excursion(excursion, impact=d["impact"], conclusion=d["conclusion"],
                                 **form.signing_kwargs(), user=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The assessment was signed."))
                return redirect(excursion.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PointList(ListPage):
    model = MonitoringPoint
    queryset = MonitoringPoint.objects.select_related("clean_room")
    filterset_class = PointFilter
    title = gettext_lazy("Monitoring points")
    columns = [
        Column("code", gettext_lazy("code"), sort="code", link=True),
        Column("clean_room.code", gettext_lazy("clean room"), sort="clean_room__code"),
        Column("location", gettext_lazy("location")),
        Column("measures_particles", gettext_lazy("particles")),
        Column("measures_temperature", gettext_lazy("temperature")),
        Column("measures_humidity", gettext_lazy("humidity")),
        Column("measures_pressure", gettext_lazy("pressure")),
        Column("active", gettext_lazy("active")),
    ]
    search_fields = ("code", "location")
    default_sort = "code"
    export_name = "monitoring-points"


class PointTrend(RolePageMixin, TemplateView):
    """The trend of one point and parameter over a chosen window."""

    permission_required = "monitoring.view_reading"
    template_name = "monitoring/point_detail.html"

    def trend_form(self, point):
        """The selector always shows what is plotted: a missing or unknown parameter or window is replaced by the
        default one (the point's first parameter, 7 days) before the form is shown."""
        data = self.request.GET.copy()
        choices = [(p, Parameter(p).label) for p in point.parameters]
        for _attempt in range(2):
            form = TrendForm(data)
            if choices:
                form.fields["parameter"].choices = choices
            form.is_valid()
            fixed = False
            if not form.cleaned_data.get("window"):
                data["window"], fixed = DEFAULT_WINDOW, True
            if choices and not form.cleaned_data.get("parameter"):
                data["parameter"], fixed = choices[0][0], True
            if not fixed:
                break
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        point = get_object_or_404(MonitoringPoint.objects.select_related("clean_room"), pk=self.kwargs["pk"])
        form = self.trend_form(point)
        params = form.cleaned_data
        parameter = params.get("parameter") or (point.parameters[0] if point.parameters else Parameter.TEMPERATURE)
        days = WINDOW_DAYS[params["window"]]
        end = params.get("end") or timezone.now()
        start = end - timedelta(days=days)
        config, step, count = trends.chart(point, parameter, start, end)
        excursions = (point.excursions.filter(parameter=parameter).overlapping(start, end)
                      .select_related("assessment").order_by("started_at"))
        readings = readings_queryset(point=point, after=start, before=end, newest_first=True)
        try:
            page = paging.keyset_page(readings, size=50, cursor=self.request.GET.get("cursor") or None)
        except paging.BadCursor:
            page = paging.keyset_page(readings, size=50)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        shown = [(p, p, Parameter(p).label) for p in point.parameters]
        ctx.update({"point": point, "form": form, "title": str(point), "config": config, "step_minutes": step // 60,
                    "count": count, "start": start, "end": end, "excursions": excursions,
                    "parameter_label": Parameter(parameter).label,
                    "page": page, "querystring": query.urlencode(),
                    "reading_count": count_text(paging.bounded_count(readings), page),
                    "reading_columns": [label for _code, _field, label in shown],
                    "reading_rows": [(r, [getattr(r, f) for _code, f, _label in shown]) for r in page.rows]})
        return ctx


class RoomSummary(RolePageMixin, TemplateView):
    permission_required = "monitoring.view_reading"
    template_name = "monitoring/room_summary.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        room = get_object_or_404(CleanRoom, pk=self.kwargs["pk"])
        days = WINDOW_DAYS.get(self.request.GET.get("window", "90d"), 90)
        end = timezone.now()
        start = end - timedelta(days=days)
        ctx.update({"room": room, "title": str(room), "summary": trends.room_summary(room, start, end),
                    "start": start, "end": end,
                    "points": room.monitoring_points.order_by("code"),
                    "limits": Limit.objects.in_effect().filter(clean_room=room).select_related("set_by")})
        return ctx


class LimitList(ListPage):
    model = Limit
    queryset = Limit.objects.select_related("clean_room", "set_by")
    filterset_class = LimitFilter
    title = gettext_lazy("Limits")
    create_url_name = "monitoring:limit-create"
    columns = [
        Column("clean_room.code", gettext_lazy("clean room"), sort="clean_room__code"),
        Column("parameter", gettext_lazy("parameter"), sort="parameter"),
        Column("alert_low", gettext_lazy("alert low")),
        Column("alert_high", gettext_lazy("alert high")),
        Column("action_low", gettext_lazy("action low")),
        Column("action_high", gettext_lazy("action high")),
        Column("valid_from", gettext_lazy("valid from"), sort="valid_from"),
        Column("set_by", gettext_lazy("set by")),
        Column("reason", gettext_lazy("reason")),
        Column("source", gettext_lazy("source")),
    ]
    default_sort = "-valid_from"
    export_name = "limits"


class LimitCreate(RolePageMixin, FormView):
    permission_required = "monitoring.add_limit"
    template_name = "monitoring/form.html"
    form_class = LimitForm
    extra_context = {"title": gettext_lazy("New limit version")}

    def form_valid(self, form):
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        try:
            set_limit(**d, user=self.request.user, reason=reason)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("The new limits are in effect."))
        return redirect("monitoring:limit-list")


class ReadingUpload(RolePageMixin, FormView):
    """Upload a particle counter's CSV export: all rows or none, every bad row reported by its line number."""

    permission_required = "monitoring.add_reading"
    template_name = "monitoring/upload.html"
    form_class = UploadForm
    extra_context = {"title": gettext_lazy("Upload readings")}

    def form_valid(self, form):
        try:
            _header, rows, numbers = parse_rows(decode(form.cleaned_data["file"].read()))
            if not rows:
                raise RowErrors({"file": [_("The file has no readings.")]})
            result = ingest_readings(rows, user=self.request.user, reason=_("CSV upload"),
                                     label=lambda i: _("line %(n)s") % {"n": numbers[i]})
        except RowErrors as exc:
            errors = [f"{key}: {' '.join(msgs)}" for key, msgs in exc.fields.items()]
            return self.render_to_response(self.get_context_data(form=form, row_errors=errors), status=400)
        messages.success(self.request, _("%(created)s readings stored, %(duplicates)s duplicates ignored, "
                                         "%(excursions)s excursions opened or changed.") % {
            "created": result["created"], "duplicates": result["duplicates"],
            "excursions": len(result["excursions"])})
        return redirect("monitoring:point-list")

    def form_invalid(self, form):
        # Every refused import answers 400, like the API (issue 16).
        response = super().form_invalid(form)
        response.status_code = 400
        return response
