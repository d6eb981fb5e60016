"""ISO 2859-1:1999 switching rules walked lot by lot through real inspections (recorded, reviewed, approved):
2 of 5 → tightened; 5 accepted → normal; score 30 → reduced after QA's signed decision; a lot not accepted on
reduced → normal; 5 not accepted on tightened → discontinued until a signed corrective action. Lot size 3200 at
AQL 1.0 is code letter K: normal 125 Ac 3, tightened 125 Ac 2, reduced 50 Ac 2 (Tables 2-A, 2-B, 2-C)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lims.errors import BadSignature, DomainError
from lims.models import Signature
from qc import services, switching
from qc.models import Inspection, Specification, SwitchingMove, SwitchingState
from tests.conftest import sig, sig_body
from tests.helpers import Snapshot, assert_constant_queries
from tests.qc.factories import make_batch, make_line, make_product, make_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk(production_user, qc_user, admin_user, qa_user):
    product = make_product(production_user)
    line = make_line(production_user)
    spec = make_spec(qc_user, product=product, code="VIS", name="Visual AQL", kind="attribute", lower=None,
                     upper=None, unit="", aql="1.0")

    class Walk:
        def __init__(self):
            self.spec, self.product = spec, product

        def record(self, defects, lot_size=3200):
            batch = make_batch(production_user, product=product, line=line, made=3200)
            return services.record_inspection(batch=batch, stage="release", lot_size=lot_size, aql="1.0",
                                              results=[{"specification": spec, "defects": defects}],
                                              user=qc_user, reason="release testing")

        def lot(self, defects, lot_size=3200):
            inspection = self.record(defects, lot_size)
            services.review_inspection(inspection, **sig(admin_user), user=admin_user, reason="checked")
            return services.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="approved")

        def lots(self, *defects):
            return [self.lot(d) for d in defects]

        @property
        def state(self):
            return SwitchingState.objects.get(specification=spec)

        def to_tightened(self):
            self.lots(5, 5)
            assert self.state.state == "tightened"

        def to_reduced(self):
            self.lots(*[0] * 10)
            switching.decide_reduced(self.state, **sig(qa_user), production_steady=True, user=qa_user,
                                     reason="steady production, score 30")
            assert self.state.state == "reduced"

    return Walk()


def test_starts_normal_and_counts_the_lot(walk):
    inspection = walk.lot(0)
    assert inspection.severity == "normal" and (inspection.sample_size, inspection.accept) == (125, 3)
    state = walk.state
    assert state.state == "normal" and state.lots.get().lot_number == inspection.batch.lot_number
    assert Specification.objects.get(pk=walk.spec.pk).severity == "normal"


def test_two_of_five_not_accepted_switches_to_tightened(walk):
    first, second, third = walk.lots(0, 4, 0)
    assert walk.state.state == "normal"  # one not accepted in the last five
    fourth = walk.lot(5)
    state = walk.state
    assert state.state == "tightened"
    move = state.moves.get()
    assert (move.from_state, move.to_state, move.rule) == ("normal", "tightened", SwitchingMove.Rule.TWO_OF_FIVE)
    assert move.lots == [second.batch.lot_number, fourth.batch.lot_number]
    row = state.history.order_by("-history_id").first()
    assert second.batch.lot_number in row.history_change_reason and fourth.batch.lot_number in \
        row.history_change_reason
    nxt = walk.record(0)
    assert (nxt.severity, nxt.sample_size, nxt.accept, nxt.reject) == ("tightened", 125, 2, 3)


def test_two_not_accepted_six_lots_apart_stay_normal(walk):
    walk.lots(4, 0, 0, 0, 0, 4)
    assert walk.state.state == "normal"


def test_five_accepted_on_tightened_return_to_normal(walk):
    walk.to_tightened()
    accepted = walk.lots(0, 1, 2, 0)
    assert walk.state.state == "tightened" and walk.state.consecutive_accepted == 4
    accepted.append(walk.lot(0))
    state = walk.state
    assert state.state == "normal" and state.score == 0
    move = state.moves.order_by("-pk").first()
    assert move.rule == SwitchingMove.Rule.FIVE_ACCEPTED and move.lots == [i.batch.lot_number for i in accepted]


def test_a_lot_not_accepted_resets_the_run_on_tightened(walk):
    walk.to_tightened()
    walk.lots(0, 0, 0, 0, 3, 0)  # d 3 > Ac 2 on tightened
    assert walk.state.state == "tightened" and walk.state.consecutive_accepted == 1


def test_switching_score(walk):
    walk.lots(0, 2)  # Ac 3: +3 when accepted also at AQL 0.65 (K: Ac 2)
    assert walk.state.score == 6
    walk.lot(3)  # accepted at Ac 3 but not at Ac 2: back to 0
    assert walk.state.score == 0
    walk.lot(0, lot_size=100)  # F at 1.0 → E, n 13, Ac 0: an accepted lot adds 2
    assert walk.state.score == 2


def test_score_30_then_reduced_after_qa_signed_decision(walk, qc_user, qa_user, client_for):
    walk.lots(*[0] * 9)
    assert walk.state.score == 27 and not walk.state.reduced_pending
    walk.lot(0)
    state = walk.state
    assert state.score == 30 and state.reduced_pending and state.state == "normal"
    assert walk.record(0).severity == "normal"  # no reduced plan before QA's decision
    snapshot = Snapshot(state)
    with pytest.raises(PermissionDenied):  # QC may not take the authority's decision
        switching.decide_reduced(state, **sig(qc_user), production_steady=True, user=qc_user)
    with pytest.raises(ValidationError):
        switching.decide_reduced(state, **sig(qa_user), production_steady=False, user=qa_user)
    with pytest.raises(BadSignature):
        switching.decide_reduced(state, **sig(qa_user, "wrong"), production_steady=True, user=qa_user)
    snapshot.assert_unchanged()
    assert not Signature.objects.for_object(state).exists()
    page = client_for(qa_user).get(f"/qc/switching/{state.pk}/")
    assert "Decide reduced inspection" in page.content.decode()
    response = client_for(qa_user).post(f"/qc/switching/{state.pk}/decide-reduced/", {
        **sig_body(qa_user), "production_steady": "on", "reason": "steady"})
    assert response.status_code == 302
    state = walk.state
    assert state.state == "reduced"
    assert state.moves.get().rule == SwitchingMove.Rule.SCORE_DECISION and len(state.moves.get().lots) == 10
    assert Signature.objects.for_object(state).get().meaning == "approved"
    nxt = walk.record(0)
    assert (nxt.severity, nxt.sample_size, nxt.accept, nxt.reject) == ("reduced", 50, 2, 3)


def test_reduced_refused_below_30(walk, qa_user):
    walk.lots(0, 0)
    state = walk.state
    snapshot = Snapshot(state)
    with pytest.raises(DomainError) as exc:
        switching.decide_reduced(state, **sig(qa_user), production_steady=True, user=qa_user)
    assert exc.value.code == "reduced_not_eligible"
    snapshot.assert_unchanged()


def test_a_lot_not_accepted_on_reduced_returns_to_normal(walk):
    walk.to_reduced()
    walk.lot(2)  # reduced K: 50, Ac 2: accepted
    assert walk.state.state == "reduced"
    rejected = walk.lot(3)
    state = walk.state
    assert state.state == "normal" and state.score == 0
    move = state.moves.order_by("-pk").first()
    assert move.rule == SwitchingMove.Rule.NOT_ACCEPTED_ON_REDUCED and move.lots == [rejected.batch.lot_number]


def test_five_not_accepted_on_tightened_discontinue_until_signed_corrective_action(walk, qa_user):
    walk.to_tightened()
    walk.lots(3, 0, 3, 3, 3)
    assert walk.state.state == "tightened" and walk.state.not_accepted_in_tightened == 4
    walk.lot(4)
    state = walk.state
    assert state.state == "discontinued" and state.moves.order_by("-pk").first().rule == "five_not_accepted"
    assert len(state.moves.order_by("-pk").first().lots) == 5
    before = Inspection.objects.count()
    with pytest.raises(DomainError) as exc:
        walk.record(0)
    assert exc.value.code == "inspection_discontinued"
    assert Inspection.objects.count() == before
    snapshot = Snapshot(state)
    with pytest.raises(ValidationError):
        switching.resume_after_corrective_action(state, **sig(qa_user), corrective_action=" ", user=qa_user)
    with pytest.raises(BadSignature):
        switching.resume_after_corrective_action(state, **sig(qa_user, "nope"), corrective_action="New sealer",
                                                 user=qa_user)
    snapshot.assert_unchanged()
    switching.resume_after_corrective_action(state, **sig(qa_user), corrective_action="Sealer replaced, "
                                             "operators retrained", user=qa_user)
    state = walk.state
    assert state.state == "tightened" and state.not_accepted_in_tightened == 0
    assert Signature.objects.for_object(state).get().meaning == "approved"
    assert walk.record(0).severity == "tightened"


def test_a_resubmitted_lot_is_not_counted_again(walk, qc_user, admin_user, qa_user):
    first = walk.lot(4)
    again = services.record_inspection(batch=first.batch, stage="release", lot_size=3200, aql="1.0",
                                       results=[{"specification": walk.spec, "defects": 0}], user=qc_user,
                                       reason="resubmitted after screening")
    services.review_inspection(again, **sig(admin_user), user=admin_user)
    services.approve_inspection(again, **sig(qa_user), user=qa_user)
    assert walk.state.lots.count() == 1


def test_aql_above_10_only_for_nonconformities(qc_user):
    product = make_product(qc_user)
    with pytest.raises(ValidationError) as exc:
        make_spec(qc_user, product=product, kind="attribute", lower=None, upper=None, unit="", aql="15")
    assert "aql" in exc.value.message_dict
    spec = make_spec(qc_user, product=product, kind="attribute", lower=None, upper=None, unit="", aql="100",
                     counts="nonconformities")
    assert spec.aql == "100"


def test_api_sampling_plan_severity_and_counts(api_for, qc_user):
    api = api_for(qc_user)
    body = api.get("/api/v1/qc/sampling-plan/", {"lot_size": 3200, "aql": "1.0", "severity": "tightened"}).json()
    assert (body["sample_size"], body["accept"], body["reject"], body["severity"]) == (125, 2, 3, "tightened")
    body = api.get("/api/v1/qc/sampling-plan/", {"lot_size": 3200, "aql": "1.0", "severity": "reduced"}).json()
    assert (body["sample_size"], body["accept"], body["code_letter"]) == (50, 2, "K")
    response = api.get("/api/v1/qc/sampling-plan/", {"lot_size": 1000, "aql": "100"})
    assert response.status_code == 400 and "aql" in response.json()["fields"]
    body = api.get("/api/v1/qc/sampling-plan/", {"lot_size": 1000, "aql": "100", "counts": "nonconformities"}).json()
    assert (body["sample_size"], body["accept"]) == (13, 21)
    response = api.get("/api/v1/qc/sampling-plan/", {"lot_size": 1000, "aql": "1.0", "severity": "strict"})
    assert response.status_code == 400 and "severity" in response.json()["fields"]


def test_api_specification_counts_and_severity(api_for, qc_user, walk):
    api = api_for(qc_user)
    walk.to_tightened()
    body = api.get(f"/api/v1/qc/specifications/{walk.spec.pk}/").json()
    assert (body["counts"], body["severity"]) == ("nonconforming_items", "tightened")
    response = api.post("/api/v1/qc/specifications/", {
        "product": walk.product.pk, "code": "DEF", "name": "Defects", "kind": "attribute", "aql": "25"},
        format="json")
    assert response.status_code == 400 and "aql" in response.json()["fields"]
    assert not Specification.objects.filter(code="DEF").exists()
    response = api.post("/api/v1/qc/specifications/", {
        "product": walk.product.pk, "code": "DEF", "name": "Defects", "kind": "attribute", "aql": "25",
        "counts": "nonconformities", "reason": "defects per 100 units"}, format="json")
    assert response.status_code == 201 and response.json()["severity"] == "normal"
    inspection = walk.record(0)
    assert api.get(f"/api/v1/qc/inspections/{inspection.pk}/").json()["severity"] == "tightened"


def test_list_has_constant_queries(client_for, qc_user, walk):
    walk.lot(0)

    def another_state():
        spec = make_spec(qc_user, product=walk.product, kind="attribute", lower=None, upper=None, unit="",
                         aql="2.5")
        switching_state_for(spec, qc_user)

    assert_constant_queries(client_for(qc_user), "/qc/switching/", another_state)


def switching_state_for(spec, user):
    """A state for ``spec`` written the way the approval does it (inside a service)."""
    from django.db import transaction

    from lims.audit import audited

    with transaction.atomic(), audited(user=user, reason="test"):
        return switching._get_state(spec)


def test_switching_pages(client_for, qa_user, qc_user, outsider, walk):
    walk.to_tightened()
    state = walk.state
    page = client_for(qc_user).get(f"/qc/switching/{state.pk}/")
    assert page.status_code == 200 and "Tightened" in page.content.decode()
    assert client_for(outsider).get(f"/qc/switching/{state.pk}/").status_code == 403
    assert client_for(qc_user).get("/qc/switching/").status_code == 200
    # QC may not post QA's decision; nothing changes
    snapshot = Snapshot(state)
    response = client_for(qc_user).post(f"/qc/switching/{state.pk}/decide-reduced/",
                                        {**sig_body(qc_user), "production_steady": "on"})
    assert response.status_code == 403
    snapshot.assert_unchanged()
