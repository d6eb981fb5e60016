"""QC statistics API (API.md, qc rows): control materials and control results (a list accepted; each result
comes back with ``z`` and the Westgard ``rules`` it violates, judged across runs and levels of its analyte)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from lims.api.mixins import ServiceModelViewSet, reason_of
from qc import control
from qc.models import ControlMaterial, ControlResult


class ControlMaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = ControlMaterial
        fields = ["id", "analyte", "level", "lot", "expiry_date", "unit", "target_source", "target_mean",
                  "target_sd", "baseline_n", "version"]
        read_only_fields = ["id", "baseline_n", "version"]


class ControlResultSerializer(serializers.ModelSerializer):
    control = serializers.PrimaryKeyRelatedField(source="material", read_only=True)
    run = serializers.CharField(source="run.name", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)
    rules = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ControlResult
        fields = ["id", "control", "run", "value", "measured_at", "baseline", "z", "rules", "run_status"]
        read_only_fields = fields


class ControlResultInputSerializer(serializers.Serializer):
    control = serializers.PrimaryKeyRelatedField(queryset=ControlMaterial.objects.all())
    run = serializers.CharField(max_length=100)
    value = serializers.DecimalField(max_digits=14, decimal_places=5)
    measured_at = serializers.DateTimeField(required=False, allow_null=True)


class ControlMaterialViewSet(ServiceModelViewSet):
    """Control material lots per analyte and level; ``target_source=insert`` needs ``target_mean`` and
    ``target_sd``; a baseline target is established from at least 20 results."""

    lookup_value_converter = "int"
    queryset = ControlMaterial.objects.all()
    serializer_class = ControlMaterialSerializer
    filterset_fields = ["analyte", "level", "lot"]
    ordering_fields = ["analyte", "level", "expiry_date"]

    def perform_create(self, serializer):
        serializer.instance = control.create_control_material(dict(serializer.validated_data),
                                                              user=self.request.user, reason=reason_of(self.request))


class ControlResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``GET`` filters ``control`` and ``run`` (its name); ``POST`` one result or a list of them."""

    lookup_value_converter = "int"
    queryset = ControlResult.objects.select_related("material", "run")
    serializer_class = ControlResultSerializer
    ordering_fields = ["measured_at"]
    required_permissions = {"create": "qc.add_controlresult"}

    def get_queryset(self):
        qs = super().get_queryset().restrict(self.request.user, "view").order_by("measured_at", "pk")
        params = self.request.query_params
        if params.get("control"):
            qs = qs.filter(material_id=params["control"]) if params["control"].isdigit() else qs.none()
        if params.get("run"):
            qs = qs.filter(run__name=params["run"])
        return qs

    @extend_schema(request=ControlResultInputSerializer(many=True),
                   responses={201: ControlResultSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        """Record control results (a list, or one object); each comes back with ``z`` and ``rules``."""
        many = isinstance(request.data, list)
        parsed = ControlResultInputSerializer(data=request.data, many=many)
        parsed.is_valid(raise_exception=True)
        rows = parsed.validated_data if many else [parsed.validated_data]
        reason = "" if many else reason_of(request)
        results = control.record_control_results(
            [{"control": r["control"], "run": r["run"], "value": r["value"], "measured_at": r.get("measured_at")}
             for r in rows], user=request.user, reason=reason)
        data = ControlResultSerializer(results, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)
