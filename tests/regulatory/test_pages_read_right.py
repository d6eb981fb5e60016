"""What the regulatory officer's day in the browser found (tests/browser/test_journey_regulatory.py), each kept
from coming back: people by their name (never the user name) on the verification and dossier pages and in the
bundle's index, filter labels that start with a capital, a "New" button on the certification list, a dossier named
by its purpose's name rather than its code, the verification's "Samples required" box as a checkbox with its
label, and the matrix cells and eligibility checks addressable by product, market and check."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from regulatory import services
from regulatory.bundle import bundle
from tests.regulatory.factories import (
    PDF_BYTES,
    eligible_setup,
    make_batch_verification,
    make_dossier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(user_factory):
    """A Regulatory person whose name is not their user name."""
    return user_factory("jliu", "Regulatory", first_name="Jing", last_name="Liu")


def test_the_verification_page_names_the_uploader_not_the_user_name(client_for, officer, admin_user):
    verification = make_batch_verification(admin_user)
    services.upload_verification_document(verification, SimpleUploadedFile("reports.pdf", PDF_BYTES), user=officer,
                                          reason="reports sent")
    page = client_for(officer).get(verification.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="verification-documents"')
    table = html[start:html.index("</table>", start)]
    assert "Jing Liu" in table
    assert "jliu" not in table


def test_the_dossier_page_and_its_bundle_index_name_the_uploader(client_for, officer):
    dossier = make_dossier(officer, items=1)
    services.upload_document(dossier.items.get(), SimpleUploadedFile("doc.pdf", PDF_BYTES), user=officer,
                             reason="uploaded")
    html = client_for(officer).get(dossier.get_absolute_url()).content.decode()
    rows = html[html.index("<tbody>"):html.index("</tbody>")]
    assert "Jing Liu" in rows and "jliu" not in rows
    index = zipfile.ZipFile(io.BytesIO(bundle(dossier, "Jing Liu"))).read("index.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(index)).pages)
    assert "Jing Liu" in text and "jliu" not in text


def test_a_dossier_is_named_by_its_purpose_not_its_code(officer):
    dossier = make_dossier(officer, items=1)
    assert dossier.template.name in str(dossier)
    assert dossier.template.purpose not in str(dossier)


@pytest.mark.parametrize("path", ["/regulatory/certifications/", "/regulatory/batch-verifications/",
                                  "/regulatory/shipments/", "/regulatory/rules/", "/regulatory/recall/"])
def test_filter_labels_start_with_a_capital(client_for, officer, path):
    page = client_for(officer).get(path)
    assert page.status_code == 200
    labels = [str(f.label) for f in page.context["filterset"].form]
    assert labels, path
    assert all(label[:1].isupper() for label in labels), labels


def test_filter_labels_are_translated(client_for, officer):
    with translation.override("zh-hans"):
        page = client_for(officer).get("/regulatory/batch-verifications/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        labels = {f.name: str(f.label) for f in page.context["filterset"].form}
    assert labels["batch"] == "批号"


def test_the_certification_list_offers_to_register_one(client_for, officer, user_factory):
    assert 'href="/regulatory/certifications/new/"' in client_for(officer).get("/regulatory/certifications/") \
        .content.decode()
    auditor = user_factory("reader", "Auditor")
    assert 'href="/regulatory/certifications/new/"' not in client_for(auditor).get(
        "/regulatory/certifications/").content.decode()


def test_samples_required_is_a_checkbox_with_its_label(client_for, officer, admin_user):
    verification = make_batch_verification(admin_user)
    html = client_for(officer).get(verification.get_absolute_url()).content.decode()
    assert '<div class="form-check"><input type="checkbox" name="edit-samples_required"' in html
    assert '<label class="form-check-label small" for="id_edit-samples_required">' in html


def test_matrix_cells_and_eligibility_checks_say_what_they_are(client_for, officer, admin_user):
    batch, market, _kind = eligible_setup(admin_user, made=300)
    client = client_for(officer)
    matrix = client.get("/regulatory/matrix/").content.decode()
    assert f'data-product="{batch.product.code}" data-market="{market.code}"' in matrix
    page = client.get("/regulatory/eligibility/", {"lot": batch.lot_number, "market": market.code}).content.decode()
    assert '<tr data-check="certification">' in page and '<tr data-check="release">' in page


def test_a_refusal_names_the_field_by_its_label_and_changes_nothing(client_for, officer, admin_user):
    from django.contrib.messages import get_messages

    from regulatory.models import Certification
    from tests.regulatory.factories import make_certification

    cert = make_certification(admin_user)
    versions = cert.history.count()
    client = client_for(officer)
    response = client.post(f"/regulatory/certifications/{cert.pk}/suspend/", {"reason": ""})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Reason: Give the reason for this decision."]
    cert.refresh_from_db()
    assert cert.status == Certification.Status.ACTIVE and cert.history.count() == versions

    verification = make_batch_verification(admin_user)
    response = client_for(officer).post(verification.get_absolute_url(), {"kind": "test_reports", "reason": "sent"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["File: Choose a file."]
    assert verification.documents.count() == 0


def test_the_dossier_upload_form_wraps_in_its_cell(client_for, officer):
    dossier = make_dossier(officer, items=1)
    html = client_for(officer).get(dossier.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data" class="d-flex flex-wrap gap-1"' in html


def test_matrix_codes_and_dates_do_not_break_inside(client_for, officer, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from tests.regulatory.factories import make_certification, make_kind, make_rule

    kind = make_kind(admin_user)
    rule = make_rule(admin_user, kinds=[kind])
    until = timezone.localdate() + timedelta(days=400)
    cert = make_certification(admin_user, market=rule.market, kind=kind, valid_until=until)
    html = client_for(officer).get("/regulatory/matrix/").content.decode()
    assert f'<th scope="row" class="text-nowrap">{cert.product.code}</th>' in html
    assert f'<span class="text-nowrap">({until.isoformat()})</span>' in html
