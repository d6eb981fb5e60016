"""The QC and QA pages of the main chain (issue 19 item 5): the release inspection started from the batch page
with the ISO 2859-1 plan from the batch size and the AQL specification, "every pass/fail test passed" on the
form, the approval of a release inspection leading to the disposition, release preselected only when every gate
is satisfied, the decision placed after the password in the signing dialog."""

import pytest
from django.urls import reverse

from qc.models import Inspection
from tests.qc.conftest import passing_results

pytestmark = pytest.mark.django_db

SIG = {"password": "lims-demo"}


def test_the_batch_page_offers_the_release_inspection_to_qc_only(client_for, qc_user, production_user, kit):
    url = kit.batch.get_absolute_url()
    start = reverse("qc:inspection-create") + f"?batch={kit.batch.lot_number}&amp;stage=release"
    assert start in client_for(qc_user).get(url).content.decode()
    assert "record-release-inspection" not in client_for(production_user).get(url).content.decode()


def test_the_batch_page_does_not_offer_a_second_release_inspection(client_for, qc_user, kit):
    from qc import services

    services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                               results=passing_results(kit.specs), user=qc_user, reason="release testing")
    assert "record-release-inspection" not in client_for(qc_user).get(kit.batch.get_absolute_url()).content.decode()


def test_the_inspection_form_takes_the_plan_from_the_batch_size_and_the_aql_specification(client_for, qc_user, kit):
    page = client_for(qc_user).get(reverse("qc:inspection-create") + f"?batch={kit.batch.lot_number}&stage=release")
    assert page.status_code == 200
    plan = page.context["plan"]
    assert page.context["aql"] == "1.0" and plan.lot_size == 3200 and plan.code_letter == "K"
    assert plan.sample_size == 125 and (plan.accept, plan.reject) == (3, 4)
    html = page.content.decode()
    assert 'id="all-conform"' in html and "qc/inspection_form.js" in html
    assert f'name="spec-{kit.specs.neg.pk}" data-conform-value="pass"' in html
    assert f'name="spec-{kit.specs.aql.pk}"' in html and 'data-conform-value="0"' in html
    assert f'id="spec-{kit.specs.flow.pk}" name="spec-{kit.specs.flow.pk}" inputmode="decimal">' in html
    other = client_for(qc_user).get(reverse("qc:inspection-create") + f"?batch={kit.batch.lot_number}&aql=0.65")
    assert other.context["aql"] == "0.65" and other.context["plan"].aql == "0.65"


def test_an_inspection_without_a_measured_value_is_still_refused(client_for, qc_user, kit):
    data = {"batch": kit.batch.lot_number, "stage": "release", "lot_size": 3200, "aql": "1.0", "level": "II",
            "sample_size": 200, f"spec-{kit.specs.flow.pk}": "three"}
    page = client_for(qc_user).post(reverse("qc:inspection-create"), data)
    assert page.status_code == 200 and "FLOW: a number is required." in page.content.decode()
    assert Inspection.objects.count() == 0


def _recorded(kit, qc_user, admin_user):
    from qc import services

    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user, reason="release")
    return services.review_inspection(inspection, username=admin_user.username, **SIG, user=admin_user,
                                      reason="checked")


def test_approving_a_release_inspection_leads_to_the_disposition(client_for, qc_user, admin_user, qa_user, kit):
    inspection = _recorded(kit, qc_user, admin_user)
    response = client_for(qa_user).post(reverse("qc:inspection-approve", args=[inspection.pk]),
                                        {"username": qa_user.username, **SIG})
    assert response.status_code == 302
    assert response["Location"] == reverse("qc:disposition-create") + f"?batch={kit.batch.lot_number}"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.APPROVED


def test_a_refused_approval_goes_back_to_the_inspection(client_for, qc_user, admin_user, qa_user, kit):
    inspection = _recorded(kit, qc_user, admin_user)
    response = client_for(qa_user).post(reverse("qc:inspection-approve", args=[inspection.pk]),
                                        {"username": qa_user.username, "password": "wrong"})
    assert response["Location"] == inspection.get_absolute_url()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.REVIEWED


def test_release_is_preselected_only_when_every_gate_is_satisfied(client_for, approved, releaser, admin_user, kit):
    url = reverse("qc:disposition-create") + f"?batch={kit.batch.lot_number}"
    blocked = client_for(releaser).get(url)  # no approved release result yet
    assert blocked.context["blockers"] and blocked.context["default_decision"] == ""
    assert '<option value="">—</option>' in blocked.content.decode()
    approved()
    ready = client_for(releaser).get(url)
    assert ready.context["blockers"] == [] and ready.context["default_decision"] == "release"
    html = ready.content.decode()
    assert '<option value="release" selected>' in html
    # keyboard order: user name, password, then the decision that sets the meaning
    assert html.index('id="dispose-dialog-username"') < html.index('id="dispose-dialog-password"') < \
        html.index('id="f-decision"')
    four_eyes = client_for(admin_user).get(url)  # the reviewer of the results may not release them
    assert four_eyes.context["blockers"] and four_eyes.context["default_decision"] == ""
