"""Performance studies from the pages: create, edit with a reason (refused without one, nothing changes), Ct
strata with their sensitivity and 95 % interval, the citation; the API shows category, specimen and strata."""

import pytest

from lims.services import create_record
from qc.intervals import wilson
from qc.models import PerformanceStratum, PerformanceStudy
from tests.helpers import Snapshot, assert_history
from tests.qc.factories import make_product, make_study

pytestmark = pytest.mark.django_db


def test_create_from_the_page(client_for, qc_user):
    product = make_product(qc_user)
    response = client_for(qc_user).post("/qc/performance-studies/new/", {
        "product": product.pk, "kind": "clinical", "title": "Nasal swab study", "category": "prospective",
        "specimen_type": "anterior nasal swab", "tp": 95, "fp": 2, "tn": 198, "fn": 5, "ci_method": "wilson",
        "reason": ""})
    study = PerformanceStudy.objects.get(title="Nasal swab study")
    assert response.status_code == 302 and response["Location"] == study.get_absolute_url()
    assert (study.category, study.specimen_type) == ("prospective", "anterior nasal swab")
    assert_history(study, user=qc_user)


def test_edit_needs_a_reason(client_for, qc_user):
    study = make_study(qc_user, category="retrospective")
    snapshot = Snapshot(study)
    data = {"kind": "clinical", "title": "Corrected", "category": "retrospective", "specimen_type": "saliva",
            "tp": 96, "fp": 2, "tn": 198, "fn": 4, "ci_method": "clopper-pearson"}
    page = client_for(qc_user).post(f"/qc/performance-studies/{study.pk}/edit/", {**data, "reason": ""})
    assert page.status_code == 200  # the form again, with the error
    snapshot.assert_unchanged()
    response = client_for(qc_user).post(f"/qc/performance-studies/{study.pk}/edit/",
                                        {**data, "reason": "transcription error in TP/FN"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.tp, study.fn, study.ci_method) == (96, 4, "clopper-pearson")
    assert_history(study, user=qc_user, reason="transcription error in TP/FN")


def test_ct_strata_estimates_and_intervals(client_for, qc_user, api_for, outsider):
    study = make_study(qc_user, category="prospective", specimen_type="nasopharyngeal swab")
    client_for(qc_user).post(f"/qc/performance-studies/{study.pk}/strata/new/",
                             {"label": "Ct < 25", "ct_max": "25", "tp": 60, "fn": 0, "reason": ""})
    create_record(PerformanceStratum, {"study": study, "label": "Ct 25–30", "ct_min": 25, "ct_max": 30, "tp": 30,
                                       "fn": 2}, user=qc_user, reason="")
    create_record(PerformanceStratum, {"study": study, "label": "Ct ≥ 30", "ct_min": 30, "tp": 5, "fn": 3},
                  user=qc_user, reason="")
    strata = {s.label: s for s in study.strata.all()}
    assert strata["Ct ≥ 30"].sensitivity == 0.625
    low, high = wilson(5, 8)
    assert strata["Ct ≥ 30"].sensitivity_ci == [round(low, 4), round(high, 4)]
    page = client_for(qc_user).get(f"/qc/performance-studies/{study.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Ct 25–30" in html and "0.6250" in html and "PS-" in html
    body = api_for(qc_user).get(f"/api/v1/qc/performance-studies/{study.pk}/").json()
    assert body["category"] == "prospective" and len(body["strata"]) == 3
    assert {s["label"]: s["sensitivity"] for s in body["strata"]}["Ct < 25"] == 1.0
    assert client_for(outsider).get(f"/qc/performance-studies/{study.pk}/").status_code == 403


def test_stratum_bounds_refused(client_for, qc_user):
    study = make_study(qc_user)
    client_for(qc_user).post(f"/qc/performance-studies/{study.pk}/strata/new/",
                             {"label": "bad", "ct_min": "30", "ct_max": "25", "tp": 1, "fn": 0})
    assert not study.strata.exists()
