"""Control materials, runs and results: a baseline of at least 20 results sets the target; each result gets z
and its Westgard rules across runs and levels (API accepts a list); a rejected run opens a deviation and blocks
the inspections that used it (approval and release); the Levey–Jennings and p-chart pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lims.errors import DomainError
from qc import control, services
from qc.gates import release_blockers
from qc.models import ControlMaterial, ControlResult, ControlRun, Deviation
from tests.conftest import sig
from tests.helpers import Snapshot, assert_constant_queries, table_counts
from tests.qc.conftest import passing_results

pytestmark = pytest.mark.django_db
BASE = "/api/v1/qc/"


@pytest.fixture
def levels(qc_user):
    expiry = timezone.localdate() + timedelta(days=300)
    low = control.create_control_material({"analyte": "T/C ratio", "level": "1 low", "lot": "CL-1",
                                           "expiry_date": expiry, "target_source": "insert",
                                           "target_mean": Decimal("0.50"), "target_sd": Decimal("0.05")},
                                          user=qc_user, reason="insert rev 3")
    high = control.create_control_material({"analyte": "T/C ratio", "level": "2 high", "lot": "CH-1",
                                            "expiry_date": expiry, "target_source": "insert",
                                            "target_mean": Decimal("2.00"), "target_sd": Decimal("0.10")},
                                           user=qc_user, reason="insert rev 3")
    return low, high


def post(api, *rows):
    return api.post(f"{BASE}control-results/", list(rows), format="json")


def test_api_accepts_a_list_and_returns_z_and_rules(api_for, qc_user, levels):
    low, high = levels
    api = api_for(qc_user)
    response = post(api, {"control": low.pk, "run": "R1", "value": "0.52"}, {"control": high.pk, "run": "R1",
                                                                               "value": "2.05"})
    assert response.status_code == 201
    assert [(r["z"], r["rules"]) for r in response.json()] == [(0.4, []), (0.5, [])]
    # 2-2s within one run across levels, on both values
    body = post(api, {"control": low.pk, "run": "R2", "value": "0.615"},
                {"control": high.pk, "run": "R2", "value": "2.23"}).json()
    assert [r["rules"] for r in body] == [["1-2s", "2-2s"], ["1-2s", "2-2s"]]
    assert ControlRun.objects.get(name="R2").status == "rejected"
    listed = api.get(f"{BASE}control-results/", {"run": "R2"}).json()
    assert listed["count"] == 2 if isinstance(listed, dict) else len(listed) == 2


def test_r_4s_within_a_run_but_not_across_runs(api_for, qc_user, levels):
    low, high = levels
    api = api_for(qc_user)
    post(api, {"control": low.pk, "run": "A", "value": "0.615"})  # +2.3 SD
    second = post(api, {"control": low.pk, "run": "B", "value": "0.395"}).json()[0]  # −2.1 SD next run
    assert second["rules"] == ["1-2s"]
    body = post(api, {"control": low.pk, "run": "C", "value": "0.615"},
                {"control": high.pk, "run": "C", "value": "1.79"}).json()
    assert [r["rules"] for r in body] == [["1-2s", "R-4s"], ["1-2s", "R-4s"]]


def test_bad_input_is_400_and_changes_nothing(api_for, qc_user, levels):
    low, _ = levels
    before = table_counts(ControlResult, ControlRun)
    response = post(api_for(qc_user), {"control": low.pk, "run": "R1", "value": "0.5"},
                    {"control": 999999, "run": "R1", "value": "1"})
    assert response.status_code == 400
    assert table_counts(ControlResult, ControlRun) == before
    assert api_for(qc_user).post(f"{BASE}control-results/", {"control": low.pk, "run": "", "value": "x"},
                                 format="json").status_code == 400
    assert table_counts(ControlResult, ControlRun) == before


def test_roles(api_for, production_user, levels):
    low, _ = levels
    response = post(api_for(production_user), {"control": low.pk, "run": "R1", "value": "0.5"})
    assert response.status_code == 403
    assert not ControlResult.objects.exists()


def test_baseline_of_20_sets_the_target(qc_user):
    material = control.create_control_material({"analyte": "Line intensity", "level": "1", "lot": "B-1",
                                                "expiry_date": date.today() + timedelta(days=90)}, user=qc_user)
    values = [10 + (i % 5 - 2) * 0.5 for i in range(19)]
    control.record_control_results([{"control": material, "run": f"B{i:02d}", "value": v}
                                    for i, v in enumerate(values)], user=qc_user)
    snapshot = Snapshot(material)
    with pytest.raises(DomainError) as exc:
        control.establish_target(material, user=qc_user)
    assert exc.value.code == "baseline_too_small"
    snapshot.assert_unchanged()
    control.record_control_results([{"control": material, "run": "B19", "value": 10}], user=qc_user)
    material = control.establish_target(material, user=qc_user, reason="20 baseline results")
    import statistics

    expected = [*values, 10]
    assert float(material.target_mean) == pytest.approx(statistics.fmean(expected), abs=1e-5)
    assert float(material.target_sd) == pytest.approx(statistics.stdev(expected), abs=1e-5)
    result = control.record_control_results([{"control": material, "run": "R1", "value": 13}], user=qc_user)[0]
    assert result.z > 3 and result.rules == ["1-3s"] and not result.baseline


def test_a_rejected_run_opens_a_deviation_and_blocks_its_inspections(kit, qc_user, admin_user, qa_user, levels,
                                                                     user_factory):
    low, high = levels
    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user, reason="release")
    services.review_inspection(inspection, **sig(admin_user), user=admin_user)
    control.record_control_results([{"control": low, "run": "R7", "value": "0.51"},
                                    {"control": high, "run": "R7", "value": "2.01"}], user=qc_user)
    run = ControlRun.objects.get(name="R7")
    control.use_control_run(run, inspection, user=qc_user)
    control.record_control_results([{"control": low, "run": "R8", "value": "0.70"}], user=qc_user)  # 1-3s
    control.record_control_results([{"control": high, "run": "R7b", "value": "2.5"}], user=qc_user)
    assert ControlRun.objects.get(name="R7").status == "accepted"
    # A late 1-3s result in R7 itself rejects it.
    material = control.create_control_material({"analyte": "T/C ratio", "level": "3", "lot": "CX-1",
                                                "expiry_date": low.expiry_date, "target_source": "insert",
                                                "target_mean": "1", "target_sd": "0.1"}, user=qc_user)
    control.record_control_results([{"control": material, "run": "R7", "value": "1.5"}], user=qc_user)
    run = ControlRun.objects.get(name="R7")
    assert run.status == "rejected" and run.deviation is not None
    assert Deviation.objects.filter(pk=run.deviation_id, status="open").exists()
    snapshot = Snapshot(inspection)
    with pytest.raises(DomainError) as exc:
        services.approve_inspection(inspection, **sig(qa_user), user=qa_user)
    assert exc.value.code == "control_run_rejected"
    snapshot.assert_unchanged()
    assert "control_run_rejected" in {b["code"] for b in release_blockers(kit.batch, None)}
    with pytest.raises(DomainError):
        control.use_control_run(run, inspection, user=qc_user)


def test_westgard_rules_per_analyte(qc_user, levels):
    low, high = levels
    control.set_westgard_rules("T/C ratio", ["1-3s", "R-4s"], user=qc_user, reason="two-level SOP")
    results = control.record_control_results([{"control": low, "run": "R1", "value": "0.615"},
                                              {"control": high, "run": "R1", "value": "2.23"}], user=qc_user)
    assert [r.rules for r in results] == [[], []]
    assert ControlRun.objects.get(name="R1").status == "accepted"


def test_levey_jennings_page(client_for, qc_user, outsider, levels):
    low, high = levels
    control.record_control_results([{"control": low, "run": f"R{i}", "value": v}
                                    for i, v in enumerate(["0.5", "0.62", "0.38", "0.66"])], user=qc_user)
    page = client_for(qc_user).get(f"/qc/control-materials/{low.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-chart="lj-chart"' in html and "+3 SD" in html
    assert "chart.umd.min.js" in html
    chart = control.levey_jennings(ControlMaterial.objects.get(pk=low.pk))
    marked = next(d for d in chart["data"]["datasets"] if d.get("pointStyle") == "crossRot")
    assert marked["data"] == [None, None, None, 0.66]
    assert client_for(outsider).get(f"/qc/control-materials/{low.pk}/").status_code == 403
    assert_constant_queries(client_for(qc_user), "/qc/control-materials/", lambda: control.create_control_material(
        {"analyte": "X", "level": str(ControlMaterial.objects.count()), "lot": "L", "expiry_date": low.expiry_date,
         "target_source": "insert", "target_mean": 1, "target_sd": 1}, user=qc_user))


def test_p_chart(kit, approved, qc_user, client_for):
    approved()
    data = control.p_chart(kit.product)
    chart = data["charts"][0]
    assert chart["spec"].code == "AQL" and chart["rows"][0]["n"] == 125 and chart["rows"][0]["p"] == 0
    assert client_for(qc_user).get(f"/qc/products/{kit.product.pk}/p-chart/").status_code == 200
