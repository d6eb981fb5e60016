"""IVDR Annex IX §4.13 batch verification of class D lots: a lot is ineligible for a market that asks for it
until the notified body confirms, or until the objection period has passed after the later sent date without an
objection; an objection refuses it. The decision is a signing action; API and pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lims.errors import DomainError
from lims.models import Signature
from lims.notifications.models import Event
from lims.services import update_record
from regulatory import services
from regulatory.eligibility import evaluate
from regulatory.models import BatchVerification
from tests.conftest import sig, sig_body
from tests.helpers import Snapshot, assert_constant_queries
from tests.regulatory.factories import (
    make_certification,
    make_kind,
    make_market,
    make_released_batch,
    make_rule,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/regulatory/batch-verifications/"
TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - timedelta(days=n)


@pytest.fixture
def eu(admin_user):
    """A released class D lot, and a market (like the EU) whose rule sends class D lots to batch verification;
    every certification it requires is active."""
    batch = make_released_batch(admin_user)
    assert batch.product.ivdr_class == "D"
    market = make_market(admin_user)
    kind = make_kind(admin_user)
    rule = make_rule(admin_user, market=market, kinds=[kind])
    update_record(rule, {"batch_verification_classes": "D"}, user=admin_user, reason="IVDR Annex IX §4.13")
    make_certification(admin_user, product=batch.product, market=market, kind=kind)
    return batch, market


def codes(result):
    return [r["code"] for r in result["reasons"]]


def check_of(result, code):
    return next(c for c in result["checks"] if c["code"] == code)


def open_(batch, user, **kwargs):
    return services.open_batch_verification(batch, user=user, reason="reports sent", **kwargs)


def test_without_a_record_the_lot_is_pending(eu):
    batch, market = eu
    result = evaluate(batch, market, TODAY)
    assert not result["eligible"] and codes(result) == ["batch_verification_pending"]
    assert check_of(result, "batch_verification")["passed"] is False


def test_pending_until_everything_is_sent(eu, regulatory_user):
    batch, market = eu
    open_(batch, regulatory_user, notified_body="NB 0123", reports_sent_on=days_ago(60))  # samples not yet sent
    assert codes(evaluate(batch, market, TODAY)) == ["batch_verification_pending"]


def test_pending_while_the_objection_period_runs(eu, regulatory_user):
    batch, market = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(35), samples_sent_on=days_ago(29))
    assert v.clock_start() == days_ago(29) and v.clock_ends_on() == TODAY + timedelta(days=1)
    result = evaluate(batch, market, TODAY)
    assert codes(result) == ["batch_verification_pending"]
    assert "1 days left" in result["reasons"][0]["detail"] or "(1 " in result["reasons"][0]["detail"]


def test_eligible_after_thirty_days_without_objection(eu, regulatory_user):
    batch, market = eu
    open_(batch, regulatory_user, reports_sent_on=days_ago(40), samples_sent_on=days_ago(30))
    result = evaluate(batch, market, TODAY)
    assert result["eligible"] and result["reasons"] == []
    assert check_of(result, "batch_verification")["passed"] is True
    # the day before the period ends it was not
    assert codes(evaluate(batch, market, days_ago(1))) == ["batch_verification_pending"]


def test_samples_not_required_start_the_clock_with_the_reports(eu, regulatory_user):
    batch, market = eu
    open_(batch, regulatory_user, reports_sent_on=days_ago(30), samples_required=False)
    assert evaluate(batch, market, TODAY)["eligible"]


def test_eligible_after_confirmation(eu, regulatory_user):
    batch, market = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(5), samples_sent_on=days_ago(5))
    services.decide_batch_verification(v, decision="confirmed", decided_on=days_ago(1), **sig(regulatory_user),
                                       user=regulatory_user, reason="NB letter 2026-117")
    v.refresh_from_db()
    assert v.status == "confirmed" and v.decided_on == days_ago(1)
    assert evaluate(batch, market, TODAY)["eligible"]
    assert codes(evaluate(batch, market, days_ago(2))) == ["batch_verification_pending"]  # before the decision
    signature = Signature.objects.for_object(v).get()
    assert signature.meaning == "verified" and signature.signer == regulatory_user


def test_refused_after_an_objection_even_after_thirty_days(eu, regulatory_user):
    batch, market = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(45), samples_sent_on=days_ago(45))
    services.decide_batch_verification(v, decision="objected", decided_on=days_ago(20), **sig(regulatory_user),
                                       user=regulatory_user, reason="reference panel out of tolerance")
    result = evaluate(batch, market, TODAY)
    assert codes(result) == ["batch_verification_objected"]
    assert "reference panel out of tolerance" in result["reasons"][0]["detail"]
    assert Signature.objects.for_object(v).get().meaning == "rejected"
    with pytest.raises(DomainError) as exc:
        services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=TODAY, consignee="X",
                                 user=regulatory_user)
    assert exc.value.code == "not_eligible"


def test_other_markets_and_classes_are_not_gated(admin_user, eu):
    batch, _market = eu
    other = make_market(admin_user)
    kind = make_kind(admin_user)
    make_rule(admin_user, market=other, kinds=[kind])
    make_certification(admin_user, product=batch.product, market=other, kind=kind)
    result = evaluate(batch, other, TODAY)
    assert result["eligible"] and "batch_verification" not in [c["code"] for c in result["checks"]]


def test_objection_needs_a_reason_and_a_decision_is_final(eu, regulatory_user):
    batch, _ = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(3), samples_sent_on=days_ago(3))
    snapshot = Snapshot(v)
    with pytest.raises(Exception) as exc:
        services.decide_batch_verification(v, decision="objected", **sig(regulatory_user), user=regulatory_user)
    assert "reason" in exc.value.message_dict
    snapshot.assert_unchanged()
    services.decide_batch_verification(v, decision="confirmed", **sig(regulatory_user), user=regulatory_user)
    with pytest.raises(DomainError) as again:
        services.decide_batch_verification(v, decision="objected", **sig(regulatory_user), user=regulatory_user,
                                           reason="late")
    assert again.value.code == "verification_decided"
    v.refresh_from_db()
    assert v.status == "confirmed" and Signature.objects.for_object(v).count() == 1


def test_decision_tells_regulatory_and_qa(eu, regulatory_user):
    from lims.notifications.registry import KINDS

    batch, _ = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(3), samples_sent_on=days_ago(3))
    services.decide_batch_verification(v, decision="objected", **sig(regulatory_user), user=regulatory_user,
                                       reason="sample 7 out of tolerance")
    event = Event.objects.get(kind="regulatory.batch_verification_decided")
    assert event.params["lot"] == batch.lot_number and event.params["status"] == "objected"
    assert set(KINDS["regulatory.batch_verification_decided"].roles) == {"Regulatory", "QA"}


def test_period_end_is_notified_once(eu, regulatory_user):
    batch, _ = eu
    open_(batch, regulatory_user, reports_sent_on=days_ago(31), samples_sent_on=days_ago(31))
    assert services.batch_verification_clock_notices(today=TODAY) == 1
    assert services.batch_verification_clock_notices(today=TODAY) == 0


def test_open_only_for_released_lots_once(eu, admin_user, regulatory_user):
    from tests.qc.factories import make_batch

    batch, _ = eu
    open_(batch, regulatory_user)
    with pytest.raises(DomainError) as exc:
        open_(batch, regulatory_user)
    assert exc.value.code == "verification_exists"
    waiting = make_batch(admin_user, product=batch.product)
    with pytest.raises(DomainError) as exc:
        open_(waiting, regulatory_user)
    assert exc.value.code == "not_released"
    assert BatchVerification.objects.count() == 1


def test_due_records_are_opened_by_the_scheduled_task(eu, admin_user):
    batch, _ = eu
    assert services.open_due_batch_verifications(user=admin_user) == 1
    assert services.open_due_batch_verifications(user=admin_user) == 0
    assert BatchVerification.objects.get().batch == batch


# API -----------------------------------------------------------------------------------------------------------

def test_api_create_patch_decide(api_for, eu, regulatory_user):
    batch, market = eu
    api = api_for(regulatory_user)
    r = api.post(URL, {"batch": batch.lot_number, "notified_body": "NB 0123"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "batch", "notified_body", "samples_sent_on", "reports_sent_on", "status", "decided_on"} <= set(body)
    assert body["batch"] == batch.lot_number and body["status"] == "pending" and body["decided_on"] is None
    vid = body["id"]
    r = api.patch(f"{URL}{vid}/", {"reports_sent_on": days_ago(2).isoformat(), "version": body["version"]},
                  format="json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = api.patch(f"{URL}{vid}/", {"reports_sent_on": days_ago(2).isoformat(), "samples_sent_on":
                                   days_ago(2).isoformat(), "version": body["version"], "reason": "sent by courier"},
                  format="json")
    assert r.status_code == 200, r.content
    assert r.json()["clock_ends_on"] == (days_ago(2) + timedelta(days=30)).isoformat()
    r = api.post(f"{URL}{vid}/decide/", {"decision": "confirmed", **sig_body(regulatory_user, "wrong")},
                 format="json")
    assert r.status_code == 403 and r.json()["code"] == "bad_signature"
    assert BatchVerification.objects.get(pk=vid).status == "pending"
    r = api.post(f"{URL}{vid}/decide/", {"decision": "confirmed", "meaning": "released",
                                         **sig_body(regulatory_user)}, format="json")
    assert r.status_code == 400 and "meaning" in r.json()["fields"]
    r = api.post(f"{URL}{vid}/decide/", {"decision": "confirmed", **sig_body(regulatory_user)}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "confirmed" and r.json()["decided_on"] == TODAY.isoformat()
    r = api.get("/api/v1/regulatory/eligibility/", {"lot": batch.lot_number, "market": market.code})
    assert r.json()["eligible"] is True


def test_api_roles(api_for, eu, qa_user, outsider, regulatory_user):
    batch, _ = eu
    v = open_(batch, regulatory_user)
    assert api_for(qa_user).get(f"{URL}{v.pk}/").status_code == 200
    r = api_for(qa_user).post(f"{URL}{v.pk}/decide/", {"decision": "confirmed", **sig_body(qa_user)}, format="json")
    assert r.status_code == 403
    assert api_for(outsider).get(URL).status_code == 403
    assert BatchVerification.objects.get().status == "pending"


def test_api_document_with_sha256(api_for, eu, regulatory_user):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.regulatory.factories import PDF_BYTES

    batch, _ = eu
    v = open_(batch, regulatory_user)
    name = "Lot release test reports (summary, v2) — signed.pdf"
    r = api_for(regulatory_user).post(f"{URL}{v.pk}/documents/", {"kind": "test_reports",
                                                                   "file": SimpleUploadedFile(name, PDF_BYTES)},
                                      format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest() and r.json()["original_name"] == name
    doc = v.documents.get()
    assert doc.file.name.rsplit("/", 1)[-1] == f"{doc.sha256[:16]}.pdf"


# Pages ---------------------------------------------------------------------------------------------------------

def test_batch_page_shows_the_clock_and_decision(client_for, eu, regulatory_user):
    batch, _ = eu
    page = client_for(regulatory_user).get(batch.get_absolute_url())
    assert "Open the batch verification" in page.content.decode()
    open_(batch, regulatory_user, reports_sent_on=days_ago(10), samples_sent_on=days_ago(10))
    html = client_for(regulatory_user).get(batch.get_absolute_url()).content.decode()
    assert "20 days left" in html


def test_work_queue_and_detail_page(client_for, eu, regulatory_user):
    batch, _ = eu
    home = client_for(regulatory_user).get("/").content.decode()
    assert "Released lots to send to the notified body" in home and batch.lot_number in home
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(10), samples_sent_on=days_ago(10))
    home = client_for(regulatory_user).get("/").content.decode()
    assert "Batch verifications pending" in home and "20 days left" in home
    detail = client_for(regulatory_user).get(v.get_absolute_url())
    assert detail.status_code == 200 and "Sign the objection" in detail.content.decode()


def test_page_decision_signed(client_for, eu, regulatory_user):
    batch, _ = eu
    v = open_(batch, regulatory_user, reports_sent_on=days_ago(3), samples_sent_on=days_ago(3))
    r = client_for(regulatory_user).post(f"/regulatory/batch-verifications/{v.pk}/decide/",
                                         {"decision": "objected", **sig_body(regulatory_user)})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.status == "pending"  # an objection needs its reason
    client_for(regulatory_user).post(f"/regulatory/batch-verifications/{v.pk}/decide/",
                                     {"decision": "objected", "reason": "panel failure", **sig_body(regulatory_user)})
    v.refresh_from_db()
    assert v.status == "objected" and v.objection_reason == "panel failure"


def test_verification_list_query_count_does_not_grow(client_for, admin_user, regulatory_user):
    from tests.regulatory.factories import make_batch_verification

    make_batch_verification(admin_user)
    assert_constant_queries(client_for(regulatory_user), "/regulatory/batch-verifications/",
                            lambda: [make_batch_verification(admin_user) for _ in range(3)])


def test_eligibility_page_names_the_gate(client_for, eu, regulatory_user):
    batch, market = eu
    html = client_for(regulatory_user).get("/regulatory/eligibility/", {"lot": batch.lot_number,
                                                                        "market": market.code}).content.decode()
    assert "Batch verification pending:" in html and "batch_verification_pending" in html
