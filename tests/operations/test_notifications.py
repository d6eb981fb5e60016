"""Issue #15, notifications: who is told about what, preferences and mute, links to the record, no duplicates,
and the action never waits for delivery."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from lims.notifications.delivery import deliver
from lims.notifications.models import Event, Mute, Notification, Preference
from qc import services as qc
from qc.models import Deviation
from tests.qc.factories import make_batch, make_capa, make_deviation, make_spec
from tests.regulatory.factories import make_certification


@pytest.fixture
def with_emails(qa_user, production_user, regulatory_user, qc_user):
    for user in (qa_user, production_user, regulatory_user, qc_user):
        user.email = f"{user.username}@example.invalid"
        user.save()


def record_oos(qc_user):
    batch = make_batch(qc_user)
    spec = make_spec(qc_user, product=batch.product)
    qc.record_inspection(batch=batch, stage="release", sample_size=20,
                         results=[{"specification": spec, "value": Decimal("9")}], user=qc_user, reason="")
    return Deviation.objects.get(kind="oos", batch=batch)


def inbox(user):
    return list(Notification.objects.filter(recipient=user).select_related("event"))


def test_an_oos_reaches_qa_in_the_inbox_and_by_mail(with_emails, qc_user, qa_user, client_for,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deviation = record_oos(qc_user)
    [note] = inbox(qa_user)
    assert note.event.kind == "qc.oos" and note.event.url == deviation.get_absolute_url()
    assert inbox(qc_user) == []  # QC recorded it; QA is told
    assert [m.to for m in mail.outbox] == [["qa@example.invalid"]]
    assert "OOS" in mail.outbox[0].subject and deviation.get_absolute_url() in mail.outbox[0].body

    client = client_for(qa_user)
    home = client.get("/")
    assert b'Inbox <span class="badge text-bg-danger">1</span>' in home.content
    page = client.get("/inbox/")
    assert page.status_code == 200 and b"OOS" in page.content
    opened = client.get(f"/inbox/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == deviation.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get("/inbox/unread/").json() == {"unread": 0}
    assert client_for(qc_user).get(f"/inbox/{note.pk}/").status_code == 404  # not theirs


def test_delivery_is_idempotent(with_emails, qc_user, qa_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_oos(qc_user)
    event = Event.objects.get(kind="qc.oos")
    deliver(event.pk)
    deliver(event.pk)
    assert Notification.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_preferences_choose_kinds_and_mail_and_mute_silences(with_emails, qc_user, qa_user, client_for,
                                                            django_capture_on_commit_callbacks):
    client = client_for(qa_user)
    page = client.get("/inbox/preferences/")
    assert page.status_code == 200 and b"enabled-qc.oos" in page.content
    assert b"regulatory.certification_ending" not in page.content  # not a QA kind
    # In the inbox but no mail for OOS.
    client.post("/inbox/preferences/", {"enabled-qc.oos": "on", "enabled-qc.deviation_past_due": "on"})
    assert Preference.objects.get(user=qa_user, kind="qc.oos").email is False
    with django_capture_on_commit_callbacks(execute=True):
        record_oos(qc_user)
    assert len(inbox(qa_user)) == 1 and mail.outbox == []
    # OOS switched off entirely.
    client.post("/inbox/preferences/", {"enabled-qc.deviation_past_due": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        record_oos(qc_user)
    assert len(inbox(qa_user)) == 1
    # Muted: nothing at all, whatever the kind.
    client.post("/inbox/preferences/", {"enabled-qc.oos": "on", "email-qc.oos": "on", "muted": "on"})
    assert Mute.objects.filter(user=qa_user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        record_oos(qc_user)
    assert len(inbox(qa_user)) == 1 and mail.outbox == []


def test_an_action_excursion_reaches_qa_and_production_once(qa_user, production_user, qc_user, admin_user,
                                                           django_capture_on_commit_callbacks):
    from production.monitoring import services as monitoring
    from production.monitoring.models import Excursion
    from tests.monitoring.factories import make_excursion

    with django_capture_on_commit_callbacks(execute=True):
        excursion = make_excursion(admin_user, "test")
        # A late reading inside the excursion (it changes and is recomputed) tells nobody a second time.
        t = excursion.started_at + timedelta(seconds=90)
        monitoring.ingest_readings([{"point": str(excursion.point_id), "measured_at": t.isoformat(),
                                     "temperature_c": 31}], user=admin_user, reason="")
    assert Excursion.objects.filter(point=excursion.point).count() == 1
    for user in (qa_user, production_user):
        [note] = inbox(user)
        assert note.event.kind == "monitoring.action_excursion" and note.event.url == excursion.get_absolute_url()
    assert inbox(qc_user) == []


def test_certifications_ending_in_90_30_7_days_and_expired(regulatory_user, admin_user, qa_user,
                                                          django_capture_on_commit_callbacks):
    from regulatory import services

    today = timezone.localdate()
    soon = make_certification(admin_user, valid_until=today + timedelta(days=20))
    far = make_certification(admin_user, valid_until=today + timedelta(days=200))
    past = make_certification(admin_user, valid_until=date(2021, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.certification_reminders(today=today) == 1
        assert services.certification_reminders(today=today) == 0  # once per window
        assert services.certification_reminders(today=today + timedelta(days=14)) == 1  # 6 days left: the 7-day one
        assert services.expire_due_certifications(user=admin_user, today=today) == 1
    notes = inbox(regulatory_user)
    kinds = sorted((n.event.kind, n.event.object_id) for n in notes)
    assert kinds == [("regulatory.certification_ending", soon.pk), ("regulatory.certification_ending", soon.pk),
                     ("regulatory.certification_expired", past.pk)]
    assert far.pk not in {n.event.object_id for n in notes}
    assert inbox(qa_user) == []
    past.refresh_from_db()
    assert past.status == "expired"


def test_deviations_and_capas_past_due_reach_qa(qa_user, qc_user, django_capture_on_commit_callbacks):
    from qc.tasks import DEVIATION_DUE_DAYS, deviations_past_due

    deviation = make_deviation(qc_user)
    capa = make_capa(qc_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert deviations_past_due(None) == 0
        later = timezone.now() + timedelta(days=DEVIATION_DUE_DAYS + 1)
        assert deviations_past_due(None, now=later) == 3  # two deviations open too long, one CAPA overdue
        assert deviations_past_due(None, now=later) == 0
    urls = sorted(n.event.url for n in inbox(qa_user))
    assert deviation.get_absolute_url() in urls and capa.deviation.get_absolute_url() in urls


def test_an_unreachable_broker_never_fails_the_action(qc_user, qa_user, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    """The OOS is recorded even though the delivery cannot be queued; the tick's sweep delivers it later."""
    from lims.notifications.delivery import sweep
    from lims.tasks.celery_app import call

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(call, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        deviation = record_oos(qc_user)
    assert Deviation.objects.filter(pk=deviation.pk).exists()
    event = Event.objects.get(kind="qc.oos")
    assert event.delivered_at is None and inbox(qa_user) == []
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    sweep()
    assert len(inbox(qa_user)) == 1


def test_an_action_excursion_reads_in_the_readers_time_zone_with_grouped_numbers():
    """The excursion's start is kept as an instant and shown in the reader's zone (not the sender's local time
    as text), and a particle count reads 4,150,000, not 4150000.0."""
    from datetime import UTC, datetime

    from django.utils import translation

    from production.monitoring.notices import _action

    params = {"point": "CR01-PC01", "parameter": "particles_0_5um", "peak": 4150000.0,
              "started": datetime(2026, 12, 1, 15, 5, tzinfo=UTC).isoformat()}
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        title, body = _action(params)
    assert title == "Action limit exceeded at CR01-PC01"
    assert "4,150,000" in body and "4150000" not in body
    assert "2026-12-01 23:05" in body
    with timezone.override("UTC"):
        assert "2026-12-01 15:05" in _action(params)[1]
    # An event stored before the change (local time as text) still reads as it was written.
    assert "2026-11-28 16:12" in _action({**params, "started": "2026-11-28 16:12"})[1]
