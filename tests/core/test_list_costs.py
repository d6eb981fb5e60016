"""Costs of lists on large data (issue #14): a list over the count window is not counted again on its next pages
(the estimate stands while it is over the window too); exports read value tuples by key and give exactly what
the model-instance path gives (labels, local times, empty cells), for every row, in the list's order; the XLSX
writer's fast cell path escapes what must be escaped."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lab import services
from lab.models import Sample
from lab.views import SampleList
from lims import exports, paging
from lims.listing import _plain, _value_plan
from tests.lab.factories import local, make_assay, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(lab_user):
    cache.clear()
    return {"user": lab_user, "client": make_client(lab_user, code="C1", name="Clinic"),
            "assay": make_assay(lab_user, code="A1")}


def receive(lab, n, start=None):
    start = start or local(2026, 3, 2, 8)
    rows = [{"client": lab["client"], "assay": lab["assay"], "received_at": start + timedelta(minutes=7 * (i // 2))}
            for i in range(n)]
    return services.receive_samples(rows, user=lab["user"], reason="batch")


def count_queries(qs):
    with CaptureQueriesContext(connection) as ctx:
        count = paging.bounded_count(qs)
    return count, [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_list_over_the_window_is_not_counted_again(lab, monkeypatch):
    receive(lab, 7)
    monkeypatch.setattr(paging, "WINDOW", 3)
    qs = Sample.objects.order_by("-received_at")
    first, first_counts = count_queries(qs)
    assert first.estimate and first.value >= 4 and any("LIMIT 4" in q for q in first_counts)
    again, again_counts = count_queries(qs)
    assert again.estimate and not any("LIMIT 4" in q for q in again_counts)
    # A list under the window is counted exactly every time (a new row shows at once).
    small = Sample.objects.filter(client=lab["client"], received_at__lt=local(2026, 3, 2, 8, 5))
    assert paging.bounded_count(small) == paging.Count(2, False)
    receive(lab, 1)
    assert paging.bounded_count(small) == paging.Count(3, False)


def test_export_by_values_equals_the_instance_path(lab, client_for):
    made = receive(lab, 9)
    started = services.start_testing(made[0], user=lab["user"], reason="go")
    services.report_result(started, user=lab["user"], reason="done", result="neg")
    request = RequestFactory().get("/lab/samples/", {"export": "csv"})
    request.user = lab["user"]
    view = SampleList()
    view.setup(request)
    assert _value_plan(Sample, view.columns) is not None  # every sample column is a plain field
    by_values = list(view.export_rows())
    getters = [c.value for c in view.columns]
    by_instances = [[_plain(get(obj)) for get in getters] for obj in view.filtered()]
    assert by_values == by_instances and len(by_values) == 9
    response = client_for(lab["user"]).get(reverse("lab:sample-list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 10 and rows[1][0] == by_values[0][0]


def test_iterate_values_walks_every_row_in_order_across_chunks(lab):
    receive(lab, 11)
    qs = Sample.objects.order_by("-received_at")
    walked = list(paging.iterate_values(qs, ["id", "barcode"], chunk=3))
    assert [r[0] for r in walked] == list(Sample.objects.order_by("-received_at", "-id").values_list("id", flat=True))
    by_client = list(paging.iterate_values(Sample.objects.order_by("client__code"), ["id"], chunk=4))
    assert sorted(r[0] for r in by_client) == sorted(Sample.objects.values_list("id", flat=True))


def test_xlsx_cells_fast_path_still_escapes():
    rows = [["plain", "a < b & c", " padded ", "=HYPERLINK(1)", 3, 2.5, Decimal("1.50"), True, "bell\x07"]]
    body = b"".join(exports.xlsx_chunks("t", ["h"] * 9, iter(rows)))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [c.value for c in list(sheet.iter_rows())[1]]
    assert values == ["plain", "a < b & c", " padded ", "'=HYPERLINK(1)", 3, 2.5, "1.50", "True", "bell"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_row_built_in_python_reads_as_the_template_would_render_it(language, settings):
    """lims.listing.row_html replaces the template's loop over cells: every kind of value a cell holds must come
    out exactly as ``{{ value }}`` renders it (local time, the reader's number and date format, escaping)."""
    from datetime import UTC, date, datetime

    from django.template import engines
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from lims.listing import row_html

    settings.TIME_ZONE = "Asia/Shanghai"
    values = ["<b>A & B</b>", mark_safe('<span class="badge">ok</span>'), 1234567, Decimal("1234.50"), 0.25,
              date(2026, 3, 2), datetime(2026, 3, 1, 23, 30, tzinfo=UTC), gettext_lazy("yes"), "", 'say "x"']

    class Row:
        def get_absolute_url(self):
            return "/x/?a=1&b=2"

    cells = [(i == 0, (lambda _row, v=v: v)) for i, v in enumerate(values)]
    template = engines["django"].from_string(
        '{% for v in values %}<td>{% if forloop.first %}<a href="{{ url }}">{{ v }}</a>{% else %}{{ v }}{% endif %}'
        "</td>{% endfor %}")
    with translation.override(language):
        expected = template.render({"values": values, "url": Row().get_absolute_url()})
        built = row_html(Row(), cells)
    assert built == expected
    assert "2026-03-02 07:30" in built or "2026年3月2日" in built  # the moment in the reader's zone, not UTC
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in built and '<span class="badge">ok</span>' in built


def test_the_inline_select_writes_what_djangos_select_writes():
    """lims.forms_renderer writes a select's standard options inline instead of an include per option: the markup
    must be Django's own, byte for byte — optgroups, the selected and disabled options, attributes, escaping, a
    multiple select, and a widget with an option template of its own (still included)."""
    from django import forms
    from django.forms.renderers import DjangoTemplates

    from lims.forms_renderer import OVERRIDES, FormRenderer

    assert FormRenderer().get_template("django/forms/widgets/select.html").origin.name.startswith(str(OVERRIDES))

    class Flagged(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    choices = [("", "---------"), ("a", "A & <b>"), ("Group", [("g1", "One"), ("g2", "Two")]), (3, "Three")]
    widgets = [
        (forms.Select(choices=choices, attrs={"class": "form-select", "required": True, "data-x": 'q"'}), "g2"),
        (forms.SelectMultiple(choices=choices, attrs={"disabled": False}), ["a", 3]),
        (forms.NullBooleanSelect(), True),
        (Flagged(choices=choices), "a"),
    ]
    for widget, value in widgets:
        ours = widget.render("f", value, renderer=FormRenderer())
        django = widget.render("f", value, renderer=DjangoTemplates())
        assert ours == django
        assert "<option" in ours or "<input" in ours
