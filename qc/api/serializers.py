"""QC API serializers: parse and present only; the rules live in qc.services (API.md, qc rows)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lims.api.serializers import SigningSerializer
from production.models import Batch, MaterialLot
from qc.models import (
    Capa,
    Deviation,
    Disposition,
    Inspection,
    InspectionResult,
    PerformanceStratum,
    PerformanceStudy,
    Specification,
    Stage,
)


def stage_field(owner: str, **kwargs):
    """The QC stage. ``stage`` is also incubator's project field; a schema id per serializer lets the OpenAPI
    generator name each enum after its component instead of reporting a naming collision."""

    @extend_schema_field({"type": "string", "enum": list(Stage.values), "x-spec-enum-id": f"qc-stage-{owner}"})
    class StageField(serializers.ChoiceField):
        pass

    return StageField(choices=Stage.choices, **kwargs)


class SpecificationSerializer(serializers.ModelSerializer):
    stage = stage_field("specification", required=False)
    aql = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=8)
    severity = serializers.CharField(read_only=True, help_text=_(
        "Where the ISO 2859-1 switching rules stand: normal, tightened, reduced or discontinued."))

    def validate_aql(self, value):
        return value or ""

    class Meta:
        model = Specification
        fields = ["id", "product", "spec_version", "code", "name", "name_zh", "kind", "stage", "lower", "upper", "unit",
                  "required_for_release", "method", "aql", "counts", "severity", "active", "version"]
        read_only_fields = ["id", "severity", "version"]


class SamplingPlanQuerySerializer(serializers.Serializer):
    lot_size = serializers.IntegerField(min_value=2)
    aql = serializers.CharField()
    level = serializers.CharField(required=False, default="II")
    severity = serializers.ChoiceField(choices=["normal", "tightened", "reduced"], required=False,
                                       default="normal")
    counts = serializers.ChoiceField(choices=Specification.Counts.choices, required=False,
                                     default=Specification.Counts.ITEMS)


class SamplingPlanSerializer(serializers.Serializer):
    lot_size = serializers.IntegerField()
    aql = serializers.CharField()
    level = serializers.CharField()
    code_letter = serializers.CharField()
    plan_letter = serializers.CharField()
    sample_size = serializers.IntegerField()
    accept = serializers.IntegerField()
    reject = serializers.IntegerField()
    inspect_all = serializers.BooleanField()
    severity = serializers.CharField()
    source = serializers.CharField()


class ResultSerializer(serializers.ModelSerializer):
    specification_code = serializers.CharField(source="specification.code", read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["id", "specification", "specification_code", "value", "text", "passed", "defects", "outcome",
                  "retest_of"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", read_only=True)
    results = ResultSerializer(many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    invalidated_by = serializers.CharField(source="invalidated_by.username", read_only=True, default=None)
    passed = serializers.BooleanField(read_only=True)
    stage = stage_field("inspection", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "batch", "material_lot", "stage", "lot_size", "aql", "level", "code_letter", "sample_size",
                  "accept", "reject", "severity", "results", "passed", "status", "recorded_by", "recorded_at",
                  "reviewed_by", "reviewed_at", "approved_by", "approved_at", "invalidated_by", "invalidated_at",
                  "invalidation_reason", "invalidating_deviation", "notes", "version"]
        read_only_fields = fields


class ResultInputSerializer(serializers.Serializer):
    specification = serializers.PrimaryKeyRelatedField(queryset=Specification.objects.all())
    # A number for a numeric specification; for an attribute one "pass"/"fail" is read when ``passed`` is absent.
    value = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    defects = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    retest_of = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                         help_text="id of the earlier result (same batch and test) this retests")


class InvalidateSerializer(SigningSerializer):
    deviation = serializers.IntegerField(min_value=1, help_text="id of the deviation that justifies it")


class InspectionInputSerializer(serializers.Serializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all(), required=False,
                                         allow_null=True)
    material_lot = serializers.PrimaryKeyRelatedField(queryset=MaterialLot.objects.all(), required=False,
                                                      allow_null=True)
    stage = stage_field("inspection-input")
    sample_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    lot_size = serializers.IntegerField(required=False, allow_null=True, min_value=2)
    aql = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    level = serializers.CharField(required=False, default="II")
    notes = serializers.CharField(required=False, allow_blank=True)
    results = ResultInputSerializer(many=True)
    reason = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        if bool(attrs.get("batch")) == bool(attrs.get("material_lot")):
            raise serializers.ValidationError({"batch": [_("Give either a batch or a material lot.")]})
        return attrs


SignSerializer = SigningSerializer


class ResultCorrectionSerializer(serializers.Serializer):
    result = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    defects = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True)


class CapaSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Capa
        fields = ["id", "action", "owner", "due_date", "effectiveness_check", "done"]
        read_only_fields = fields


class DeviationSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all(), required=False,
                                         allow_null=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, default=None)
    capas = CapaSerializer(many=True, read_only=True)

    class Meta:
        model = Deviation
        fields = ["id", "kind", "batch", "result", "title", "description", "status", "root_cause",
                  "impact_assessment", "no_capa_reason", "opened_by", "opened_at", "closed_by", "closed_at", "capas",
                  "version"]
        read_only_fields = ["id", "result", "status", "opened_by", "opened_at", "closed_by", "closed_at", "capas",
                            "no_capa_reason", "version"]


class InvestigateSerializer(serializers.Serializer):
    root_cause = serializers.CharField(required=False, allow_blank=True)
    impact_assessment = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class CapaInputSerializer(serializers.Serializer):
    action = serializers.CharField()
    owner = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all())
    due_date = serializers.DateField()
    effectiveness_check = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class CloseSerializer(SignSerializer):
    root_cause = serializers.CharField(required=False, allow_blank=True)
    impact_assessment = serializers.CharField(required=False, allow_blank=True)
    no_capa_reason = serializers.CharField(required=False, allow_blank=True)


class DispositionSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = Disposition
        fields = ["id", "batch", "decision", "quantity_released", "decided_by", "decided_at", "comment", "version"]
        read_only_fields = fields


class DispositionInputSerializer(SignSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all())
    decision = serializers.ChoiceField(choices=Disposition.Decision.choices)
    quantity_released = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class PerformanceStratumSerializer(serializers.ModelSerializer):
    sensitivity = serializers.FloatField(read_only=True, allow_null=True)
    sensitivity_ci = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)

    class Meta:
        model = PerformanceStratum
        fields = ["id", "label", "ct_min", "ct_max", "tp", "fn", "sensitivity", "sensitivity_ci"]
        read_only_fields = fields


class PerformanceStudySerializer(serializers.ModelSerializer):
    strata = PerformanceStratumSerializer(many=True, read_only=True)
    sensitivity = serializers.FloatField(read_only=True, allow_null=True)
    specificity = serializers.FloatField(read_only=True, allow_null=True)
    sensitivity_ci = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)
    specificity_ci = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)

    class Meta:
        model = PerformanceStudy
        fields = ["id", "product", "kind", "title", "category", "specimen_type", "tp", "fp", "tn", "fn",
                  "sensitivity", "sensitivity_ci", "specificity", "specificity_ci", "ci_method", "strata", "version"]
        read_only_fields = ["id", "version"]
