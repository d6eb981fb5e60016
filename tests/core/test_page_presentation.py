"""How pages read (issue 19): every page has a browser title, lists show translated yes / no and people's names,
capitalised headers, label templates and refusal reasons by their labels, and no developer reference.

The walk covers every page without parameters and the page of one record of every tracked model (made through
each app's factories), in English and Simplified Chinese; new pages and models are covered automatically."""

import re

import pytest
from django.urls import NoReverseMatch

from lims.listing import Column, display_value
from tests.core.test_every_model_audited import FACTORIES, MODELS
from tests.core.test_pages_by_role import PAGES

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
RAW = [
    (re.compile(r"<td>\s*(True|False)\s*</td>"), "raw boolean in a table cell"),
    (re.compile(r"DOMAIN\.md"), "developer reference"),
    (re.compile(r"<code>(qc_failed|qc_incomplete|four_eyes|open_deviation|unassessed_excursion)</code>"),
     "raw refusal code"),
    (re.compile(r"<td>(unit|case)</td>"), "raw label template code"),
]


def record_pages(user):
    urls = set()
    for model in MODELS:
        if model not in FACTORIES or not hasattr(model, "get_absolute_url"):
            continue
        obj = FACTORIES[model](user, "made for the page walk")
        try:
            urls.add(obj.get_absolute_url())
        except NoReverseMatch:
            continue
    return sorted(urls)


@pytest.mark.django_db
def test_every_page_has_a_title_and_no_raw_values(user_factory, client_for):
    admin = user_factory("walker", "Admin", superuser=True)
    urls = PAGES + record_pages(admin)
    client = client_for(admin)
    failures, seen = [], 0
    for language in ("en", "zh-hans"):
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen += 1
            html = response.content.decode()
            title = TITLE.search(html)
            if title is None or title.group(1).strip().startswith("·"):
                failures.append((language, url, "empty title"))
            body = html.split("<main", 1)[-1]
            failures += [(language, url, why) for pattern, why in RAW if pattern.search(body)]
    assert seen > 100
    assert failures == []


def test_cells_show_yes_no_and_printed_names(user_factory, db):
    person = user_factory("jdoe", "QC", first_name="Jane", last_name="Doe")
    assert str(display_value(True)) == "yes"
    assert str(display_value(False)) == "no"
    assert display_value(person) == "Jane Doe"
    assert Column("recorded_by", "recorded by").display(type("Row", (), {"recorded_by": person})()) == "Jane Doe"


def test_a_list_capitalises_headers_and_translates_booleans(user_factory, client_for):
    from tests.monitoring import factories

    admin = user_factory("walker", "Admin", superuser=True, first_name="Wendy", last_name="Walker")
    factories.make_point(admin, "made for the list", measures_pressure=False)
    client = client_for(admin)
    html = client.get("/production/monitoring/points/").content.decode()
    assert ">Clean room<" in html and ">clean room<" not in html
    assert "<td>yes</td>" in html and "<td>no</td>" in html
    zh = client.get("/production/monitoring/points/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<td>是</td>" in zh and "<td>否</td>" in zh
    response = client.get("/production/monitoring/points/?export=csv")
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Code,Clean room")


def test_a_result_keeps_the_resolution_of_its_specification():
    from decimal import Decimal

    from qc.models import Specification

    spec = Specification(kind="numeric", lower=Decimal("3.9000"), upper=Decimal("4.1000"), unit="mm")
    assert spec.format_number(Decimal("4.0000")) == "4.0"
    assert spec.limits_display == "3.9 – 4.1 mm"
    assert spec.format_number(Decimal("4.0500")) == "4.05"
    assert Specification(kind="numeric", upper=Decimal("40"), unit="s").format_number(Decimal("12.0000")) == "12"
