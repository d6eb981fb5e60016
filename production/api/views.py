"""Production API (API.md, production rows): master data, material lots, batches by lot number with their
actions, history, genealogy and the capacity planner. Views parse, check the role and call a service."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.errors import validation_response
from lims.api.mixins import ServiceModelViewSet, created, reason_of
from lims.errors import DomainError
from production import services
from production.api import serializers as s
from production.capacity import monthly_output, surge_plan
from production.filters import (
    BatchFilter,
    CleanRoomFilter,
    LineFilter,
    MaterialFilter,
    MaterialLotFilter,
    ProductFilter,
)
from production.genealogy import batch_lots, lot_batches
from production.models import Batch, CleanRoom, Line, Material, MaterialLot, Plant, Product, RejectReason
from production.scanning import LotScanRefused, resolve_material_lot


class ProductViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Product.objects.all()
    serializer_class = s.ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["code", "name", "gtin"]
    ordering_fields = ["code", "name"]

    def perform_create(self, serializer):
        serializer.instance = services.create_product(serializer.validated_data, user=self.request.user,
                                                      reason=reason_of(self.request))


class MaterialViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Material.objects.all()
    serializer_class = s.MaterialSerializer
    filterset_class = MaterialFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class RejectReasonViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = RejectReason.objects.all()
    serializer_class = s.RejectReasonSerializer
    search_fields = ["code", "name"]


class CleanRoomViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = CleanRoom.objects.all()
    serializer_class = s.CleanRoomSerializer
    filterset_class = CleanRoomFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class LineViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = Line.objects.all()
    serializer_class = s.LineSerializer
    filterset_class = LineFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "rated_units_per_hour"]


class MaterialLotViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = MaterialLot.objects.all()
    serializer_class = s.MaterialLotSerializer
    filterset_class = MaterialLotFilter
    search_fields = ["supplier_lot", "supplier", "material__code"]
    ordering_fields = ["received_on", "expiry_date"]
    required_permissions = {
        "approve": "production.approve_materiallot",
        "reject": "production.approve_materiallot",
        "batches": ["production.view_materiallot", "production.view_batch"],
    }

    def perform_create(self, serializer):
        serializer.instance = services.receive_material_lot(
            **serializer.validated_data, user=self.request.user, reason=reason_of(self.request))

    def perform_update(self, serializer):
        serializer.validated_data.pop("quantity", None)  # the received quantity is fixed once received
        super().perform_update(serializer)

    def _decide(self, request, service):
        parsed = s.ReasonSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        lot = service(self.get_object(), user=request.user, reason=reason_of(request))
        return Response(self.get_serializer(lot).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.MaterialLotSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """quarantine → approved (incoming QC)."""
        return self._decide(request, services.approve_material_lot)

    @extend_schema(request=s.ReasonSerializer, responses=s.MaterialLotSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """quarantine → rejected; ``reason`` required (400 reason_required)."""
        return self._decide(request, services.reject_material_lot)

    @extend_schema(responses=s.LotBatchSerializer(many=True))
    @action(detail=True, methods=["get"])
    def batches(self, request, pk=None):
        """Every batch that used this lot (recall), with the quantity each consumed."""
        lot = self.get_object()
        page = self.paginate_queryset(lot_batches(lot).restrict(request.user, "view"))
        return self.get_paginated_response(s.LotBatchSerializer(page, many=True, context={"request": request}).data)


class BatchViewSet(ServiceModelViewSet):
    queryset = Batch.objects.with_related()
    serializer_class = s.BatchSerializer
    filterset_class = BatchFilter
    search_fields = ["lot_number"]
    ordering_fields = ["manufactured_on", "lot_number", "completed_at"]
    ordering = ["-manufactured_on", "-lot_number"]
    lookup_field = "lot_number"
    lookup_value_converter = "str"
    required_permissions = {
        "start": "production.run_batch",
        "complete": "production.run_batch",
        "consume": "production.run_batch",
        "steps": "production.view_batch",
        "log_step": "production.run_batch",
        "history": "production.view_batch",
        "genealogy": ["production.view_batch", "production.view_materiallot"],
    }

    def perform_create(self, serializer):
        serializer.instance = services.create_batch(**serializer.validated_data, user=self.request.user,
                                                    reason=reason_of(self.request))

    def perform_update(self, serializer):
        serializer.instance = services.update_batch(
            serializer.instance, serializer.validated_data, user=self.request.user, reason=reason_of(self.request),
            expected_version=self.request.data.get("version"))

    def _respond(self, batch, code=status.HTTP_200_OK):
        batch = Batch.objects.with_related().get(pk=batch.pk)
        return Response(self.get_serializer(batch).data, status=code)

    @extend_schema(request=s.ReasonSerializer, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, lot_number=None):
        """planned → in_production."""
        s.ReasonSerializer(data=request.data).is_valid(raise_exception=True)
        return self._respond(services.start_batch(self.get_object(), user=request.user, reason=reason_of(request)))

    @extend_schema(request=s.CompleteSerializer, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, lot_number=None):
        """in_production → awaiting_qc with quantity_made and rejects ``[{"reason", "quantity"}]`` (reason = the
        reject reason's id or code). 409 ``bom_shortfall`` lists every material consumed short of the BOM."""
        parsed = s.CompleteSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        batch = services.complete_batch(
            self.get_object(), quantity_made=data["quantity_made"],
            rejects=[(r["reason"], r["quantity"]) for r in data["rejects"]],
            user=request.user, reason=reason_of(request))
        return self._respond(batch)

    @extend_schema(request=s.ConsumeSerializer, responses={201: s.ConsumptionSerializer})
    @action(detail=True, methods=["post"])
    def consume(self, request, lot_number=None):
        """Use a quantity of an approved, unexpired component lot, named by ``material_lot`` or by the ``scan`` of
        its receiving label or supplier's GS1 label; 409 ``material_expired``, ``material_not_approved``,
        ``not_in_bom`` or ``insufficient_quantity`` (every failing reason in ``reasons``); 400 on ``scan`` when it
        does not parse (``scan_unreadable``) or names no lot (``scan_unknown_lot``), the code in ``reasons``."""
        parsed = s.ConsumeSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        batch = self.get_object()
        lot = parsed.validated_data.get("material_lot")
        if lot is None:
            try:
                lot = resolve_material_lot(parsed.validated_data["scan"])
            except LotScanRefused as refused:
                if refused.is_input_error:
                    response = validation_response({"scan": [str(refused.message)]})
                    response.data["reasons"] = [{"code": refused.code, "detail": str(refused.message)}]
                    return response
                raise DomainError(refused.message, refused.code, reasons=[
                    {"code": refused.code, "detail": refused.message}]) from None
        consumption = services.consume_material(
            batch, material_lot=lot, quantity=parsed.validated_data["quantity"], user=request.user,
            reason=reason_of(request))
        return created(s.ConsumptionSerializer, consumption, request)

    @extend_schema(responses=s.StepSerializer(many=True))
    @action(detail=True, methods=["get"])
    def steps(self, request, lot_number=None):
        """The steps logged on the batch, in the order performed."""
        rows = self.get_object().steps.select_related("step", "operator", "batch").order_by("started_at", "pk")
        return self.get_paginated_response(s.StepSerializer(self.paginate_queryset(rows), many=True).data)

    @extend_schema(request=s.StepSerializer, responses={201: s.StepSerializer})
    @steps.mapping.post
    def log_step(self, request, lot_number=None):
        """Log a step of the product's process (step by id or code, started_at, ended_at, equipment, room
        conditions, notes) on a batch in production; the operator is the acting user."""
        batch = self.get_object()
        parsed = s.StepSerializer(data=request.data, context={"product": batch.product})
        parsed.is_valid(raise_exception=True)
        row = services.record_step(batch, **parsed.validated_data, user=request.user, reason=reason_of(request))
        return created(s.StepSerializer, row, request)

    @extend_schema(parameters=[s.StoryQuery], responses=s.StoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, lot_number=None):
        """The batch's whole story in time order (API.md): its own history rows and those of every record that
        belongs to it in any app (steps, consumptions, excursions, inspections and results, deviations and
        CAPA, dispositions, print jobs, reconciliations, shipments) and their signatures; filters ``app``,
        ``user``, ``type``. Records the caller's role may not see are left out."""
        from lims.story import batch_story, story_to_api

        query = s.StoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        d = query.validated_data
        entries = batch_story(self.get_object(), viewer=request.user, app=d.get("app"), user=d.get("user"),
                              kind=d.get("type"))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.StoryEntrySerializer([story_to_api(e) for e in page], many=True).data)

    @extend_schema(responses=inline_serializer("BatchGenealogy", {
        "lot_number": serializers.CharField(), "product": serializers.IntegerField(),
        "bom_version": serializers.IntegerField(allow_null=True),
        "material_lots": s.GenealogyLotSerializer(many=True)}))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def genealogy(self, request, lot_number=None):
        """Every component lot this batch consumed, with the quantity used."""
        batch = self.get_object()
        return Response({"lot_number": batch.lot_number, "product": batch.product_id,
                         "bom_version": batch.bom.version_number if batch.bom else None,
                         "material_lots": s.GenealogyLotSerializer(batch_lots(batch), many=True).data})


