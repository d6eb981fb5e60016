"""One input-hygiene layer for the API, the pages and the imports (issue 16; API.md: never 500 for bad input).

The rules, each with its setting (lims/settings.py, from the environment):

* **Text**: NUL and the other C0 control characters (except tab, line feed, carriage return), DEL and lone
  surrogates are refused with a field error — in bodies, query parameters, URL path segments and import cells.
  A text field without its own limit holds at most ``LIMS_MAX_TEXT_CHARS`` characters.
* **Dates and times**: nothing before ``LIMS_EARLIEST_DATE`` (the plant's start; no year 0, no 1900) and nothing
  more than ``LIMS_MAX_FUTURE_YEARS`` ahead; a manufacture date (``manufactured_on``) at most
  ``LIMS_MAX_MANUFACTURE_AHEAD_DAYS`` ahead. A time-zone offset must be a real one: between −12:00 and +14:00,
  in whole quarter hours.
* **Numbers**: finite (no NaN, Infinity, ``1e400``), at most ``LIMS_MAX_NUMBER_DIGITS`` digits, integers within
  a 64-bit column, decimals within their field's digits.
* **JSON bodies** (lims/api/parsers.py): nesting at most ``LIMS_MAX_JSON_DEPTH`` deep; the body at most
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413 ``too_large``, in the API's JSON error format).
* **Uploads**: a file name at most ``LIMS_MAX_UPLOAD_NAME_CHARS`` characters, with a clear message instead of
  the multipart parser's "Request max total header size exceeded".

How it is wired in, so that no serializer or form has to remember it:

* ``install()`` (called from ``LimsConfig.ready()``) adds the rules to the base field classes of DRF
  (CharField, IntegerField, FloatField, DecimalField, DateField, DateTimeField) and of Django forms (CharField,
  IntegerField, DateField, DateTimeField) — every serializer, ModelForm and django-filter FilterSet inherits
  them. Each rule raises the field's own ValidationError, so the message lands on the field.
* ``InputHygieneMiddleware`` refuses bad URL paths (404) and query parameters (400 with the parameter named),
  oversized bodies (413) and unreadable multipart bodies (400) before any view runs.
* The JSON parser (``lims.api.parsers``) walks every parsed body with ``check_data()``: the hand-written
  validators (readings, rejects) get the same rules, with the field's path in ``fields``.
* The import readers call ``check_cell()`` on every cell and ``decode_text()`` for the encoding.
"""

from __future__ import annotations

import codecs
import math
import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What a barcode scanner sends holds the GS1 group separator (GS, U+001D) between variable-length element strings
# (GenSpecs §7.8): fields named here (or ending in ``.scan`` / ``-scan``) accept GS and nothing else of C0.
SCAN_FIELDS = frozenset({"scan", "scans"})
CONTROL_BUT_GS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1c\x1e\x1f\x7f\ud800-\udfff]")
INT64 = 2**63 - 1
FLOAT_LIMIT = 1e15  # no measured quantity in the plant comes near; larger is a unit mix-up or an attack


# --- settings --------------------------------------------------------------------------------------------
def earliest_date() -> date:
    return settings.LIMS_EARLIEST_DATE


def latest_date() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + settings.LIMS_MAX_FUTURE_YEARS) if not (
        today.month == 2 and today.day == 29) else today + timedelta(days=365 * settings.LIMS_MAX_FUTURE_YEARS)


def latest_manufacture_date() -> date:
    return timezone.localdate() + timedelta(days=settings.LIMS_MAX_MANUFACTURE_AHEAD_DAYS)


# Fields whose value is a planned or actual manufacture day (DESIGN.md, Batch): bounded tighter than any date.
MANUFACTURE_FIELDS = frozenset({"manufactured_on"})


