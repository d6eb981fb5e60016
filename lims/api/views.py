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
    object_id = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False, help_text="inclusive")

    def validate(self, data):
        from django.contrib.auth import get_user_model

        from lims.history import tracked_models

        if data.get("model") and data["model"] not in {m._meta.label_lower for m in tracked_models()}:
            raise serializers.ValidationError({"model": [_("Unknown record type.")]})
        if data.get("object_id") and not data.get("model"):
            raise serializers.ValidationError({"model": [_("Choose the record type to filter by record id.")]})
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        if data.get("user"):
            user = get_user_model().objects.filter(username=data["user"]).first()
            if user is None:
                raise serializers.ValidationError({"user": [_("No such user.")]})
            data["user_obj"] = user
        return data


class AuditLogView(APIView):
    """``GET /api/v1/audit-log/``: the global audit trail, newest first (Auditor, QA, Admin)."""

    required_permissions = "lims.view_audit_log"

    @extend_schema(parameters=[AuditLogQuery], responses={200: inline_serializer("AuditLogPage", {
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": inline_serializer("AuditEntry", {
            "history_id": serializers.IntegerField(), "history_date": serializers.DateTimeField(),
            "user": serializers.CharField(), "type": serializers.CharField(), "reason": serializers.CharField(),
            "reason_system": serializers.BooleanField(),
            "model": serializers.CharField(), "object_id": serializers.IntegerField(),
            "history_url": serializers.URLField()}, many=True)})})
    def get(self, request):
        from datetime import timedelta

        from lims import history
        from lims.api.pagination import PageNumberPagination
        from lims.views import _day_start

        query = AuditLogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        d = query.validated_data
        qs = history.audit_log(
            user_id=d["user_obj"].pk if d.get("user_obj") else None, model_label=d.get("model"),
            object_id=d.get("object_id"), date_from=_day_start(d.get("date_from")),
            date_to=_day_start(d["date_to"] + timedelta(days=1)) if d.get("date_to") else None)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = history.audit_rows(page)
        for r in rows:
            r.pop("model_name")
            r.pop("type_display")
            r["history_url"] = request.build_absolute_uri(r["history_url"])
        return paginator.get_paginated_response(rows)
