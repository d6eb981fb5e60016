"""The label PDF of a batch through its label_url with an API token, read back as a scanner would."""

import pytest
from django.conf import settings

from lims.labels.gs1 import digital_link
from production.labelling.models import CaseSerialCounter, PrintJob
from tests.helpers import Snapshot, assert_history, table_counts
from tests.labels.scanning import scan_pages


def scans(pdf):
    pages = scan_pages(pdf)
    return [{s.format: s for s in page} for page in pages]


@pytest.mark.django_db
def test_unit_labels_decode_to_the_batch(api_for, production_user, started):
    response = api_for(production_user).get(started.label_url, {"template": "unit", "copies": 2,
                                                                "reason": "line start"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    pages = scans(response.content)
    assert len(pages) == 2  # a roll: one label per page
    for page in pages:
        dm, qr = page["DataMatrix"], page["QRCode"]
        assert dm.symbology_identifier == "]d2"
        gs1 = dm.gs1()
        assert gs1["01"] == started.product.gtin
        assert gs1["10"] == started.lot_number
        assert gs1["17"] == started.expiry_date
        assert "21" not in gs1
        assert qr.text == digital_link(settings.LIMS_RESOLVER_BASE_URL, started.product.gtin, started.lot_number,
                                       started.expiry_date)
    job = PrintJob.objects.get()
    assert (job.template, job.stock, job.copies, job.printed_by) == ("unit", "roll-60x40", 2, production_user)
    assert job.serial_from == ""
    assert_history(job, user=production_user, reason="line start")


@pytest.mark.django_db
def test_case_serials_are_gap_free_across_jobs_and_on_the_labels(api_for, qa_user, started):
    api = api_for(qa_user)
    first = api.get(started.label_url, {"template": "case", "copies": 3})
    second = api.get(started.label_url, {"template": "case", "copies": 2, "stock": "a4-2x4"})
    assert first.status_code == second.status_code == 200
    serials = []
    for response in (first, second):
        for page in scan_pages(response.content):
            for symbol in page:
                if symbol.format == "DataMatrix":
                    gs1 = symbol.gs1()
                    assert gs1["10"] == started.lot_number
                    serials.append(gs1["21"])
    assert serials == ["000001", "000002", "000003", "000004", "000005"]
    jobs = list(PrintJob.objects.order_by("pk").values_list("serial_from", "serial_to"))
    assert jobs == [("000001", "000003"), ("000004", "000005")]
    assert CaseSerialCounter.objects.get(batch=started).last_value == 5


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["planned", "rejected"])
def test_planned_and_rejected_batches_are_not_printed(request, api_for, production_user, state):
    batch = request.getfixturevalue(state)
    snapshot = Snapshot(batch)
    counts = table_counts(PrintJob, CaseSerialCounter)
    response = api_for(production_user).get(batch.label_url, {"template": "case", "copies": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "not_printable"
    snapshot.assert_unchanged()
    assert table_counts(PrintJob, CaseSerialCounter) == counts


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"template": "poster"}, "template"),
    ({"template": "case", "stock": "roll-50x25"}, "stock"),
    ({"template": "unit", "copies": "0"}, "copies"),
    ({"template": "unit", "copies": "5001"}, "copies"),
    ({"template": "unit", "copies": "many"}, "copies"),
])
def test_bad_requests_are_400_with_the_field(api_for, production_user, started, params, field):
    response = api_for(production_user).get(started.label_url, params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_permissions(client, api_for, client_for, outsider, regulatory_user, qc_user, started):
    assert api_for(None).get(started.label_url, HTTP_AUTHORIZATION="Token wrong").status_code == 401
    anonymous = client.get(started.label_url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert api_for(outsider).get(started.label_url).status_code == 403
    assert api_for(regulatory_user).get(started.label_url).status_code == 403
    assert PrintJob.objects.count() == 0
    # a signed-in QC user prints through the session too
    response = client_for(qc_user).get(started.label_url, {"template": "unit"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_unknown_lot_is_404(api_for, production_user):
    assert api_for(production_user).get("/production/batches/NOPE/labels.pdf").status_code == 404


@pytest.mark.django_db
def test_a_client_asking_for_pdf_gets_errors_as_json(api_for, production_user, planned, expired):
    api = api_for(production_user)
    refused = api.get(planned.label_url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 409
    assert b"not_printable" in refused.content
    assert api.get(expired.label_url, HTTP_ACCEPT="application/pdf").content.startswith(b"%PDF")