# --- text ------------------------------------------------------------------------------------------------
def control_character(text: str, *, allow_gs: bool = False) -> str | None:
    """The first refused character of ``text`` as ``U+0000``, or None."""
    match = (CONTROL_BUT_GS if allow_gs else CONTROL).search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def is_scan_field(path: str) -> bool:
    """``scan``, ``lines.3.scan``, ``line-3-scan``, ``scans.0``: a field that carries what a scanner sent."""
    parts = [p for p in re.split(r"[.\-]", path or "") if p and not p.isdigit()]
    return bool(parts) and parts[-1] in SCAN_FIELDS


def text_message(text: str, *, allow_gs: bool = False) -> str | None:
    bad = control_character(text, allow_gs=allow_gs)
    if bad:
        return gettext("Control characters are not allowed (found %(char)s).") % {"char": bad}
    return None


def validate_text(value):
    """A validator for forms, serializers and models: no control characters."""
    if isinstance(value, str):
        message = text_message(value)
        if message:
            raise ValidationError(message, code="control_character")


def validate_scan_text(value):
    """The same for a scan field: the group separator (GS) is data there, every other control character is not."""
    if isinstance(value, str):
        message = text_message(value, allow_gs=True)
        if message:
            raise ValidationError(message, code="control_character")


def allow_scanned_text(field):
    """Make a form or serializer CharField take a scanner's text (GS allowed); returns the field."""
    field.validators = [validate_scan_text if v is validate_text else v for v in field.validators]
    return field


def text_too_long_message(length: int, limit: int) -> str:
    return gettext("At most %(limit)s characters are allowed; this text has %(length)s.") % {
        "limit": f"{limit:,}", "length": f"{length:,}"}


