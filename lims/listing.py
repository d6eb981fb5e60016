"""One list machinery for every app (DESIGN.md, Pages): role check, filters (django-filter), search, sort,
pagination with a constant query count, and CSV / XLSX export of the filtered rows through the same columns.

An app's list view declares only its model, queryset (with select_related), filterset, columns and search fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from lims import exports, paging
from lims.forms import bootstrap
from lims.signatures import printed_name

EXPORT_CHUNK = 2000


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

    def display(self, row):
        """The cell as a page shows it (``display_value``); exports keep ``value`` (``_plain``)."""
        return display_value(self.value(row))


LOCAL_TIME = "Y-m-d H:i T"  # a moment in the reader's time zone, the zone named (2026-12-02 04:38 CST)


class LocalTimeColumn(Column):
    """A moment shown in the reader's time zone with the zone named; exports keep the stored instant (so an
    export still reads it straight from the database, ``_value_plan``)."""

    def display(self, row):
        value = self.value(row)
        return formats.date_format(timezone.localtime(value), LOCAL_TIME) if value else ""


PLAIN_COLUMNS = (Column, LocalTimeColumn)  # column classes whose export is the stored value itself


def display_value(value):
    """A value as people read it: booleans as a translated yes / no, people by their printed name (never the
    user name)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, AbstractBaseUser):
        return printed_name(value)
    return value


