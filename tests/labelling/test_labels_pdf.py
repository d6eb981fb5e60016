"""Labels are issued only by a POST to the batch's print-jobs collection (label_url); each job's PDF is
re-rendered identically (same serials) on every GET, which records a reprint and issues nothing; a job may be as
large as a batch. Read back as a scanner would."""

import io

import pytest
from django.conf import settings
from pypdf import PdfReader

from lims.labels.gs1 import digital_link
from production.labelling import services
from production.labelling.models import CaseSerialCounter, PrintJob, PrintJobOutput
from tests.helpers import Snapshot, assert_history, table_counts
from tests.labels.scanning import pdf_reader, scan_pages


def scans(pdf):
    pages = scan_pages(pdf)
    return [{s.format: s for s in page} for page in pages]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def issue(api, batch, **data):
    data.setdefault("reason", "line start")
    return api.post(batch.label_url, data, format="json")


@pytest.mark.django_db
def test_label_url_is_the_print_jobs_collection(started):
    assert started.label_url == f"/api/v1/production/labels/{started.lot_number}/print-jobs/"


@pytest.mark.django_db
def test_unit_labels_issued_by_post_decode_to_the_batch(api_for, production_user, started):
    api = api_for(production_user)
    response = issue(api, started, template="unit", copies=2)
    assert response.status_code == 201, response.json()
    job_body = response.json()
    job = PrintJob.objects.get()
    assert {k: job_body[k] for k in ("id", "template", "copies", "serial_from", "serial_to", "pdf_url")} == {
        "id": job.pk, "template": "unit", "copies": 2, "serial_from": "", "serial_to": "", "pdf_url": job.pdf_url}
    pdf = api.get(job_body["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pages = scans(body(pdf))
    assert len(pages) == 2  # a roll: one label per page
    for page in pages:
        dm, qr = page["DataMatrix"], page["QRCode"]
        assert dm.symbology_identifier == "]d2"
        gs1 = dm.gs1()
        assert (gs1["01"], gs1["10"], gs1["17"]) == (started.product.gtin, started.lot_number, started.expiry_date)
        assert "21" not in gs1
        assert qr.text == digital_link(settings.LIMS_RESOLVER_BASE_URL, started.product.gtin, started.lot_number,
                                       started.expiry_date)
    assert (job.template, job.stock, job.copies, job.printed_by) == ("unit", "roll-60x40", 2, production_user)
    assert_history(job, user=production_user, reason="line start")


@pytest.mark.django_db
def test_case_serials_are_gap_free_across_jobs_and_reprints_are_identical(api_for, qa_user, started):
    api = api_for(qa_user)
    first = issue(api, started, template="case", copies=3).json()
    second = issue(api, started, template="case", copies=2, stock="a4-2x4").json()
    assert (first["serial_from"], first["serial_to"], second["serial_from"], second["serial_to"]) == (
        "000001", "000003", "000004", "000005")
    serials = []
    for job in (first, second):
        for page in scan_pages(body(api.get(job["pdf_url"]))):
            serials += [s.gs1()["21"] for s in page if s.format == "DataMatrix"]
    assert serials == ["000001", "000002", "000003", "000004", "000005"]
    # every GET re-renders the same labels, records a reprint and issues nothing
    counts = table_counts(PrintJob, CaseSerialCounter)
    counter = CaseSerialCounter.objects.get(batch=started).last_value
    again = [s.gs1()["21"] for page in scan_pages(body(api.get(first["pdf_url"]))) for s in page
             if s.format == "DataMatrix"]
    assert again == ["000001", "000002", "000003"]
    assert table_counts(PrintJob, CaseSerialCounter) == counts
    assert CaseSerialCounter.objects.get(batch=started).last_value == counter == 5
    kinds = list(PrintJobOutput.objects.filter(job_id=first["id"]).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["print", "reprint"]
    listed = api.get(started.label_url).json()["results"]
    assert {j["id"]: j["reprints"] for j in listed} == {first["id"]: 1, second["id"]: 0}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?template=case&copies=1000", "?template=unit&copies=3&reason=x"])
def test_no_get_of_a_label_url_creates_a_job_or_a_serial(api_for, client_for, production_user, started, query):
    api = api_for(production_user)
    job = services.print_labels(started, "case", None, 2, user=production_user, reason="first")
    counts = table_counts(PrintJob, CaseSerialCounter)
    counter = CaseSerialCounter.objects.get(batch=started).last_value
    for client in (api, client_for(production_user)):
        for url in (started.label_url + query, f"/api/v1/production/labels/{started.lot_number}/" + query,
                    job.pdf_url + query, f"/production/batches/{started.lot_number}/labels.pdf" + query,
                    f"/production/labelling/batches/{started.lot_number}/" + query):
            response = client.get(url)
            if response.streaming:
                body(response)
            assert table_counts(PrintJob, CaseSerialCounter) == counts, url
    assert CaseSerialCounter.objects.get(batch=started).last_value == counter


@pytest.mark.django_db
def test_the_old_get_path_is_gone(api_for, production_user, started):
    response = api_for(production_user).get(f"/production/batches/{started.lot_number}/labels.pdf",
                                            {"template": "case", "copies": 1000})
    assert response.status_code == 404
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_a_job_needs_a_reason(api_for, production_user, started):
    response = issue(api_for(production_user), started, template="unit", copies=1, reason="")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["planned", "rejected"])
def test_planned_and_rejected_batches_are_not_printed(request, api_for, production_user, state):
    batch = request.getfixturevalue(state)
    snapshot = Snapshot(batch)
    counts = table_counts(PrintJob, CaseSerialCounter)
    response = issue(api_for(production_user), batch, template="case", copies=1)
    assert response.status_code == 409
    assert response.json()["code"] == "not_printable"
    snapshot.assert_unchanged()
    assert table_counts(PrintJob, CaseSerialCounter) == counts


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"template": "poster", "copies": 1}, "template"),
    ({"template": "case", "stock": "roll-50x25", "copies": 1}, "stock"),
    ({"template": "unit", "copies": "0"}, "copies"),
    ({"template": "unit", "copies": "100001"}, "copies"),
    ({"template": "unit", "copies": "many"}, "copies"),
])
def test_bad_requests_are_400_with_the_field(api_for, production_user, started, params, field):
    response = issue(api_for(production_user), started, **params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_permissions(client, api_for, client_for, outsider, regulatory_user, qc_user, production_user, started):
    job = services.print_labels(started, "unit", None, 1, user=production_user, reason="first")
    assert api_for(None).get(started.label_url, HTTP_AUTHORIZATION="Token wrong").status_code == 401
    anonymous = client.get(job.pdf_url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for user in (outsider, regulatory_user):
        assert issue(api_for(user), started, template="unit", copies=1).status_code == 403
        assert api_for(user).get(job.pdf_url).status_code == 403
    assert PrintJob.objects.count() == 1
    # a signed-in QC user opens a job's PDF through the session too
    response = client_for(qc_user).get(job.pdf_url)
    assert response.status_code == 200 and body(response).startswith(b"%PDF")


@pytest.mark.django_db
def test_unknown_lot_or_job_is_404(api_for, production_user, started):
    job = services.print_labels(started, "unit", None, 1, user=production_user, reason="first")
    api = api_for(production_user)
    assert api.post("/api/v1/production/labels/NOPE/print-jobs/", {"template": "unit", "copies": 1,
                                                                   "reason": "x"}).status_code == 404
    assert api.get(f"/production/batches/NOPE/print-jobs/{job.pk}/labels.pdf").status_code == 404
    assert api.get(f"/production/batches/{started.lot_number}/print-jobs/{job.pk + 1}/labels.pdf").status_code == 404


@pytest.mark.django_db
def test_expired_batches_still_reprint(api_for, production_user, expired):
    job = services.print_labels(expired, "unit", None, 1, user=production_user, reason="relabel")
    assert body(api_for(production_user).get(job.pdf_url)).startswith(b"%PDF")


@pytest.mark.django_db
def test_a_40000_label_job_completes_streamed(api_for, production_user, started, settings):
    job = services.print_labels(started, "unit", None, 40_000, user=production_user, reason="whole batch")
    response = api_for(production_user).get(job.pdf_url)
    assert response.streaming
    pdf = body(response)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 40_000  # a roll: one label per page


@pytest.mark.django_db
def test_case_serials_run_across_render_chunks(api_for, production_user, started, monkeypatch):
    monkeypatch.setattr(services, "RENDER_CHUNK", 7)
    job = services.print_labels(started, "case", "a4-2x4", 20, user=production_user, reason="chunks")
    pdf = body(api_for(production_user).get(job.pdf_url))
    assert len(pdf_reader(pdf).pages) == 3
    serials = [s.gs1()["21"] for page in scan_pages(pdf) for s in page if s.format == "DataMatrix"]
    assert serials == [f"{n:06d}" for n in range(1, 21)]
