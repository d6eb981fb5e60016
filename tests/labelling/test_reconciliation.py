"""Label reconciliation as found (DOMAIN.md §8; API.md): per template issued = used + destroyed + returned; a
mismatch is recorded (201) with its discrepancy and reason and opens a deviation (qc, linked both ways) that
blocks release and shipment like any open deviation."""

import pytest

from lims.errors import DomainError
from production.labelling import services
from production.labelling.models import LabelReconciliation
from qc import gates
from qc.models import Deviation
from tests.helpers import Snapshot, assert_history, table_counts

pytestmark = pytest.mark.django_db


def url(batch):
    return f"/api/v1/production/labels/{batch.lot_number}/reconciliation/"


def test_each_template_reconciles_against_its_own_issued_count(api_for, production_user, started):
    services.print_labels(started, "unit", None, 10, user=production_user, reason="print")
    services.print_labels(started, "case", None, 2, user=production_user, reason="print")
    api = api_for(production_user)
    unit = api.post(url(started), {"template": "unit", "used": 7, "destroyed": 2, "returned": 1,
                                   "reason": "end of batch"}, format="json")
    assert unit.status_code == 201, unit.json()
    assert (unit.json()["issued"], unit.json()["discrepancy"], unit.json()["deviation"]) == (10, 0, None)
    case = api.post(url(started), {"template": "case", "used": 2, "destroyed": 0, "returned": 0}, format="json")
    assert case.status_code == 201 and case.json()["issued"] == 2
    assert_history(LabelReconciliation.objects.get(template="unit"), user=production_user, reason="end of batch")
    assert not Deviation.objects.exists()


def test_a_mismatch_is_recorded_opens_a_deviation_and_blocks_release(api_for, production_user, qa_user, started):
    services.print_labels(started, "unit", None, 10, user=production_user, reason="print")
    response = api_for(production_user).post(url(started), {
        "template": "unit", "used": 7, "destroyed": 1, "returned": 1, "reason": "one label missing at line clearance"},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["discrepancy"] == 1 and body["reason"] == "one label missing at line clearance"
    deviation = Deviation.objects.get()
    assert body["deviation"] == deviation.pk
    reconciliation = LabelReconciliation.objects.get()
    # linked both ways
    assert deviation.label_reconciliation == reconciliation and list(reconciliation.deviations.all()) == [deviation]
    assert deviation.batch == started and deviation.status == "open"
    assert "open_deviation" in [r["code"] for r in gates.release_blockers(started, qa_user)]
    # listed again with its deviation
    listed = api_for(production_user).get(url(started)).json()
    assert listed[0]["deviation"] == deviation.pk


def test_a_mismatch_without_a_reason_is_400_and_changes_nothing(api_for, production_user, started):
    services.print_labels(started, "unit", None, 10, user=production_user, reason="print")
    snap = Snapshot(started)
    counts = table_counts(LabelReconciliation, Deviation)
    response = api_for(production_user).post(url(started), {"template": "unit", "used": 7, "destroyed": 1,
                                                            "returned": 1}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    snap.assert_unchanged()
    assert table_counts(LabelReconciliation, Deviation) == counts


@pytest.mark.parametrize("data, field", [
    ({"template": "case", "used": 1, "destroyed": 0, "returned": 0}, "template"),  # no case job printed
    ({"template": "unit", "used": -1, "destroyed": 0, "returned": 0}, "used"),
])
def test_bad_input_is_400_with_the_field(api_for, production_user, started, data, field):
    services.print_labels(started, "unit", None, 1, user=production_user, reason="print")
    response = api_for(production_user).post(url(started), data, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not LabelReconciliation.objects.exists()


def test_a_template_is_reconciled_once(production_user, started):
    services.print_labels(started, "unit", None, 1, user=production_user, reason="print")
    services.reconcile_labels(started, "unit", 1, 0, 0, user=production_user, reason="ok")
    with pytest.raises(DomainError) as err:
        services.reconcile_labels(started, "unit", 1, 0, 0, user=production_user, reason="again")
    assert err.value.code == "already_reconciled"
    assert LabelReconciliation.objects.count() == 1
