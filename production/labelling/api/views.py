from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.mixins import reason_of
from lims.api.pagination import PageNumberPagination
from production.models import Batch, MaterialLot

from .. import services
from ..models import LabelReconciliation, Printer, PrintJob, PrintJobOutput
from ..services import discrepancy_records, labels_issued, print_labels, reconcile_labels


class PrintJobSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True, default=None)
    material_lot = serializers.IntegerField(source="material_lot_id", read_only=True)
    internal_lot = serializers.SerializerMethodField()
    printed_by = serializers.CharField(source="printed_by.username", read_only=True)
    pdf_url = serializers.CharField(read_only=True)
    zpl_url = serializers.CharField(read_only=True, help_text="the job's ZPL; query dots_per_mm (8, 12, 24) or "
                                                              "printer")
    reprints = serializers.SerializerMethodField()

    class Meta:
        model = PrintJob
        fields = ["id", "lot_number", "material_lot", "internal_lot", "template", "stock", "copies", "serial_from",
                  "serial_to", "label_status", "pdf_url", "zpl_url", "printed_by", "printed_at", "reprints"]

    def get_internal_lot(self, obj) -> str | None:
        return obj.material_lot.internal_lot if obj.material_lot_id else None

    def get_reprints(self, obj) -> int:
        return sum(1 for o in obj.outputs.all() if o.kind == "reprint")


