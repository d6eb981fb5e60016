"""Bilingual master data (issue 19): a Chinese name beside the English one (``name_zh``), shown in the reader's
language in lists and detail pages, editable through the API; the standard process steps get both names."""

from decimal import Decimal

import pytest

from lab.models import Assay, Client
from lims.models import BilingualName
from production.models import CleanRoom, Line, Material, ProcessStep, Product, RejectReason
from qc.models import Specification
from regulatory.models import Market
from tests.lab.factories import make_assay
from tests.production.factories import gtin, make_material, make_product, make_reject_reason
from tests.qc.factories import make_spec

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_every_master_record_people_read_has_a_chinese_name():
    for model in (Product, Material, ProcessStep, CleanRoom, Line, RejectReason, Specification, Market, Assay, Client):
        assert issubclass(model, BilingualName), model
        assert model._meta.get_field("name_zh").blank
        assert "name_zh" in {f.name for f in model.history.model._meta.fields}, model


def test_the_reader_sees_the_name_in_their_language(client_for, production_user):
    product = make_product(production_user, "test", name="Antigen kit", name_zh="抗原检测试剂盒")
    material = make_material(production_user, "test", name="Conjugate pad", name_zh="结合垫")
    unnamed = make_material(production_user, "test", name="Sample pad")  # no Chinese name: English for everyone
    client = client_for(production_user)

    en = client.get("/production/products/").content.decode()
    zh = client.get("/production/products/", **ZH).content.decode()
    assert "Antigen kit" in en and "抗原检测试剂盒" not in en
    assert "抗原检测试剂盒" in zh

    en = client.get(product.get_absolute_url()).content.decode()
    zh = client.get(product.get_absolute_url(), **ZH).content.decode()
    assert "<h1" in zh and f"{product.code} 抗原检测试剂盒" in zh
    assert f"{product.code} Antigen kit" in en
    assert "抗原检测试剂盒" in en  # the Chinese name beside the English one on the record itself

    zh_materials = client.get("/production/materials/", **ZH).content.decode()
    assert "结合垫" in zh_materials and "Sample pad" in zh_materials
    from django.utils import translation

    with translation.override("en"):
        assert material.display_name == "Conjugate pad" and unnamed.display_name == "Sample pad"
    with translation.override("zh-hans"):
        assert material.display_name == "结合垫" and unnamed.display_name == "Sample pad"


def test_a_standard_step_is_named_in_both_languages_whoever_creates_the_product(production_user):
    from django.utils import translation

    with translation.override("zh-hans"):
        product = make_product(production_user, "test")
    step = product.process_steps.get(code="lamination")
    assert (step.name, step.name_zh) == ("Lamination", "贴合")


def test_a_test_name_follows_the_reader_on_the_inspection_entry(client_for, qc_user):
    spec = make_spec(qc_user, name="Flow time", name_zh="层析时间")
    from tests.qc.factories import make_batch

    batch = make_batch(qc_user, product=spec.product)
    html = client_for(qc_user).get("/qc/inspections/new/", {"batch": batch.lot_number, "stage": "release"},
                                   **ZH).content.decode()
    assert "层析时间" in html