# --- dates and times -------------------------------------------------------------------------------------
def date_message(value: date, field_name: str | None = None) -> str | None:
    if isinstance(value, datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    else:
        day = value
    low, high = earliest_date(), latest_date()
    if day < low:
        return gettext("%(value)s is before %(earliest)s, the earliest date this system accepts.") % {
            "value": day.isoformat(), "earliest": low.isoformat()}
    if field_name in MANUFACTURE_FIELDS and day > latest_manufacture_date():
        return gettext("A manufacture date may be at most %(days)s days ahead (until %(latest)s); "
                       "%(value)s is not plausible.") % {
            "days": settings.LIMS_MAX_MANUFACTURE_AHEAD_DAYS, "latest": latest_manufacture_date().isoformat(),
            "value": day.isoformat()}
    if day > high:
        return gettext("%(value)s is after %(latest)s, the latest date this system accepts.") % {
            "value": day.isoformat(), "latest": high.isoformat()}
    return None


def offset_message(moment: datetime) -> str | None:
    """A real UTC offset: −12:00 … +14:00 in whole quarter hours (every zone in use today)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    seconds = int(offset.total_seconds())
    if seconds < -12 * 3600 or seconds > 14 * 3600 or seconds % 900:
        sign = "-" if seconds < 0 else "+"
        hours, rest = divmod(abs(seconds), 3600)
        return gettext("The time-zone offset %(offset)s does not exist; use one between -12:00 and +14:00 "
                       "in whole quarter hours (e.g. +08:00).") % {
            "offset": f"{sign}{hours:02d}:{rest // 60:02d}"}
    return None


def validate_date(value, field_name: str | None = None):
    if isinstance(value, datetime):
        # An offset typed by someone (a fixed offset) first; a zone's own historical offset (Asia/Shanghai was
        # +08:05:43 in 1900) is not theirs to fix, the date is.
        typed = isinstance(value.tzinfo, dt_timezone)
        message = (offset_message(value) if typed else None) or date_message(value, field_name)
    elif isinstance(value, date):
        message = date_message(value, field_name)
    else:
        return
    if message:
        raise ValidationError(message, code="implausible_date")


def month_message(text: str) -> str | None:
    """For ``YYYY-MM`` query parameters: the month must lie in the accepted window."""
    try:
        year, month = (int(p) for p in str(text).split("-"))
    except (TypeError, ValueError):
        return gettext("Use the form YYYY-MM.")
    if not 1 <= month <= 12:
        return gettext("Use the form YYYY-MM.")
    if (year, month) < (earliest_date().year, earliest_date().month) or (year, month) > (
            latest_date().year, latest_date().month):
        return gettext("%(value)s is outside %(earliest)s … %(latest)s.") % {
            "value": text, "earliest": earliest_date().strftime("%Y-%m"), "latest": latest_date().strftime("%Y-%m")}
    return None


def validate_month(value):
    message = month_message(value)
    if message:
        raise ValidationError(message, code="invalid")


# --- numbers ---------------------------------------------------------------------------------------------
def digits_of(text: str) -> int:
    return sum(ch.isdigit() for ch in text.split("e")[0].split("E")[0])


def number_message(value) -> str | None:
    """None when ``value`` is an acceptable number (finite, not absurdly long, within a 64-bit column)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > INT64:
            return gettext("The number is too large (at most %(n)s digits).") % {"n": len(str(INT64))}
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return gettext("A finite number is required (not NaN or Infinity).")
        if abs(value) > FLOAT_LIMIT:
            return gettext("The number is too large (at most %(limit)s).") % {"limit": f"{FLOAT_LIMIT:g}"}
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return gettext("A finite number is required (not NaN or Infinity).")
        if abs(value) > INT64:
            return gettext("The number is too large (at most %(n)s digits).") % {"n": len(str(INT64))}
        return None
    if isinstance(value, str):
        text = value.strip()
        if digits_of(text) > settings.LIMS_MAX_NUMBER_DIGITS:
            return gettext("A number may have at most %(n)s digits.") % {"n": settings.LIMS_MAX_NUMBER_DIGITS}
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None  # not a number at all: the field's own "a number is required" applies
        return number_message(number)
    return None


def decimal_for_field(text, model_field) -> Decimal:
    """A cell or query value as a Decimal that fits ``model_field`` (a DecimalField); ValueError otherwise."""
    raw = str(text).strip().replace(",", ".")
    message = number_message(raw)
    if message:
        raise ValueError(message)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": raw[:40]}) from None
    if not number.is_finite():
        raise ValueError(gettext("A finite number is required (not NaN or Infinity)."))
    try:
        model_field.run_validators(number)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return number


# --- whole payloads (parsed JSON, form data, import rows) -------------------------------------------------
class NonFinite:
    """What the JSON parser puts in place of NaN, Infinity and numbers too long to be real, so that the walk
    below can name the field."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"NonFinite({self.text!r})"


def cell_message(value, *, allow_gs: bool = False) -> str | None:
    if isinstance(value, NonFinite):
        if digits_of(value.text) > settings.LIMS_MAX_NUMBER_DIGITS:
            return gettext("A number may have at most %(n)s digits.") % {"n": settings.LIMS_MAX_NUMBER_DIGITS}
        return gettext("A finite number is required (not NaN or Infinity).")
    if isinstance(value, str):
        message = text_message(value, allow_gs=allow_gs)
        if message:
            return message
        if len(value) > settings.LIMS_MAX_TEXT_CHARS:
            return text_too_long_message(len(value), settings.LIMS_MAX_TEXT_CHARS)
        return None
    if isinstance(value, (int, float, Decimal)):
        return number_message(value)
    return None


def check_data(data, *, max_depth: int | None = None) -> dict[str, list[str]]:
    """Every hygiene problem of a parsed body as ``{"path.to.field": [message]}`` (empty when clean)."""
    max_depth = max_depth or settings.LIMS_MAX_JSON_DEPTH
    errors: dict[str, list[str]] = {}
    stack = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > max_depth:
            errors.setdefault(path or "non_field_errors", []).append(
                gettext("The data is nested more than %(n)s levels deep.") % {"n": max_depth})
            continue
        if isinstance(value, dict):
            for key, sub in value.items():
                key_text = str(key)
                message = text_message(key_text)
                if message:
                    errors.setdefault(path or "non_field_errors", []).append(message)
                    continue
                stack.append((f"{path}.{key_text}" if path else key_text, sub, depth + 1))
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                stack.append((f"{path}.{index}" if path else str(index), sub, depth + 1))
        else:
            message = cell_message(value, allow_gs=is_scan_field(path))
            if message:
                errors.setdefault(path or "non_field_errors", []).append(message)
    return dict(sorted(errors.items()))


def check_querydict(query) -> dict[str, list[str]]:
    """Control characters in the names or values of a QueryDict (query string or form body)."""
    errors: dict[str, list[str]] = {}
    for key, values in query.lists():
        message = text_message(key)
        if message:
            errors.setdefault("non_field_errors", []).append(message)
            continue
        for value in values:
            message = text_message(value, allow_gs=is_scan_field(key)) if isinstance(value, str) else None
            if message:
                errors.setdefault(key, []).append(message)
                break
    return errors


# --- text files of the imports ---------------------------------------------------------------------------
class EncodingProblem(ValueError):
    """The bytes of an uploaded text file are in no encoding we read; the message names the problem."""


def decode_text(data: bytes) -> str:
    """Text of an uploaded CSV file: UTF-8 with or without BOM, UTF-16 LE/BE with or without BOM, GB18030.

    Byte order marks decide first. Without one, UTF-16 is recognised by its zero bytes (a CSV file is mostly
    ASCII: every other byte is NUL), UTF-8 is tried strictly (text in GB18030 is almost never valid UTF-8), then
    GB18030. charset-normalizer names the encoding of anything else in the message. A stray NUL in UTF-8 text
    decodes: the cell check then reports it by row and column."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", "UTF-8")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _strict(data[2:], "utf-16-le", "UTF-16 LE")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data[2:], "utf-16-be", "UTF-16 BE")
    sample = data[:4096]
    if len(sample) >= 2:
        even_zero = sample[0::2].count(0)
        odd_zero = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_zero > half * 0.3 and even_zero < odd_zero / 4:
            return _strict(data, "utf-16-le", "UTF-16 LE")
        if even_zero > half * 0.3 and odd_zero < even_zero / 4:
            return _strict(data, "utf-16-be", "UTF-16 BE")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        guess = _guess(data)
        raise EncodingProblem(
            gettext("The file is not text in UTF-8, UTF-16 or GB18030 (unreadable bytes at position %(pos)s%(guess)s)."
                    " Save it as UTF-8 and upload it again.") % {
                "pos": exc.start, "guess": gettext("; it looks like %(enc)s") % {"enc": guess} if guess else ""}
        ) from None


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingProblem(gettext("The file starts as %(enc)s text but has bytes that are not %(enc)s at "
                                      "position %(pos)s. Save it again as UTF-8.") % {"enc": label, "pos": exc.start}
                              ) from None


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        return None
    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def check_cell(value, field: str) -> str | None:
    """The hygiene problem of one import cell, or None."""
    return cell_message(value)


