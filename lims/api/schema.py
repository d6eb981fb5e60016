"""The OpenAPI schema says what the API does (issue 16: "the schema lies").

* ``AutoSchema``: a read-only field that may be null says so — a field declared with ``default=None`` (the
  value when a nullable relation is empty, e.g. ``Deviation.closed_by``, ``Inspection.reviewed_by``,
  ``Batch.bom_version``) or one whose dotted ``source`` crosses a nullable relation.
* ``add_error_responses`` (a postprocessing hook): every operation declares the errors it can answer with the
  API's error bodies (API.md, General): 400 ``ValidationError`` (``detail``, ``code``, ``fields``) where there is
  input (a body, query or path parameters), 401 and 403 ``Error`` for every operation that needs a signed-in
  user, 404 where the path names a record or a page is asked for, 409 ``DomainError`` (with ``reasons``) for
  writes, 413 for bodies.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.fields import empty

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "translated, for people"},
        "code": {"type": "string", "description": "stable, never translated"},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}
VALIDATION_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "invalid, reason_required, …"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "field (nested paths joined by dots, e.g. rejects.1.quantity) → messages"},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}
DOMAIN_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "e.g. stale_version, four_eyes, not_eligible"},
        "reasons": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "detail": {"type": "string"}}}},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Invalid input: nothing was changed.",
    "401": "Not signed in (no or an invalid token).",
    "403": "The role does not allow this (or a wrong signing password: code bad_signature).",
    "404": "No such record (or not visible to this user).",
    "409": "A rule forbids the action now: nothing was changed.",
    "413": "The request body is too large.",
}


def _nullable_source(field) -> bool:
    source = getattr(field, "source", "") or ""
    if "." not in source:
        return False
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    for part in source.split(".")[:-1]:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(part)
        except Exception:  # a property or method: nothing to say
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
    return False


class AutoSchema(SpectacularAutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.Field) and field.read_only and not isinstance(
                field, serializers.SerializerMethodField) and (
                (field.default is None and field.default is not empty) or _nullable_source(field)):
            meta["nullable"] = True
        return meta


def _response(ref):
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: declare the error responses of every operation (see the module docstring)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    schemas.setdefault("DomainError", DOMAIN_ERROR)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            public_operation = path.endswith("/auth/token/") or operation.get("security") == [{}] or (
                {} in (operation.get("security") or []))
            has_input = bool(operation.get("parameters")) or "requestBody" in operation or "{" in path
            wanted = {}
            if has_input or method != "get":
                wanted["400"] = "ValidationError"
            if not public_operation:
                wanted["401"] = "Error"
                wanted["403"] = "Error"
            elif path.endswith("/auth/token/"):
                wanted["403"] = "Error"  # locked out
            pages = any(p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or pages:  # a record named by the path, or a page past the end
                wanted["404"] = "Error"
            if method in ("post", "put", "patch", "delete"):
                wanted["409"] = "DomainError"
                wanted["413"] = "Error"
            for code, ref in wanted.items():
                existing = responses.get(code)
                if existing is None or "content" not in existing:
                    description = (existing or {}).get("description") or DESCRIPTIONS[code]
                    responses[code] = {"description": description, **_response(ref)}
    return result
