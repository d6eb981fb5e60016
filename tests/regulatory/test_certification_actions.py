"""The certification life cycle from its page, and the daily expiry command."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from regulatory.models import Certification
from tests.helpers import Snapshot, assert_history
from tests.regulatory.factories import make_certification

pytestmark = pytest.mark.django_db


def test_suspend_needs_a_reason_and_then_works(client_for, regulatory_user, qa_user):
    cert = make_certification(regulatory_user)
    client = client_for(regulatory_user)
    page = client.get(cert.get_absolute_url()).content.decode()
    assert "Suspend" in page and "Withdraw" in page and "Activate" not in page
    url = reverse("regulatory:certification-action", args=[cert.pk, "suspend"])
    assert client_for(qa_user).post(url, {"reason": "x"}).status_code == 403
    snap = Snapshot(cert)
    client.post(url, {"reason": ""})
    snap.assert_unchanged()
    client.post(url, {"reason": "notified body audit finding"})
    cert.refresh_from_db()
    assert cert.status == "suspended"
    assert_history(cert, user=regulatory_user, reason="notified body audit finding")
    assert client.post(reverse("regulatory:certification-action", args=[cert.pk, "bogus"])).status_code == 404


def test_expiry_command(regulatory_user, admin_user):
    today = timezone.localdate()
    old = make_certification(regulatory_user, valid_from=date(2020, 1, 1), valid_until=today - timedelta(days=1))
    current = make_certification(regulatory_user, valid_from=date(2020, 1, 1), valid_until=today)
    call_command("expire_certifications")
    assert Certification.objects.get(pk=old.pk).status == "expired"
    assert Certification.objects.get(pk=current.pk).status == "active"
    assert_history(Certification.objects.get(pk=old.pk), user=admin_user,
                   reason=f"validity ended on {old.valid_until}")
