"""Master data pages (issue 19, lims.masterdata): for every kind — create, edit (the Chinese name beside the English
one), refusal for a role that may not, a reason on every edit, a stale version refused, the name shown in the
reader's language, and an edit page whose query count does not grow with the data."""

import pytest
from django.urls import reverse

from lims.masterdata import MasterForm, kinds
from lims.roles import roles_granting
from tests.helpers import Snapshot, assert_constant_queries, assert_history
from tests.lab.factories import FACTORIES as LAB
from tests.production.factories import FACTORIES as PRODUCTION
from tests.production.factories import gtin
from tests.qc.factories import FACTORIES as QC
from tests.regulatory.factories import FACTORIES as REGULATORY

FACTORIES = {**PRODUCTION, **QC, **REGULATORY, **LAB}

# kind → (the role that edits it, a role that only reads it)
ROLES = {
    "production.product": ("Production", "QC"),
    "production.processstep": ("Production", "QA"),
    "production.material": ("Production", "QC"),
    "production.cleanroom": ("Production", "QA"),
    "production.line": ("Production", "QA"),
    "production.rejectreason": ("Production", "QC"),
    "qc.specification": ("QC", "Production"),
    "regulatory.market": ("Regulatory", "QA"),
    "lab.client": ("Lab", "Auditor"),
    "lab.assay": ("Lab", "Auditor"),
}
KEYS = list(ROLES)


def new_data(key, user):
    """What a person types to create a record of ``key`` (references to existing records made here)."""
    if key == "production.product":
        return {"code": "KIT-NEW", "name": "Influenza A/B antigen test", "name_zh": "甲乙型流感抗原检测试剂盒",
                "gtin": gtin(990_001), "tests_per_kit": 25, "shelf_life_months": 24, "storage_min_c": "2",
                "storage_max_c": "30", "ivdr_class": "D"}
    if key == "production.processstep":
        return {"sequence": 99, "code": "final_check", "name": "Final visual check", "name_zh": "最终目检"}
    if key == "production.material":
        return {"code": "MAT-NEW", "name": "Nitrocellulose membrane", "name_zh": "硝酸纤维素膜",
                "category": "membrane", "unit": "cm2"}
    if key == "production.cleanroom":
        return {"code": "CR-NEW", "name": "Assembly room", "name_zh": "装配间", "iso_class": 8, "area_m2": "120.5"}
    if key == "production.line":
        room = PRODUCTION[kind_for_key("production.cleanroom").model](user, "room")
        return {"code": "L-NEW", "name": "Manual line 9", "name_zh": "手工线 9", "kind": "manual",
                "clean_room": room.pk, "rated_units_per_hour": 400, "active": "on"}
    if key == "production.rejectreason":
        return {"code": "RJ-NEW", "name": "Torn pouch", "name_zh": "铝箔袋破损", "active": "on"}
    if key == "qc.specification":
        product = PRODUCTION[kind_for_key("production.product").model](user, "product")
        return {"product": product.pk, "code": "WIDTH", "name": "Strip width", "name_zh": "试纸条宽度",
                "kind": "numeric", "stage": "release", "lower": "3.9", "upper": "4.1", "unit": "mm",
                "counts": "nonconforming_items", "required_for_release": "on", "active": "on"}
    if key == "regulatory.market":
        return {"code": "JP", "name": "Japan", "name_zh": "日本", "authority": "PMDA",
                "min_remaining_shelf_life_days": 180}
    if key == "lab.client":
        return {"code": "H-NEW", "name": "City hospital", "name_zh": "市医院", "kind": "hospital", "active": "on"}
    if key == "lab.assay":
        return {"code": "FLU", "name": "Influenza antigen", "name_zh": "流感抗原", "method": "Lateral flow",
                "tat_target_hours": 24, "price": "50", "result_type": "qualitative", "active": "on"}
    raise AssertionError(key)


def kind_for_key(key):
    return next(k for k in kinds() if k.key == key)


def form_data(page):
    """The edit form as the page filled it (what a browser would send back untouched)."""
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    return data


def create_url(kind, user):
    if kind.parent:
        return kind.create_url(PRODUCTION[kind.model._meta.get_field(kind.parent).related_model](user, "parent"))
    return kind.create_url()


def test_every_bilingual_master_record_has_its_pages():
    labels = {k.key for k in kinds()}
    assert labels == set(KEYS)
    assert all(kind_for_key(k).bilingual for k in KEYS)


