"""The global audit trail an auditor can use (issue 13, point 2): search by lot (the batch story), record name,
person, reason text and date range; readable record names; CSV, XLSX and PDF; the same exports for signatures;
API filters ``user``, ``model``, ``record``, ``lot``, ``after``, ``before`` (API.md)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from lims.story import batch_story
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_search_by_lot_shows_the_whole_story_with_readable_names(walked, client_for, auditor_user):
    client = client_for(auditor_user)
    response = client.get("/audit/", {"lot": walked.batch.lot_number})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r["model"] for r in rows} >= {"qc.inspection", "regulatory.shipment", "labelling.printjob"}
    html = response.content.decode()
    assert f"batch {walked.batch.lot_number}" in html and "shipment" in html and "CST" in html
    assert len(rows) == len(batch_story(walked.batch)) < 50 and "qa2" in {r["user"] for r in rows}
    bad = client.get("/audit/", {"lot": "NO-SUCH-LOT"})
    assert bad.status_code == 200 and "lot" in bad.context["form"].errors and not bad.context["rows"]


def test_search_by_record_name_person_reason_and_dates(walked, client_for, auditor_user, regulatory_user):
    client = client_for(auditor_user)
    by_name = client.get("/audit/", {"record": walked.batch.lot_number}).context["rows"]
    assert by_name and all(walked.batch.lot_number in r["record_name"] for r in by_name)
    by_reason = client.get("/audit/", {"reason": "ORDER 77"}).context["rows"]
    assert by_reason and all("order 77" in r["reason"] for r in by_reason)
    by_person = client.get("/audit/", {"user": regulatory_user.pk, "reason": "order"}).context["rows"]
    assert by_person and {r["user"] for r in by_person} == {"regulatory"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert not client.get("/audit/", {"date_from": tomorrow}).context["rows"]


def test_audit_exports_csv_xlsx_and_pdf(walked, client_for, auditor_user):
    client = client_for(auditor_user)
    query = {"lot": walked.batch.lot_number}
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/audit/", {**query, "export": "csv"}).streaming_content)
                                       .decode("utf-8-sig"))))
    assert rows[0][9] == "record_name" and len(rows) - 1 == len(batch_story(walked.batch))
    sheet = load_workbook(io.BytesIO(b"".join(client.get("/audit/", {**query, "export": "xlsx"})
                                              .streaming_content))).active
    assert sheet.max_row == len(rows)
    response = client.get("/audit/", {"reason": "order 77", "export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Audit trail" in text and "order 77" in text and "Page 1 of" in text
    everything = list(csv.reader(io.StringIO(b"".join(client.get("/audit/", {"export": "csv"}).streaming_content)
                                             .decode("utf-8-sig"))))
    assert any(r[9] == f"batch {walked.batch.lot_number}" for r in everything)  # readable names everywhere


def test_signature_list_exports_pdf_too(walked, client_for, auditor_user):
    client = client_for(auditor_user)
    assert b"export=pdf" in client.get("/audit/signatures/").content
    text = pdf_text(client.get("/audit/signatures/", {"export": "pdf"}).content)
    assert "Li Na" in text and "Released" in text and "Page 1 of 1" in text


def test_api_filters_as_api_md_says(walked, api_for, auditor_user):
    api = api_for(auditor_user)
    lot = api.get("/api/v1/audit-log/", {"lot": walked.batch.lot_number, "page_size": 500}).json()
    assert lot["count"] == len(batch_story(walked.batch))
    assert f"regulatory.shipment {walked.shipment.pk}" in {r["record"] for r in lot["results"]}
    assert "signed" in {r["type"] for r in lot["results"]}
    one = api.get("/api/v1/audit-log/", {"record": f"qc.inspection {walked.inspection.pk}"}).json()
    assert one["count"] == 3 and {r["record"] for r in one["results"]} == {f"qc.inspection {walked.inspection.pk}"}
    named = api.get("/api/v1/audit-log/", {"model": "production.batch", "record": walked.batch.lot_number}).json()
    assert named["count"] >= 5 and all(r["record_name"] == f"batch {walked.batch.lot_number}"
                                       for r in named["results"])
    who = api.get("/api/v1/audit-log/", {"user": "qa2"}).json()
    assert who["count"] >= 2 and {r["user"] for r in who["results"]} == {"qa2"}
    now = timezone.now()
    assert api.get("/api/v1/audit-log/", {"after": (now + timedelta(hours=1)).isoformat()}).json()["count"] == 0
    assert api.get("/api/v1/audit-log/", {"before": (now - timedelta(days=1)).date().isoformat()}).json()[
        "count"] == 0
    for params, field in (({"lot": "NOPE"}, "lot"), ({"record": "qc.nothing 3"}, "record"),
                          ({"after": "yesterday"}, "after"), ({"record": "12"}, "record")):
        response = api.get("/api/v1/audit-log/", params)
        assert response.status_code == 400 and field in response.json()["fields"], (params, response.json())


def test_lot_search_costs_the_same_queries_however_long(walk, client_for, auditor_user):
    short, long = walk(), walk(extra_steps=8)
    client = client_for(auditor_user)
    client.get("/audit/", {"lot": short.batch.lot_number})
    counts = [count_queries(lambda b=b: client.get("/audit/", {"lot": b.batch.lot_number})) for b in (short, long)]
    assert counts[0] == counts[1]
