"""One list machinery for every app (DESIGN.md, Pages): role check, filters (django-filter), search, sort,
pagination with a constant query count, and CSV / XLSX export of the filtered rows through the same columns.

An app's list view declares only its model, queryset (with select_related), filterset, columns and search fields.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from lims.forms import bootstrap

EXPORT_LIMIT = 100_000


@dataclass
class Column:
    """A table column: ``accessor`` is a dotted path on the row (``product.code``), ``sort`` an ORM path."""

    accessor: str
    label: str
    sort: str | None = None
    link: bool = False  # link the cell to the row's get_absolute_url()

    def value(self, row):
        value = row
        for part in self.accessor.split("."):
            if value is None:
                return ""
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part, "")
            if callable(value):
                value = value()
        return "" if value is None else value


class _Echo:
    def write(self, value):
        return value


class RolePageMixin(LoginRequiredMixin):
    """Anonymous → sign-in page; signed in without the permission → 403 page."""

    permission_required: str | tuple[str, ...] | None = None

    def get_permission_required(self):
        if self.permission_required is None:
            raise PermissionDenied("page declares no permission")
        return (self.permission_required,) if isinstance(self.permission_required, str) else self.permission_required

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not all(request.user.has_perm(p) for p in self.get_permission_required()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ListPage(RolePageMixin, TemplateView):
    model = None
    queryset = None
    filterset_class = None
    columns: list[Column] = []
    search_fields: tuple[str, ...] = ()
    default_sort: str | None = None
    paginate_by = 50
    max_page_size = 500
    title = ""
    template_name = "lims/list.html"
    create_url_name: str | None = None
    create_permission: str | None = None
    export_name = "export"

    def get_permission_required(self):
        if self.permission_required is None and self.model is not None:
            opts = self.model._meta
            return (f"{opts.app_label}.view_{opts.model_name}",)
        return super().get_permission_required()

    def get_queryset(self):
        qs = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return qs.all().restrict(self.request.user, "view")

    def filtered(self):
        qs = self.get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            self.filterset.form.compact = True
            bootstrap(self.filterset.form)
            if self.filterset.is_bound and self.filterset.is_valid():
                qs = self.filterset.qs
            elif self.filterset.is_bound:
                qs = qs.none()
        q = self.request.GET.get("q", "").strip()
        if q and self.search_fields:
            cond = Q()
            for f in self.search_fields:
                cond |= Q(**{f"{f}__icontains": q})
            qs = qs.filter(cond)
        sort = self.request.GET.get("sort", "")
        allowed = {c.sort for c in self.columns if c.sort}
        if sort.lstrip("-") in allowed:
            qs = qs.order_by(sort, "pk")
        elif self.default_sort:
            qs = qs.order_by(self.default_sort, "pk")
        return qs

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def page_size(self):
        try:
            return max(1, min(int(self.request.GET.get("page_size", self.paginate_by)), self.max_page_size))
        except ValueError:
            return self.paginate_by

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        paginator = Paginator(self.filtered(), self.page_size())
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        rows = [{"object": obj, "cells": [(c, c.value(obj)) for c in self.columns]} for obj in page.object_list]
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        ctx.update({
            "title": self.title or self.model._meta.verbose_name_plural.capitalize(),
            "columns": self.columns, "rows": rows, "page_obj": page, "paginator": paginator,
            "filterset": self.filterset, "search_enabled": bool(self.search_fields),
            "q": self.request.GET.get("q", ""), "querystring": query.urlencode(),
            "sort_querystring": sort_query.urlencode(), "current_sort": self.request.GET.get("sort", ""),
            "create_url": self._create_url(),
        })
        return ctx

    def _create_url(self):
        if not self.create_url_name:
            return None
        perm = self.create_permission or (
            f"{self.model._meta.app_label}.add_{self.model._meta.model_name}" if self.model else None)
        if perm and not self.request.user.has_perm(perm):
            return None
        return reverse(self.create_url_name)

    # --- export -----------------------------------------------------------------------------------------
    def export_rows(self):
        yield [str(c.label) for c in self.columns]
        for obj in self.filtered()[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [_plain(c.value(obj)) for c in self.columns]

    def export(self, fmt):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{self.export_name}-{stamp}"
        if fmt == "csv":
            writer = csv.writer(_Echo())
            body = ("\ufeff" if i == 0 else "" for i in range(1))
            stream = (writer.writerow(r) for r in self.export_rows())
            response = StreamingHttpResponse(_chain(body, stream), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(self.title or self.export_name)[:31] or "export")
        for row in self.export_rows():
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response


def _chain(*iterables):
    for it in iterables:
        yield from it


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "isoformat"):
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, (int, float)):
        return value
    return str(value)

