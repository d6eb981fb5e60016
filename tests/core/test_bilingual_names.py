"""Bilingual master data (issue 19): a Chinese name beside the English one (``name_zh``), shown in the reader's
language in lists and detail pages, editable through the API; the standard process steps get both names."""

from decimal import Decimal

import pytest

from lab.models import Assay
from lims.models import BilingualName
from production.models import CleanRoom, Line, Material, ProcessStep, Product
from qc.models import Specification
from regulatory.models import Market
from tests.production.factories import gtin, make_material, make_product
from tests.qc.factories import make_spec

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_every_master_record_people_read_has_a_chinese_name():
    for model in (Product, Material, ProcessStep, CleanRoom, Line, Specification, Market, Assay):
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
