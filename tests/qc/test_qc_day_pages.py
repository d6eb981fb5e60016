"""What the QC day in the browser (tests/browser/test_journey_qc.py) showed on the QC pages, each kept from coming
back: the deviation page's two forms had the same field ids, its CAPA table's title sat under the table and a
closed deviation did not say who closed it; the work queue sent a batch whose release inspection was recorded
already to a new inspection form; the stability page had an untranslated placeholder and lower-case badges; a
performance study's title showed its kind as the stored code; in Chinese, other apps' catalogues turned an open
deviation into 未完成, a reviewed or approved inspection into 审核 / 批准, its Approve button into 放行 (release) and
a quarantine decision into 待检."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from lims.signatures import printed_name
from qc import services, stability
from qc.models import Deviation
from tests.conftest import sig
from tests.helpers import assert_constant_queries
from tests.qc.conftest import passing_results
from tests.qc.factories import make_batch, make_deviation, make_line, make_product, make_spec, make_study

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def ids_of(html):
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_the_deviation_page_gives_each_form_its_own_field_ids(client_for, qc_user, production_user):
    deviation = make_deviation(production_user)
    html = client_for(qc_user).get(deviation.get_absolute_url()).content.decode()
    twice = [i for i, n in ids_of(html).items() if n > 1]
    assert twice == []
    capa = re.search(r'<form[^>]*id="capa-form".*?</form>', html, re.S).group(0)
    for name in ("action", "owner", "due_date", "reason"):  # each label names the field of its own form
        assert f'for="capa-{name}"' in capa and f'id="capa-{name}"' in capa and f'name="{name}"' in capa
    investigation = re.search(r'<form[^>]*/investigate/.*?</form>', html, re.S).group(0)
    assert 'for="id_reason"' in investigation and 'id="id_reason"' in investigation
    # the CAPA table's title is above it
    assert re.search(r'<caption class="caption-top">\s*CAPA\s*</caption>', html)


def test_the_capa_form_still_adds_a_capa(client_for, qc_user, production_user):
    deviation = make_deviation(production_user)
    due = timezone.localdate() + timedelta(days=10)
    response = client_for(qc_user).post(f"/qc/deviations/{deviation.pk}/capa/", {
        "action": "Recalibrate the sealer", "owner": production_user.pk, "due_date": due.isoformat(),
        "reason": "from the investigation"})
    assert response.status_code == 302
    capa = deviation.capas.get()
    assert (capa.owner, capa.due_date) == (production_user, due)


def test_a_closed_deviation_says_who_closed_it(client_for, qc_user, qa_user, production_user):
    deviation = make_deviation(production_user)
    client = client_for(qc_user)
    html = client.get(deviation.get_absolute_url()).content.decode()
    assert 'id="deviation-closed-by"' not in html  # open: nobody closed it
    services.investigate_deviation(deviation, root_cause="Sealer drift", impact_assessment="This lot only",
                                   user=qc_user, reason="findings")
    services.close_deviation(deviation, **sig(qa_user), no_capa_reason="Sealer replaced under maintenance",
                             user=qa_user, reason="closed")
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.CLOSED
    html = client.get(deviation.get_absolute_url()).content.decode()
    closed_by = re.search(r'<dd class="col-8" id="deviation-closed-by">(.*?)</dd>', html, re.S).group(1)
    assert printed_name(qa_user) in closed_by
    assert timezone.localtime(deviation.closed_at).strftime("%Y-%m-%d") in closed_by
    assert "Why no CAPA is needed" in html and "Sealer replaced under maintenance" in html
    zh = client.get(deviation.get_absolute_url(), **ZH).content.decode()
    assert "关闭人" in zh and "无需 CAPA 的理由" in zh


def test_the_work_queue_leads_a_batch_with_a_release_inspection_to_that_inspection(client_for, kit, qc_user,
                                                                                   production_user):
    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user, reason="testing")
    fresh = make_batch(production_user, product=kit.product, line=kit.line)
    client = client_for(qc_user)
    html = client.get("/").content.decode()
    section = re.search(r'aria-label="Batches awaiting QC".*?</section>', html, re.S).group(0)
    assert f'<a href="{inspection.get_absolute_url()}">{kit.batch.lot_number} · {kit.product.code} — release ' \
           f'inspection: Recorded</a>' in section
    assert f"?batch={kit.batch.lot_number}" not in section  # not a second inspection form
    assert f'<a href="/qc/inspections/new/?batch={fresh.lot_number}">{fresh.lot_number} · {kit.product.code}</a>' \
        in section
    zh = client.get("/", **ZH).content.decode()
    assert f"{kit.batch.lot_number} · {kit.product.code} — 放行检验：已记录" in zh

    def add():
        batch = make_batch(production_user, product=kit.product, line=kit.line)
        services.record_inspection(batch=batch, stage="release", lot_size=3200, aql="1.0",
                                   results=passing_results(kit.specs), user=qc_user, reason="testing")
        make_batch(production_user, product=kit.product, line=kit.line)

    assert_constant_queries(client, "/", add)


def test_the_stability_page_reads_in_both_languages(client_for, qc_user, production_user):
    product = make_product(production_user)
    line = make_line(production_user)
    batches = [make_batch(production_user, product=product, line=line, made=100) for _ in range(3)]
    flow = make_spec(qc_user, product=product, code="STB-FLOW", stage="stability")
    make_spec(qc_user, product=product, code="STB-LOD", stage="stability", kind="attribute", lower=None,
              upper=None, unit="")
    study = stability.create_stability_study(product=product, title="Real time", protocol="real_time",
                                             started_on=date(2024, 1, 1), lots=batches, months=[0, 6],
                                             user=qc_user, reason="protocol")
    point = study.time_points.get(months=0)
    stability.record_stability_results(point, [{"lot": lot, "specification": flow, "value": "9"}
                                               for lot in study.lots.all()], user=qc_user, reason="pulled")
    client = client_for(qc_user)
    html = client.get(study.get_absolute_url()).content.decode()
    assert ">Failed<" in html and ">Incomplete<" in html and 'placeholder="pass / fail"' in html
    zh = client.get(study.get_absolute_url(), **ZH).content.decode()
    assert 'placeholder="合格 / 不合格"' in zh and "pass / fail" not in zh
    assert ">不合格<" in zh and ">不完整<" in zh


def test_a_performance_study_shows_its_kind_by_its_label(client_for, qc_user):
    study = make_study(qc_user)  # the default kind, "clinical"
    client = client_for(qc_user)
    html = client.get(study.get_absolute_url()).content.decode()
    assert f"{study.product.code} · Clinical · {study.pk}" in html and "· clinical ·" not in html
    assert "Prospective Clinical" not in html and "Clinical; n = " in html  # the citation
    zh = client.get(study.get_absolute_url(), **ZH).content.decode()
    assert f"{study.product.code} · 临床 · {study.pk}" in zh
    listing = client.get(f"/qc/performance-studies/?product={study.product.pk}").content.decode()
    assert ">Clinical<" in listing and ">clinical<" not in listing
    typed = make_study(qc_user, kind="Usability")
    assert str(typed) == f"{typed.product.code} · Usability · {typed.pk}"


def test_qc_words_keep_their_qc_meaning_in_chinese():
    """Catalogues of apps listed before qc are merged over qc's: these words take a context so that other apps'
    translations (incubator's "Open" 未完成, a release "Approve" 放行, a quarantine 待检 ...) do not replace them."""
    from qc.models import ControlRun, Disposition, Inspection, StabilityStudy

    with translation.override("zh-hans"):
        labels = [str(label) for label in (
            Deviation.Status.OPEN.label, Deviation.Status.CLOSED.label, Inspection.Status.REVIEWED.label,
            Inspection.Status.APPROVED.label, Disposition.Decision.QUARANTINE.label, ControlRun.Status.REJECTED.label,
            StabilityStudy.Status.APPROVED.label)]
    assert labels == ["未关闭", "已关闭", "已复核", "已批准", "隔离", "已拒绝", "已批准"]
    assert str(Deviation.Status.OPEN.label) == "Open" and str(Disposition.Decision.QUARANTINE.label) == "Quarantine"


def test_the_approve_button_of_an_inspection_says_approve_in_chinese(client_for, kit, qc_user, admin_user, qa_user):
    inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                            results=passing_results(kit.specs), user=qc_user, reason="testing")
    services.review_inspection(inspection, **sig(admin_user), user=admin_user, reason="checked")
    zh = client_for(qa_user).get(inspection.get_absolute_url(), **ZH).content.decode()
    button = re.search(r'data-bs-target="#approve-dialog">([^<]*)</button>', zh).group(1)
    assert button == "批准"  # not 放行 (release): approving the inspection does not release the batch
    assert "已复核" in zh


def test_the_deviation_page_reads_as_a_deviation_in_chinese(client_for, qc_user, production_user):
    deviation = make_deviation(production_user)
    zh = client_for(qc_user).get(deviation.get_absolute_url(), **ZH).content.decode()
    assert re.search(r'<span class="badge[^"]*">未关闭</span>', zh)
    assert '<th scope="col">措施</th>' in zh and '<th scope="col">已完成</th>' in zh
