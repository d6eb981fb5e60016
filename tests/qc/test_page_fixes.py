"""Issue 19's QC findings: an OOS result's deviation is announced and linked on the inspection page and shown on the
batch page; the work queue counts and links to the whole list; the investigation form shows the saved text; the
CAPA owner is chosen among the people who may own one."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qc import services
from qc.models import Capa, Deviation
from tests.helpers import Snapshot, assert_constant_queries, assert_history
from tests.qc.conftest import passing_results
from tests.qc.factories import make_batch, make_deviation

pytestmark = pytest.mark.django_db


def oos_inspection(kit, qc_user):
    results = passing_results(kit.specs)
    results[0] = {"specification": kit.specs.flow, "value": Decimal("9")}  # limits 1–5 min
    return services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0", results=results,
                                      user=qc_user, reason="release testing")


def test_the_inspection_page_says_a_deviation_was_opened_and_links_it(client_for, kit, qc_user):
    inspection = oos_inspection(kit, qc_user)
    deviation = Deviation.objects.get(result__inspection=inspection)
    html = client_for(qc_user).get(inspection.get_absolute_url()).content.decode()
    assert 'id="opened-deviations"' in html
    assert "A result out of specification opened a deviation automatically" in html
    assert f'href="{deviation.get_absolute_url()}"' in html
    zh = client_for(qc_user).get(inspection.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "超出规格的结果已自动开启 1 项偏差" in zh
    # and the deviation points back at the inspection
    back = client_for(qc_user).get(deviation.get_absolute_url()).content.decode()
    assert f'href="{inspection.get_absolute_url()}"' in back and "FLOW: 9 min" in back


def test_a_passing_inspection_announces_nothing(client_for, kit, qc_user):
    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user)
    assert 'id="opened-deviations"' not in client_for(qc_user).get(inspection.get_absolute_url()).content.decode()


def test_the_batch_page_lists_its_deviations_at_a_constant_query_count(client_for, kit, qc_user, production_user):
    inspection = oos_inspection(kit, qc_user)
    oos = Deviation.objects.get(result__inspection=inspection)
    client = client_for(qc_user)
    html = client.get(kit.batch.get_absolute_url()).content.decode()
    assert 'id="batch-deviations"' in html and f'href="{oos.get_absolute_url()}"' in html
    assert f"/qc/deviations/?batch={kit.batch.lot_number}" in html

    def add():
        services.open_deviation(title="Seal drift", description="", batch=kit.batch, user=production_user,
                                reason="found")

    assert_constant_queries(client, kit.batch.get_absolute_url(), add)
    assert client.get(kit.batch.get_absolute_url()).content.decode().count("Seal drift") == 2


def test_the_work_queue_counts_and_links_to_the_whole_list(client_for, qc_user, production_user):
    for _ in range(12):
        make_batch(production_user)
    html = client_for(qc_user).get("/").content.decode()
    section = re.search(r'aria-label="Batches awaiting QC".*?</section>', html, re.S).group(0)
    assert section.count("<li>") == 10
    assert "data-queue-count>12<" in section
    assert 'href="/production/batches/?status=awaiting_qc"' in section and "Show all 12" in section


def test_open_deviations_link_filters_the_list(client_for, qa_user, production_user):
    open_one = make_deviation(production_user)
    html = client_for(qa_user).get("/qc/deviations/?open=true").content.decode()
    assert open_one.get_absolute_url() in html


def test_the_investigation_form_shows_the_saved_text(client_for, qc_user, production_user):
    deviation = make_deviation(production_user)
    client = client_for(qc_user)
    response = client.post(f"/qc/deviations/{deviation.pk}/investigate/", {
        "root_cause": "Sealer thermostat drifted", "impact_assessment": "Lot sealed at 5 °C low", "reason": "findings"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == "investigating" and deviation.root_cause == "Sealer thermostat drifted"
    assert_history(deviation, user=qc_user, reason="findings")
    html = client.get(deviation.get_absolute_url()).content.decode()
    assert re.search(r'<textarea[^>]*name="root_cause"[^>]*>\s*Sealer thermostat drifted</textarea>', html)
    assert re.search(r'<textarea[^>]*name="impact_assessment"[^>]*>\s*Lot sealed at 5 °C low</textarea>', html)


def test_the_capa_owner_is_chosen_among_qa_qc_and_production(client_for, qc_user, production_user, user_factory,
                                                              regulatory_user):
    deviation = make_deviation(production_user)
    owner = user_factory("lin", "Production", first_name="Lin", last_name="Wei")
    client = client_for(qc_user)
    html = client.get(deviation.get_absolute_url()).content.decode()
    select = re.search(r'<select[^>]*name="owner".*?</select>', html, re.S).group(0)
    assert "Lin Wei (lin)" in select and f'value="{qc_user.pk}" selected' in select
    assert f'value="{regulatory_user.pk}"' not in select
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = client.post(f"/qc/deviations/{deviation.pk}/capa/", {
        "action": "Replace the thermostat", "owner": owner.pk, "due_date": due, "reason": "CAPA"})
    assert response.status_code == 302
    capa = Capa.objects.get(deviation=deviation)
    assert capa.owner == owner and capa.action == "Replace the thermostat"
    assert "Lin Wei" in client.get(deviation.get_absolute_url()).content.decode()


def test_a_capa_owner_without_a_suitable_role_is_refused_and_nothing_changes(client_for, qc_user, production_user,
                                                                            regulatory_user):
    deviation = make_deviation(production_user)
    snapshot = Snapshot(deviation)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    client = client_for(qc_user)
    response = client.post(f"/qc/deviations/{deviation.pk}/capa/", {
        "action": "Replace the thermostat", "owner": regulatory_user.pk, "due_date": due, "reason": "CAPA"},
        follow=True)
    assert "Owner:" in response.content.decode()
    assert not Capa.objects.filter(deviation=deviation).exists()
    snapshot.assert_unchanged()
    with pytest.raises(Exception) as exc:
        services.add_capa(deviation, action="x", owner=regulatory_user, due_date=timezone.localdate(),
                          user=qc_user, reason="r")
    assert "owner" in exc.value.message_dict
    assert not Capa.objects.filter(deviation=deviation).exists()
