"""Production API serializers: parse and present only; rules live in production.services (API.md, production rows)."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lims.hygiene import allow_scanned_text, validate_month
from production.models import (
    Batch,
    BatchStep,
    CleanRoom,
    Consumption,
    Line,
    Material,
    MaterialLot,
    ProcessStep,
    Product,
    RejectReason,
)


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "name_zh", "gtin", "tests_per_kit", "shelf_life_months", "storage_min_c",
                  "storage_max_c", "ifu_version", "project", "ivdr_class", "supported_shelf_life_months", "version"]
        read_only_fields = ["id", "supported_shelf_life_months", "version"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "code", "name", "name_zh", "category", "unit", "supplier_gtin", "version"]
        read_only_fields = ["id", "version"]


class RejectReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = RejectReason
        fields = ["id", "code", "name", "name_zh", "active", "version"]
        read_only_fields = ["id", "version"]


class CleanRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = CleanRoom
        fields = ["id", "code", "name", "name_zh", "iso_class", "area_m2", "version"]
        read_only_fields = ["id", "version"]


class LineSerializer(serializers.ModelSerializer):
    hours_per_day = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True)
    daily_capacity = serializers.IntegerField(read_only=True)

    class Meta:
        model = Line
        fields = ["id", "code", "name", "name_zh", "kind", "clean_room", "rated_units_per_hour", "active",
                  "scheduled_hours_per_day", "hours_per_day", "daily_capacity", "version"]
        read_only_fields = ["id", "version"]


class MaterialLotSerializer(serializers.ModelSerializer):
    label_url = serializers.SerializerMethodField(
        help_text=_("The lot's receiving-label print jobs (GET lists, POST issues; same rules as batch labels)."))
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0"), write_only=True, required=False,
        help_text=_("Quantity received, in the material's unit (on creation)."))

    class Meta:
        model = MaterialLot
        fields = ["id", "material", "supplier", "supplier_lot", "received_on", "expiry_date", "quantity",
                  "quantity_received", "quantity_remaining", "status", "decided_at", "decision_reason", "label_url",
                  "version"]
        read_only_fields = ["id", "quantity_received", "quantity_remaining", "status", "decided_at",
                            "decision_reason", "version"]
        extra_kwargs = {"received_on": {"required": False}}

    def get_label_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("api-labelling-material-print-jobs", args=[obj.pk])


class BatchSerializer(serializers.ModelSerializer):
    gtin = serializers.CharField(source="product.gtin", read_only=True)
    bom_version = serializers.IntegerField(source="bom.version_number", read_only=True, default=None)
    label_url = serializers.CharField(read_only=True)
    history_url = serializers.SerializerMethodField()
    genealogy_url = serializers.SerializerMethodField()
    yield_pct = serializers.FloatField(read_only=True, allow_null=True,
                                       help_text="Made / planned in %, null until the batch is completed")
    release_yield_pct = serializers.FloatField(read_only=True, allow_null=True,
                                               help_text="Released / made in %, null until QA's disposition")

    class Meta:
        model = Batch
        fields = ["lot_number", "id", "kind", "product", "line", "planned_quantity", "status", "manufactured_on",
                  "expiry_date", "quantity_made", "quantity_rejected", "quantity_released", "quantity_shipped",
                  "yield_pct", "release_yield_pct", "gtin", "bom_version", "started_at", "completed_at", "label_url",
                  "history_url", "genealogy_url",
                  "version"]
        read_only_fields = ["lot_number", "id", "status", "expiry_date", "quantity_made", "quantity_rejected",
                            "quantity_released", "quantity_shipped", "started_at", "completed_at", "version"]
        extra_kwargs = {"manufactured_on": {"required": False},
                        "kind": {"required": False, "help_text": "commercial (default) or pilot: a pilot batch is "
                                 "made on a manual line and at most the plant's pilot_batch_max_kits"}}

    def get_history_url(self, obj) -> str:
        return reverse("object-history", args=["production", "batch", obj.pk])

    def get_genealogy_url(self, obj) -> str:
        return reverse("production:batch-genealogy", args=[obj.lot_number])


class LotBatchSerializer(BatchSerializer):
    """A batch that used a material lot, with the quantity of that lot it consumed (recall)."""

    quantity_consumed = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "quantity_consumed"]


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class RejectReasonRef(serializers.Field):
    """A reject reason by id (API.md: references by id) or, for line controllers, by its code."""

    default_error_messages = {"unknown": _("No reject reason %(value)s.")}

    def to_internal_value(self, data):
        queryset = RejectReason.objects.all()
        reason = None
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            reason = queryset.filter(pk=int(data)).first()
        if reason is None and isinstance(data, str) and data:
            reason = queryset.filter(code=data).first()
        if reason is None:
            self.fail("unknown", value=data)
        return reason

    def to_representation(self, value):
        return value.pk


class RejectLineSerializer(serializers.Serializer):
    reason = RejectReasonRef()
    quantity = serializers.IntegerField(min_value=1)


class CompleteSerializer(serializers.Serializer):
    quantity_made = serializers.IntegerField(min_value=0)
    rejects = RejectLineSerializer(many=True, required=False, default=list)
    reason = serializers.CharField(required=False, allow_blank=True)


class ConsumeSerializer(serializers.Serializer):
    """``material_lot`` (id) or ``scan`` (the text a scanner read from the lot's receiving label or the supplier's
    GS1 label, group separators included); exactly one of them."""

    material_lot = serializers.PrimaryKeyRelatedField(queryset=MaterialLot.objects.all(), required=False)
    scan = serializers.CharField(required=False, max_length=500, trim_whitespace=False, help_text=_(
        "What the scanner sent: a GS1 element string (GS between variable-length fields), its human-readable form "
        "or a GS1 Digital Link URI; or the internal lot code (ML000123)."))
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    reason = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allow_scanned_text(self.fields["scan"])

    def validate(self, attrs):
        if ("material_lot" in attrs) == ("scan" in attrs):
            message = _("Give either material_lot or scan, not both.") if "scan" in attrs else _(
                "Give the material_lot (id) or the scan of its label.")
            raise serializers.ValidationError({"material_lot": [message]})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class ProcessStepRef(serializers.Field):
    """A step of the batch's product process by id, or by its code (``lamination``); the view passes the batch's
    product in the context."""

    default_error_messages = {"unknown": _("No step %(value)s in the process of this product.")}

    def to_internal_value(self, data):
        steps = self.context["product"].process_steps.all()
        step = None
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            step = ProcessStep.objects.filter(pk=int(data)).first()  # another product's step: the service says so
        if step is None and isinstance(data, str) and data:
            step = steps.filter(code=data).first()
        if step is None:
            self.fail("unknown", value=data)
        return step

    def to_representation(self, value):
        return value.pk


class StepSerializer(serializers.ModelSerializer):
    """A step performed on a batch (21 CFR 820.184 (d)); the operator is the acting user."""

    step = ProcessStepRef()
    step_code = serializers.CharField(source="step.code", read_only=True)
    step_name = serializers.CharField(source="step.name", read_only=True)
    batch = serializers.SlugRelatedField(slug_field="lot_number", read_only=True)
    operator = serializers.CharField(source="operator.username", read_only=True)

    class Meta:
        model = BatchStep
        fields = ["id", "batch", "step", "step_code", "step_name", "operator", "equipment", "started_at", "ended_at",
                  "room_temperature_c", "room_humidity_pct", "notes"]
        read_only_fields = ["id", "batch", "operator"]


class ConsumptionSerializer(serializers.ModelSerializer):
    batch = serializers.SlugRelatedField(slug_field="lot_number", read_only=True)
    material = serializers.IntegerField(source="material_lot.material_id", read_only=True)
    consumed_by = serializers.CharField(source="consumed_by.username", read_only=True)
    batch_expiry_date = serializers.DateField(source="batch.expiry_date", read_only=True)
    expiry_shortened = serializers.SerializerMethodField(
        help_text="On the response to a consumption that shortened the batch's expiry: {from, to}; else null.")

    class Meta:
        model = Consumption
        fields = ["id", "batch", "material_lot", "material", "quantity", "consumed_at", "consumed_by",
                  "batch_expiry_date", "expiry_shortened"]
        read_only_fields = fields

    def get_expiry_shortened(self, obj) -> dict | None:
        capped = getattr(obj, "expiry_capped", None)
        return {"from": capped[0].isoformat(), "to": capped[1].isoformat()} if capped else None


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One entry of ``lims.history.object_history``: the batch's own rows and its child records'."""

    history_date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    model = serializers.CharField()
    object_id = serializers.IntegerField()
    object_repr = serializers.CharField()
    changes = ChangeSerializer(many=True)


