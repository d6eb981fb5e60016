"""The regulatory officer's day in a real browser (issue 19): a certification registered for a product and a
market from the certification list, moved through its life cycle (a suspension without a reason refused), found
in its matrix cell and making a lot eligible; an IVDR batch verification opened for a released class D lot, its
test reports attached and the notified body's confirmation signed from the keyboard; a dossier created, its
checklist filled, a performance study cited, its bundle built in the background and the submission signed from
the keyboard; the UDI device data downloaded. In English at 1280 px and in Chinese at 800 px.

Every element is found by id, name, role or address, never by English text."""

import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone

from lims.models import Signature
from production.models import Batch, Product
from qc.models import PerformanceStudy
from regulatory import services
from regulatory.demo import _release_more, demo_pdf
from regulatory.eligibility import evaluate
from regulatory.models import BatchVerification, Certification, CertificationKind, ChecklistTemplate, Dossier, Market
from tests.browser.chain_steps import path_of, sign_from_keyboard
from tests.browser.role_steps import LANGUAGES, MARKS, alerts, download, seed_demo, submit

pytestmark = MARKS

PRODUCT = "SC-AG-1"  # the demo registers it in every market but Malaysia (no MDA registration)
PASSWORD = "lims-demo"


def a_released_lot_awaiting_verification():
    """The demo's released class D lots all have a batch verification: QA releases one more (as the demo does)."""
    users = {name: get_user_model().objects.get(username=name) for name in ("qc", "qa", "qa2")}
    released = Batch.objects.filter(status=Batch.Status.RELEASED, product__ivdr_class="D").count()
    _release_more(SimpleNamespace(users=users, log=lambda *args: None), released + 1)
    lot = services.released_lots_awaiting_verification().first()
    assert lot is not None
    return lot


def history_by(obj, username):
    """The history rows of ``obj`` written by ``username``."""
    return obj.history.filter(history_user__username=username)


def upload(journey, form, path):
    """Choose a file in the form's file field (one interaction) and send the form."""
    journey._did(f"choose {path.name}")
    form.locator("input[type=file]").set_input_files(str(path))
    journey.click(form.locator("[type=submit]"), navigates=True)


