"""API list pagination (API.md, General): ``{"count", "next", "previous", "results"}``, ``?page_size=`` (≤ 500).

``next`` and ``previous`` are links that carry an opaque ``cursor`` (keyset: a deep page costs what the first one
does); ``?page=`` works for the first 10,000 rows; ``count`` is exact up to 10,000 and above that an estimate,
with ``"count_is_estimate": true``.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from lims import paging


class PageNumberPagination(pagination.BasePagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_param = "page"
    cursor_query_param = "cursor"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            return max(1, min(int(raw), self.max_page_size))
        except ValueError:
            return self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        if not isinstance(queryset, QuerySet) or queryset.query.combinator:
            return self._paginate_sequence(queryset, request, size)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            try:
                self.page = paging.keyset_page(queryset, size=size, cursor=cursor)
            except paging.BadCursor:
                raise ValidationError({self.cursor_query_param: [_("This cursor is not valid for this list.")]}) \
                    from None
        else:
            raw = request.query_params.get(self.page_query_param) or "1"
            try:
                number = int(raw)
                if number < 1:
                    raise ValueError
            except ValueError:
                raise NotFound(_("Invalid page.")) from None
            if (number - 1) * size >= paging.WINDOW:
                raise NotFound(_("Pages beyond the first %(n)s rows are reached through the next links.")
                               % {"n": paging.WINDOW})
            self.page = paging.number_page(queryset, number=number, size=size)
        self.count = paging.bounded_count(queryset)
        return self.page.rows

    def _paginate_sequence(self, rows, request, size):
        """A list that is not a queryset (computed rows): page numbers only, exact count."""
        try:
            number = max(1, int(request.query_params.get(self.page_query_param) or 1))
        except ValueError:
            raise NotFound(_("Invalid page.")) from None
        total = rows.count() if isinstance(rows, QuerySet) else len(rows)
        part = list(rows[(number - 1) * size: number * size])
        if number > 1 and not part:
            raise NotFound(_("Invalid page."))
        self.page = paging.Page(rows=part, keys=None, size=size, number=number, has_previous=number > 1,
                                has_next=number * size < total)
        self.count = paging.Count(total, False)
        return part

    def _link(self, *, cursor=None, number=None):
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.cursor_query_param)
        url = remove_query_param(url, self.page_query_param)
        if cursor:
            return replace_query_param(url, self.cursor_query_param, cursor)
        if number and number > 1:
            return replace_query_param(url, self.page_query_param, number)
        return url

    def get_next_link(self):
        page = self.page
        if not page.has_next:
            return None
        if page.next_cursor:
            return self._link(cursor=page.next_cursor)
        return self._link(number=(page.number or 1) + 1)

    def get_previous_link(self):
        page = self.page
        if not page.has_previous:
            return None
        if page.previous_cursor:
            return self._link(cursor=page.previous_cursor)
        return self._link(number=(page.number or 2) - 1)

    def get_paginated_response(self, data):
        body = {"count": self.count.value, "next": self.get_next_link(), "previous": self.get_previous_link(),
                "results": data}
        if self.count.estimate:
            body["count_is_estimate"] = True
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_is_estimate": {"type": "boolean", "description": "present (true) when count is an estimate"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "page number (first 10,000 rows)", "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": "rows per page (at most 500)", "schema": {"type": "integer"}},
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "opaque position from a next/previous link", "schema": {"type": "string"}},
        ]


class AuditPagination(PageNumberPagination):
    """The audit trail's pages: by key over every historical table (``lims.history.audit_page``); ``?page=``
    inside the first 10,000 rows is reached by following keys from the newest row (no OFFSET over a UNION)."""

    def paginate(self, request, filters):
        from lims import history

        self.request = request
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        try:
            if cursor:
                self.page = history.audit_page(size=size, cursor=cursor, **filters)
            else:
                try:
                    number = int(request.query_params.get(self.page_query_param) or 1)
                    if number < 1:
                        raise ValueError
                except ValueError:
                    raise NotFound(_("Invalid page.")) from None
                if (number - 1) * size >= paging.WINDOW:
                    raise NotFound(_("Pages beyond the first %(n)s rows are reached through the next links.")
                                   % {"n": paging.WINDOW})
                self.page = history.audit_page(size=size, **filters)
                for _i in range(number - 1):
                    if not self.page.next_cursor:
                        raise NotFound(_("Invalid page."))
                    self.page = history.audit_page(size=size, cursor=self.page.next_cursor, **filters)
                self.page.number = number
                self.page.previous_cursor = self.page.previous_cursor if number > 1 else None
        except paging.BadCursor:
            raise ValidationError({self.cursor_query_param: [_("This cursor is not valid for this list.")]}) from None
        self.count = history.audit_count(**filters)
        return history.audit_rows(self.page.rows)
