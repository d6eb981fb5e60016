"""Performance evidence of a dossier against the market rule's thresholds (issue 6, item 6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lims.services import update_record
from regulatory import services
from regulatory.evidence import evidence
from regulatory.models import DossierStudy
from tests.helpers import assert_history, table_counts
from tests.qc.factories import make_study
from tests.regulatory.factories import make_dossier, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(regulatory_user):
    dossier = make_dossier(regulatory_user)
    rule = make_rule(regulatory_user, market=dossier.market, kinds=[], valid_from=date(2020, 1, 1))
    update_record(rule, {"min_sensitivity": Decimal("0.90"), "min_specificity": Decimal("0.97"),
                         "criteria_compare": "lower_bound", "criteria_source": "test: lower-bound thresholds"},
                  user=regulatory_user, reason="HSC common list criteria")
    return dossier


def test_a_study_meeting_both_thresholds(dossier, regulatory_user):
    # 95/100 → Wilson 0.888–0.978 (DOMAIN.md §6): the lower bound 0.888 is below 0.90.
    weak = make_study(regulatory_user, product=dossier.product, tp=95, fn=5, tn=990, fp=10)
    strong = make_study(regulatory_user, product=dossier.product, tp=485, fn=15, tn=995, fp=5)
    for study in (weak, strong):
        link = services.cite_study(dossier, study, user=regulatory_user, reason="clinical evidence")
    assert_history(link, user=regulatory_user, reason="clinical evidence")
    rule, rows = evidence(dossier)
    assert (rule.min_sensitivity, rule.min_specificity) == (Decimal("0.9000"), Decimal("0.9700"))
    assert [r.study for r in rows] == [weak, strong]
    assert rows[0].sensitivity_ci[0] == pytest.approx(0.888, abs=0.001)
    assert (rows[0].meets_sensitivity, rows[0].meets_specificity, rows[0].meets) == (False, True, False)
    assert (rows[1].meets_sensitivity, rows[1].meets_specificity, rows[1].meets) == (True, True, True)


def test_another_products_study_or_a_second_citation_is_refused(dossier, regulatory_user):
    other = make_study(regulatory_user)
    before = table_counts(DossierStudy)
    with pytest.raises(ValidationError) as err:
        services.cite_study(dossier, other, user=regulatory_user, reason="x")
    assert "another product" in str(err.value)
    study = make_study(regulatory_user, product=dossier.product)
    services.cite_study(dossier, study, user=regulatory_user, reason="x")
    with pytest.raises(ValidationError):
        services.cite_study(dossier, study, user=regulatory_user, reason="again")
    assert table_counts(DossierStudy) == {"regulatory.DossierStudy": before["regulatory.DossierStudy"] + 1}


def test_the_dossier_page_shows_the_evidence_and_cites_a_study(dossier, regulatory_user, qa_user, client_for):
    study = make_study(regulatory_user, product=dossier.product, tp=485, fn=15, tn=995, fp=5)
    client = client_for(regulatory_user)
    url = reverse("regulatory:dossier-cite-study", args=[dossier.pk])
    assert client_for(qa_user).post(url, {"study": study.pk}).status_code == 403
    response = client.post(url, {"study": study.pk, "reason": "pivotal study"})
    assert response.status_code == 302
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert "Performance evidence" in page and str(study) in page and "0.97" in page


def _rule(dossier):
    return dossier.market.rule_on(date.today())


def test_120_of_126_does_not_meet_a_lower_bound_of_090_unrounded(dossier, regulatory_user):
    # Wilson lower bound of 120/126 is 0.8999983…: shown rounded as 0.9, but it does not reach 0.90.
    study = make_study(regulatory_user, product=dossier.product, tp=120, fn=6, tn=990, fp=10)
    services.cite_study(dossier, study, user=regulatory_user, reason="evidence")
    _rule_, rows = evidence(dossier)
    assert rows[0].sensitivity_ci[0] == 0.9  # the display value
    assert rows[0].meets_sensitivity is False and rows[0].meets is False


def test_95_of_100_meets_a_point_estimate_of_080(dossier, regulatory_user):
    update_record(_rule(dossier), {"min_sensitivity": Decimal("0.80"), "criteria_compare": "point",
                                   "criteria_source": "WHO minimum, ECDC technical report of 19 Nov 2020"},
                  user=regulatory_user, reason="point-estimate version")
    study = make_study(regulatory_user, product=dossier.product, tp=95, fn=5, tn=990, fp=10)
    services.cite_study(dossier, study, user=regulatory_user, reason="evidence")
    rule, rows = evidence(dossier)
    assert rule.criteria_compare == "point"
    assert rows[0].meets_sensitivity is True and rows[0].meets is True  # 0.95 ≥ 0.80 (lower bound 0.888 too)
    # the same point rule at exactly the estimate: 0.95 meets ≥ 0.95, 0.9501 does not
    update_record(rule, {"min_sensitivity": Decimal("0.95")}, user=regulatory_user, reason="edge")
    assert evidence(dossier)[1][0].meets_sensitivity is True
    update_record(_rule(dossier), {"min_sensitivity": Decimal("0.9501")}, user=regulatory_user, reason="edge")
    assert evidence(dossier)[1][0].meets_sensitivity is False


def test_thresholds_must_cite_their_document(dossier, regulatory_user):
    rule = _rule(dossier)
    with pytest.raises(ValidationError) as err:
        update_record(rule, {"criteria_source": ""}, user=regulatory_user, reason="remove the citation")
    assert "criteria_source" in err.value.message_dict


def test_the_demo_eu_rule_cites_its_source_and_compares_point_estimates():
    from regulatory.demo import EVIDENCE

    eu = EVIDENCE[("EU", 2)]
    assert eu["criteria_compare"] == "point" and "2021/C 24/01" in eu["criteria_source"]
