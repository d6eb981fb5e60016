"""A lab sample's times are shown in the reader's time zone with the zone named (DESIGN.md: times on screens are
local with the zone named), on the sample, in the sample list and on the client's page; exports keep the instant."""

import pytest
from django.utils import timezone

from lab import services
from tests.lab.factories import local, make_client, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(lab_user):
    received = make_sample(lab_user, client=make_client(lab_user), received_at=local(2026, 3, 2, 9, 5))
    return services.report_result(received, user=lab_user, result="No growth after 48 h",
                                  reported_at=local(2026, 3, 3, 14, 30))


def test_times_name_their_zone_on_every_lab_page(sample, client_for, lab_user):
    client = client_for(lab_user)
    detail = client.get(sample.get_absolute_url()).content.decode()
    assert "2026-03-02 09:05:00 CST" in detail and "2026-03-03 14:30:00 CST" in detail
    listing = client.get("/lab/samples/").content.decode()
    assert "2026-03-02 09:05 CST" in listing and "2026-03-03 14:30 CST" in listing
    assert "2026-03-02 09:05 CST" in client.get(sample.client.get_absolute_url()).content.decode()
    chinese = client.get(sample.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-03-02 09:05:00 CST" in chinese


def test_times_follow_the_readers_time_zone(sample, client_for, lab_user, settings):
    settings.TIME_ZONE = "Europe/Istanbul"  # UTC+3: 09:05 in Shanghai (UTC+8) is 04:05 there
    timezone.deactivate()
    client = client_for(lab_user)
    assert "2026-03-02 04:05:00 +03" in client.get(sample.get_absolute_url()).content.decode()
    assert "2026-03-02 04:05 +03" in client.get("/lab/samples/").content.decode()


def test_the_export_keeps_the_instant(sample, client_for, lab_user):
    response = client_for(lab_user).get("/lab/samples/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "CST" not in body
    assert "2026-03-02" in body
