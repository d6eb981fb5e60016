from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.errors import validation_response
from lims.api.mixins import ServiceModelViewSet, reason_of
from lims.api.pagination import PageNumberPagination
from production.monitoring.api.serializers import (
    AssessmentSerializer,
    ExcursionSerializer,
    IngestResultSerializer,
    MonitoringPointSerializer,
    ReadingOutSerializer,
    ReadingQuerySerializer,
    ReadingSerializer,
)
from production.monitoring.filters import ExcursionFilter, PointFilter
from production.monitoring.ingestion import RowErrors
from production.monitoring.listing import readings_queryset
from production.monitoring.models import Excursion, ExcursionBatch, MonitoringPoint
from production.monitoring.services import assess_excursion, create_point, ingest_readings


class MonitoringPointViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = MonitoringPoint.objects.all()
    serializer_class = MonitoringPointSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PointFilter

    def perform_create(self, serializer):
        serializer.instance = create_point(serializer.validated_data, user=self.request.user,
                                           reason=reason_of(self.request))


def excursion_queryset():
    return Excursion.objects.select_related("assessment").prefetch_related(
        Prefetch("batch_links", queryset=ExcursionBatch.objects.select_related("batch")))


class ExcursionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excursions (read-only: they follow from the readings); ``{id}/assess/`` records the signed assessment."""

    queryset = excursion_queryset()
    serializer_class = ExcursionSerializer
    lookup_value_converter = "int"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ExcursionFilter
    required_permissions = {"assess": "monitoring.assess_excursion"}

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    @extend_schema(request=AssessmentSerializer, responses={201: ExcursionSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        excursion = self.get_object()
        body = AssessmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        assess_excursion(excursion, impact=d["impact"], conclusion=d["conclusion"], **body.signing_kwargs(),
                         user=request.user)
        fresh = excursion_queryset().get(pk=excursion.pk)
        return Response(ExcursionSerializer(fresh).data, status=status.HTTP_201_CREATED)


class ReadingIngestView(APIView):
    """``POST /api/v1/production/readings/``: one reading or a list; a list is all-or-nothing and every bad row
    is reported as ``fields: {"<index>.<field>": [message]}``. Duplicates (same point and time) are ignored."""

    required_permissions = {"GET": "monitoring.view_reading", "HEAD": "monitoring.view_reading",
                            "OPTIONS": "monitoring.view_reading", "POST": "monitoring.add_reading"}
    pagination_class = PageNumberPagination  # the GET list is paginated (and so declared in the schema)

    @extend_schema(parameters=[ReadingQuerySerializer], responses={200: ReadingOutSerializer(many=True)})
    def get(self, request):
        """``GET /api/v1/production/readings/``: readings oldest first, filters ``point`` (id or code),
        ``after`` (inclusive) and ``before`` (exclusive); paginated by cursor (a deep page costs what the first
        one does: index on point and time)."""
        query = ReadingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = readings_queryset(**query.validated_data)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ReadingOutSerializer(page, many=True).data)

    @extend_schema(request=ReadingSerializer(many=True), responses={
        201: IngestResultSerializer, 400: OpenApiResponse(description="invalid rows, nothing stored")})
    def post(self, request):
        data = request.data
        single = isinstance(data, dict)
        rows = [data] if single else data
        if not isinstance(rows, list) or not rows:
            return validation_response({"non_field_errors": [_("Send one reading or a non-empty list of readings.")]})
        try:
            result = ingest_readings(rows, user=request.user, reason=reason_of(request) if single else "",
                                     label=(lambda i: "0") if single else str)
        except RowErrors as exc:
            fields = exc.fields
            if single:
                fields = {k.split(".", 1)[1]: v for k, v in fields.items()}
            return validation_response(fields)
        excursions = excursion_queryset().filter(pk__in=[e.pk for e in result["excursions"]])
        return Response({"created": result["created"], "duplicates": result["duplicates"],
                         "excursions": ExcursionSerializer(excursions, many=True).data},
                        status=status.HTTP_201_CREATED)
