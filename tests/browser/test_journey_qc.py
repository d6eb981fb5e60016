"""The QC day in a real browser (issue 19): a batch from the QC work queue on the home page inspected with one
result out of specification — the inspection page says a deviation was opened and links it —, the deviation
investigated (the form shows the saved text), a CAPA given to a person chosen by name, the deviation closed by
QA with the signing dialog driven by the keyboard only; then the control charts (a control material's
Levey–Jennings chart, a product's p-chart), the stability studies and the performance studies. In English at
1280 px and in Chinese at 800 px, every element found by id, name, role or address."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from lims.models import Signature
from lims.signatures import printed_name
from production.models import Batch
from qc.models import (
    Capa,
    ControlMaterial,
    Deviation,
    Inspection,
    PerformanceStudy,
    Specification,
    StabilityStudy,
    StabilityTimePoint,
)
from tests.browser.chain_steps import path_of
from tests.browser.role_steps import LANGUAGES, MARKS, alerts, seed_demo, submit

pytestmark = MARKS

ROOT_CAUSE = "Membrane lot M-2406 wicks slowly; flow time above the limit"
IMPACT = "This batch only: the other batches on the line use another membrane lot"


def sign_by_keyboard(journey, dialog_id, username, password="lims-demo"):
    """The signing dialog without a mouse: the focus is put on its button (as Tab would), Enter opens it, the
    dialog focuses its first field; Tab to the user name, type it, Tab, type the password, Enter signs."""
    page = journey.page
    page.locator(f"[data-bs-target='#{dialog_id}']").focus()
    journey.press("Enter")
    page.wait_for_function("id => { const d = document.getElementById(id); return d && d.classList.contains('show')"
                           " && d.contains(document.activeElement); }", arg=dialog_id)
    while page.evaluate("() => document.activeElement.id") != f"{dialog_id}-username":
        journey.press("Tab")
        assert journey.page.evaluate("id => document.getElementById(id).contains(document.activeElement)",
                                     dialog_id), "Tab left the dialog"
    journey.type(username)
    journey.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"{dialog_id}-password"
    journey.type(password)
    journey.press("Enter", navigates=True)


@LANGUAGES
def test_the_qc_day(journey, language, width):
    seed_demo()
    User = get_user_model()
    qc_user, qa_user, owner = (User.objects.get(username=u) for u in ("qc", "qa", "production"))
    # the oldest batch of the work queue that has no inspection yet
    batch = (Batch.objects.filter(status=Batch.Status.AWAITING_QC, inspections__isnull=True)
             .order_by("completed_at", "pk").first())
    assert batch is not None
    numeric = list(Specification.objects.filter(product=batch.product, stage="release", active=True,
                                                kind="numeric").order_by("code"))
    oos = next(s for s in numeric if s.code == "FLOW")  # the flow time, limits 30–120 s

    qc = journey("qc-day", language, width)
    page = qc.page
    qc.sign_in("qc")

    # 1. the work queue on the home page: the batch awaiting QC opens the inspection form with its plan
    queue_link = page.locator(f"main a[href='/qc/inspections/new/?batch={batch.lot_number}']")
    assert queue_link.count() == 1, "the batch is not in the QC work queue"
    qc.shot("work-queue")
    qc.click(queue_link, navigates=True)
    assert page.locator("#f-sample").input_value() not in ("", "0")
    qc.click(page.locator("#all-conform"))
    for spec in numeric:
        value = spec.upper + 1 if spec is oos else (spec.lower + spec.upper) / 2
        qc.fill(page.locator(f"#spec-{spec.pk}"), value)
    qc.shot("inspection-form")
    submit(qc)
    inspection = Inspection.objects.get(batch=batch, stage="release")
    assert inspection.status == Inspection.Status.RECORDED and not inspection.passed, alerts(qc)
    assert inspection.recorded_by == qc_user
    deviation = Deviation.objects.get(result__inspection=inspection)
    assert deviation.status == Deviation.Status.OPEN and deviation.result.specification == oos
    assert deviation.history.filter(history_type="+", history_user=qc_user).count() == 1
    # the page says a deviation was opened and links it
    link = page.locator(f"#opened-deviations a[href='{deviation.get_absolute_url()}']")
    assert link.count() == 1
    qc.shot("inspection-with-deviation")

    # 2. the deviation: the investigation saved, and the form shows the saved text when the page is opened again
    qc.click(link, navigates=True)
    assert path_of(qc) == deviation.get_absolute_url()
    assert page.locator(f"main a[href='{inspection.get_absolute_url()}']").count() >= 1
    investigation = page.locator("form[action$='/investigate/']")
    qc.fill(investigation.locator("[name=root_cause]"), ROOT_CAUSE)
    qc.fill(investigation.locator("[name=impact_assessment]"), IMPACT)
    qc.click(investigation.locator("[type=submit]"), navigates=True)
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.INVESTIGATING, alerts(qc)
    assert (deviation.root_cause, deviation.impact_assessment) == (ROOT_CAUSE, IMPACT)
    assert deviation.history.latest("history_date").history_user == qc_user
    qc.goto(deviation.get_absolute_url())
    assert investigation.locator("[name=root_cause]").input_value() == ROOT_CAUSE
    assert investigation.locator("[name=impact_assessment]").input_value() == IMPACT

    # a CAPA whose owner is chosen from a list of people by their names
    capa_form = page.locator("#capa-form")
    options = capa_form.locator("[name=owner] option").all()
    people = {o.get_attribute("value"): o.inner_text() for o in options if o.get_attribute("value")}
    assert len(people) >= 3
    for pk, text in people.items():
        person = User.objects.get(pk=pk)
        assert text.startswith(printed_name(person)), f"the owner list shows {text!r} for {person.username}"
        assert text != person.username
    due = timezone.localdate() + timedelta(days=30)
    qc.fill(capa_form.locator("[name=action]"), "Qualify a second membrane supplier")
    qc.select(capa_form.locator("[name=owner]"), str(owner.pk))
    qc.fill(capa_form.locator("[name=due_date]"), due.isoformat())
    qc.shot("deviation-investigated")
    qc.click(capa_form.locator("[type=submit]"), navigates=True)
    capa = Capa.objects.get(deviation=deviation)
    assert (capa.owner, capa.due_date, capa.done) == (owner, due, False), alerts(qc)
    assert capa.history.get(history_type="+").history_user == qc_user
    assert printed_name(owner) in page.locator("main table").last.inner_text()
    # QC may not close a deviation: no closing dialog
    assert page.locator("[data-bs-target='#close-dialog']").count() == 0
    qc.shot("capa-added")

    # QA closes the deviation, signing from the keyboard only
    qa = journey("qc-day-qa", language, width)
    qa.sign_in("qa")
    qa.goto(deviation.get_absolute_url())
    qa.shot("deviation-to-close")
    sign_by_keyboard(qa, "close-dialog", "qa")
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.CLOSED, alerts(qa)
    assert deviation.closed_by == qa_user and deviation.closed_at is not None
    signatures = list(Signature.objects.for_object(deviation))
    assert [(s.signer, s.meaning) for s in signatures] == [(qa_user, Signature.Meaning.CLOSED)]
    assert signatures[0].printed_name == printed_name(qa_user)
    assert deviation.history.latest("history_date").history_user == qa_user
    main = qa.page.locator("main").inner_text()
    for name in (printed_name(qc_user), printed_name(qa_user), printed_name(owner)):
        assert name in main, f"{name} missing from the closed deviation"
    assert qa.page.locator("[data-bs-target='#close-dialog']").count() == 0
    qa.shot("deviation-closed")
    assert qa.count < 20

    # 3. control charts: a control material's Levey–Jennings chart, the product's p-chart
    material = ControlMaterial.objects.order_by("pk").first()
    qc.goto("/qc/control-materials/")
    qc.click(page.locator(f"main a[href='{material.get_absolute_url()}']").first, navigates=True)
    assert qc.canvas_drawn("canvas[data-chart]")
    qc.shot("levey-jennings")
    qc.goto(batch.product.get_absolute_url())
    qc.click(page.locator(f"main a[href='/qc/products/{batch.product.pk}/p-chart/']"), navigates=True)
    assert page.locator("canvas[data-chart]").count() >= 1
    assert qc.canvas_drawn("canvas[data-chart]")
    qc.shot("p-chart")

    # 4. stability: a study, a due time point's results if one is open, the product's shelf life
    study = StabilityStudy.objects.filter(product=batch.product).order_by("pk").first()
    qc.goto("/qc/stability/")
    qc.click(page.locator(f"main a[href='{study.get_absolute_url()}']").first, navigates=True)
    qc.shot("stability-study")
    due_point = (StabilityTimePoint.objects.filter(study__product=batch.product, pulled_on__isnull=True,
                                                   pull_date__lte=timezone.localdate(),
                                                   study__status=StabilityStudy.Status.ONGOING)
                 .order_by("pull_date").first())
    if due_point is not None:  # not in the demo today: every due time point has its results
        if path_of(qc) != due_point.study.get_absolute_url():
            qc.goto(due_point.study.get_absolute_url())
        form = page.locator(f"form[action$='/time-points/{due_point.pk}/results/']")
        for field in form.locator("input[name^='r-']").all():
            qc.fill(field, "pass" if "pass" in (field.get_attribute("placeholder") or "") else "60")
        qc.click(form.locator("[type=submit]"), navigates=True)
        due_point.refresh_from_db()
        assert due_point.pulled_on is not None and due_point.results.exists(), alerts(qc)
    qc.click(page.locator(f"main a[href='/qc/stability/products/{batch.product.pk}/']"), navigates=True)
    qc.shot("product-stability")

    # performance studies: the list and a study
    performance = PerformanceStudy.objects.order_by("pk").first()
    qc.goto("/qc/performance-studies/")
    qc.click(page.locator(f"main a[href='{performance.get_absolute_url()}']").first, navigates=True)
    assert page.locator("main h1").inner_text().strip()
    if page.locator("canvas").count():
        assert qc.canvas_drawn()
    qc.shot("performance-study")

    # nothing on the way changed the inspection's result or the deviation after QA closed it
    assert Deviation.objects.get(pk=deviation.pk).status == Deviation.Status.CLOSED
    assert inspection.results.get(specification=oos).value == Decimal(oos.upper + 1)
    assert qc.count < 45
