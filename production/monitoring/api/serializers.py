from django.utils.translation import gettext as _
from rest_framework import serializers

from lims.api.serializers import SigningSerializer
from production.monitoring.models import Excursion, MonitoringPoint, Reading


class MonitoringPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringPoint
        fields = ["id", "code", "clean_room", "location", "measures_particles", "measures_temperature",
                  "measures_humidity", "measures_pressure", "active", "version"]
        read_only_fields = ["id", "version"]


class ExcursionSerializer(serializers.ModelSerializer):
    batches = serializers.SerializerMethodField()
    assessed = serializers.SerializerMethodField()
    conclusion = serializers.SerializerMethodField()

    class Meta:
        model = Excursion
        fields = ["id", "point", "parameter", "level", "started_at", "ended_at", "batches", "assessed",
                  "peak_value", "reading_count", "conclusion"]
        read_only_fields = fields

    def get_batches(self, obj) -> list[str]:
        return sorted(link.batch.lot_number for link in obj.batch_links.all())

    def get_assessed(self, obj) -> bool:
        return obj.is_assessed

    def get_conclusion(self, obj) -> str | None:
        return obj.assessment.conclusion if obj.is_assessed else None


class ReadingSerializer(serializers.Serializer):
    """Documents the body for the schema; validation is in production.monitoring.ingestion (fast, per row)."""

    point = serializers.CharField(help_text="monitoring point id (or code)")
    measured_at = serializers.DateTimeField(help_text="ISO 8601 with time zone; not in the future")
    particles_0_5um = serializers.FloatField(required=False, allow_null=True, help_text="particles ≥0.5 µm /m³")
    particles_5um = serializers.FloatField(required=False, allow_null=True, help_text="particles ≥5 µm /m³")
    temperature_c = serializers.FloatField(required=False, allow_null=True)
    humidity_pct = serializers.FloatField(required=False, allow_null=True)
    pressure_pa = serializers.FloatField(required=False, allow_null=True)


class ReadingQuerySerializer(serializers.Serializer):
    point = serializers.CharField(required=False, max_length=40, help_text="monitoring point id or code")
    after = serializers.DateTimeField(required=False, help_text="measured at or after (ISO 8601)")
    before = serializers.DateTimeField(required=False, help_text="measured before (ISO 8601)")

    def validate_point(self, ref):
        ref = ref.strip()
        if not ref:
            return None
        by_id = ref.isdigit() and len(ref) < 19
        point = MonitoringPoint.objects.filter(**({"pk": int(ref)} if by_id else {"code": ref})).first()
        if point is None:
            raise serializers.ValidationError(_("Unknown monitoring point: %(ref)s.") % {"ref": ref})
        return point

    def validate(self, data):
        if data.get("after") and data.get("before") and data["after"] >= data["before"]:
            raise serializers.ValidationError({"before": [_("The end must be after the start.")]})
        return data


class ReadingOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reading
        fields = ["id", "point", "measured_at", "particles_0_5um", "particles_5um", "temperature_c", "humidity_pct",
                  "pressure_pa", "corrected_reading", "correction_reason"]
        read_only_fields = fields


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    excursions = ExcursionSerializer(many=True)


class AssessmentSerializer(SigningSerializer):
    impact = serializers.CharField(max_length=10000)
    conclusion = serializers.ChoiceField(choices=["no_impact", "impact"])