def cell_html(value) -> str:
    """A cell's value as ``{{ value }}`` renders it in a template (``render_value_in_context``): a moment in the
    reader's time zone, numbers and dates in the reader's format, HTML escaped unless already safe."""
    if type(value) is str:  # most cells: nothing to convert or localise (a SafeString is not exactly str)
        return escape(value)
    value = formats.localize(timezone.template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def row_html(obj, cells) -> str:
    """A list row's cells (``<td>…</td>`` each) built in one pass instead of a template loop over every cell —
    the largest cost of a list page. ``cells``: (link, getter) per column; a link column links the row's page."""
    parts = []
    for link, get in cells:
        value = cell_html(get(obj))
        if link:
            parts.append(f'<td><a href="{escape(obj.get_absolute_url())}">{value}</a></td>')
        else:
            parts.append(f"<td>{value}</td>")
    return mark_safe("".join(parts))  # every value escaped above


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
            qs = qs.filter(self.search_condition(q))
        return qs.order_by(*self.ordering())

    def search_condition(self, q: str) -> Q:
        """The rows the search box's text selects: any of ``search_fields`` contains it. A list over a large
        table overrides this with conditions an index serves (``lims.search``)."""
        cond = Q()
        for f in self.search_fields:
            cond |= Q(**{f"{f}__icontains": q})
        return cond

    def ordering(self) -> list[str]:
        """The order of the rows: the chosen column, else the default sort. A tie-breaker on the primary key in
        the same direction as the last key is added by ``lims.paging`` (one index serves every page). When the
        default sort is the start of the model's own ordering, that whole ordering is used (its index)."""
        sort = self.request.GET.get("sort", "")
        allowed = {c.sort for c in self.columns if c.sort}
        if sort.lstrip("-") in allowed:
            return [sort]
        if self.default_sort:
            meta = list(self.model._meta.ordering) if self.model is not None else []
            if meta and meta[0] == self.default_sort:
                return meta
            return [self.default_sort]
        return list(self.model._meta.ordering) if self.model is not None else []

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

    def _page(self, qs, size):
        """The page asked for: ``?cursor=`` (next/previous links), ``?at=`` (jump to a date of a list ordered
        by date), ``?page=`` inside the first ``paging.WINDOW`` rows; page 1 otherwise."""
        get = self.request.GET
        keys = paging.order_keys(qs)
        self.jump_field = None
        if keys and isinstance(keys[0].field, (models.DateField, models.DateTimeField)) and "__" not in keys[0].path:
            self.jump_field = keys[0]
        if get.get("cursor") and keys:
            try:
                return paging.keyset_page(qs, size=size, cursor=get["cursor"], keys=keys)
            except paging.BadCursor:
                self.notice = _("That page link is no longer valid; showing the first page.")
        elif get.get("at") and self.jump_field:
            try:
                day = parse_date(get["at"])
            except ValueError:
                day = None
            if day is None:
                self.notice = _("Enter a valid date to jump to.")
            else:
                page = paging.keyset_page(qs.filter(_jump_filter(self.jump_field, day)), size=size, keys=keys)
                page.number, page.has_previous = None, bool(page.rows)
                if page.rows:
                    page.previous_cursor = paging.encode_cursor(keys, paging.row_values(page.rows[0], keys), True)
                return page
        else:
            try:
                number = max(1, int(get.get("page", 1)))
            except ValueError:
                number = 1
            if (number - 1) * size < paging.WINDOW:
                return paging.number_page(qs, number=number, size=size)
            self.notice = _("Pages beyond the first %(n)s rows are reached with Next or by jumping to a date.") % {
                "n": f"{paging.WINDOW:,}"}
        return paging.number_page(qs, number=1, size=size)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        self.notice = None
        qs = self.filtered()
        size = self.page_size()
        page = self._page(qs, size)
        count = paging.bounded_count(qs)
        cells = [(c.link, _display_getter(self.model, c)) for c in self.columns]
        rows = [{"object": obj, "html": row_html(obj, cells)} for obj in page.rows]
        query = self.request.GET.copy()
        for k in ("page", "cursor", "at"):
            query.pop(k, None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        ctx.update({
            "title": self.title or self.model._meta.verbose_name_plural.capitalize(),
            "columns": self.columns, "rows": rows, "page": page, "count": count,
            "count_text": count_text(count, page), "notice": self.notice,
            "jump_field": self.jump_field, "jump_value": self.request.GET.get("at", ""),
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
    def export_header(self):
        return [capfirst(str(c.label)) for c in self.columns]

    def export_rows(self):
        """Every row of the filtered list (no limit), read by key in chunks: constant rate, flat memory. When every
        column is a plain field (through foreign keys), the rows are read as value tuples and formatted by
        per-column functions prepared once (no model instance per row); otherwise as model instances."""
        qs = self.filtered()
        plan = _value_plan(self.model, self.columns) if self.model is not None else None
        if plan is not None:
            paths, formats = plan
            for values in paging.iterate_values(qs, paths, chunk=EXPORT_CHUNK):
                yield [fmt(v) for fmt, v in zip(formats, values, strict=True)]
            return
        getters = [_fast_getter(self.model, c) for c in self.columns]
        for obj in paging.iterate(qs, chunk=EXPORT_CHUNK):
            yield [_plain(get(obj)) for get in getters]

    def export(self, fmt):
        """Streamed in this request, or — over ``LIMS_EXPORT_INLINE_MAX`` rows — as a background task."""
        later = exports.background(self.request, fmt, paging.bounded_count(self.filtered()).value)
        if later is not None:
            return later
        if fmt == "csv":
            return exports.csv_response(self.export_name, self.export_header(), self.export_rows())
        return exports.xlsx_response(self.export_name, str(self.title or self.export_name), self.export_header(),
                                     self.export_rows())


def _value_plan(model, columns):
    """(ORM paths, formatters) reading each column straight from ``values_list``, or None when a column is not a
    plain concrete field reached through foreign keys (a property, a method, a related record shown by its
    name, a custom Column class)."""
    paths, formats = [], []
    for column in columns:
        if type(column) not in PLAIN_COLUMNS:
            return None
        parts = column.accessor.split(".")
        target = model
        try:
            for part in parts[:-1]:
                f = target._meta.get_field(part)
                if not f.concrete or not (f.many_to_one or f.one_to_one):
                    return None
                target = f.related_model
            f = target._meta.get_field(parts[-1])
        except FieldDoesNotExist:
            return None
        if not f.concrete or f.is_relation:
            return None
        paths.append("__".join(parts))
        formats.append(_formatter(f))
    return paths, formats


def _formatter(field):
    """The export's ``_plain`` of one column's stored values, specialised once per column."""
    if field.choices:
        labels = {k: str(v) for k, v in field.flatchoices}
        return lambda v: "" if v is None else labels.get(v, v)
    if isinstance(field, models.BooleanField):
        yes, no = str(_("yes")), str(_("no"))
        return lambda v: "" if v is None else (yes if v else no)
    if isinstance(field, models.DateTimeField):
        tz = timezone.get_current_timezone()
        return lambda v: "" if v is None else v.astimezone(tz).isoformat()
    if isinstance(field, (models.DateField, models.TimeField)):
        return lambda v: "" if v is None else v.isoformat()
    if isinstance(field, (models.IntegerField, models.FloatField, models.AutoField)):
        return lambda v: "" if v is None else v
    if isinstance(field, models.CharField | models.TextField):
        return lambda v: "" if v is None else v
    return _plain


def _display_getter(model, column):
    """``column.display`` for the page's cells; a plain Column on a choice field looks its labels up once per
    request (in the request's language) instead of through ``get_FOO_display`` for every cell."""
    if type(column) is not Column or model is None:
        return column.display
    get = _fast_getter(model, column)
    if get == column.value:  # not a choice field: the general route
        return column.display
    return lambda row: display_value(get(row))


def _fast_getter(model, column):
    """``column.value`` for an export: a choice field's labels are looked up once (``get_FOO_display`` hashes
    its lazy choices on every call, the largest cost of a million-row export); anything else as ``value``."""
    parts = column.accessor.split(".")
    target = model
    for part in parts[:-1]:
        try:
            target = target._meta.get_field(part).related_model
        except Exception:  # a property or method on the path: take the general route
            return column.value
        if target is None:
            return column.value
    try:
        field = target._meta.get_field(parts[-1])
    except Exception:
        return column.value
    if not field.choices:
        return column.value
    labels = {k: str(v) for k, v in field.flatchoices}
    head = parts[:-1]
    name = field.attname

    def get(row):
        for part in head:
            row = getattr(row, part, None)
            if row is None:
                return ""
        value = getattr(row, name)
        return labels.get(value, value) if value is not None else ""

    return get


def _jump_filter(key, day):
    """Rows from ``day`` on in the list's direction: on or before it for a newest-first list."""
    if isinstance(key.field, models.DateTimeField):
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return Q(**{f"{key.path}__lt": end}) if key.desc else Q(**{f"{key.path}__gte": start})
    return Q(**{f"{key.path}__lte": day}) if key.desc else Q(**{f"{key.path}__gte": day})


def about(n: int) -> str:
    """A rounded figure for an estimated count: "1.2 million", "120 万"."""
    if (translation.get_language() or "").lower().startswith("zh"):
        if n >= 100_000_000:
            return _("%(n)s hundred million") % {"n": f"{n / 100_000_000:.1f}".rstrip("0").rstrip(".")}
        return _("%(n)s ten-thousand") % {"n": f"{n / 10_000:.1f}".rstrip("0").rstrip(".")}
    if n >= 1_000_000:
        return _("%(n)s million") % {"n": f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".")}
    return f"{round(n, -3):,}"


def count_text(count, page) -> str:
    """"1–50 of 1,234", "1–50 of about 1.2 million", "50 rows of about 1.2 million" (position unknown)."""
    total = about(count.value) if count.estimate else f"{count.value:,}"
    if page.start_index:
        fmt = _("%(start)s–%(end)s of about %(total)s") if count.estimate else _("%(start)s–%(end)s of %(total)s")
        return fmt % {"start": f"{page.start_index:,}", "end": f"{page.end_index:,}", "total": total}
    fmt = _("%(n)s rows of about %(total)s") if count.estimate else _("%(n)s rows of %(total)s")
    return fmt % {"n": f"{len(page.rows):,}", "total": total}


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, AbstractBaseUser):
        return printed_name(value)
    if hasattr(value, "isoformat"):
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, (int, float)):
        return value
    return str(value)

