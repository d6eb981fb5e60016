"""The admin's day in the browser (issue 19): the users list, granting a role, the background tasks and the inbox;
then master data — the Chinese name of a material and of a line, an edit of a specification, the new-market page
— in English at 1280 px and in zh-Hans at 800 px; then a QC user reads the Chinese names in zh-Hans.
Screenshots under test-artefacts/browser/admin-day/ and qc-reads-names/; each journey's interaction count in
its steps.txt."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATERIAL_ZH = "硝酸纤维素膜（旅程）"
LINE_ZH = "手工装配线（旅程）"
SPEC_METHOD = "Ruler under magnifier (journey)"


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    from production.models import Line, Material
    from qc.models import Specification

    return {"material": Material.objects.order_by("code").first(), "line": Line.objects.order_by("code").last(),
            "spec": Specification.objects.select_related("product").order_by("product__code", "stage", "code").first()}


def row_of(j, code):
    """The table row whose code cell reads exactly ``code`` (a name may contain another record's code)."""
    exact = re.compile(rf"^\s*{re.escape(code)}\s*$")
    return j.page.locator("tbody tr").filter(has=j.page.locator("td", has_text=exact))


def edit_row(j, code):
    """Search the list for ``code`` and open the Edit link of its row (search field, submit, click)."""
    j.fill(j.page.locator("#q"), code)
    j.press("Enter", navigates=True)
    j.click(row_of(j, code).locator("a[data-edit]"), navigates=True)
    assert "/edit/" in j.page.url


def save(j, reason):
    j.fill(j.page.locator("#id_reason"), reason)
    j.click(j.page.locator("form[data-masterdata-form] button[type=submit]"), navigates=True)
    assert "/edit/" not in j.page.url, j.page.locator(".alert-danger, .invalid-feedback").all_inner_texts()
    assert j.page.locator(".alert-success, [role=status]").count() >= 1


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("zh-hans", 800)])
def test_the_admins_day(journey, demo, language, width):
    from production.models import Line, Material
    from qc.models import Specification

    j = journey("admin-day", language, width)
    j.sign_in("admin")

    # users, a role granted with a reason
    j.goto("/admin-users/")
    j.shot("users")
    j.fill(j.page.locator("#q"), "lab")
    j.press("Enter", navigates=True)
    j.click(row_of(j, "lab").locator("a").first, navigates=True)
    j.select(j.page.locator("#grant_role"), "Auditor")
    j.fill(j.page.locator("#grant_reason"), "Covers the audit of the lab in May")
    j.click(j.page.locator("form[action$='/grant/'] button[type=submit]"), navigates=True)
    j.shot("role-granted")
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="lab").groups.filter(name="Auditor").exists()

    # the background tasks and the inbox
    j.goto("/tasks/")
    j.shot("tasks")
    j.goto("/inbox/")
    j.shot("inbox")

    # the Chinese name of a material
    material = demo["material"]
    j.goto("/production/materials/")
    j.shot("materials")
    edit_row(j, material.code)
    assert j.page.locator("#id_name_zh").get_attribute("lang") == "zh-Hans"
    assert j.page.locator("#id_code").is_disabled()
    j.shot("material-edit")
    j.fill(j.page.locator("#id_name_zh"), MATERIAL_ZH)
    save(j, "Chinese name for the stores")
    assert Material.objects.get(pk=material.pk).name_zh == MATERIAL_ZH

    # the Chinese name of a line
    line = demo["line"]
    j.goto("/production/lines/")
    edit_row(j, line.code)
    j.fill(j.page.locator("#id_name_zh"), LINE_ZH)
    j.shot("line-edit")
    save(j, "Chinese name for the shop floor boards")
    assert Line.objects.get(pk=line.pk).name_zh == LINE_ZH
    j.shot("lines")

    # a specification: without a reason it is refused, with one it is saved
    spec = demo["spec"]
    j.goto(f"/qc/specifications/?product={spec.product_id}")
    j.click(row_of(j, spec.code).locator("a[data-edit]"), navigates=True)
    j.fill(j.page.locator("#id_method"), SPEC_METHOD)
    j.click(j.page.locator("form[data-masterdata-form] button[type=submit]"), navigates=True)
    assert j.page.locator("#id_reason ~ .invalid-feedback, .invalid-feedback").count() >= 1
    assert Specification.objects.get(pk=spec.pk).method != SPEC_METHOD
    j.shot("specification-refused")
    save(j, "Method as written in the updated SOP")
    assert Specification.objects.get(pk=spec.pk).method == SPEC_METHOD
    j.shot("specifications")

    # the other new pages, looked at: a new market, a new product, a product's steps
    j.goto("/regulatory/markets/")
    j.click(j.page.locator("a.btn-primary[href$='/markets/new/']"), navigates=True)
    j.shot("market-new")
    j.goto(f"/production/products/{spec.product_id}/")
    j.shot("product")
    j.click(j.page.locator("[data-steps] a").first, navigates=True)
    j.shot("step-edit")
    j.goto("/production/products/new/")
    j.shot("product-new")
    j.goto("/production/clean-rooms/")
    j.click(j.page.locator("a[data-edit]").first, navigates=True)
    j.shot("cleanroom-edit")
    j.goto("/lab/assays/")
    j.click(j.page.locator("a[data-edit]").first, navigates=True)
    j.shot("assay-edit")


def test_a_qc_user_reads_the_chinese_names(journey, demo):
    from django.contrib.auth import get_user_model

    from lims.masterdata import kinds
    from lims.services import update_record

    # the demo names every bilingual master record in Chinese too
    missing = {k.key: list(k.model.objects.filter(name_zh="").values_list("code", flat=True))
               for k in kinds() if k.bilingual}
    assert {key: codes for key, codes in missing.items() if codes} == {}

    admin = get_user_model().objects.get(username="admin")
    update_record(demo["material"], {"name_zh": MATERIAL_ZH}, user=admin, reason="Chinese name for the stores")
    update_record(demo["line"], {"name_zh": LINE_ZH}, user=admin, reason="Chinese name for the shop floor")

    j = journey("qc-reads-names", "zh-hans", 800)
    j.sign_in("qc")
    j.goto("/production/materials/")
    assert j.page.get_by_text(MATERIAL_ZH).count() == 1
    assert j.page.locator("a[data-edit]").count() == 0
    assert j.page.locator("[data-editors]").inner_text().startswith("可更改者")
    j.shot("materials")
    j.goto("/production/lines/")
    assert j.page.get_by_text(LINE_ZH).count() == 1
    j.shot("lines")
    j.goto(f"/qc/specifications/?product={demo['spec'].product_id}")
    j.shot("specifications")
    assert j.page.locator("a[data-edit]").count() >= 1  # QC keeps its own specifications
    assert re.search(r"[\u4e00-\u9fff]", j.page.locator("tbody").inner_text())