class PrintInput(serializers.Serializer):
    template = serializers.CharField(max_length=30)
    stock = serializers.CharField(max_length=30, required=False, allow_blank=True)
    copies = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class MaterialPrintInput(serializers.Serializer):
    template = serializers.CharField(max_length=30, required=False, default="receiving")
    stock = serializers.CharField(max_length=30, required=False, allow_blank=True)
    copies = serializers.IntegerField(required=False, default=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate_template(self, value):
        if value != "receiving":
            raise serializers.ValidationError("A material lot prints the receiving template.")
        return value


class PrinterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Printer
        fields = ["id", "name", "address", "port", "dots_per_mm", "stock", "location", "active", "version"]
        read_only_fields = ["id", "version"]


class SendInput(serializers.Serializer):
    printer = serializers.PrimaryKeyRelatedField(queryset=Printer.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OutputSerializer(serializers.ModelSerializer):
    output_by = serializers.CharField(source="output_by.username", read_only=True)
    printer = serializers.CharField(source="printer.name", read_only=True, default=None)

    class Meta:
        model = PrintJobOutput
        fields = ["id", "job", "kind", "format", "printer", "output_by", "output_at"]


class ReconciliationSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    deviation = serializers.SerializerMethodField(help_text="id of the deviation the discrepancy opened, or null")

    class Meta:
        model = LabelReconciliation
        fields = ["id", "lot_number", "template", "issued", "used", "destroyed", "returned", "discrepancy",
                  "reason", "deviation", "recorded_by", "recorded_at"]
        read_only_fields = ["issued", "discrepancy", "recorded_at"]

    def get_deviation(self, obj) -> int | None:
        records = getattr(obj, "opened", None)
        if records is None:
            records = discrepancy_records(obj) if obj.discrepancy else []
        return records[0].pk if records else None


class ReconcileInput(serializers.Serializer):
    template = serializers.CharField(max_length=30)
    used = serializers.IntegerField(min_value=0)
    destroyed = serializers.IntegerField(min_value=0)
    returned = serializers.IntegerField(min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BatchLabelsView(APIView):
    """GET: the batch's print jobs, labels issued and reconciliations."""

    required_permissions = "labelling.view_printjob"

    @extend_schema(responses={200: inline_serializer("BatchLabels", {
        "lot_number": serializers.CharField(), "issued": serializers.IntegerField(),
        "print_jobs": PrintJobSerializer(many=True), "reconciliations": ReconciliationSerializer(many=True)})})
    def get(self, request, lot_number):
        batch = get_object_or_404(Batch, lot_number=lot_number)
        return Response({
            "lot_number": batch.lot_number,
            "issued": labels_issued(batch),
            "print_jobs": PrintJobSerializer(batch.print_jobs.select_related("batch", "printed_by")
                                             .prefetch_related("outputs"), many=True).data,
            "reconciliations": ReconciliationSerializer(
                batch.label_reconciliations.select_related("batch", "recorded_by"), many=True).data,
        })


class PrintJobsView(APIView):
    """GET: the batch's print jobs (newest first). POST ``{template, stock, copies, reason}``: issue labels →
    201 ``{id, template, copies, serial_from, serial_to, pdf_url}``; 409 when the batch may not be labelled, 400
    ``reason_required`` without a reason. Labels are issued only here; GET ``pdf_url`` re-renders a job."""

    required_permissions = {"GET": "labelling.view_printjob", "POST": "labelling.add_printjob"}

    @extend_schema(responses={200: PrintJobSerializer(many=True)})
    def get(self, request, lot_number):
        batch = get_object_or_404(Batch, lot_number=lot_number)
        jobs = batch.print_jobs.select_related("batch", "printed_by").prefetch_related("outputs")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(PrintJobSerializer(page, many=True).data)

    @extend_schema(request=PrintInput, responses={201: PrintJobSerializer})
    def post(self, request, lot_number):
        batch = get_object_or_404(Batch, lot_number=lot_number)
        data = PrintInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = print_labels(batch, v["template"], v.get("stock") or None, v["copies"], user=request.user,
                           reason=v.get("reason") or reason_of(request), key=v.get("idempotency_key") or None)
        job = PrintJob.objects.select_related("batch", "printed_by").prefetch_related("outputs").get(pk=job.pk)
        return Response(PrintJobSerializer(job).data, status=status.HTTP_201_CREATED)


class MaterialLotPrintJobsView(APIView):
    """``label_url`` of a material lot: its receiving-label print jobs (same rules as batch labels). GET lists
    them; POST ``{stock, copies, reason}`` issues a job → 201 with ``pdf_url`` and ``zpl_url``; 409
    ``not_printable`` for a rejected lot; 400 ``reason_required`` without a reason."""

    required_permissions = {"GET": "labelling.view_printjob", "POST": "labelling.add_printjob"}

    @extend_schema(responses={200: PrintJobSerializer(many=True)})
    def get(self, request, pk):
        lot = get_object_or_404(MaterialLot, pk=pk)
        jobs = lot.print_jobs.select_related("material_lot", "printed_by").prefetch_related("outputs")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(PrintJobSerializer(page, many=True).data)

    @extend_schema(request=MaterialPrintInput, responses={201: PrintJobSerializer})
    def post(self, request, pk):
        lot = get_object_or_404(MaterialLot, pk=pk)
        data = MaterialPrintInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = services.print_material_labels(lot, v.get("stock") or None, v["copies"], user=request.user,
                                             reason=v.get("reason") or reason_of(request),
                                             key=v.get("idempotency_key") or None)
        job = PrintJob.objects.select_related("material_lot", "printed_by").prefetch_related("outputs").get(pk=job.pk)
        return Response(PrintJobSerializer(job).data, status=status.HTTP_201_CREATED)


class SendJobView(APIView):
    """POST ``{printer, reason}``: send the print job's ZPL to a registered printer (raw TCP 9100) and record the
    output (print, then reprints; the same labels and serials) → 201. 409 ``printer_unreachable`` (nothing
    recorded), ``printer_inactive`` or ``printer_stock_mismatch``."""

    required_permissions = "labelling.add_printjob"

    @extend_schema(request=SendInput, responses={201: OutputSerializer})
    def post(self, request, pk):
        job = get_object_or_404(PrintJob.objects.select_related("batch__product", "material_lot__material"), pk=pk)
        data = SendInput(data=request.data)
        data.is_valid(raise_exception=True)
        output = services.send_to_printer(job, data.validated_data["printer"], user=request.user,
                                          reason=data.validated_data.get("reason") or "")
        output = PrintJobOutput.objects.select_related("output_by", "printer").get(pk=output.pk)
        return Response(OutputSerializer(output).data, status=status.HTTP_201_CREATED)


class PrinterViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Label printers (ZPL over raw TCP): list and read (labelling.view_printer); register (POST) and edit
    (PATCH with ``reason`` and ``version``) for who manages printers."""

    queryset = Printer.objects.all()
    serializer_class = PrinterSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {"GET": "labelling.view_printer", "POST": "labelling.add_printer",
                            "PATCH": "labelling.change_printer"}

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        printer = services.create_printer(serializer.validated_data, user=request.user, reason=reason_of(request))
        return Response(PrinterSerializer(printer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        printer = self.get_object()
        serializer = self.get_serializer(printer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        printer = services.update_printer(printer, serializer.validated_data, user=request.user,
                                          reason=reason_of(request), expected_version=request.data.get("version"))
        return Response(PrinterSerializer(printer).data)


class ReconciliationView(APIView):
    """POST ``{template, used, destroyed, returned, reason}``, one per template the batch's jobs used: recorded
    as found (201) with its ``discrepancy`` and the ``deviation`` a mismatch opened (a mismatch needs a reason:
    400 ``reason_required``)."""

    required_permissions = {"GET": "labelling.view_labelreconciliation", "POST": "labelling.add_labelreconciliation"}

    @extend_schema(responses={200: ReconciliationSerializer(many=True)})
    def get(self, request, lot_number):
        batch = get_object_or_404(Batch, lot_number=lot_number)
        rows = batch.label_reconciliations.select_related("batch", "recorded_by")
        return Response(ReconciliationSerializer(rows, many=True).data)

    @extend_schema(request=ReconcileInput, responses={201: ReconciliationSerializer})
    def post(self, request, lot_number):
        batch = get_object_or_404(Batch, lot_number=lot_number)
        data = ReconcileInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = reconcile_labels(batch, v["template"], v["used"], v["destroyed"], v["returned"], user=request.user,
                               reason=v.get("reason") or reason_of(request))
        return Response(ReconciliationSerializer(row).data, status=status.HTTP_201_CREATED)