def test_the_chinese_name_is_written_and_read_through_the_api(api_for, production_user):
    api = api_for(production_user)
    created = api.post("/api/v1/production/products/", {
        "code": "AG-77", "name": "Antigen kit", "name_zh": "抗原检测试剂盒", "gtin": gtin(77), "tests_per_kit": 1,
        "shelf_life_months": 24, "storage_min_c": 2, "storage_max_c": 30, "project": None}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["name_zh"] == "抗原检测试剂盒"
    body = created.json()
    changed = api.patch(f"/api/v1/production/products/{body['id']}/", {
        "name_zh": "新型冠状病毒抗原检测试剂盒", "version": body["version"], "reason": "Chinese name corrected"},
        format="json")
    assert changed.status_code == 200, changed.json()
    product = Product.objects.get(pk=body["id"])
    assert product.name_zh == "新型冠状病毒抗原检测试剂盒"
    assert product.history.first().name_zh == "新型冠状病毒抗原检测试剂盒"
    assert Decimal(api.get(f"/api/v1/production/products/{body['id']}/").json()["storage_min_c"]) == 2


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_a_reject_reason_is_named_in_the_readers_language(client_for, production_user):
    from django.urls import reverse

    from production import services
    from tests.production.factories import make_batch

    reason = make_reject_reason(production_user, "test", name="Pouch seal defect", name_zh="铝箔袋封口不良")
    client = client_for(production_user)
    en = client.get("/production/reject-reasons/").content.decode()
    zh = client.get("/production/reject-reasons/", **ZH).content.decode()
    assert "Pouch seal defect" in en and "铝箔袋封口不良" not in en
    assert "铝箔袋封口不良" in zh and "Pouch seal defect" not in zh
    assert [r["object"].pk for r in client.get("/production/reject-reasons/", {"q": "封口"}).context["rows"]] == [
        reason.pk]

    batch = services.start_batch(make_batch(production_user, "test"), user=production_user, reason="test")
    completing = client.get(batch.get_absolute_url(), **ZH).content.decode()  # the complete form's reject fields
    assert "铝箔袋封口不良" in completing and "Pouch seal defect" not in completing
    batch = services.complete_batch(batch, quantity_made=90, rejects=[(reason, 5)], user=production_user,
                                    reason="test")
    assert f"{reason.code} 铝箔袋封口不良" in client.get(batch.get_absolute_url(), **ZH).content.decode()
    assert f"{reason.code} Pouch seal defect" in client.get(batch.get_absolute_url()).content.decode()
    record = pdf_text(client.get(reverse("production:batch-record-pdf", args=[batch.lot_number]), **ZH).content)
    assert "铝箔袋封口不良" in record


def test_a_lab_client_is_named_in_the_readers_language_on_pages_and_the_report(client_for, lab_user):
    from decimal import Decimal

    from django.urls import reverse

    from lab import services
    from tests.lab.factories import make_client, make_sample

    hospital = make_client(lab_user, name="Chongqing General Hospital", name_zh="重庆市人民医院")
    assay = make_assay(lab_user, "test", name="C-reactive protein", name_zh="C 反应蛋白",
                       result_type=Assay.ResultType.QUANTITATIVE, unit="mg/L")
    sample = make_sample(lab_user, client=hospital, assay=assay)
    sample = services.report_result(sample, user=lab_user, result_value=Decimal("4.2"))
    client = client_for(lab_user)
    for url in ("/lab/clients/", hospital.get_absolute_url(), sample.get_absolute_url()):
        en = client.get(url).content.decode()
        zh = client.get(url, **ZH).content.decode()
        assert "Chongqing General Hospital" in en and "重庆市人民医院" not in en, url
        assert "重庆市人民医院" in zh and "Chongqing General Hospital" not in zh, url
    assert [r["object"].pk for r in client.get("/lab/clients/", {"q": "人民医院"}).context["rows"]] == [hospital.pk]
    assert [r["object"].pk for r in client.get("/lab/samples/", {"q": "人民医院"}).context["rows"]] == [sample.pk]

    report = reverse("lab:sample-report-pdf", args=[sample.pk])
    english, chinese = pdf_text(client.get(report).content), pdf_text(client.get(report, **ZH).content)
    assert "Chongqing General Hospital" in english and "C-reactive protein" in english
    assert "重庆市人民医院" in chinese and "C 反应蛋白" in chinese and "Chongqing General Hospital" not in chinese


@pytest.mark.parametrize(("url", "make", "role"), [
    ("/api/v1/production/reject-reasons/", "reject_reason", "production"),
    ("/api/v1/lab/clients/", "client", "lab"),
])
def test_the_chinese_name_of_a_reject_reason_and_a_lab_client_goes_through_the_api(url, make, role, api_for,
                                                                                  production_user, lab_user):
    user = {"production": production_user, "lab": lab_user}[role]
    body = {"code": "NEW-1", "name": "New record", "name_zh": "新记录"}
    if make == "client":
        body["kind"] = "hospital"
    api = api_for(user)
    created = api.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["name_zh"] == "新记录"
    record = created.json()
    changed = api.patch(f"{url}{record['id']}/", {"name_zh": "新记录（改）", "version": record["version"],
                                                  "reason": "Chinese name corrected"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert api.get(f"{url}{record['id']}/").json()["name_zh"] == "新记录（改）"
    assert {"id", "code", "name"} <= set(changed.json())  # API.md's fields kept


def test_the_admin_shows_the_chinese_name_of_a_reject_reason_and_a_lab_client(client_for, admin_user):
    from tests.lab.factories import make_client

    reason = make_reject_reason(admin_user, "test", name_zh="铝箔袋封口不良")
    hospital = make_client(admin_user, name_zh="重庆市人民医院")
    client = client_for(admin_user)
    for url, name in ((f"/admin/production/rejectreason/{reason.pk}/change/", "铝箔袋封口不良"),
                      (f"/admin/lab/client/{hospital.pk}/change/", "重庆市人民医院")):
        page = client.get(url)
        assert page.status_code == 200, url
        assert name in page.content.decode() and "Chinese name" in page.content.decode()