def _month(value):
    today = timezone.localdate()
    if not value:
        return today.year, today.month
    year, month = value.split("-")
    return int(year), int(month)


class CapacityPlanView(APIView):
    """``GET capacity/plan/?month=YYYY-MM&demand=N`` — demand in tests; are the active lines enough, and how many
    manual stations must be added (production.capacity)."""

    required_permissions = "production.view_line"

    @extend_schema(parameters=[s.CapacityPlanQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        parsed = s.CapacityPlanQuerySerializer(data=request.query_params)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        year, month = _month(data.get("month"))
        result = surge_plan(year=year, month=month, demand_tests=data["demand"], product=data.get("product"),
                            station_rate=data.get("station_rate"), station_hours=data.get("station_hours"))
        return Response({"month": f"{year:04d}-{month:02d}", "product": getattr(data.get("product"), "pk", None),
                         "nameplate_tests": Plant.current().nameplate_tests_per_month, **result.as_dict()})


class CapacityOutputView(APIView):
    """``GET capacity/output/?month=YYYY-MM`` — output per line and day against rated capacity: the numbers the
    capacity page charts."""

    required_permissions = "production.view_line"

    @extend_schema(parameters=[s.MonthQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        parsed = s.MonthQuerySerializer(data=request.query_params)
        parsed.is_valid(raise_exception=True)
        year, month = _month(parsed.validated_data.get("month"))
        report = monthly_output(year, month)
        return Response({
            "month": f"{year:04d}-{month:02d}", "working_days": report["working_days"],
            "output_kits": report["output_kits"], "output_tests": report["output_tests"],
            "capacity_kits": report["capacity_kits"], "nameplate_tests": report["nameplate_tests"],
            "nameplate_pct": report["nameplate_pct"],
            "lines": [{"code": p["code"], "output": p["output"], "capacity": p["capacity"],
                       "utilisation_pct": p["utilisation_pct"]} for p in report["per_line"]],
            "days": [{"day": row["day"], "working": row["working"], "lines": row["cells"]}
                     for row in report["days"]],
        })

