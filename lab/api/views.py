from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lab import services
from lab.api.serializers import (
    AssaySerializer,
    ClientSerializer,
    RejectSerializer,
    ReportSerializer,
    ReviewSerializer,
    SampleSerializer,
    StartSerializer,
    ThroughputQuery,
    ThroughputResult,
)
from lab.filters import AssayFilter, ClientFilter, SampleFilter
from lab.intake import MAX_ROWS
from lab.models import Assay, Client, Sample
from lab.throughput import Query, compute
from lims.api.mixins import ServiceModelViewSet, reason_of


class ClientViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Client.objects.all()
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "kind"]


class AssayViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Assay.objects.all()
    serializer_class = AssaySerializer
    filterset_class = AssayFilter
    search_fields = ["code", "name", "method"]
    ordering_fields = ["code", "name", "tat_target_hours"]


class SampleViewSet(ServiceModelViewSet):
    """Samples. ``POST`` takes one object or a list (all-or-nothing: a bad row answers 400 with every bad row as
    ``fields["<index>.<field>"]`` and nothing is created). Life cycle actions: ``start``, ``report``, ``reject``."""
    lookup_value_converter = "int"

    queryset = Sample.objects.select_related("client", "assay")
    serializer_class = SampleSerializer
    filterset_class = SampleFilter
    search_fields = ["barcode", "result"]
    ordering_fields = ["received_at", "reported_at", "barcode", "status"]
    required_permissions = {"start": "lab.change_sample", "report": "lab.change_sample",
                            "reject": "lab.change_sample", "review": "lab.review_sample"}

    @extend_schema(
        request=SampleSerializer(many=True), responses={201: SampleSerializer(many=True)},
        description=f"One sample object or a list of them (at most {MAX_ROWS}). A list is all-or-nothing.",
        examples=[OpenApiExample("bad row", response_only=True, status_codes=["400"], value={
            "detail": "Invalid input: 1.assay: Invalid pk \"999\" - object does not exist.", "code": "invalid",
            "fields": {"1.assay": ["Invalid pk \"999\" - object does not exist."]}})],
    )
    def create(self, request, *args, **kwargs):
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if not items:
            raise serializers.ValidationError({"non_field_errors": [_("Send at least one sample.")]})
        if len(items) > MAX_ROWS:
            raise serializers.ValidationError(
                {"non_field_errors": [_("At most %(n)s samples per request.") % {"n": MAX_ROWS}]})
        rows, indexes, errors = parse_items(items, self.get_serializer_context())
        # The rules (duplicates, times) are checked on the rows that parsed too, so every bad row is reported.
        for key, messages in services.check_sample_rows(rows).items():
            position, field = key.split(".", 1)
            errors[f"{indexes[int(position)]}.{field}"] = messages
        if errors:
            errors = dict(sorted(errors.items(), key=lambda item: (int(item[0].split(".")[0]), item[0])))
            if not many:
                errors = {key.split(".", 1)[1]: value for key, value in errors.items()}
            raise serializers.ValidationError(errors)
        created = services.receive_samples(rows, user=request.user, reason=reason_of(request))
        data = SampleSerializer(created, many=True, context=self.get_serializer_context()).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.correct_sample(
            serializer.instance, serializer.validated_data, user=self.request.user, reason=reason_of(self.request),
            expected_version=self.request.data.get("version"))

    @extend_schema(request=StartSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        body = StartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sample = services.start_testing(self.get_object(), user=request.user, reason=reason_of(request),
                                        started_at=body.validated_data.get("started_at"))
        return Response(SampleSerializer(sample).data)

    @extend_schema(request=ReportSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        d.pop("reason", None)
        sample = services.report_result(self.get_object(), user=request.user, reason=reason_of(request), **d)
        return Response(SampleSerializer(sample).data)

    @extend_schema(request=ReviewSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The second person's review of the reported result (signing, meaning "reviewed"); 409 ``four_eyes``
        for the person who entered it, ``already_reviewed``, ``invalid_state``."""
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sample = services.review_result(self.get_object(), **body.signing_kwargs(), user=request.user)
        return Response(SampleSerializer(sample).data)

    @extend_schema(request=RejectSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sample = services.reject_sample(self.get_object(), user=request.user, reason=body.validated_data["reason"])
        return Response(SampleSerializer(sample).data)


def parse_items(items, context):
    """Parse every item with SampleSerializer (client and assay looked up once for the whole list): the rows
    that parsed, their indexes in the list, and the errors of the others as ``{"<index>.<field>": [message]}``."""
    clients = Client.objects.in_bulk(_ids(items, "client"))
    assays = Assay.objects.in_bulk(_ids(items, "assay"))
    rows, indexes, errors = [], [], {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"{index}.non_field_errors"] = [_("Each sample is a JSON object.")]
            continue
        serializer = SampleSerializer(data=item, context=context)
        serializer.fields["client"].queryset = _Cached(Client, clients)
        serializer.fields["assay"].queryset = _Cached(Assay, assays)
        if serializer.is_valid():
            rows.append(serializer.validated_data)
            indexes.append(index)
        else:
            for field, messages in serializer.errors.items():
                errors[f"{index}.{field}"] = [str(m) for m in messages]
    return rows, indexes, errors


def _ids(items, field) -> list[int]:
    ids = set()
    for item in items:
        value = item.get(field) if isinstance(item, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit():
            ids.add(int(value))
    return list(ids)


class _Cached:
    """A stand-in queryset for PrimaryKeyRelatedField that answers ``get(pk=...)`` from a preloaded dict."""

    def __init__(self, model, objects):
        self.model, self.objects = model, objects

    def get(self, pk):
        try:
            return self.objects[int(pk)]
        except (KeyError, TypeError, ValueError):
            raise self.model.DoesNotExist from None

    def all(self):
        return self


class ThroughputView(APIView):
    """``GET /api/v1/lab/throughput/``: completed tests and turnaround time per period and assay (lab.throughput
    documents every definition: local-time buckets, type-7 percentiles, within-target %, backlog)."""

    required_permissions = "lab.view_sample"

    @extend_schema(
        parameters=[ThroughputQuery], responses={200: ThroughputResult},
        description=(
            "Buckets are local days, ISO weeks (starting Monday) or months in the server's time zone "
            "(Asia/Shanghai); `period` is the ISO date of the bucket's first day. TAT = reported_at − received_at "
            "in hours (2 decimals); median and p90 use linear interpolation (Hyndman–Fan type 7; the median of an "
            "even count is the mean of the two middle values); within_target_pct = % of completed samples with "
            "TAT ≤ the assay's tat_target_hours; backlog = samples open at the bucket end (or the window end). "
            "`rows` lists period × assay with completed > 0, ordered by period and assay code; `assays` maps "
            "their ids to codes. `include=clients` adds the per-client table. `layout=columns` gives `rows`, "
            "`totals` and `clients` as one object of arrays each (same fields), a compact answer. The figures "
            "come from a rollup kept by the sample services (exact: the same as a direct computation from the "
            "samples)."),
    )
    def get(self, request):
        query = ThroughputQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        d = query.validated_data
        with_clients = "clients" in d["include"]
        figures = compute(Query(start=d["start"], end=d["end"], bucket=d["bucket"], assay_id=d.get("assay"),
                                client_id=d.get("client")), clients=with_clients)
        out = compact(figures, with_clients)
        if d["layout"] == "columns":
            out = as_columns(out)
        return Response(out)


ROW_FIELDS = ("period", "completed", "median_tat_hours", "p90_tat_hours", "within_target_pct")


def compact(figures: dict, with_clients: bool) -> dict:
    """The answer of API.md: rows ``{period, assay, completed, median_tat_hours, p90_tat_hours,
    within_target_pct}`` only (five years of days × assays stay a few MB), codes once in ``assays`` /
    ``clients_codes``, totals per period with the backlog; the per-client table only on ``include=clients``."""
    out = {k: figures[k] for k in ("start", "end", "bucket", "assay", "client", "time_zone")}
    out["assays"] = {str(r["assay"]): r["assay_code"] for r in figures["rows"]}
    out["rows"] = [{"period": r["period"], "assay": r["assay"], **{k: r[k] for k in ROW_FIELDS[1:]}}
                   for r in figures["rows"]]
    out["totals"] = figures["totals"]
    if with_clients:
        out["client_codes"] = {str(r["client"]): r["client_code"] for r in figures["clients"]}
        out["clients"] = [{"period": r["period"], "client": r["client"], **{k: r[k] for k in ROW_FIELDS[1:]},
                           "backlog": r["backlog"]} for r in figures["clients"]]
    return out


def as_columns(out: dict) -> dict:
    """``layout=columns``: ``rows``, ``totals`` and ``clients`` each as ``{field: [value per row]}`` (the same
    fields and order as the list of objects; five years of days take a fraction of the bytes)."""
    result = dict(out)
    result["layout"] = "columns"
    for key, fields in (("rows", ("period", "assay", *ROW_FIELDS[1:])),
                        ("totals", (*ROW_FIELDS, "backlog")),
                        ("clients", ("period", "client", *ROW_FIELDS[1:], "backlog"))):
        if key in out:
            rows = out[key]
            result[key] = {f: [r[f] for r in rows] for f in fields}
    return result

