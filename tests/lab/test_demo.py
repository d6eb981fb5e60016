"""The lab's demo: a second lab person (lab2) besides lab, and a few results reviewed by lab2 — never by the person
who entered them — so the second-person review can be shown and walked (issue 19)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from lab import demo
from lab.models import Client, Sample
from lims import demo as core_demo
from lims.management.commands.seed_demo import DemoContext
from lims.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_days(monkeypatch):
    """Only the last two days of demo samples (the full window takes long)."""
    whole_day = demo._day
    monkeypatch.setattr(demo, "_day", lambda day, now, *args: whole_day(day, now, *args)
                        if (timezone.localdate() - day).days < 2 else [])


def seed():
    ctx = DemoContext(io.StringIO(), False, 20261122)
    core_demo.seed(ctx)
    demo.seed(ctx)
    return ctx


def test_the_demo_has_two_lab_people_and_reviewed_results(two_days):
    ctx = seed()
    User = get_user_model()
    lab2 = User.objects.get(username="lab2")
    assert ctx.users["lab2"] == lab2
    assert lab2.groups.filter(name="Lab").exists() and lab2.check_password(core_demo.DEMO_PASSWORD)
    assert set(core_demo.DEMO_USERS) <= set(User.objects.values_list("username", flat=True))  # every login kept
    reviewed = Sample.objects.filter(reviewed_by__isnull=False)
    assert reviewed.count() == demo.REVIEWED
    assert set(reviewed.values_list("reviewed_by__username", flat=True)) == {"lab2"}
    assert not reviewed.filter(reported_by=lab2).exists()
    assert set(reviewed.values_list("status", flat=True)) == {Sample.Status.REPORTED}
    assert Sample.objects.filter(status=Sample.Status.REPORTED, reviewed_by__isnull=True).exists()  # some still open
    sample = reviewed.first()
    assert Signature.objects.for_object(sample).filter(signer=lab2, meaning="reviewed").exists()
    assert sample.history.first().history_user == lab2


def test_a_second_seed_reviews_nothing_more(two_days):
    seed()
    before = set(Sample.objects.filter(reviewed_by__isnull=False).values_list("pk", "version"))
    seed()
    assert set(Sample.objects.filter(reviewed_by__isnull=False).values_list("pk", "version")) == before


def test_the_demo_clients_have_chinese_names_also_when_seeded_before(two_days):
    from lims.services import update_record

    seed()
    names = dict(Client.objects.values_list("code", "name_zh"))
    assert names["CQ-GEN"] == "重庆市人民医院" and all(names.values()), names
    hospital = Client.objects.get(code="CQ-GEN")
    update_record(hospital, {"name_zh": ""}, user=hospital.history.first().history_user, reason="as before issue 19")
    seed()
    assert Client.objects.get(code="CQ-GEN").name_zh == "重庆市人民医院"
