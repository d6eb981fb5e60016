"""Request parsers of the API with the input-hygiene rules (lims/hygiene.py): a JSON body is at most
DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413 ``too_large``) and LIMS_MAX_JSON_DEPTH levels deep; NaN, Infinity,
``1e400`` and numbers with hundreds of digits, control characters and over-long texts anywhere in a body are
field errors (400 ``invalid`` with the field's path), before any serializer or hand-written validator runs."""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

from lims import hygiene


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def _parse_float(text):
    if hygiene.digits_of(text) > settings.LIMS_MAX_NUMBER_DIGITS:
        return hygiene.NonFinite(text)
    value = float(text)
    return value if math.isfinite(value) else hygiene.NonFinite(text)


def _parse_int(text):
    if len(text.lstrip("-")) > settings.LIMS_MAX_NUMBER_DIGITS:
        return hygiene.NonFinite(text)
    return int(text)


def load_json(raw: bytes, encoding: str = "utf-8"):
    """Parsed JSON of ``raw``; ParseError for broken or too deeply nested JSON, ValidationError (with the field
    paths) for values the hygiene rules refuse."""
    try:
        text = codecs.decode(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise exceptions.ParseError(_("The body is not %(encoding)s text (%(error)s).") % {
            "encoding": encoding, "error": exc}) from None
    depth = settings.LIMS_MAX_JSON_DEPTH  # deeper than that: check_data; far deeper: RecursionError
    try:
        data = json.loads(text, parse_float=_parse_float, parse_int=_parse_int,
                          parse_constant=hygiene.NonFinite)
    except RecursionError:
        raise exceptions.ParseError(_("The JSON is nested more than %(n)s levels deep.") % {"n": depth}) from None
    except ValueError as exc:
        raise exceptions.ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None
    errors = hygiene.check_data(data)
    if errors:
        raise exceptions.ValidationError(errors)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit and len(raw) > limit:
            raise TooLarge(_("The request body is larger than %(limit)s MB.") % {"limit": f"{limit / 2**20:.0f}"})
        if not raw:
            raise exceptions.ParseError(_("JSON parse error: the body is empty."))
        return load_json(raw, encoding)


def _checked(data):
    errors = hygiene.check_querydict(data)
    if errors:
        raise exceptions.ValidationError(errors)
    return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            if "header size" in str(exc.detail):
                message = hygiene.multipart_message(exc.detail)
                raise exceptions.ValidationError({"file": [message]}) from None
            raise
        _checked(result.data)
        for key, files in result.files.lists():
            for upload in files:
                name = upload.name or ""
                message = hygiene.text_message(name)
                if not message and len(name) > settings.LIMS_MAX_UPLOAD_NAME_CHARS:
                    message = hygiene.upload_name_message(len(name))
                if message:
                    raise exceptions.ValidationError({key: [message]})
        return result
