"""The sample list's search and date filters on terms an index serves (issue #14, lims.search): a sample number
(its beginning on every database, any part of it on PostgreSQL), a client's code or name; received dates as
ranges of local time. Query counts stay constant with more rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.helpers import assert_constant_queries
from tests.lab.factories import make_assay, make_client, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(lab_user):
    hospital = make_client(lab_user, code="CQMU1", name="First Affiliated Hospital")
    clinic = make_client(lab_user, code="DZ-07", name="Dazu Clinic")
    assay = make_assay(lab_user, code="CRP")
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=10)
    rows = {
        "a": make_sample(lab_user, client=hospital, assay=assay, barcode="S2603020001", received_at=day),
        "b": make_sample(lab_user, client=hospital, assay=assay, barcode="S2603020002",
                         received_at=day + timedelta(days=1)),
        "c": make_sample(lab_user, client=clinic, assay=assay, barcode="T2603030001",
                         received_at=day + timedelta(days=2)),
    }
    return {"user": lab_user, "day": day, **rows}


def shown(client, **params):
    response = client.get(reverse("lab:sample-list"), params)
    assert response.status_code == 200
    return sorted(row["object"].barcode for row in response.context["rows"])


def test_search_by_sample_number_whole_or_its_beginning_in_any_case(client_for, samples):
    client = client_for(samples["user"])
    assert shown(client, q="S2603020002") == ["S2603020002"]
    assert shown(client, q="S26030200") == ["S2603020001", "S2603020002"]
    assert shown(client, q="t2603") == ["T2603030001"]
    assert shown(client, q="X999") == []


def test_search_by_client_code_or_name(client_for, samples):
    client = client_for(samples["user"])
    assert shown(client, q="affiliated") == ["S2603020001", "S2603020002"]
    assert shown(client, q="DZ-07") == ["T2603030001"]
    assert shown(client, q="Clinic", status="received") == ["T2603030001"]


def test_search_by_part_of_a_number_on_postgresql(client_for, samples):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite matches a number's beginning only (no trigram index)")
    assert shown(client_for(samples["user"]), q="3030001") == ["T2603030001"]


def test_received_date_filters_are_local_days(client_for, samples):
    client = client_for(samples["user"])
    first = timezone.localtime(samples["day"]).date()
    assert shown(client, received_after=first + timedelta(days=1)) == ["S2603020002", "T2603030001"]
    assert shown(client, received_before=first + timedelta(days=1)) == ["S2603020001", "S2603020002"]
    assert shown(client, received_after=first + timedelta(days=1), received_before=first + timedelta(days=1)) == [
        "S2603020002"]
    bad = client.get(reverse("lab:sample-list"), {"received_after": "not a date"})
    assert bad.status_code == 200 and not bad.context["rows"]


def test_search_and_filter_pages_keep_a_constant_query_count(client_for, samples):
    client = client_for(samples["user"])
    hospital = samples["a"].client
    rounds = iter(range(100))

    def add_rows():
        n = next(rounds)
        for i in range(3):
            make_sample(samples["user"], client=hospital, assay=samples["a"].assay, barcode=f"S26030{n:02d}{i:03d}9",
                        received_at=samples["day"] + timedelta(hours=i + 1))

    day = timezone.localtime(samples["day"]).date().isoformat()
    for query in ("q=S2603", "q=affiliated", f"received_after={day}&received_before={day}"):
        assert_constant_queries(client, f"{reverse('lab:sample-list')}?{query}", add_rows)
