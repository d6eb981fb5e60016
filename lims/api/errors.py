"""The API's error format (API.md, General):

* 400 ``{"detail", "code": "invalid", "fields": {field: [message]}}`` for invalid input,
* 409 ``{"detail", "code"}`` for a rule that forbids the action now (a DomainError),
* 401/403/404/405 with a ``code`` too. ``detail`` is translated, ``code`` never is.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lims.errors import DomainError

log = logging.getLogger(__name__)


def _flatten(detail):
    """DRF error details → {field: [messages]} with nested paths joined by dots (``rejects.1.quantity``)."""
    fields: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                fields.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    if sub:
                        walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            fields.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return fields


def validation_response(fields: dict, detail=None):
    first = next(iter(fields.items()), None)
    if detail is None:
        detail = _("Invalid input.")
        if first:
            detail = _("Invalid input: %(field)s: %(message)s") % {"field": first[0], "message": first[1][0]}
    return Response({"detail": detail, "code": "invalid", "fields": fields}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            fields = {("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()}
        else:
            fields = {"non_field_errors": [str(m) for m in exc.messages]}
        return validation_response(fields)
    if isinstance(exc, exceptions.ValidationError):
        return validation_response(_flatten(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return validation_response({"non_field_errors": [str(exc.detail)]}, detail=str(exc.detail))
    if isinstance(exc, IntegrityError):
        log.info("integrity error turned into 409: %s", exc)
        return Response({"detail": _("This change conflicts with existing data (a duplicate or a record in use)."),
                         "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        detail = exc.detail if not isinstance(exc.detail, (list, dict)) else _flatten(exc.detail)
        code = getattr(exc.detail, "code", None) or exc.default_code
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            code = exc.default_code
        response.data = {"detail": str(detail) if not isinstance(detail, dict) else _("Error."), "code": str(code)}
    return response
