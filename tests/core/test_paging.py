"""Lists at constant cost (issue #14): keyset pages in the API and on pages, bounded and estimated counts, the audit
trail by key, jump to date, and query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.urls import reverse

from lab import services
from lab.models import Sample
from lims import history, paging
from lims.services import update_record
from tests.helpers import assert_constant_queries
from tests.lab.factories import local, make_assay, make_client

pytestmark = pytest.mark.django_db
SAMPLES = "/api/v1/lab/samples/"


@pytest.fixture
def lab(lab_user):
    return {"user": lab_user, "client": make_client(lab_user, code="C1"), "assay": make_assay(lab_user, code="A1")}


def receive(lab, n, *, start=None, same_time_every=3):
    """``n`` samples; every ``same_time_every`` share one received_at (ties the tie-breaker must order)."""
    start = start or local(2026, 3, 2, 8)
    rows = [{"client": lab["client"], "assay": lab["assay"],
             "received_at": start + timedelta(minutes=10 * (i // same_time_every))} for i in range(n)]
    return services.receive_samples(rows, user=lab["user"], reason="batch")


def walk(api, url, key="next"):
    ids, pages = [], 0
    while url:
        body = api.get(url).json()
        ids.extend(r["id"] for r in body["results"])
        url = body[key]
        pages += 1
        assert pages < 100
    return ids, body


def test_api_next_links_walk_every_row_once_in_order_and_previous_walks_back(api_for, lab):
    receive(lab, 11)
    api = api_for(lab["user"])
    expected = list(Sample.objects.order_by("-received_at", "-id").values_list("id", flat=True))
    ids, last = walk(api, f"{SAMPLES}?page_size=3")
    assert ids == expected
    first = api.get(f"{SAMPLES}?page_size=3").json()
    assert "cursor=" in first["next"] and first["previous"] is None and first["count"] == 11
    assert "count_is_estimate" not in first
    # From the last page back to the first by previous links.
    url = f"{SAMPLES}?page_size=3"
    body = api.get(url).json()
    while body["next"]:
        body = api.get(body["next"]).json()
    back = [r["id"] for r in body["results"]]
    while body["previous"]:
        body = api.get(body["previous"]).json()
        back = [r["id"] for r in body["results"]] + back
    assert back == expected


def test_api_cursor_over_a_nullable_sort_key_and_ascending(api_for, lab):
    samples = receive(lab, 7)
    for s in samples[::2]:
        s = services.start_testing(s, user=lab["user"], started_at=s.received_at + timedelta(minutes=5))
        services.report_result(s, result="neg", reported_at=s.received_at + timedelta(hours=1), user=lab["user"])
    api = api_for(lab["user"])
    for ordering in ("reported_at", "-reported_at"):
        ids, _body = walk(api, f"{SAMPLES}?page_size=2&ordering={ordering}")
        assert sorted(ids) == sorted(s.pk for s in samples) and len(set(ids)) == 7
        reported = [Sample.objects.get(pk=i).reported_at for i in ids]
        present = [r for r in reported if r is not None]
        assert present == sorted(present, reverse=ordering.startswith("-"))
        # NULLs last ascending, first descending (mirror images).
        nulls = [r is None for r in reported]
        assert nulls == sorted(nulls, reverse=ordering.startswith("-"))


def test_api_count_above_the_window_is_an_estimate_and_page_beyond_it_is_404(api_for, lab, monkeypatch):
    receive(lab, 6)
    monkeypatch.setattr(paging, "WINDOW", 4)
    api = api_for(lab["user"])
    body = api.get(f"{SAMPLES}?page_size=2").json()
    assert body["count_is_estimate"] is True and body["count"] >= 5
    assert api.get(f"{SAMPLES}?page_size=2&page=2").status_code == 200
    response = api.get(f"{SAMPLES}?page_size=2&page=3")
    assert response.status_code == 404
    ids, _ = walk(api, f"{SAMPLES}?page_size=2")
    assert len(ids) == 6  # next links go on past the window


def test_api_bad_cursor_is_400(api_for, lab):
    receive(lab, 2)
    response = api_for(lab["user"]).get(f"{SAMPLES}?cursor=not-a-cursor")
    assert response.status_code == 400 and "cursor" in response.json()["fields"]
    token = paging.encode_cursor(paging.order_keys(Sample.objects.order_by("barcode")), ["x", 1], False)
    assert api_for(lab["user"]).get(f"{SAMPLES}?cursor={token}").status_code == 400  # another order's cursor


def test_list_page_cursor_links_count_text_and_jump_to_date(client_for, lab):
    receive(lab, 9, start=local(2026, 3, 1, 8), same_time_every=1)
    receive(lab, 3, start=local(2026, 3, 5, 8), same_time_every=1)
    client = client_for(lab["user"])
    url = reverse("lab:sample-list")
    response = client.get(url, {"page_size": 5})
    page = response.context["page"]
    assert response.context["count_text"] == "1–5 of 12" and page.next_cursor
    seen = [s.pk for s in page.rows]
    while page.has_next:
        response = client.get(url, {"page_size": 5, "cursor": page.next_cursor})
        page = response.context["page"]
        seen += [s.pk for s in page.rows]
    assert seen == list(Sample.objects.order_by("-received_at", "-id").values_list("id", flat=True))
    html = client.get(url, {"page_size": 5, "cursor": response.context["page"].previous_cursor}).content.decode()
    assert 'rel="next"' in html and "First" in html
    jumped = client.get(url, {"at": "2026-03-04", "page_size": 5}).context["page"]
    assert jumped.rows and all(s.received_at < local(2026, 3, 5) for s in jumped.rows)
    assert jumped.rows[0].received_at == local(2026, 3, 1, 8) + timedelta(minutes=80)
    assert jumped.has_previous and jumped.previous_cursor
    back = client.get(url, {"page_size": 5, "cursor": jumped.previous_cursor}).context["page"]
    assert [s.received_at.date() for s in back.rows] == [local(2026, 3, 5).date()] * 3
    assert client.get(url, {"cursor": "garbage"}).context["notice"]
    assert client.get(url, {"page": 10_000}).context["notice"]


def test_list_page_shows_about_for_an_estimated_count(client_for, lab, monkeypatch):
    receive(lab, 4)
    monkeypatch.setattr(paging, "WINDOW", 2)
    text = client_for(lab["user"]).get(reverse("lab:sample-list")).context["count_text"]
    assert text.startswith("1–4 of about")


def test_lists_and_api_deep_pages_keep_a_constant_query_count(client_for, api_for, lab):
    receive(lab, 6)
    more = lambda: receive(lab, 30, start=local(2026, 2, 1, 8))  # noqa: E731
    client, api = client_for(lab["user"]), api_for(lab["user"])
    page = client.get(reverse("lab:sample-list"), {"page_size": 2}).context["page"]
    deep = f"{reverse('lab:sample-list')}?page_size=2&cursor={page.next_cursor}"
    first_page = assert_constant_queries(client, f"{reverse('lab:sample-list')}?page_size=2", more)
    deep_page = assert_constant_queries(client, deep, more)
    assert deep_page == first_page
    api_deep = api.get(f"{SAMPLES}?page_size=2").json()["next"]
    assert_constant_queries(api, api_deep, more)


# --- the audit trail ---------------------------------------------------------------------------------------
def test_audit_trail_pages_by_key_across_tables_without_a_count(client_for, api_for, auditor_user, lab):
    for s in receive(lab, 4):
        update_record(s, {"result_unit": "mg/L"}, user=lab["user"], reason="unit")
    expected = [(r[7], r[0]) for r in history.audit_iter()]
    assert len(expected) == len(set(expected)) >= 10
    dates = [r[1] for r in history.audit_iter()]
    assert dates == sorted(dates, reverse=True)
    # API: next links walk every row once, in the export's order.
    api = api_for(auditor_user)
    url, got = "/api/v1/audit-log/?page_size=3", []
    while url:
        body = api.get(url).json()
        got += [(r["model"], r["history_id"]) for r in body["results"]]
        url = body["next"]
    assert got == expected
    assert api.get("/api/v1/audit-log/?page_size=3&page=2").json()["results"][0]["history_id"] == expected[3][1]
    # The page: cursors forward and back, no count.
    client = client_for(auditor_user)
    response = client.get(reverse("audit-log"))
    assert "entries" not in response.content.decode()
    first = response.context["page"]
    second = client.get(reverse("audit-log"), {"cursor": history.audit_page(size=50).next_cursor or ""})
    assert second.status_code == 200
    small = history.audit_page(size=4)
    nxt = history.audit_page(size=4, cursor=small.next_cursor)
    prev = history.audit_page(size=4, cursor=nxt.previous_cursor)
    assert [r[:1] + r[5:] for r in prev.rows] == [r[:1] + r[5:] for r in small.rows]
    assert first.rows
    assert client.get(reverse("audit-log"), {"cursor": "x"}).context["notice"]


def test_audit_page_query_count_is_constant(client_for, auditor_user, lab):
    receive(lab, 3)
    client = client_for(auditor_user)
    cursor = history.audit_page(size=2).next_cursor
    assert_constant_queries(client, f"{reverse('audit-log')}?cursor={cursor}", lambda: receive(lab, 20))
