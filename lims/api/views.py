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
