"""Regulatory API serializers: parse and present only; the rules live in regulatory.services and
regulatory.eligibility (API.md, regulatory rows)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lims.api.serializers import SigningSerializer
from production.models import Batch
from regulatory.models import (
    BatchVerification,
    BatchVerificationDocument,
    Certification,
    CertificationKind,
    Market,
    MarketRule,
    Shipment,
)


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
                  "min_sensitivity", "min_specificity", "criteria_compare", "criteria_source",
                  "batch_verification_classes", "version"]
        read_only_fields = ["id", "version"]


class CertificationKindSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="the kind's name in the caller's language")

    class Meta:
        model = CertificationKind
        fields = ["id", "code", "name", "label", "description", "version"]
        read_only_fields = ["id", "label", "version"]


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
    kind_label = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "product", "market", "kind", "kind_label", "number", "issuing_body", "jrc_device_id",
                  "valid_from", "valid_until", "grace_until", "covers_pilot_lots", "status", "status_label",
                  "status_reason", "days_left", "version"]
        read_only_fields = ["id", "kind_label", "status_label", "status_reason", "days_left", "version"]


class CertificationDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class EligibilityQuerySerializer(serializers.Serializer):
    lot = serializers.CharField()
    market = serializers.CharField()
    date = serializers.DateField(required=False)


class ReasonRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class CheckRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="the check's name, translated")
    passed = serializers.BooleanField()
    detail = serializers.CharField()
    kind = serializers.CharField(required=False, help_text="certification checks: the kind's code")


class EligibilitySerializer(serializers.Serializer):
    lot = serializers.CharField()
    market = serializers.CharField()
    date = serializers.DateField()
    eligible = serializers.BooleanField()
    reasons = ReasonRowSerializer(many=True)
    checks = CheckRowSerializer(many=True)
    warnings = ReasonRowSerializer(many=True)


class ShipmentSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all())
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    shipped_by = serializers.CharField(source="shipped_by.username", read_only=True)
    quantity = serializers.IntegerField(min_value=1)
    serials = serializers.ListField(
        child=serializers.CharField(max_length=400, trim_whitespace=False), required=False, max_length=100_000,
        write_only=True,
        help_text="case serials, each plain (000123) or the case label's text as scanned; read back: the serials")
    serial_ranges = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                         read_only=True, help_text="[[first, last], …]")
    packing_list_url = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = ["id", "batch", "market", "quantity", "shipped_on", "consignee", "export_certificate_number",
                  "serials", "serial_ranges", "shipped_by", "created_at", "packing_list_url", "version"]
        read_only_fields = ["id", "shipped_by", "serial_ranges", "created_at", "packing_list_url", "version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["serials"] = [s.serial for s in instance.serials.all()]
        return data

    def get_packing_list_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("regulatory:shipment-packing-list", args=[obj.pk])


class BatchVerificationDocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = BatchVerificationDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class BatchVerificationSerializer(serializers.ModelSerializer):
    """IVDR Annex IX §4.13 (API.md): ``status`` and ``decided_on`` are set by the signed ``decide/`` action."""

    batch = serializers.SlugRelatedField(slug_field="lot_number", queryset=Batch.objects.all())
    clock_starts_on = serializers.DateField(source="clock_start", read_only=True, allow_null=True)
    clock_ends_on = serializers.DateField(read_only=True, allow_null=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    documents = BatchVerificationDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = BatchVerification
        fields = ["id", "batch", "notified_body", "samples_sent_on", "reports_sent_on", "samples_required",
                  "status", "decided_on", "objection_reason", "objection_days", "clock_starts_on", "clock_ends_on",
                  "days_left", "documents", "version"]
        read_only_fields = ["id", "status", "decided_on", "objection_reason", "objection_days", "clock_starts_on",
                            "clock_ends_on", "days_left", "documents", "version"]


class BatchVerificationDecisionSerializer(SigningSerializer):
    decision = serializers.ChoiceField(choices=[("confirmed", "confirmed"), ("objected", "objected")])
    decided_on = serializers.DateField(required=False)


class VerificationDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BatchVerificationDocument.Kind.choices, required=False,
                                   default="test_reports")
    file = serializers.FileField()
    reason = serializers.CharField(required=False, allow_blank=True)


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
