"""QC API (API.md, qc rows): specifications, the ISO 2859-1 sampling plan, inspections with their signed review
and approval, deviations and CAPA, signed dispositions and the certificate of analysis. Views parse, check the
role and call a service."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.mixins import ServiceModelViewSet, created, reason_of
from lims.errors import DomainError
from production.models import Batch
from qc import services
from qc.api import serializers as s
from qc.coa import coa_pdf
from qc.filters import (
    DeviationFilter,
    DispositionFilter,
    InspectionFilter,
    PerformanceStudyFilter,
    SpecificationFilter,
)
from qc.models import Deviation, Disposition, Inspection, InspectionResult, PerformanceStudy, Specification
from qc.sampling import PlanInputError, check_aql_counts, resolve_plan


class SpecificationViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Specification.objects.select_related("product", "switching")
    serializer_class = s.SpecificationSerializer
    filterset_class = SpecificationFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "stage"]

    def perform_create(self, serializer):
        serializer.instance = services.create_specification(serializer.validated_data, user=self.request.user,
                                                            reason=reason_of(self.request))


class PerformanceStudyViewSet(ServiceModelViewSet):
    """Clinical performance: sensitivity and specificity (fractions 0–1) with 95 % intervals by ``ci_method``."""

    lookup_value_converter = "int"
    queryset = PerformanceStudy.objects.select_related("product").prefetch_related("strata")
    serializer_class = s.PerformanceStudySerializer
    filterset_class = PerformanceStudyFilter
    ordering_fields = ["pk"]


class SamplingPlanView(APIView):
    """``GET sampling-plan/?lot_size=&aql=&level=&severity=&counts=`` — ISO 2859-1 single sampling: normal
    (Table 2-A), tightened (2-B) or reduced (2-C). An AQL above 10 needs ``counts=nonconformities``."""

    required_permissions = ["qc.view_inspection"]

    @extend_schema(parameters=[OpenApiParameter("lot_size", int, required=True),
                               OpenApiParameter("aql", str, required=True),
                               OpenApiParameter("level", str, required=False, default="II"),
                               OpenApiParameter("severity", str, required=False, default="normal",
                                                enum=["normal", "tightened", "reduced"]),
                               OpenApiParameter("counts", str, required=False, default="nonconforming_items",
                                                enum=["nonconforming_items", "nonconformities"])],
                   responses=s.SamplingPlanSerializer)
    def get(self, request):
        query = s.SamplingPlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            check_aql_counts(data["aql"], data["counts"])
        except ValueError as exc:
            raise DrfValidationError({"aql": [str(exc)]}) from None
        try:
            plan = resolve_plan(data["lot_size"], data["aql"], data["level"], data["severity"])
        except PlanInputError as exc:
            raise DrfValidationError({exc.field: [str(exc)]}) from None
        return Response(s.SamplingPlanSerializer(plan).data)


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    lookup_value_converter = "int"
    queryset = (Inspection.objects.select_related("batch", "material_lot__material", "recorded_by", "reviewed_by",
                                                  "approved_by", "invalidated_by")
                .prefetch_related("results__specification"))
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["recorded_at"]
    required_permissions = {
        "review": "qc.review_inspection",
        "approve": "qc.approve_inspection",
        "invalidate": "qc.invalidate_inspection",
        "correct": "qc.change_inspectionresult",
    }

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def _respond(self, inspection, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data, status=code)

    @extend_schema(request=s.InspectionInputSerializer, responses={201: s.InspectionSerializer})
    def create(self, request, *args, **kwargs):
        """Record an inspection with its results; the server judges each (``outcome``), a failing result opens
        an OOS deviation."""
        parsed = s.InspectionInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = dict(parsed.validated_data)
        data.pop("reason", None)
        inspection = services.record_inspection(**data, user=request.user, reason=reason_of(request))
        return self._respond(inspection, status.HTTP_201_CREATED)

    def _sign(self, request, service):
        parsed = s.SignSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        inspection = service(self.get_object(), **parsed.signing_kwargs(), user=request.user)
        return self._respond(inspection)

    @extend_schema(request=s.SignSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """recorded → reviewed (signed second check; 409 ``four_eyes`` for the recorder)."""
        return self._sign(request, services.review_inspection)

    @extend_schema(request=s.SignSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """reviewed → approved (signed by QA; 409 ``four_eyes`` for the recorder)."""
        return self._sign(request, services.approve_inspection)

    @extend_schema(request=s.InvalidateSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def invalidate(self, request, pk=None):
        """Invalidate (supersede) the inspection: signed by QA with a reason and the ``deviation`` that justifies
        it; its results no longer count for release and are printed as superseded."""
        parsed = s.InvalidateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        inspection = services.invalidate_inspection(self.get_object(), deviation=parsed.validated_data["deviation"],
                                                    **parsed.signing_kwargs(), user=request.user)
        return self._respond(inspection)

    @extend_schema(request=s.ResultCorrectionSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct one result; after approval ``reason`` is required (400 ``reason_required``) and the
        inspection returns to ``recorded``."""
        inspection = self.get_object()
        parsed = s.ResultCorrectionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        result = get_object_or_404(InspectionResult, pk=data["result"], inspection=inspection)
        services.correct_result(result, value=data.get("value"), passed=data.get("passed"),
                                defects=data.get("defects"), user=request.user, reason=reason_of(request))
        return self._respond(inspection)


class DeviationViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Deviation.objects.select_related("batch", "opened_by", "closed_by").prefetch_related("capas__owner")
    serializer_class = s.DeviationSerializer
    filterset_class = DeviationFilter
    search_fields = ["title"]
    ordering_fields = ["opened_at"]
    required_permissions = {
        "investigate": "qc.change_deviation",
        "capa": "qc.add_capa",
        "close": "qc.close_deviation",
    }

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.open_deviation(
            title=data["title"], description=data.get("description", ""), batch=data.get("batch"),
            kind=data.get("kind", Deviation.Kind.DEVIATION), user=self.request.user, reason=reason_of(self.request))

    def _respond(self, deviation, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=deviation.pk)).data, status=code)

    @extend_schema(request=s.InvestigateSerializer, responses=s.DeviationSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        """open → investigating, with root cause and impact assessment."""
        parsed = s.InvestigateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        deviation = services.investigate_deviation(
            self.get_object(), root_cause=data.get("root_cause", ""),
            impact_assessment=data.get("impact_assessment", ""), user=request.user, reason=reason_of(request))
        return self._respond(deviation)

    @extend_schema(request=s.CapaInputSerializer, responses={201: s.CapaSerializer})
    @action(detail=True, methods=["post"])
    def capa(self, request, pk=None):
        """Add a CAPA (action, owner, due date, effectiveness check)."""
        parsed = s.CapaInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = dict(parsed.validated_data)
        data.pop("reason", None)
        capa = services.add_capa(self.get_object(), **data, user=request.user, reason=reason_of(request))
        return created(s.CapaSerializer, capa, request)

    @extend_schema(request=s.CloseSerializer, responses=s.DeviationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """→ closed, signed by QA; 409 ``incomplete_investigation`` lists what is missing."""
        parsed = s.CloseSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = dict(parsed.validated_data)
        data.pop("reason", None)
        deviation = services.close_deviation(self.get_object(), **data, user=request.user,
                                             reason=reason_of(request))
        return self._respond(deviation)


class DispositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    lookup_value_converter = "int"
    queryset = Disposition.objects.select_related("batch", "decided_by")
    serializer_class = s.DispositionSerializer
    filterset_class = DispositionFilter
    ordering_fields = ["decided_at"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    @extend_schema(request=s.DispositionInputSerializer, responses={201: s.DispositionSerializer})
    def create(self, request, *args, **kwargs):
        """Release, reject or quarantine a batch (signed, QA). Release is refused (409) with every reason:
        ``qc_incomplete``, ``qc_failed``, ``open_deviation``, ``unassessed_excursion``, ``four_eyes``,
        ``invalid_state``; ``code`` is the first one's."""
        parsed = s.DispositionInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        disposition = services.dispose_batch(
            data["batch"], decision=data["decision"], quantity_released=data.get("quantity_released"),
            **parsed.signing_kwargs(), user=request.user)
        return created(s.DispositionSerializer, disposition, request)


class CoaView(APIView):
    """``GET batches/{lot}/coa/`` — the certificate of analysis (PDF) of a released batch; 409 ``not_released``
    otherwise."""

    required_permissions = ["qc.view_disposition"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, lot_number):
        batch = get_object_or_404(Batch.objects.restrict(request.user, "view").select_related("product"),
                                  lot_number=lot_number)
        if batch.status != Batch.Status.RELEASED:
            raise DomainError(_not_released(batch), "not_released")
        response = HttpResponse(coa_pdf(batch, request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="CoA-{batch.lot_number}.pdf"'
        return response


def _not_released(batch):
    from django.utils.translation import gettext as _

    return _("Batch %(lot)s is %(status)s: a certificate of analysis is issued for released batches only.") % {
        "lot": batch.lot_number, "status": batch.get_status_display()}