class StoryEntrySerializer(serializers.Serializer):
    """One entry of the batch's story (``lims.story``, API.md): any record of the batch in any app."""

    history_date = serializers.DateTimeField()
    user = serializers.CharField(allow_blank=True, help_text="user name")
    user_name = serializers.CharField(allow_blank=True, help_text="printed name")
    type = serializers.ChoiceField(choices=["created", "changed", "deleted", "signed"])
    record = serializers.CharField(help_text='the record, e.g. "qc.inspection 12"')
    record_name = serializers.CharField(help_text="a readable name of the record")
    model = serializers.CharField(help_text="app_label.model of the record")
    object_id = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    reason_system = serializers.BooleanField(help_text="the reason is the action's own name, supplied by the system")
    changes = ChangeSerializer(many=True)


class StoryQuery(serializers.Serializer):
    app = serializers.CharField(required=False, help_text="app label, e.g. qc")
    user = serializers.CharField(required=False, help_text="user name")
    type = serializers.ChoiceField(required=False, choices=["created", "changed", "deleted", "signed"])


class GenealogyLotSerializer(serializers.ModelSerializer):
    """A component lot a batch consumed, with the quantity it used."""

    material_lot = serializers.IntegerField(source="pk")
    material_code = serializers.CharField(source="material.code")
    material_name = serializers.CharField(source="material.name")
    unit = serializers.CharField(source="material.unit")
    quantity_consumed = serializers.DecimalField(max_digits=14, decimal_places=3)

    class Meta:
        model = MaterialLot
        fields = ["material_lot", "material", "material_code", "material_name", "unit", "supplier", "supplier_lot",
                  "received_on", "expiry_date", "status", "quantity_consumed"]
        read_only_fields = fields


class CapacityPlanQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                                   error_messages={"invalid": _("Use the form YYYY-MM.")}, validators=[validate_month])
    demand = serializers.IntegerField(min_value=0, max_value=10**12,
                                      help_text=_("Monthly demand in tests (kits × tests per kit)."))
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    station_rate = serializers.IntegerField(min_value=1, max_value=10**6, required=False)
    station_hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal("0.5"),
                                             max_value=Decimal("24"), required=False)


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                                   error_messages={"invalid": _("Use the form YYYY-MM.")}, validators=[validate_month])
