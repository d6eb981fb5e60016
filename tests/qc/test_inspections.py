"""Inspections: server-side judging, automatic OOS, the second check and approval (signed, four eyes), the
correction after approval, and the incoming decision on a material lot."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lims.errors import BadSignature, DomainError, ReasonRequired
from lims.models import Signature
from production.models import MaterialLot
from qc import services
from qc.models import Deviation, Inspection, InspectionResult
from tests.conftest import sig
from tests.helpers import Snapshot, assert_history
from tests.qc.conftest import passing_results
from tests.qc.factories import make_material_lot, make_spec

pytestmark = pytest.mark.django_db
P, F = InspectionResult.Outcome.PASS, InspectionResult.Outcome.FAIL


def record(kit, user, results, **kw):
    kw.setdefault("sample_size", 20)
    return services.record_inspection(batch=kit.batch, stage="release", results=results, user=user,
                                      reason="testing", **kw)


@pytest.mark.parametrize(("value", "outcome"), [("1", P), ("5", P), ("3.2", P), ("0.999", F), ("5.001", F)])
def test_numeric_limits_are_inclusive(kit, qc_user, value, outcome):
    inspection = record(kit, qc_user, [{"specification": kit.specs.flow, "value": Decimal(value), "passed": True}])
    assert inspection.results.get().outcome == outcome


def test_a_client_pass_is_not_trusted_for_a_number(kit, qc_user):
    result = record(kit, qc_user, [{"specification": kit.specs.flow, "value": Decimal("9"), "passed": True}])
    assert result.results.get().outcome == F


@pytest.mark.parametrize(("passed", "outcome"), [(True, P), (False, F)])
def test_attribute_pass_fail(kit, qc_user, passed, outcome):
    inspection = record(kit, qc_user, [{"specification": kit.specs.neg, "passed": passed}])
    assert inspection.results.get().outcome == outcome


@pytest.mark.parametrize(("defects", "outcome"), [(0, P), (3, P), (4, F), (10, F)])
def test_aql_defects_against_ac_re(kit, qc_user, defects, outcome):
    # 3200 units, AQL 1.0, level II → code letter K, n = 125, Ac 3 / Re 4 (ISO 2859-1 Tables 1 and 2-A)
    inspection = record(kit, qc_user, [{"specification": kit.specs.aql, "defects": defects}], sample_size=None,
                        lot_size=3200, aql="1.0")
    assert (inspection.code_letter, inspection.sample_size, inspection.accept, inspection.reject) == ("K", 125, 3, 4)
    assert inspection.results.get().outcome == outcome


def test_aql_boundary_ac_passes_re_fails(kit, qc_user):
    ok = record(kit, qc_user, [{"specification": kit.specs.aql, "defects": 3}], sample_size=None, lot_size=3200,
                aql="1.0")
    bad = record(kit, qc_user, [{"specification": kit.specs.aql, "defects": 4}], sample_size=None, lot_size=3200,
                 aql="1.0")
    assert ok.results.get().outcome == P
    assert bad.results.get().outcome == F


def test_a_failing_result_opens_an_oos_linked_to_batch_and_result(kit, qc_user):
    inspection = record(kit, qc_user, [{"specification": kit.specs.flow, "value": Decimal("7")},
                                       {"specification": kit.specs.neg, "passed": True}])
    failed = inspection.results.get(outcome=F)
    oos = Deviation.objects.get()
    assert (oos.kind, oos.batch, oos.result, oos.status, oos.opened_by) == ("oos", kit.batch, failed, "open", qc_user)
    assert_history(oos, user=qc_user, reason="testing")


def test_passing_results_open_nothing(kit, qc_user):
    record(kit, qc_user, passing_results(kit.specs), sample_size=None, lot_size=3200, aql="1.0")
    assert not Deviation.objects.exists()


def test_bad_input_changes_nothing(kit, qc_user):
    with pytest.raises(ValidationError) as exc:
        record(kit, qc_user, [{"specification": kit.specs.flow, "value": None}])
    assert "results.0.value" in exc.value.error_dict
    assert not Inspection.objects.exists()


def test_review_by_the_recorder_is_refused(kit, qc_user):
    inspection = record(kit, qc_user, passing_results(kit.specs), sample_size=None, lot_size=3200, aql="1.0")
    snap = Snapshot(inspection)
    with pytest.raises(DomainError) as exc:
        services.review_inspection(inspection, **sig(qc_user), user=qc_user, reason="self")
    assert exc.value.code == "four_eyes"
    snap.assert_unchanged()
    assert not Signature.objects.exists()


def test_review_with_a_wrong_password_changes_nothing(kit, qc_user, user_factory):
    other = user_factory("qc2", "QC")
    inspection = record(kit, qc_user, passing_results(kit.specs), sample_size=None, lot_size=3200, aql="1.0")
    snap = Snapshot(inspection)
    with pytest.raises(BadSignature):
        services.review_inspection(inspection, **sig(other, "wrong"), user=other, reason="check")
    snap.assert_unchanged()
    assert not Signature.objects.exists()


def test_review_and_approval_are_signed(kit, qc_user, qa_user, user_factory):
    other = user_factory("qc2", "QC")
    inspection = record(kit, qc_user, passing_results(kit.specs), sample_size=None, lot_size=3200, aql="1.0")
    services.review_inspection(inspection, **sig(other), user=other, reason="second check")
    inspection = services.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="ok")
    assert (inspection.status, inspection.reviewed_by, inspection.approved_by) == ("approved", other, qa_user)
    assert list(Signature.objects.for_object(inspection).values_list("signer__username", "meaning")) == [
        ("qc2", "reviewed"), ("qa", "approved")]
    assert_history(inspection, user=qa_user, reason="ok")


def test_correction_after_approval_needs_a_reason_and_goes_back_to_recorded(kit, qc_user, approved):
    inspection = approved()
    result = inspection.results.get(specification=kit.specs.flow)
    with pytest.raises(ReasonRequired):
        services.correct_result(result, value=Decimal("3.5"), user=qc_user, reason="")
    services.correct_result(result, value=Decimal("3.5"), user=qc_user, reason="transcription error")
    inspection.refresh_from_db()
    assert inspection.status == "recorded" and inspection.approved_by is None
    assert_history(result, user=qc_user, reason="transcription error")
    assert result.history.first().value == Decimal("3.5")


def test_approved_incoming_inspection_decides_the_material_lot(qc_user, qa_user, production_user, user_factory):
    other = user_factory("qc2", "QC")
    lot = make_material_lot(production_user)
    spec = make_spec(qc_user, stage="incoming", kind="attribute", lower=None, upper=None, unit="")
    inspection = services.record_inspection(material_lot=lot, stage="incoming", sample_size=5,
                                            results=[{"specification": spec, "passed": True}], user=qc_user)
    services.review_inspection(inspection, **sig(other), user=other)
    services.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="incoming QC")
    lot.refresh_from_db()
    assert lot.status == MaterialLot.Status.APPROVED


def test_failed_incoming_inspection_rejects_the_material_lot(qc_user, qa_user, production_user, user_factory):
    other = user_factory("qc2", "QC")
    lot = make_material_lot(production_user)
    spec = make_spec(qc_user, stage="incoming", kind="attribute", lower=None, upper=None, unit="")
    inspection = services.record_inspection(material_lot=lot, stage="incoming", sample_size=5,
                                            results=[{"specification": spec, "passed": False}], user=qc_user)
    services.review_inspection(inspection, **sig(other), user=other)
    services.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="incoming QC failed")
    lot.refresh_from_db()
    assert lot.status == MaterialLot.Status.REJECTED


def test_the_reviewer_may_not_also_approve(kit, qc_user, qa_user):
    inspection = record(kit, qc_user, passing_results(kit.specs), sample_size=None, lot_size=3200, aql="1.0")
    services.review_inspection(inspection, **sig(qa_user), user=qa_user, reason="second check")
    with pytest.raises(DomainError) as exc:
        services.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="approve")
    assert exc.value.code == "four_eyes"
    assert Inspection.objects.get(pk=inspection.pk).status == "reviewed"