def test_who_may_edit_comes_from_the_roles():
    assert roles_granting("production.change_line") == ["Production", "Admin"]
    assert roles_granting("qc.change_specification") == ["QC", "QA", "Admin"]
    assert roles_granting("regulatory.change_market") == ["Regulatory", "Admin"]
    assert roles_granting("lab.change_assay") == ["Lab", "Admin"]


@pytest.mark.parametrize("key", KEYS)
def test_create(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    url = create_url(kind, editor)
    client = client_for(editor)
    page = client.get(url)
    assert page.status_code == 200
    assert isinstance(page.context["form"], MasterForm)
    data = new_data(key, editor)
    before = kind.model.objects.count()
    response = client.post(url, {**data, "reason": ""})  # a creation may omit the reason (API.md, General)
    assert response.status_code == 302, page.context["form"].errors if response.status_code == 200 else response
    assert kind.model.objects.count() == before + 1
    obj = kind.model.objects.get(code=data["code"])
    assert obj.name == data["name"]
    assert getattr(obj, "name_zh", "") == data.get("name_zh", "")
    assert_history(obj, user=editor, type="+")


def test_a_new_product_gets_the_standard_process_as_through_the_api(production_user, client_for):
    client = client_for(production_user)
    response = client.post(reverse("production:product-create"), new_data("production.product", production_user))
    assert response.status_code == 302
    from production.models import ProcessStep, Product

    product = Product.objects.get(code="KIT-NEW")
    assert response.url == product.get_absolute_url()
    assert product.process_steps.count() == len(ProcessStep.STANDARD)


@pytest.mark.parametrize("key", KEYS)
def test_edit_the_chinese_name(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")
    client = client_for(editor)
    url = kind.edit_url(obj)
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    field, value = ("name_zh", "测试名称") if kind.bilingual else ("name", "Renamed")
    data.update({field: value, "reason": "Chinese name for the plant floor"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.status_code == 200 else ""
    fresh = kind.model.objects.get(pk=obj.pk)
    assert getattr(fresh, field) == value
    assert fresh.version == obj.version + 1
    assert_history(fresh, user=editor, reason="Chinese name for the plant floor", type="~")


@pytest.mark.parametrize("key", KEYS)
def test_a_role_that_may_not_edit_is_refused_and_told_who_may(key, personas, client_for):
    kind = kind_for_key(key)
    editor, reader = personas[ROLES[key][0]], personas[ROLES[key][1]]
    obj = FACTORIES[kind.model](editor, "created")
    snap = Snapshot(obj)
    client = client_for(reader)
    data, new = new_data(key, editor), create_url(kind, editor)
    before = kind.model.objects.count()
    assert client.get(kind.edit_url(obj)).status_code == 403
    assert client.post(kind.edit_url(obj), {**data, "reason": "not mine", "version": obj.version}).status_code == 403
    assert client.get(new).status_code == 403
    assert client.post(new, {**data, "reason": "not mine"}).status_code == 403
    snap.assert_unchanged()
    assert kind.model.objects.count() == before
    if not kind.parent and reader.has_perm(f"{kind.model._meta.app_label}.view_{kind.model._meta.model_name}"):
        listing = client.get(reverse(kind.list_url))
        assert listing.status_code == 200
        body = listing.content.decode()
        assert kind.create_url() not in body and kind.edit_url(obj) not in body
        assert "Changed by: " in body and ROLES[key][0] in body


@pytest.mark.parametrize("key", KEYS)
def test_an_edit_without_a_reason_changes_nothing(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")
    snap = Snapshot(obj)
    client = client_for(editor)
    page = client.get(kind.edit_url(obj))
    data = {**form_data(page), "name": "Renamed", "reason": "  "}
    response = client.post(kind.edit_url(obj), data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    snap.assert_unchanged()


@pytest.mark.parametrize("key", KEYS)
def test_a_stale_edit_is_refused(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")
    client = client_for(editor)
    page = client.get(kind.edit_url(obj))
    data = form_data(page)
    first = client.post(kind.edit_url(obj), {**data, "name": "First change", "reason": "first"})
    assert first.status_code == 302
    snap = Snapshot(obj)
    second = client.post(kind.edit_url(obj), {**data, "name": "Second change", "reason": "second"})  # old version
    assert second.status_code == 200
    assert "changed by someone else" in " ".join(second.context["form"].non_field_errors())
    snap.assert_unchanged()
    assert kind.model.objects.get(pk=obj.pk).name == "First change"


@pytest.mark.parametrize("key", KEYS)
def test_bad_input_gets_a_specific_message_and_changes_nothing(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")
    snap = Snapshot(obj)
    client = client_for(editor)
    data = {**form_data(client.get(kind.edit_url(obj))), "name": "", "reason": "blank name"}
    response = client.post(kind.edit_url(obj), data)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    unchanged = client.post(kind.edit_url(obj), {**form_data(client.get(kind.edit_url(obj))), "reason": "none"})
    assert "nothing to save" in " ".join(unchanged.context["form"].non_field_errors())
    snap.assert_unchanged()


def test_a_code_is_fixed_once_created(production_user, client_for):
    kind = kind_for_key("regulatory.market")
    market = REGULATORY[kind.model](production_user, "created")
    from django.contrib.auth.models import Group

    production_user.groups.add(Group.objects.get(name="Regulatory"))
    client = client_for(production_user)
    data = {**form_data(client.get(kind.edit_url(market))), "code": "ZZ", "name": "Renamed", "reason": "rename"}
    assert client.post(kind.edit_url(market), data).status_code == 302
    fresh = kind.model.objects.get(pk=market.pk)
    assert (fresh.code, fresh.name) == (market.code, "Renamed")


def test_a_specification_with_crossed_limits_is_refused(qc_user, client_for):
    kind = kind_for_key("qc.specification")
    data = {**new_data("qc.specification", qc_user), "lower": "5", "upper": "4"}
    response = client_for(qc_user).post(kind.create_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors["upper"] == ["The upper limit is below the lower limit."]
    assert not kind.model.objects.filter(code="WIDTH").exists()


def test_process_steps_are_edited_on_the_product_page(production_user, qa_user, client_for):
    product = PRODUCTION[kind_for_key("production.product").model](production_user, "created")
    step = product.process_steps.order_by("sequence").first()
    page = client_for(production_user).get(product.get_absolute_url()).content.decode()
    assert reverse("production:processstep-edit", args=[step.pk]) in page
    assert reverse("production:processstep-create", args=[product.pk]) in page
    reader = client_for(qa_user).get(product.get_absolute_url()).content.decode()
    assert reverse("production:processstep-edit", args=[step.pk]) not in reader
    assert "Changed by: Production, Admin." in reader


@pytest.mark.parametrize("key", [k for k in KEYS if k != "production.processstep"])
def test_lists_show_the_readers_language_and_search_either_name(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")
    from lims.services import update_record

    obj = update_record(obj, {"name_zh": "中文名称样例"}, user=editor, reason="Chinese name")
    client = client_for(editor)
    english = client.get(reverse(kind.list_url)).content.decode()
    assert obj.name in english and "中文名称样例" not in english
    chinese = client.get(reverse(kind.list_url), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中文名称样例" in chinese
    found = client.get(reverse(kind.list_url), {"q": "名称样"})
    assert [r["object"].pk for r in found.context["rows"]] == [obj.pk]
    assert found.context["rows"][0]["edit_url"] == kind.edit_url(obj)


@pytest.mark.parametrize("key", KEYS)
def test_the_edit_page_costs_the_same_with_more_data(key, personas, client_for):
    kind = kind_for_key(key)
    editor = personas[ROLES[key][0]]
    obj = FACTORIES[kind.model](editor, "created")

    def add_rows():
        for _ in range(3):
            FACTORIES[kind.model](editor, "more")
        PRODUCTION[kind_for_key("production.product").model](editor, "more")
        PRODUCTION[kind_for_key("production.cleanroom").model](editor, "more")

    assert_constant_queries(client_for(editor), kind.edit_url(obj), add_rows)


def test_the_edit_page_shows_both_names_side_by_side_in_chinese(production_user, client_for):
    kind = kind_for_key("production.line")
    line = PRODUCTION[kind.model](production_user, "created")
    page = client_for(production_user).get(kind.edit_url(line), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert page.status_code == 200
    assert [f.name for f in page.context["name_fields"]] == ["name", "name_zh"]
    assert 'lang="zh-Hans"' in body
    assert "中文名称" in body and "更改原因" in body
