"""Invalidating (superseding) an inspection (issue 12 item 1; API.md qc/inspections {id}/invalidate/): QA signs
with a reason and the deviation that justifies it; its results no longer count for release; the CoA prints only
valid results and lists the superseded ones under their own heading; a retest is linked to the result it retests;
a refused invalidation changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lims.errors import DomainError, ReasonRequired
from lims.models import Signature
from qc import gates, services
from qc.models import Deviation, Inspection
from tests.conftest import sig, sig_body
from tests.helpers import Snapshot
from tests.labels.scanning import pdf_reader
from tests.qc.conftest import passing_results
from tests.qc.factories import make_batch

pytestmark = pytest.mark.django_db


def failing_then_retest(kit, approved):
    failed = approved([{"specification": kit.specs.flow, "value": Decimal("0.39")},
                       {"specification": kit.specs.neg, "passed": True},
                       {"specification": kit.specs.aql, "defects": 0}])
    oos = Deviation.objects.get(result__inspection=failed)
    return failed, oos


def test_invalidate_then_retest_releases_and_the_coa_tells_the_truth(kit, approved, qa_user, releaser,
                                                                      client_for):
    failed, oos = failing_then_retest(kit, approved)
    assert "qc_failed" in [r["code"] for r in gates.release_blockers(kit.batch, releaser)]
    services.invalidate_inspection(failed, deviation=oos, **sig(qa_user), user=qa_user,
                                   reason="Pipette out of calibration: laboratory error")
    failed.refresh_from_db()
    assert failed.status == "invalidated" and failed.invalidated_by == qa_user
    assert failed.invalidating_deviation == oos
    assert [(s.signer, s.meaning) for s in Signature.objects.for_object(failed)][-1] == (qa_user, "invalidated")
    # with the invalidated results out, the test has no valid result until the retest
    assert "qc_incomplete" in [r["code"] for r in gates.release_blockers(kit.batch, releaser)]
    flow_result = failed.results.get(specification=kit.specs.flow)
    retest_rows = passing_results(kit.specs)
    retest_rows[0] = {"specification": kit.specs.flow, "value": Decimal("3.1"), "retest_of": flow_result.pk}
    retest = approved(retest_rows)
    assert retest.results.get(specification=kit.specs.flow).retest_of == flow_result
    services.close_deviation(oos, **sig(qa_user), root_cause="Pipette drift", impact_assessment="Lab error only",
                             no_capa_reason="Calibrated", user=qa_user, reason="closed")
    assert gates.release_blockers(kit.batch, releaser) == []
    services.dispose_batch(kit.batch, decision="release", **sig(releaser), user=releaser, reason="retest passed")

    pdf = client_for(qa_user).get(f"/qc/batches/{kit.batch.lot_number}/coa.pdf").content
    text = " ".join(" ".join(page.extract_text() for page in pdf_reader(pdf).pages).split())
    head, superseded = text.split("SUPERSEDED — not valid for release", 1)
    current = head.split("Release test results", 1)[1]
    reference = f"retest of 0.39 min (inspection {failed.pk})"
    assert "3.1 min — " + reference in current
    assert "0.39" not in current.replace(reference, "")  # the failed original is not a current result
    assert "0.39 min" in superseded.split("Entry and second check")[0]
    assert "Pipette out of calibration" in superseded


def test_the_api_invalidates_with_signature_reason_and_deviation(kit, approved, qa_user, api_for):
    failed, oos = failing_then_retest(kit, approved)
    url = f"/api/v1/qc/inspections/{failed.pk}/invalidate/"
    api = api_for(qa_user)
    snap = Snapshot(failed)
    assert api.post(url, {**sig_body(qa_user), "deviation": oos.pk}, format="json").json()["code"] == \
        "reason_required"
    assert api.post(url, {**sig_body(qa_user), "reason": "x"}, format="json").status_code == 400
    assert api.post(url, {**sig_body(qa_user, "wrong"), "deviation": oos.pk, "reason": "x"},
                    format="json").status_code == 403
    snap.assert_unchanged()
    response = api.post(url, {**sig_body(qa_user), "deviation": oos.pk, "reason": "lab error"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["invalidated_by"], body["invalidating_deviation"]) == (
        "invalidated", qa_user.username, oos.pk)
    again = api.post(url, {**sig_body(qa_user), "deviation": oos.pk, "reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_only_qa_invalidates_and_a_refusal_changes_nothing(kit, approved, qc_user, qa_user, production_user):
    failed, oos = failing_then_retest(kit, approved)
    snap = Snapshot(failed)
    signatures = Signature.objects.count()
    with pytest.raises(PermissionDenied):
        services.invalidate_inspection(failed, deviation=oos, **sig(qc_user), user=qc_user, reason="lab error")
    with pytest.raises(ReasonRequired):
        services.invalidate_inspection(failed, deviation=oos, **sig(qa_user), user=qa_user, reason="")
    elsewhere = services.open_deviation(title="Other lot", batch=make_batch(production_user, product=kit.product,
                                                                            line=kit.line), user=production_user)
    with pytest.raises(ValidationError) as err:
        services.invalidate_inspection(failed, deviation=elsewhere, **sig(qa_user), user=qa_user, reason="x")
    assert "deviation" in err.value.message_dict
    snap.assert_unchanged()
    assert Signature.objects.count() == signatures


def test_an_invalidated_inspection_takes_no_correction(kit, approved, qa_user):
    failed, oos = failing_then_retest(kit, approved)
    services.invalidate_inspection(failed, deviation=oos, **sig(qa_user), user=qa_user, reason="lab error")
    result = failed.results.get(specification=kit.specs.flow)
    with pytest.raises(DomainError) as err:
        services.correct_result(result, value=Decimal("3"), user=qa_user, reason="fix")
    assert err.value.code == "invalid_state"
    assert Inspection.objects.get(pk=failed.pk).status == "invalidated"


def test_a_retest_must_repeat_the_same_test_of_the_same_batch(kit, approved, qc_user):
    failed, _oos = failing_then_retest(kit, approved)
    neg = failed.results.get(specification=kit.specs.neg)
    rows = passing_results(kit.specs)
    rows[0] = {"specification": kit.specs.flow, "value": Decimal("3"), "retest_of": neg.pk}
    before = Inspection.objects.count()
    with pytest.raises(ValidationError) as err:
        services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0", results=rows,
                                   user=qc_user)
    assert "results.0.retest_of" in err.value.message_dict
    assert Inspection.objects.count() == before


def test_pages_and_batch_record_show_superseded_with_who_and_why(kit, approved, qa_user, client_for):
    failed, oos = failing_then_retest(kit, approved)
    client = client_for(qa_user)
    page = client.get(f"/qc/inspections/{failed.pk}/").content.decode()
    assert f"/qc/inspections/{failed.pk}/invalidate/" in page and str(oos) in page
    response = client.post(f"/qc/inspections/{failed.pk}/invalidate/",
                           {**sig_body(qa_user), "deviation": oos.pk, "reason": "laboratory error"}, follow=True)
    assert response.status_code == 200
    assert Inspection.objects.get(pk=failed.pk).status == "invalidated"
    page = client.get(f"/qc/inspections/{failed.pk}/").content.decode()
    assert "SUPERSEDED" in page and "laboratory error" in page
    pdf = client.get(f"/production/batches/{kit.batch.lot_number}/record.pdf").content
    text = " ".join(p.extract_text() for p in pdf_reader(pdf).pages)
    assert "superseded by" in text and "laboratory error" in text


def test_resolve_plan_raises_field_errors(kit):
    for kwargs, field in (({"lot_size": 100, "aql": "7"}, "aql"), ({"lot_size": 1, "aql": "1.0"}, "lot_size"),
                          ({"lot_size": 100, "aql": "1.0", "level": "IV"}, "level"), ({}, "sample_size")):
        with pytest.raises(ValidationError) as err:
            services.resolve_inspection_plan(**kwargs)
        assert list(err.value.message_dict) == [field]
