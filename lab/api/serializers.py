from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lab.models import Assay, Client, Sample
from lab.throughput import BUCKETS, MAX_DAYS, window
from lims.api.serializers import SigningSerializer


class ClientSerializer(serializers.ModelSerializer):
    """API.md: id*, code, name, kind."""

    class Meta:
        model = Client
        fields = ["id", "code", "name", "name_zh", "kind", "project", "contact", "active", "version"]
        read_only_fields = ["id", "version"]


class AssaySerializer(serializers.ModelSerializer):
    """API.md: id*, code, name, method, tat_target_hours."""

    class Meta:
        model = Assay
        fields = ["id", "code", "name", "name_zh", "method", "tat_target_hours", "price", "result_type", "unit",
                  "reference_low", "reference_high", "active", "version"]
        read_only_fields = ["id", "version"]


class SampleSerializer(serializers.ModelSerializer):
    """API.md: id*, barcode, client, assay, received_at, reported_at, status*, result.

    ``barcode`` is generated when omitted; ``received_at`` defaults to now; a ``reported_at`` (or a result)
    creates the sample already reported (back-entry of a finished test)."""

    barcode = serializers.CharField(max_length=32, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)
    reported_at = serializers.DateTimeField(required=False, allow_null=True)
    tat_hours = serializers.FloatField(read_only=True, allow_null=True)
    flag = serializers.CharField(read_only=True, help_text="quantitative: low / normal / high against the "
                                                           "assay's reference range")
    report_url = serializers.SerializerMethodField(help_text="the client report PDF (reported samples)")

    def get_report_url(self, obj) -> str | None:
        from django.urls import reverse

        return reverse("lab:sample-report-pdf", args=[obj.pk]) if obj.status == Sample.Status.REPORTED else None

    class Meta:
        model = Sample
        fields = ["id", "barcode", "client", "assay", "received_at", "reported_at", "status", "result",
                  "result_value", "result_unit", "outcome", "control_line", "flag", "started_at", "rejected_at",
                  "rejection_reason", "tat_hours", "reported_by", "reviewed_by", "reviewed_at", "report_url",
                  "version"]
        read_only_fields = ["id", "status", "started_at", "rejected_at", "rejection_reason", "reported_by",
                            "reviewed_by", "reviewed_at", "version"]
        extra_kwargs = {"barcode": {"validators": []}}


class ReportSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Sample.Outcome.choices, required=False, allow_blank=True,
                                      help_text="qualitative assays: positive / negative / invalid")
    control_line = serializers.BooleanField(required=False, allow_null=True, default=None,
                                            help_text="qualitative assays: whether the control line appeared")
    result = serializers.CharField(required=False, allow_blank=True)
    result_value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    result_unit = serializers.CharField(required=False, allow_blank=True, max_length=30)
    reported_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)


class ReviewSerializer(SigningSerializer):
    """Both signature components (the meaning is "reviewed")."""


class StartSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="why the sample is unfit (required)")


class ThroughputQuery(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="first local day (YYYY-MM-DD); default: 29 days "
                                                            "before end")
    end = serializers.DateField(required=False, help_text="last local day, inclusive (YYYY-MM-DD); default: today")
    bucket = serializers.ChoiceField(choices=BUCKETS, default="day", help_text="day, ISO week (Monday) or month")
    assay = serializers.IntegerField(required=False, min_value=1, help_text="assay id")
    client = serializers.IntegerField(required=False, min_value=1, help_text="client id")
    include = serializers.MultipleChoiceField(choices=["clients"], required=False, default=set,
                                              help_text="`clients`: add the per-client table")
    layout = serializers.ChoiceField(
        choices=["rows", "columns"], default="rows",
        help_text="`rows` (default): `rows`/`totals`/`clients` as lists of objects; `columns`: each of them as "
                  "one object of arrays with the same field names (one array per series: a compact answer for "
                  "long daily windows)")

    def validate_assay(self, value):
        if not Assay.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("No assay with id %(id)s.") % {"id": value})
        return value

    def validate_client(self, value):
        if not Client.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("No client with id %(id)s.") % {"id": value})
        return value

    def validate(self, data):
        start, end = window(data.get("start"), data.get("end"))
        if end < start:
            raise serializers.ValidationError({"end": [_("The end date is before the start date.")]})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"start": [_("The window is longer than ten years.")]})
        data["start"], data["end"] = start, end
        return data


class _CompactRow(serializers.Serializer):
    period = serializers.DateField(help_text="ISO date of the bucket's first local day")
    completed = serializers.IntegerField(help_text="samples reported in the bucket")
    median_tat_hours = serializers.FloatField(allow_null=True, help_text="median TAT, hours, 2 decimals")
    p90_tat_hours = serializers.FloatField(allow_null=True,
                                           help_text="90th percentile TAT (linear interpolation, type 7), hours")
    within_target_pct = serializers.FloatField(allow_null=True, help_text="% of completed with TAT ≤ target")


class _ThroughputRow(_CompactRow):
    backlog = serializers.IntegerField(help_text="samples open at the bucket end (or the window end)")


class ThroughputAssayRow(_CompactRow):
    assay = serializers.IntegerField(help_text="assay id (its code in `assays`)")


class ThroughputClientRow(_ThroughputRow):
    client = serializers.IntegerField(help_text="client id (its code in `client_codes`)")


class ThroughputResult(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    bucket = serializers.ChoiceField(choices=BUCKETS)
    assay = serializers.IntegerField(allow_null=True)
    client = serializers.IntegerField(allow_null=True)
    time_zone = serializers.CharField(help_text="the zone whose local days, weeks and months are the buckets")
    assays = serializers.DictField(child=serializers.CharField(), help_text="assay id → code")
    rows = ThroughputAssayRow(many=True, help_text="per period and assay, only where completed > 0")
    client_codes = serializers.DictField(child=serializers.CharField(), required=False,
                                         help_text="client id → code (with include=clients)")
    clients = ThroughputClientRow(many=True, required=False,
                                  help_text="per period and client, only where completed > 0 (include=clients)")
    totals = _ThroughputRow(many=True, help_text="per period over the selection, every period of the window")
