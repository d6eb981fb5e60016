from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.mixins import reason_of
from production.models import Batch

from ..models import LabelReconciliation, PrintJob
from ..services import labels_issued, reconcile_labels


class PrintJobSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True)
    printed_by = serializers.CharField(source="printed_by.username", read_only=True)

    class Meta:
        model = PrintJob
        fields = ["id", "lot_number", "template", "stock", "copies", "serial_from", "serial_to", "printed_by",
                  "printed_at"]


class ReconciliationSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = LabelReconciliation
        fields = ["id", "lot_number", "issued", "used", "destroyed", "returned", "recorded_by", "recorded_at"]
        read_only_fields = ["issued", "recorded_at"]


class ReconcileInput(serializers.Serializer):
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
            "print_jobs": PrintJobSerializer(batch.print_jobs.select_related("batch", "printed_by"), many=True).data,
            "reconciliations": ReconciliationSerializer(
                batch.label_reconciliations.select_related("batch", "recorded_by"), many=True).data,
        })


class ReconciliationView(APIView):
    """POST ``{used, destroyed, returned, reason}``: labels issued must equal their sum (409 label_mismatch)."""

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
        row = reconcile_labels(batch, v["used"], v["destroyed"], v["returned"], user=request.user,
                               reason=v.get("reason") or reason_of(request))
        return Response(ReconciliationSerializer(row).data, status=status.HTTP_201_CREATED)
