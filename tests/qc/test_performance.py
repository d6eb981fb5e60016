"""Clinical performance: Wilson and Clopper–Pearson intervals against DOMAIN.md §6 worked values, and the
performance-studies API row (proportions as fractions 0–1)."""

import pytest

from qc.intervals import clopper_pearson, regularized_beta, wilson


def pct(interval):
    return tuple(round(100 * v, 1) for v in interval)


def test_worked_values_of_domain_md():
    assert pct(wilson(95, 100)) == (88.8, 97.8)
    assert pct(clopper_pearson(95, 100)) == (88.7, 98.4)


@pytest.mark.parametrize(("x", "n", "expected"), [(0, 20, (0.0, 16.8)), (20, 20, (83.2, 100.0)),
                                                  (19, 20, (75.1, 99.9)), (50, 100, (39.8, 60.2))])
def test_clopper_pearson_edges_and_known_values(x, n, expected):
    assert pct(clopper_pearson(x, n)) == expected


def test_regularized_beta_symmetry():
    assert regularized_beta(0.5, 3, 3) == pytest.approx(0.5)
    assert regularized_beta(0.3, 2, 5) == pytest.approx(1 - regularized_beta(0.7, 5, 2))


@pytest.mark.django_db
def test_performance_studies_api(api_for, qc_user, auditor_user, kit):
    body = {"product": kit.product.pk, "kind": "clinical", "tp": 95, "fn": 5, "tn": 198, "fp": 2,
            "ci_method": "clopper-pearson"}
    assert api_for(auditor_user).post("/api/v1/qc/performance-studies/", body, format="json").status_code == 403
    response = api_for(qc_user).post("/api/v1/qc/performance-studies/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["sensitivity"] == 0.95 and data["specificity"] == 0.99
    assert data["sensitivity_ci"] == [0.8872, 0.9836]
    wilson_ = api_for(qc_user).patch(f"/api/v1/qc/performance-studies/{data['id']}/",
                                     {"reason": "corrected", "ci_method": "wilson", "version": data["version"]},
                                     format="json")
    assert wilson_.json()["sensitivity_ci"] == [0.8882, 0.9785]
    assert api_for(auditor_user).get("/api/v1/qc/performance-studies/").json()["count"] == 1
