"""The qc rows of API.md: field names, sampling plan, inspections with signing actions, dispositions (201 / 409
with every reason / 403), the CoA PDF, and the role checks (401/403)."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from lims.models import Signature
from production.models import Batch
from qc import services
from qc.models import Deviation, Disposition, Inspection
from tests.conftest import sig_body
from tests.helpers import Snapshot
from tests.qc.conftest import passing_results

pytestmark = pytest.mark.django_db
BASE = "/api/v1/qc/"


def test_sampling_plan(api_for, qc_user):
    response = api_for(qc_user).get(f"{BASE}sampling-plan/", {"lot_size": 3200, "aql": "1.0"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("code_letter", "sample_size", "accept", "reject", "inspect_all")} == {
        "code_letter": "K", "sample_size": 125, "accept": 3, "reject": 4, "inspect_all": False}


@pytest.mark.parametrize("query", [{"lot_size": "x", "aql": "1.0"}, {"lot_size": 500, "aql": "0.3"},
                                   {"aql": "1.0"}, {"lot_size": 500, "aql": "1.0", "level": "IX"}])
def test_sampling_plan_bad_input_is_400_with_fields(api_for, qc_user, query):
    response = api_for(qc_user).get(f"{BASE}sampling-plan/", query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["fields"]


@pytest.mark.parametrize(("persona", "status"), [(None, 401), ("outsider", 403), ("production_user", 200),
                                                 ("qa_user", 200), ("auditor_user", 200)])
def test_sampling_plan_roles(api_for, request, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    assert api_for(user).get(f"{BASE}sampling-plan/", {"lot_size": 50, "aql": "1.0"}).status_code == status


def test_specifications_create_and_validate(api_for, qc_user, kit):
    client = api_for(qc_user)
    body = {"product": kit.product.pk, "code": "WIDTH", "name": "Strip width", "kind": "numeric",
            "stage": "release", "lower": "3.9", "upper": "4.1", "unit": "mm", "required_for_release": True}
    response = client.post(f"{BASE}specifications/", body, format="json")
    assert response.status_code == 201, response.json()
    assert set(response.json()) >= {"id", "product", "code", "name", "kind", "stage", "lower", "upper", "unit",
                                    "required_for_release"}
    bad = client.post(f"{BASE}specifications/", {**body, "code": "W2", "lower": "5"}, format="json")
    assert bad.status_code == 400 and "upper" in bad.json()["fields"]
    nolimit = client.post(f"{BASE}specifications/", {**body, "code": "W3", "lower": None, "upper": None},
                          format="json")
    assert nolimit.status_code == 400 and "lower" in nolimit.json()["fields"]
    attr = client.post(f"{BASE}specifications/", {**body, "code": "W4", "kind": "attribute"}, format="json")
    assert attr.status_code == 400


def test_specifications_production_cannot_add(api_for, production_user, kit):
    response = api_for(production_user).post(f"{BASE}specifications/", {"product": kit.product.pk}, format="json")
    assert response.status_code == 403


def _results(kit, flow="3"):
    return [{"specification": kit.specs.flow.pk, "value": flow, "passed": True},
            {"specification": kit.specs.neg.pk, "passed": True},
            {"specification": kit.specs.aql.pk, "defects": 1}]


def test_inspection_flow_through_the_api(api_for, kit, qc_user, admin_user, qa_user, user_factory):
    response = api_for(qc_user).post(f"{BASE}inspections/", {
        "batch": kit.batch.lot_number, "stage": "release", "lot_size": 3200, "aql": "1.0",
        "results": _results(kit, flow="9")}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["batch"], body["status"], body["recorded_by"], body["sample_size"]) == (
        kit.batch.lot_number, "recorded", "qc", 125)
    assert [r["outcome"] for r in sorted(body["results"], key=lambda r: r["specification_code"])] == [
        "pass", "fail", "pass"]  # AQL, FLOW (9 > 5 despite passed: true), NEG
    assert Deviation.objects.filter(batch=kit.batch, kind="oos").count() == 1
    pk = body["id"]
    own = api_for(qc_user).post(f"{BASE}inspections/{pk}/review/", sig_body(qc_user), format="json")
    assert (own.status_code, own.json()["code"]) == (409, "four_eyes")
    wrong = api_for(admin_user).post(f"{BASE}inspections/{pk}/review/", sig_body(admin_user, "x"), format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "bad_signature")
    ok = api_for(admin_user).post(f"{BASE}inspections/{pk}/review/",
                                  {**sig_body(admin_user), "meaning": "reviewed", "reason": "checked"},
                                  format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "reviewed"
    denied = api_for(qc_user).post(f"{BASE}inspections/{pk}/approve/", sig_body(qc_user), format="json")
    assert denied.status_code == 403
    approved = api_for(qa_user).post(f"{BASE}inspections/{pk}/approve/", sig_body(qa_user), format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    result = Inspection.objects.get(pk=pk).results.get(specification=kit.specs.flow)
    nreason = api_for(qc_user).post(f"{BASE}inspections/{pk}/correct/", {"result": result.pk, "value": "4"},
                                    format="json")
    assert (nreason.status_code, nreason.json()["code"]) == (400, "reason_required")
    fixed = api_for(qc_user).post(f"{BASE}inspections/{pk}/correct/",
                                  {"result": result.pk, "value": "4", "reason": "typo"}, format="json")
    assert fixed.status_code == 200 and fixed.json()["status"] == "recorded"


def test_inspection_bad_input_is_400(api_for, kit, qc_user):
    response = api_for(qc_user).post(f"{BASE}inspections/", {"batch": kit.batch.lot_number, "stage": "release",
                                                             "sample_size": 20, "results": [
                                                                 {"specification": kit.specs.flow.pk}]},
                                     format="json")
    assert response.status_code == 400 and response.json()["fields"]
    assert not Inspection.objects.exists()


def test_disposition_refused_with_every_reason_and_nothing_changes(api_for, kit, qc_user, admin_user):
    services.record_inspection(batch=kit.batch, stage="release", sample_size=20,
                               results=[{"specification": kit.specs.flow, "value": Decimal("3")}], user=admin_user)
    snap = Snapshot(kit.batch)
    response = api_for(admin_user).post(f"{BASE}dispositions/", {
        "batch": kit.batch.lot_number, "decision": "release", **sig_body(admin_user), "meaning": "released",
        "reason": "release"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "qc_incomplete" and body["detail"]
    assert [r["code"] for r in body["reasons"]] == ["qc_incomplete", "four_eyes"]
    snap.assert_unchanged()
    assert not Disposition.objects.exists() and not Signature.objects.filter(meaning="released").exists()


def test_disposition_release_and_coa(api_for, kit, approved, releaser, regulatory_user, qc_user):
    approved()
    client = api_for(releaser)
    refused = api_for(regulatory_user).get(f"{BASE}batches/{kit.batch.lot_number}/coa/")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_released")
    assert api_for(qc_user).post(f"{BASE}dispositions/", {
        "batch": kit.batch.lot_number, "decision": "release", **sig_body(qc_user)},
        format="json").status_code == 403
    wrong = client.post(f"{BASE}dispositions/", {"batch": kit.batch.lot_number, "decision": "release",
                                                 **sig_body(releaser, "bad")}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "bad_signature")
    response = client.post(f"{BASE}dispositions/", {
        "batch": kit.batch.lot_number, "decision": "release", "quantity_released": 3100, **sig_body(releaser),
        "meaning": "released", "reason": "all release tests passed"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["batch"], response.json()["decision"], response.json()["quantity_released"]) == (
        kit.batch.lot_number, "release", 3100)
    assert Batch.objects.get(pk=kit.batch.pk).status == "released"
    pdf = api_for(regulatory_user).get(f"{BASE}batches/{kit.batch.lot_number}/coa/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert kit.batch.lot_number in text
    for code in ("FLOW", "NEG", "AQL"):
        assert code in text
    for name in ("Qc Tester", "Admin Tester", "Qa Tester", "Qa2 Tester"):
        assert name in text
    assert "3 min" in text and "Released" in text
    assert "changed after signature" not in text


@pytest.mark.parametrize(("persona", "status"), [(None, 401), ("outsider", 403), ("production_user", 200),
                                                 ("regulatory_user", 200), ("auditor_user", 200)])
def test_dispositions_list_roles(api_for, request, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    assert api_for(user).get(f"{BASE}dispositions/").status_code == status


def test_production_raises_a_deviation(api_for, kit, production_user):
    response = api_for(production_user).post(f"{BASE}deviations/", {
        "batch": kit.batch.lot_number, "title": "Pouch seal gap", "description": "Seen at line", "reason": "found"},
        format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["status"], response.json()["opened_by"]) == (
        "deviation", "open", "production")
    assert api_for(production_user).post(f"{BASE}deviations/{response.json()['id']}/close/",
                                         sig_body(production_user), format="json").status_code == 403


def test_list_inspections_fields(api_for, kit, qc_user):
    services.record_inspection(batch=kit.batch, stage="release", sample_size=5, results=passing_results(kit.specs)[:2],
                               user=qc_user)
    body = api_for(qc_user).get(f"{BASE}inspections/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) >= {"id", "batch", "stage", "sample_size", "results", "status", "recorded_by"}


def test_attribute_result_as_pass_fail_value_and_bad_number(api_for, kit, qc_user):
    client = api_for(qc_user)
    ok = client.post(f"{BASE}inspections/", {"batch": kit.batch.lot_number, "stage": "release", "sample_size": 10,
                                             "results": [{"specification": kit.specs.neg.pk, "value": "fail"},
                                                         {"specification": kit.specs.flow.pk, "value": 2.5}]},
                     format="json")
    assert ok.status_code == 201, ok.json()
    assert sorted(r["outcome"] for r in ok.json()["results"]) == ["fail", "pass"]
    bad = client.post(f"{BASE}inspections/", {"batch": kit.batch.lot_number, "stage": "release", "sample_size": 10,
                                              "results": [{"specification": kit.specs.flow.pk, "value": "abc"}]},
                      format="json")
    assert bad.status_code == 400 and "results.0.value" in bad.json()["fields"]
