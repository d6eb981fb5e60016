from rest_framework import serializers

from lims.api.serializers import SigningSerializer
from production.monitoring.models import Excursion, MonitoringPoint


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


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    excursions = ExcursionSerializer(many=True)


class AssessmentSerializer(SigningSerializer):
    impact = serializers.CharField(max_length=10000)
    conclusion = serializers.ChoiceField(choices=["no_impact", "impact"])
