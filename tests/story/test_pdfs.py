"""Printouts of the walked batch (issue 13): the batch record (device history record) and the certificate of
analysis hold each section, a signature block that tells the truth, "page x of y", local times with the zone, and
embedded Chinese glyphs (no CID-only font, no replacement character)."""

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from lims.services import update_record
from production.record import batch_record_pdf
from qc.coa import coa_pdf

pytestmark = pytest.mark.django_db


def read(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return reader, text


def fonts_of(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return fonts


def assert_embedded_cjk(reader):
    fonts = fonts_of(reader)
    assert "/STSong-Light" not in fonts
    cjk = [f for name, f in fonts.items() if "NotoSansSC" in name]
    assert cjk, list(fonts)
    for font in cjk:
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def assert_pages_numbered(reader, text, of_word="of"):
    n = len(reader.pages)
    for i in range(1, n + 1):
        assert f"Page {i} {of_word} {n}" in text if of_word == "of" else f"第 {i} 页，共 {n} 页" in text


def test_the_batch_record_of_a_released_shipped_batch(walked, client_for, auditor_user):
    response = client_for(auditor_user).get(f"/production/batches/{walked.batch.lot_number}/record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = read(response.content)
    for heading in ("Bill of materials (version 1)", "Consumed component lots", "Process steps", "Rejects",
                    "Room conditions", "Excursions", "Label print jobs", "Label reconciliation",
                    "Acceptance (QC) records", "Deviations and CAPA", "Release decision", "Shipments",
                    "Electronic signatures"):
        assert heading in text, heading
    lot = walked.lot
    assert lot.supplier_lot in text and lot.expiry_date.isoformat() in text  # the component with its expiry
    assert "Dispenser paused 5 min" in text and "Check air supply weekly" in text
    assert "Importer Ltd" in text and "order 77" not in text.split("Shipments")[0][-5:]
    assert "Li Na" in text and "Released" in text and "signed" in text
    assert "not signed yet" not in text and "Not signed yet" not in text and "changed after signature" not in text
    assert "CST" in text and "+00:00" not in text
    assert "\ufffd" not in text
    assert_pages_numbered(reader, text)


def test_the_batch_record_says_not_signed_yet_before_release_and_changed_after_signature(walk, qa_user):
    walked = walk()
    update_record(walked.deviation, {"title": "Dispenser paused 6 min"}, user=qa_user, reason="typo")
    _reader, text = read(batch_record_pdf(walked.batch, printed_by="x"))
    assert "changed after signature" in text and "A record changed after it was signed" in text


def test_the_batch_record_in_chinese_embeds_its_glyphs(walked):
    with translation.override("zh-hans"):
        reader, text = read(batch_record_pdf(walked.batch, printed_by="审核员"))
    assert "批" in text and "审核员" in text and "\ufffd" not in text
    assert_embedded_cjk(reader)
    assert_pages_numbered(reader, text, of_word="zh")
    assert re.search(r"· 批号|·", text)


def test_the_certificate_of_analysis(walked, auditor_user, client_for):
    reader, text = read(coa_pdf(walked.batch, auditor_user))
    assert "Conclusion" in text and "meets its release specification" in text
    assert "released for distribution by Li Na" in text and "CST" in text
    assert "Flow time" in text and "No superseded results." in text
    for name, meaning in (("Li Na", "Released"), ("Qa Tester", "Approved"), ("Qa Tester", "Closed")):
        assert name in text and meaning in text
    assert "\ufffd" not in text
    assert_pages_numbered(reader, text)
    with translation.override("zh-hans"):
        reader, text = read(coa_pdf(walked.batch, auditor_user))
    assert_embedded_cjk(reader)
    assert "\ufffd" not in text
