"""Dossiers: items from the template, document versions (never overwritten) with their SHA-256, uploads refused
by content and by size with nothing stored, signed submission, locked documents, and the bundle."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from lims.errors import DomainError
from lims.models import Signature
from regulatory import services
from regulatory.demo import demo_pdf
from regulatory.models import Document
from tests.conftest import sig, sig_body
from tests.helpers import assert_history
from tests.regulatory.factories import make_document, make_dossier


@pytest.fixture
def dossier(admin_user):
    return make_dossier(admin_user, items=3)


def upload(item, user, content, name="file.pdf", reason="upload"):
    return services.upload_document(item, SimpleUploadedFile(name, content), user=user, reason=reason)


@pytest.mark.django_db
def test_items_come_from_the_template(dossier):
    assert [i.title for i in dossier.items.order_by("position")] == ["Item 1", "Item 2", "Item 3"]
    assert dossier.completeness() == (0, ["Item 1", "Item 2", "Item 3"])


@pytest.mark.django_db
def test_versions_never_overwrite_and_hash_matches(dossier, regulatory_user):
    item = dossier.items.order_by("position").first()
    first_bytes, second_bytes = demo_pdf("one"), demo_pdf("two, revised")
    v1 = upload(item, regulatory_user, first_bytes, reason="first draft")
    v2 = upload(item, regulatory_user, second_bytes, reason="revised")
    assert (v1.version_number, v2.version_number) == (1, 2)
    assert v1.file.name != v2.file.name
    v1.refresh_from_db()
    assert Path(v1.file.path).read_bytes() == first_bytes
    assert v1.sha256 == hashlib.sha256(first_bytes).hexdigest()
    assert v2.sha256 == hashlib.sha256(Path(v2.file.path).read_bytes()).hexdigest()
    assert v2.uploaded_by == regulatory_user and v2.uploaded_at
    assert_history(v2, user=regulatory_user, reason="revised")
    assert item.current_document() == v2
    assert dossier.completeness()[0] == 33


def docx_bytes(folder="word/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", f'<Types><Override PartName="/{folder}document.xml"/></Types>')
        z.writestr(f"{folder}document.xml", "<w/>")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("content,expected", [
    (docx_bytes("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (docx_bytes("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
    (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
])
def test_accepted_types_by_content(dossier, regulatory_user, content, expected):
    doc = upload(dossier.items.first(), regulatory_user, content, name="anything.bin")
    assert doc.content_type == expected


@pytest.mark.django_db
@pytest.mark.parametrize("content,name", [
    (b"just some text pretending to be a pdf", "report.pdf"),
    (docx_bytes("other/"), "letter.docx"),
    (b"PK\x03\x04 broken zip", "sheet.xlsx"),
])
def test_wrong_type_by_content_is_refused_and_nothing_stored(dossier, regulatory_user, settings, content, name):
    with pytest.raises(ValidationError) as exc:
        upload(dossier.items.first(), regulatory_user, content, name=name)
    assert "file" in exc.value.message_dict
    assert Document.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


@pytest.mark.django_db
def test_too_large_is_refused(dossier, regulatory_user, settings):
    settings.REGULATORY_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError):
        upload(dossier.items.first(), regulatory_user, b"%PDF-1.4" + b"0" * 2000)
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_signed_submission_locks_documents(dossier, regulatory_user, admin_user):
    items = list(dossier.items.all())
    docs = [upload(i, regulatory_user, demo_pdf(i.title)) for i in items]
    with pytest.raises(DomainError):
        services.submit_dossier(dossier, **sig(regulatory_user), user=regulatory_user, reason="submission")
    services.mark_dossier_ready(dossier, user=regulatory_user, reason="complete")
    services.submit_dossier(dossier, **sig(regulatory_user), user=regulatory_user, reason="submitted to the JRC")
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    assert Signature.objects.for_object(dossier).get().meaning == "submitted"
    with pytest.raises(DomainError) as exc:
        services.remove_document(docs[0], user=regulatory_user, reason="cleanup")
    assert exc.value.code == "document_locked"
    with pytest.raises(DomainError):
        upload(items[0], regulatory_user, demo_pdf("late"))


@pytest.mark.django_db
def test_draft_document_can_be_removed(dossier, regulatory_user):
    doc = upload(dossier.items.first(), regulatory_user, demo_pdf("x"))
    services.remove_document(doc, user=regulatory_user, reason="wrong file")
    assert dossier.items.first().current_document() is None


@pytest.mark.django_db
def test_upload_api_and_bundle(dossier, api_for, regulatory_user, qa_user):
    api = api_for(regulatory_user)
    url = f"/api/v1/regulatory/dossiers/{dossier.pk}/"
    items = list(dossier.items.order_by("position"))
    contents = {}
    for item in items[:2]:
        data = demo_pdf(item.title)
        r = api.post(url + "documents/", {"item": item.pk, "file": SimpleUploadedFile(f"d{item.position}.pdf", data),
                                          "reason": "upload"}, format="multipart")
        assert r.status_code == 201, r.content
        assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
        contents[item.position] = data
    r = api.post(url + "documents/", {"item": items[2].pk, "file": SimpleUploadedFile("x.pdf", b"hello"),
                                      "reason": "upload"}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["fields"]
    body = api.get(url).json()
    assert body["completeness"] == 67 and body["gaps"] == ["Item 3"] and body["purpose"]
    r = api.get(url + "bundle/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    names = archive.namelist()
    assert names == ["index.pdf", "01/d1.pdf", "02/d2.pdf"]
    assert archive.read("01/d1.pdf") == contents[1]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read("index.pdf"))).pages)
    compact = text.replace("\n", "").replace(" ", "")
    for data in contents.values():
        assert hashlib.sha256(data).hexdigest() in compact
    assert "d1.pdf" in text and "d2.pdf" in text
    assert api_for(qa_user).post(url + "documents/", {}, format="multipart").status_code == 403


@pytest.mark.django_db
def test_dossier_pages(client_for, regulatory_user, admin_user, dossier):
    make_document(admin_user, item=dossier.items.first())
    client = client_for(regulatory_user)
    assert client.get("/regulatory/dossiers/").status_code == 200
    assert client.get(f"/regulatory/dossiers/{dossier.pk}/").status_code == 200
    r = client.post(f"/regulatory/dossiers/{dossier.pk}/", {"item": dossier.items.last().pk, "reason": "r",
                                                           "file": SimpleUploadedFile("a.pdf", demo_pdf("a"))})
    assert r.status_code == 302
    assert dossier.items.last().current_document() is not None


def test_dossier_workflow_through_the_api(dossier, api_for, regulatory_user, qa_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_for(regulatory_user)
    base = f"/api/v1/regulatory/dossiers/{dossier.pk}"
    response = client.post(f"{base}/ready/", {"reason": "all in"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "incomplete"
    assert len(response.json()["reasons"]) == 3
    for item in dossier.items.all():
        upload(item, regulatory_user, b"%PDF-1.4\n%%EOF\n")
    assert api_for(qa_user).post(f"{base}/ready/", {}, format="json").status_code == 403
    assert client.post(f"{base}/ready/", {"reason": "complete"}, format="json").json()["status"] == "ready"
    response = client.post(f"{base}/submit/", {**sig_body(regulatory_user, "wrong"), "reason": "to the HSC"},
                           format="json")
    assert response.status_code == 403 and response.json()["code"] == "bad_signature"
    dossier.refresh_from_db()
    assert dossier.status == "ready" and not Signature.objects.for_object(dossier).exists()
    response = client.post(f"{base}/submit/", {**sig_body(regulatory_user), "reason": "to the HSC"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert [s.meaning for s in Signature.objects.for_object(dossier)] == ["submitted"]
    response = client.post(f"{base}/decide/", {"approved": True, "reason": "listed"}, format="json")
    assert response.json()["status"] == "approved"
    assert_history(dossier, user=regulatory_user, reason="listed")


def test_dossier_workflow_on_its_page(dossier, client_for, regulatory_user, qa_user, settings, tmp_path):
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    for item in dossier.items.all():
        upload(item, regulatory_user, b"%PDF-1.4\n%%EOF\n")
    client = client_for(regulatory_user)
    assert "Mark ready" in client.get(dossier.get_absolute_url()).content.decode()
    assert client_for(qa_user).post(reverse("regulatory:dossier-action", args=[dossier.pk, "ready"])).status_code == 403
    client.post(reverse("regulatory:dossier-action", args=[dossier.pk, "ready"]), {"reason": "complete"})
    assert "submit-dialog" in client.get(dossier.get_absolute_url()).content.decode()
    client.post(reverse("regulatory:dossier-action", args=[dossier.pk, "submit"]),
                {**sig_body(regulatory_user), "meaning": "submitted", "reason": "to the authority"})
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    client.post(reverse("regulatory:dossier-action", args=[dossier.pk, "decide"]), {"approved": "0", "reason": "no"})
    dossier.refresh_from_db()
    assert dossier.status == "rejected"
    assert client.post(reverse("regulatory:dossier-action", args=[dossier.pk, "bogus"])).status_code == 404