# --- the HTTP layer ------------------------------------------------------------------------------------------
def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_response(request, status: int, detail: str, code: str, fields: dict | None = None):
    """The API's JSON error body for /api/ paths; a plain page for people otherwise."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if _is_api(request):
        body = {"detail": detail, "code": code}
        if fields is not None:
            body["fields"] = fields
        return JsonResponse(body, status=status)
    template = "errors/404.html" if status == 404 else "errors/400.html"
    return render(request, template, {"detail": detail, "fields": fields or {}}, status=status)


class InputHygieneMiddleware:
    """Refuses, before any view runs: control characters in the URL path (404) and query string (400), a body
    larger than DATA_UPLOAD_MAX_MEMORY_SIZE that is not a file upload (413), a multipart body the parser cannot
    read (400 with the reason, e.g. a file name that is too long)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.check(request)
        return response if response is not None else self.get_response(request)

    def check(self, request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
        from django.http.multipartparser import MultiPartParserError

        if control_character(request.path_info):
            return error_response(request, 404, gettext("There is no page or record at this address."),
                                  "not_found")
        try:
            fields = check_querydict(request.GET)
        except TooManyFieldsSent:
            fields = {"non_field_errors": [gettext("Too many query parameters.")]}
        if fields:
            first, messages = next(iter(fields.items()))
            return error_response(request, 400, gettext("Invalid input: %(field)s: %(message)s") % {
                "field": first, "message": messages[0]}, "invalid", fields)
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit and length > limit and not content_type.startswith("multipart/form-data"):
            return error_response(request, 413, gettext(
                "The request body is %(size)s MB; at most %(limit)s MB are accepted.") % {
                "size": f"{length / 2**20:.1f}", "limit": f"{limit / 2**20:.0f}"}, "too_large")
        if request.method == "POST" and content_type.startswith("multipart/form-data"):
            try:
                request.POST  # noqa: B018  (parse now, so that a broken body is a clear 400, not a 500)
            except MultiPartParserError as exc:
                return error_response(request, 400, multipart_message(exc), "invalid",
                                      {"file": [multipart_message(exc)]})
            except RequestDataTooBig:
                return error_response(request, 413, gettext("The form data are too large."), "too_large")
            except TooManyFieldsSent:
                return error_response(request, 400, gettext("Too many form fields."), "invalid")
            fields = check_querydict(request.POST)
            for key, files in request.FILES.lists():
                for upload in files:
                    name = upload.name or ""
                    message = text_message(name)
                    if not message and len(name) > settings.LIMS_MAX_UPLOAD_NAME_CHARS:
                        message = upload_name_message(len(name))
                    if message:
                        fields.setdefault(key, []).append(message)
            if fields:
                first, messages = next(iter(fields.items()))
                return error_response(request, 400, gettext("Invalid input: %(field)s: %(message)s") % {
                    "field": first, "message": messages[0]}, "invalid", fields)
        return None


def upload_name_message(length: int) -> str:
    return gettext("The file name is too long (%(length)s characters; at most %(limit)s). Rename the file and "
                   "upload it again.") % {"length": f"{length:,}", "limit": settings.LIMS_MAX_UPLOAD_NAME_CHARS}


def multipart_message(exc) -> str:
    text = str(exc)
    if "header size" in text:
        return gettext("The upload's part headers are too long — usually a file name that is too long (at most "
                       "%(limit)s characters). Rename the file and upload it again.") % {
            "limit": settings.LIMS_MAX_UPLOAD_NAME_CHARS}
    return gettext("The upload could not be read (%(reason)s).") % {"reason": text[:200]}


# --- fields of DRF and Django forms ----------------------------------------------------------------------------
_INSTALLED = False


def install():
    """Add the rules to the base field classes of DRF and Django forms (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    _install_drf()
    _install_forms()


def _install_drf():
    from rest_framework import fields as f

    char_init = f.CharField.__init__

    def char_field_init(self, *args, **kwargs):
        char_init(self, *args, **kwargs)
        if self.max_length is None:
            from django.core.validators import MaxLengthValidator

            self.max_length = settings.LIMS_MAX_TEXT_CHARS
            self.validators.append(MaxLengthValidator(self.max_length, message=_too_long_lazy(self.max_length)))
        self.validators.append(validate_text)

    f.CharField.__init__ = char_field_init

    def wrap_number(cls):
        original = cls.to_internal_value

        def to_internal_value(self, data):
            message = number_message(data) if isinstance(data, (str, int, float)) else None
            if message:
                raise f.ValidationError(message, code="invalid")
            try:
                value = original(self, data)
            except OverflowError:
                raise f.ValidationError(gettext("The number is too large."), code="invalid") from None
            message = number_message(value)
            if message:
                raise f.ValidationError(message, code="invalid")
            return value

        cls.to_internal_value = to_internal_value

    for cls in (f.IntegerField, f.FloatField, f.DecimalField):
        wrap_number(cls)

    def wrap_date(cls):
        original = cls.to_internal_value

        def to_internal_value(self, value):
            if isinstance(value, str):
                message = text_message(value)
                if message:
                    raise f.ValidationError(message, code="invalid")
                if cls is f.DateTimeField:
                    try:
                        parsed = parse_datetime(value.strip())
                    except ValueError:
                        parsed = None
                    message = offset_message(parsed) if parsed else None
                    if message:
                        raise f.ValidationError(message, code="invalid")
            try:
                result = original(self, value)
            except OverflowError:
                raise f.ValidationError(gettext("The date is out of range."), code="invalid") from None
            try:
                validate_date(result, getattr(self, "field_name", None))
            except ValidationError as exc:
                raise f.ValidationError(exc.messages, code="invalid") from None
            return result

        cls.to_internal_value = to_internal_value

    for cls in (f.DateField, f.DateTimeField):
        wrap_date(cls)


def _too_long_lazy(limit):
    from django.utils.functional import lazy

    return lazy(lambda: gettext("At most %(limit)s characters are allowed.") % {"limit": f"{limit:,}"}, str)()


def _install_forms():
    from django import forms

    char_init = forms.CharField.__init__

    def char_field_init(self, *args, **kwargs):
        char_init(self, *args, **kwargs)
        if self.max_length is None:
            from django.core.validators import MaxLengthValidator

            self.max_length = settings.LIMS_MAX_TEXT_CHARS
            self.validators.append(MaxLengthValidator(self.max_length, message=_too_long_lazy(self.max_length)))
        self.validators.append(validate_text)

    forms.CharField.__init__ = char_field_init

    int_init = forms.IntegerField.__init__

    def int_field_init(self, *args, max_value=None, min_value=None, **kwargs):
        int_init(self, *args, max_value=max_value, min_value=min_value, **kwargs)
        # No widget attributes for the column's bounds: only the validation.
        if max_value is None:
            self.validators.append(_IntBound(INT64))
        if min_value is None:
            self.validators.append(_IntBound(-INT64))

    forms.IntegerField.__init__ = int_field_init

    int_to_python = forms.IntegerField.to_python

    def int_field_to_python(self, value):
        if isinstance(value, str) and digits_of(value) > settings.LIMS_MAX_NUMBER_DIGITS:
            raise ValidationError(gettext("A number may have at most %(n)s digits.") % {
                "n": settings.LIMS_MAX_NUMBER_DIGITS}, code="invalid")
        return int_to_python(self, value)

    forms.IntegerField.to_python = int_field_to_python

    def wrap_date(cls):
        original = cls.to_python

        def to_python(self, value):
            if isinstance(value, str):
                validate_text(value)
            try:
                result = original(self, value)
            except OverflowError:
                raise ValidationError(gettext("The date is out of range."), code="invalid") from None
            validate_date(result, getattr(self, "_hygiene_name", None))
            return result

        cls.to_python = to_python

    for cls in (forms.DateField, forms.DateTimeField):
        wrap_date(cls)

    # Form fields do not know their name; BoundField does. Remember it for the manufacture-date rule.
    bound_init = forms.BoundField.__init__

    def bound_field_init(self, form, field, name):
        bound_init(self, form, field, name)
        if isinstance(field, forms.DateField | forms.DateTimeField):
            field._hygiene_name = name

    forms.BoundField.__init__ = bound_field_init


class _IntBound:
    def __init__(self, limit):
        self.limit = limit

    def __call__(self, value):
        if value is not None and (value > self.limit if self.limit > 0 else value < self.limit):
            raise ValidationError(gettext("The number is too large (at most %(n)s digits).") % {
                "n": len(str(INT64))}, code="invalid")

    def __eq__(self, other):
        return isinstance(other, _IntBound) and other.limit == self.limit

    def deconstruct(self):
        return ("lims.hygiene._IntBound", (self.limit,), {})
