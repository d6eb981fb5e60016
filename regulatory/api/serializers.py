"""Regulatory API serializers: parse and present only; the rules live in regulatory.services and
regulatory.eligibility (API.md, regulatory rows)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lims.api.serializers import SigningSerializer
from production.models import Batch
from regulatory.models import Certification, CertificationKind, Market, MarketRule, Shipment


class MarketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Market
        fields = ["code", "name", "name_zh", "authority", "min_remaining_shelf_life_days", "label_languages", "version"]
        read_only_fields = ["version"]


class MarketRuleSerializer(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    required_kinds = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = MarketRule
        fields = ["id", "market", "version_number", "valid_from", "required_kinds", "source", "notes",
                  "min_sensitivity", "min_specificity", "criteria_compare", "criteria_source", "version"]
        read_only_fields = ["id", "version"]


class CertificationKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificationKind
        fields = ["id", "code", "name", "description", "version"]
        read_only_fields = ["id", "version"]


@extend_schema_field({"type": "string", "description": "certification kind code (an id is accepted too)"})
class KindField(serializers.RelatedField):
    default_error_messages = {"unknown": _("Unknown certification kind %(value)s.")}

    def to_representation(self, value):
        return value.code

    def to_internal_value(self, data):
        qs = self.get_queryset()
        kind = None
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            kind = qs.filter(pk=int(data)).first()
        if kind is None and isinstance(data, str):
            kind = qs.filter(code=data).first()
        if kind is None:
            self.fail("unknown", value=data)
        return kind


class CertificationSerializer(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    kind = KindField(queryset=CertificationKind.objects.all())
    status = serializers.ChoiceField(choices=Certification.Status.choices, required=False)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Certification
        fields = ["id", "product", "market", "kind", "number", "issuing_body", "jrc_device_id", "valid_from",
                  "valid_until", "status", "status_reason", "days_left", "version"]
        read_only_fields = ["id", "status_reason", "days_left", "version"]


class CertificationDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class EligibilityQuerySerializer(serializers.Serializer):
    lot = serializers.CharField()
    market = serializers.CharField()
    date = serializers.DateField(required=False)


class ReasonRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    lot = serializers.CharField()
    market = serializers.CharField()
    date = serializers.DateField()
    eligible = serializers.BooleanField()
    reasons = ReasonRowSerializer(many=True)


class ShipmentSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all())
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    shipped_by = serializers.CharField(source="shipped_by.username", read_only=True)
    quantity = serializers.IntegerField(min_value=1)

    class Meta:
        model = Shipment
        fields = ["id", "batch", "market", "quantity", "shipped_on", "consignee", "export_certificate_number",
                  "shipped_by", "created_at", "version"]
        read_only_fields = ["id", "shipped_by", "created_at", "version"]


class DocumentSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        from regulatory.models import Document

        model = Document
        fields = ["id", "item", "version_number", "original_name", "content_type", "size", "sha256",
                  "uploaded_by", "uploaded_at", "removed"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="id of the dossier item (or its position)")
    file = serializers.FileField()
    reason = serializers.CharField(required=False, allow_blank=True)


class DossierItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    required = serializers.BooleanField()
    current_document = DocumentSerializer(allow_null=True)


class DossierSerializer(serializers.ModelSerializer):
    from production.models import Product
    from regulatory.models import ChecklistTemplate, Dossier

    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    purpose = serializers.SlugRelatedField(source="template", slug_field="purpose",
                                           queryset=ChecklistTemplate.objects.all())
    completeness = serializers.SerializerMethodField()
    gaps = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        from regulatory.models import Dossier

        model = Dossier
        fields = ["id", "product", "market", "purpose", "status", "completeness", "gaps", "items", "version"]
        read_only_fields = ["id", "status", "completeness", "gaps", "items", "version"]

    def get_completeness(self, obj) -> int:
        return obj.completeness()[0]

    def get_gaps(self, obj) -> list[str]:
        return obj.completeness()[1]

    @extend_schema_field(DossierItemSerializer(many=True))
    def get_items(self, obj):
        return [{"id": i.pk, "position": i.position, "title": i.title, "required": i.required,
                 "current_document": DocumentSerializer(i.current_document()).data if i.current_document()
                 else None} for i in obj.items.all()]


class ReasonOnlySerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DossierSubmitSerializer(SigningSerializer):
    reason = serializers.CharField(max_length=2000)


class DossierDecisionSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
