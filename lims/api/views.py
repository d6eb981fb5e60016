from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.errors import validation_response
from lims.auth import lockout_response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenView(APIView):
    """``POST /api/v1/auth/token/`` → ``{"token"}``, under the same lock-out as the sign-in page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(request=TokenRequestSerializer,
                   responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = authenticate(request._request, **serializer.validated_data)
        except PermissionDenied:
            return lockout_response(request._request)
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None or not user.is_active:
            return validation_response(
                {"non_field_errors": [_("Unable to sign in with these credentials.")]},
                detail=_("Unable to sign in with these credentials."),
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """``GET /api/v1/auth/me/``: who the token belongs to and which roles it holds."""

    required_permissions: list[str] = []  # any signed-in user

    @extend_schema(responses={200: inline_serializer("Me", {
        "username": serializers.CharField(), "full_name": serializers.CharField(),
        "roles": serializers.ListField(child=serializers.CharField()), "language": serializers.CharField()})})
    def get(self, request):
        from django.utils.translation import get_language

        from lims.roles import role_names

        user = request.user
        return Response({"username": user.get_username(), "full_name": user.get_full_name(),
                         "roles": role_names(user), "language": get_language()})


class AuditLogQuery(serializers.Serializer):
    user = serializers.CharField(required=False, help_text="user name")
    model = serializers.CharField(required=False, help_text="app_label.model, e.g. production.batch")
    record = serializers.CharField(required=False, help_text='a record: "qc.inspection 12", an id (with model), or '
                                                             "part of a record's name (e.g. a lot or a code)")
    lot = serializers.CharField(required=False, help_text="a lot number: every row of that batch's story, whatever "
                                                          "app it lives in (and the signatures)")
    after = serializers.DateTimeField(required=False, help_text="from this time (inclusive); a date is its start")
    before = serializers.DateTimeField(required=False, help_text="up to this time (exclusive)")
    reason = serializers.CharField(required=False, help_text="text the reason contains")
    object_id = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False, help_text="inclusive")

    def to_internal_value(self, data):
        data = data.copy() if hasattr(data, "copy") else dict(data)
        for key in ("after", "before"):  # a plain date is that day's start, local time
            value = data.get(key)
            if isinstance(value, str) and len(value) == 10:
                data[key] = f"{value}T00:00:00"
        return super().to_internal_value(data)

    def validate(self, data):
        import re

        from django.contrib.auth import get_user_model

        from lims.audit_views import story_batch
        from lims.history import audited_models

        labels = {m._meta.label_lower for m in audited_models()}
        record = (data.get("record") or "").strip()
        match = re.fullmatch(r"([a-z_]+\.[a-z_]+)[ #:]+(\d+)", record)
        if match:
            if match[1] not in labels:
                raise serializers.ValidationError({"record": [_("Unknown record type.")]})
            data["model"], data["object_id"], record = match[1], int(match[2]), ""
        elif record.isdigit():
            data["object_id"], record = int(record), ""
        data["record_text"] = record or None
        if data.get("model") and data["model"] not in labels:
            raise serializers.ValidationError({"model": [_("Unknown record type.")]})
        if data.get("object_id") and not data.get("model"):
            field = "record" if "record" in data else "model"
            raise serializers.ValidationError({field: [_("Choose the record type to filter by record id.")]})
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        if data.get("after") and data.get("before") and data["after"] >= data["before"]:
            raise serializers.ValidationError({"before": [_("The end is not after the start.")]})
        if data.get("user"):
            user = get_user_model().objects.filter(username=data["user"]).first()
            if user is None:
                raise serializers.ValidationError({"user": [_("No such user.")]})
            data["user_obj"] = user
        if data.get("lot"):
            data["batch"] = story_batch(data["lot"].strip())
            if data["batch"] is None:
                raise serializers.ValidationError({"lot": [_("No batch has lot number “%(lot)s”.")
                                                           % {"lot": data["lot"]}]})
        return data


class AuditLogView(APIView):
    """``GET /api/v1/audit-log/``: the global audit trail, newest first (Auditor, QA, Admin). Filters ``user``,
    ``model``, ``record``, ``lot`` (every row of that batch's story, whatever app it lives in, and the
    signatures), ``after``, ``before``, ``reason`` (API.md); ``object_id``, ``date_from``, ``date_to`` still
    work."""

    required_permissions = "lims.view_audit_log"

    @extend_schema(parameters=[AuditLogQuery], responses={200: inline_serializer("AuditLogPage", {
        "count": serializers.IntegerField(), "count_is_estimate": serializers.BooleanField(required=False),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": inline_serializer("AuditEntry", {
            "history_id": serializers.IntegerField(allow_null=True), "history_date": serializers.DateTimeField(),
            "user": serializers.CharField(), "user_name": serializers.CharField(),
            "type": serializers.CharField(), "reason": serializers.CharField(),
            "reason_system": serializers.BooleanField(),
            "model": serializers.CharField(), "object_id": serializers.IntegerField(),
            "record": serializers.CharField(), "record_name": serializers.CharField(),
            "history_url": serializers.URLField()}, many=True)})})
    def get(self, request):
        from lims.api.pagination import AuditPagination, PageNumberPagination
        from lims.audit_views import audit_filters, story_rows

        query = AuditLogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        d = dict(query.validated_data)
        d["user"] = d.pop("user_obj", None)
        d["record"] = d.pop("record_text", None)
        filters = audit_filters(d)
        if d.get("batch") is not None:
            paginator = PageNumberPagination()
            rows = paginator.paginate_queryset(story_rows(d["batch"], filters, viewer=request.user), request)
        else:
            paginator = AuditPagination()
            rows = paginator.paginate(request, filters)
        out = []
        for r in rows:
            out.append({
                "history_id": r["history_id"], "history_date": serializers.DateTimeField().to_representation(
                    r["history_date"]), "user": r["user"], "user_name": r.get("user_name", ""), "type": r["type"],
                "reason": r["reason"], "reason_system": r["reason_system"], "model": r["model"],
                "object_id": r["object_id"], "record": f"{r['model']} {r['object_id']}",
                "record_name": r["record_name"],
                "history_url": request.build_absolute_uri(r["history_url"]) if r["history_url"] else ""})
        return paginator.get_paginated_response(out)


class AuditVerifyView(APIView):
    """``GET /api/v1/audit/verify/``: recompute the hash chains of the audit trail and the signatures now
    (Auditor, QA, Admin) → ``{"ok", "rows_checked", "breaks": [{"table", "id", "detail"}]}``; the run is
    recorded and shows on the page ``/audit/verify/``."""

    required_permissions = "lims.view_audit_log"

    @extend_schema(responses={200: inline_serializer("AuditVerification", {
        "ok": serializers.BooleanField(), "rows_checked": serializers.IntegerField(),
        "breaks": inline_serializer("AuditBreak", {
            "table": serializers.CharField(), "id": serializers.IntegerField(),
            "detail": serializers.CharField()}, many=True)})})
    def get(self, request):
        from lims.integrity import run_verification

        _run, result = run_verification(user=request.user)
        return Response(result.as_dict())