@LANGUAGES
def test_the_regulatory_day(journey, language, width, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo()
    today = timezone.localdate()
    product = Product.objects.get(code=PRODUCT)
    malaysia = Market.objects.get(code="MY")
    mda = CertificationKind.objects.get(code="mda_registration")
    lot = a_released_lot_awaiting_verification()
    number = f"MDA-{PRODUCT}-{width}"

    day = journey("regulatory-day", language, width)
    page = day.page
    day.sign_in("regulatory")

    # --- 1. certifications: the list, a new one for the product in Malaysia, its life cycle -------------------
    day.goto("/regulatory/certifications/")
    assert page.locator("main table tbody tr").count() >= 10
    day.shot("certifications")
    day.click(page.locator("main a[href='/regulatory/certifications/new/']").first, navigates=True)
    day.select(page.locator("#id_product"), str(product.pk))
    day.select(page.locator("#id_market"), str(malaysia.pk))
    day.select(page.locator("#id_kind"), str(mda.pk))
    day.fill(page.locator("#id_number"), number)
    day.fill(page.locator("#id_issuing_body"), "Medical Device Authority")
    day.fill(page.locator("#id_valid_from"), (today - timedelta(days=30)).isoformat())
    day.fill(page.locator("#id_valid_until"), (today + timedelta(days=1500)).isoformat())
    assert page.locator("#id_status").input_value() == Certification.Status.PENDING
    day.fill(page.locator("#id_reason"), "MDA registration letter received")
    day.shot("certification-form")
    submit(day)
    cert = Certification.objects.get(number=number)
    assert path_of(day) == cert.get_absolute_url(), alerts(day)
    assert (cert.product, cert.market, cert.kind, cert.status) == (product, malaysia, mda, Certification.Status.PENDING)
    assert history_by(cert, "regulatory").filter(history_type="+").count() == 1
    day.shot("certification-registered")

    def act(action):
        day.click(page.locator(f"#cert-action-form [formaction$='/{action}/']"), navigates=True)
        assert path_of(day) == cert.get_absolute_url()
        cert.refresh_from_db()

    act("activate")
    assert cert.status == Certification.Status.ACTIVE
    # a suspension needs its reason: refused without one, nothing changes
    versions = cert.history.count()
    act("suspend")
    assert page.locator(".alert-danger, [role=alert]").count() >= 1
    assert cert.status == Certification.Status.ACTIVE and cert.history.count() == versions
    day.shot("suspension-refused")
    day.fill(page.locator("#cert-reason"), "MDA asked for the updated labels")
    act("suspend")
    assert (cert.status, cert.status_reason) == (Certification.Status.SUSPENDED, "MDA asked for the updated labels")
    day.fill(page.locator("#cert-reason"), "Updated labels accepted by the MDA")
    act("activate")
    assert cert.status == Certification.Status.ACTIVE
    assert [h.status for h in cert.history.order_by("history_id")] == ["pending", "active", "suspended", "active"]
    assert history_by(cert, "regulatory").count() == 4
    day.shot("certification-active")

    # --- 2. the matrix cell of product × Malaysia, the eligibility of a lot, the shippable lots ----------------
    day.goto("/regulatory/matrix/")
    cell = page.locator(f"main td[data-product='{PRODUCT}'][data-market='MY']")
    assert cell.count() == 1
    assert cell.locator(f"a[href='{cert.get_absolute_url()}']").count() == 1
    assert "table-success" in cell.get_attribute("class")
    day.shot("matrix")

    eligible = next(b for b in Batch.objects.filter(product=product, status=Batch.Status.RELEASED).order_by("-pk")
                    if evaluate(b, malaysia, today)["eligible"])
    day.goto("/regulatory/eligibility/")
    day.fill(page.locator("#lot"), eligible.lot_number)
    day.select(page.locator("#market"), "MY")
    submit(day, "main form[method=get]")
    assert page.locator("main .alert-success").count() == 1, alerts(day)
    assert page.locator("main tr[data-check='certification'] .text-bg-success").count() >= 1
    day.shot("eligibility")
    day.click(page.locator("main a[href='/regulatory/shippable/']"), navigates=True)
    assert page.locator(f"main a[href='/regulatory/eligibility/?lot={eligible.lot_number}&market=MY']").count() == 1
    day.shot("shippable")

    # --- 3. IVDR batch verification: opened, test reports attached, the confirmation signed (keyboard) ---------
    day.goto("/regulatory/batch-verifications/")
    day.shot("verifications")
    day.click(page.locator("main a[href='/regulatory/batch-verifications/new/']").first, navigates=True)
    day.fill(page.locator("#id_batch"), lot.lot_number)
    day.fill(page.locator("#id_reports_sent_on"), today.isoformat())
    day.fill(page.locator("#id_samples_sent_on"), today.isoformat())
    day.fill(page.locator("#id_reason"), "Test reports and samples sent to the notified body")
    day.shot("verification-form")
    submit(day)
    verification = BatchVerification.objects.get(batch=lot)
    assert path_of(day) == verification.get_absolute_url(), alerts(day)
    assert verification.status == BatchVerification.Status.PENDING and verification.reports_sent_on == today
    assert verification.notified_body  # the issuing body of the product's IVDR certificate
    assert history_by(verification, "regulatory").count() == 1
    reports = tmp_path / f"{lot.lot_number} test reports.pdf"
    reports.write_bytes(demo_pdf(f"{lot.lot_number} release test reports"))
    day.select(page.locator("#doc-kind"), "test_reports")
    day.fill(page.locator("#doc-reason"), "test reports sent")
    upload(day, page.locator("main form[enctype='multipart/form-data']"), reports)
    document = verification.documents.get()
    assert (document.original_name, document.uploaded_by.username) == (reports.name, "regulatory")
    uploaded = page.locator("#verification-documents tbody tr").first.inner_text()
    assert "Jing Liu" in uploaded and "regulatory" not in uploaded  # the person's name, not the user name
    day.shot("verification-documents")
    # the dialog opens on the user name (the decision's date, today, follows the password): type, Tab, type, Enter
    assert page.locator("#confirm-decided-on").input_value() == today.isoformat()
    sign_from_keyboard(day, page.locator("[data-bs-target='#confirm-dialog']"), "confirm-dialog", "regulatory")
    verification.refresh_from_db()
    assert (verification.status, verification.decided_on) == (BatchVerification.Status.CONFIRMED, today), alerts(day)
    signature = Signature.objects.for_object(verification).get()
    assert (signature.signer.username, signature.meaning) == ("regulatory", "verified")
    assert page.locator("#confirm-dialog").count() == 0
    day.shot("verification-confirmed")
    day.goto(f"/regulatory/eligibility/?lot={lot.lot_number}&market=EU")
    assert page.locator("main tr[data-check='batch_verification'] .text-bg-success").count() == 1

    # --- 4. a dossier: created, its checklist filled, a study cited, the bundle built, submitted (keyboard) -----
    day.goto("/regulatory/dossiers/")
    day.click(page.locator("main a[href='/regulatory/dossiers/new/']").first, navigates=True)
    template = ChecklistTemplate.objects.get(purpose="titck_import_approval")
    turkey = Market.objects.get(code="TR")
    day.select(page.locator("#id_product"), str(product.pk))
    day.select(page.locator("#id_market"), str(turkey.pk))
    day.select(page.locator("#id_template"), str(template.pk))
    day.fill(page.locator("#id_reason"), "TİTCK import approval application")
    submit(day)
    dossier = Dossier.objects.order_by("-pk").first()
    assert path_of(day) == dossier.get_absolute_url(), alerts(day)
    assert (dossier.product, dossier.market, dossier.template) == (product, turkey, template)
    assert dossier.status == Dossier.Status.DRAFT and dossier.items.count() == template.items.count()
    assert history_by(dossier, "regulatory").count() == 1
    day.shot("dossier-created")
    for item in dossier.items.order_by("position"):
        path = tmp_path / f"{item.position:02d} checklist item.pdf"
        path.write_bytes(demo_pdf(item.title))
        upload(day, page.locator(f"main form:has(input[name=item][value='{item.pk}'])"), path)
    assert dossier.completeness() == (100, [])
    study = PerformanceStudy.objects.filter(product=product).first()
    day.select(page.locator("#cite-study"), str(study.pk))
    day.fill(page.locator("#cite-reason"), "clinical performance evidence")
    day.click(page.locator("main form[action$='/studies/'] [type=submit]"), navigates=True)
    assert list(dossier.studies.values_list("study", flat=True)) == [study.pk], alerts(day)
    day.click(page.locator("main form[action$='/ready/'] [type=submit]"), navigates=True)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.READY, alerts(day)
    day.shot("dossier-ready")

    day.click(page.locator("main form[action$='/bundle/'] [type=submit]"), navigates=True)
    assert "/tasks/" in page.url
    page.wait_for_selector(".js-task-download:not(.d-none)", timeout=60_000)
    assert page.locator(".js-task-error.d-none").count() == 1
    day.shot("bundle-task")
    data, name = download(day, page.locator(".js-task-download"))
    assert name.endswith(".zip") and f"dossier-{dossier.pk}" in name
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "index.pdf" in names and len(names) == dossier.items.count() + 1

    day.goto(dossier.get_absolute_url())
    day.click(page.locator("[data-bs-target='#submit-dialog']"))
    page.locator("#submit-dialog").wait_for(state="visible")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'submit-dialog-username'")
    day.type("regulatory")
    day.press("Tab")
    day.type(PASSWORD)
    day.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "submit-dialog-reason"
    day.type("Application sent to TİTCK")
    day.shot("submit-dialog")
    day.press("Tab")  # Cancel
    day.press("Tab")  # Sign
    day.press("Enter", navigates=True)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUBMITTED, alerts(day)
    signature = Signature.objects.for_object(dossier).get()
    assert (signature.signer.username, signature.meaning, signature.reason) == (
        "regulatory", "submitted", "Application sent to TİTCK")
    assert [h.status for h in dossier.history.order_by("history_id")][-2:] == ["ready", "submitted"]
    day.shot("dossier-submitted")

    # --- 5. UDI export: the product's device data, naming its GTIN and the new certification ------------------
    day.goto("/regulatory/udi/")
    day.select(page.locator("#udi-products"), str(product.pk))
    day.shot("udi")
    data, name = download(day, page.locator("main button[name=format][value=json]"))
    assert name.endswith(".json")
    text = data.decode("utf-8")
    assert product.gtin in text
    device = next(d for d in json.loads(text)["devices"] if d["udiDi"] == product.gtin)
    assert number in [c["number"] for c in device["certificates"]]
    assert day.count < 90

