from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.mixins import reason_of
from lims.api.pagination import PageNumberPagination
from production.models import Batch

from ..models import LabelReconciliation, PrintJob
from ..services import discrepancy_records, labels_issued, print_labels, reconcile_labels


class PrintJobSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True)
    printed_by = serializers.CharField(source="printed_by.username", read_only=True)
    pdf_url = serializers.CharField(read_only=True)
    reprints = serializers.SerializerMethodField()

    class Meta:
        model = PrintJob
        fields = ["id", "lot_number", "template", "stock", "copies", "serial_from", "serial_to", "pdf_url",
                  "printed_by", "printed_at", "reprints"]

    def get_reprints(self, obj) -> int:
        return sum(1 for o in obj.outputs.all() if o.kind == "reprint")


class PrintInput(serializers.Serializer):
    template = serializers.CharField(max_length=30)
    stock = serializers.CharField(max_length=30, required=False, allow_blank=True)
    copies = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


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
                           reason=v.get("reason") or reason_of(request))
        job = PrintJob.objects.select_related("batch", "printed_by").prefetch_related("outputs").get(pk=job.pk)
        return Response(PrintJobSerializer(job).data, status=status.HTTP_201_CREATED)


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
