"""QC pages: role checks, constant query counts on the lists, the detail pages with signatures and history, the
inspection entry and the disposition page with the signing dialog."""

import pytest

from qc import services
from tests.conftest import sig, sig_body
from tests.helpers import assert_constant_queries
from tests.qc.conftest import passing_results
from tests.qc.factories import make_batch, make_deviation

pytestmark = pytest.mark.django_db

LISTS = ["/qc/specifications/", "/qc/inspections/", "/qc/deviations/", "/qc/dispositions/"]


@pytest.mark.parametrize("url", LISTS)
def test_lists_roles(client_for, outsider, auditor_user, url):
    assert client_for(None).get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(auditor_user).get(url).status_code == 200
    assert client_for(auditor_user).get(url + "?export=csv").status_code == 200


def test_inspection_list_constant_queries(client_for, qa_user, kit, qc_user):
    def add():
        for _ in range(3):
            services.record_inspection(batch=kit.batch, stage="release", sample_size=5,
                                       results=passing_results(kit.specs)[:2], user=qc_user)

    add()
    assert_constant_queries(client_for(qa_user), "/qc/inspections/", add)


def test_deviation_and_disposition_lists_constant_queries(client_for, qa_user, production_user, user_factory):
    releaser = user_factory("qa2", "QA")

    def add():
        for _ in range(2):
            make_deviation(production_user)
            services.dispose_batch(make_batch(production_user), decision="quarantine", **sig(releaser),
                                   user=releaser)

    add()
    assert_constant_queries(client_for(qa_user), "/qc/deviations/", add)
    assert_constant_queries(client_for(qa_user), "/qc/dispositions/", add)


def test_inspection_entry_shows_the_plan_and_records(client_for, kit, qc_user):
    client = client_for(qc_user)
    page = client.get("/qc/inspections/new/", {"batch": kit.batch.lot_number, "stage": "release",
                                                "lot_size": 3200, "aql": "1.0"})
    assert page.status_code == 200 and b"125" in page.content
    response = client.post("/qc/inspections/new/", {
        "batch": kit.batch.lot_number, "stage": "release", "lot_size": 3200, "aql": "1.0", "sample_size": 125,
        f"spec-{kit.specs.flow.pk}": "3", f"spec-{kit.specs.neg.pk}": "pass", f"spec-{kit.specs.aql.pk}": "0"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"/history/" in detail.content


def test_disposition_page_lists_gates_and_signs(client_for, kit, approved, user_factory):
    approved()
    releaser = user_factory("qa2", "QA")
    client = client_for(releaser)
    page = client.get("/qc/dispositions/new/", {"batch": kit.batch.lot_number})
    assert page.status_code == 200 and b'name="password"' in page.content
    assert b"Release \xe2\x86\x92 Released" in page.content and b'name="username"' in page.content
    response = client.post("/qc/dispositions/sign/", {"batch": kit.batch.lot_number, "decision": "release",
                                                      **sig_body(releaser), "reason": "ok"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert b"Qa2 Tester" in detail.content
    assert client.get(f"/qc/batches/{kit.batch.lot_number}/coa.pdf").status_code == 200


def test_qc_cannot_open_the_disposition_page(client_for, qc_user):
    assert client_for(qc_user).get("/qc/dispositions/new/").status_code == 403


def test_deviation_page_and_signed_close(client_for, kit, production_user, qa_user):
    deviation = services.open_deviation(title="Sealer drift", batch=kit.batch, user=production_user)
    client = client_for(qa_user)
    page = client.get(f"/qc/deviations/{deviation.pk}/")
    assert page.status_code == 200 and b'name="password"' in page.content
    client.post(f"/qc/deviations/{deviation.pk}/investigate/", {"root_cause": "Worn heater",
                                                                 "impact_assessment": "Seals within limits"})
    client.post(f"/qc/deviations/{deviation.pk}/close/", {**sig_body(qa_user), "no_capa_reason": "Replaced",
                                                           "reason": "closed"})
    deviation.refresh_from_db()
    assert deviation.status == "closed"
    assert client_for(production_user).get(f"/qc/deviations/{deviation.pk}/").status_code == 200


def test_home_shows_the_qa_work_queue(client_for, kit, production_user, qa_user):
    services.open_deviation(title="Sealer drift", batch=kit.batch, user=production_user)
    response = client_for(qa_user).get("/")
    assert response.status_code == 200 and b"Sealer drift" in response.content


def test_the_dialog_says_who_may_not_sign_before_any_password(client_for, kit, qc_user, qa_user):
    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user, reason="testing")
    recorder, reviewer = qc_user, qa_user
    qc_user.groups.add(*qa_user.groups.all())  # the recorder holds the reviewing right too: four eyes still bind
    page = client_for(recorder).get(inspection.get_absolute_url()).content.decode()
    assert "data-signing-refusal" in page and "another person must review" in page
    assert 'name="password"' not in page
    page = client_for(reviewer).get(inspection.get_absolute_url()).content.decode()
    assert "data-signing-refusal" not in page and 'name="username"' in page and 'name="password"' in page
    assert "Reviewed" in page  # the meaning is shown, not chosen
