"""Issue 13: the tube template lives in the lab and has its caller — the sample's page prints its tube label
(a POST, recorded as a TubeLabelPrint with history); the printed DataMatrix is the sample's barcode."""

import pytest

from lab.models import TubeLabelPrint
from lims.labels import TEMPLATES
from tests.helpers import assert_history
from tests.lab.factories import make_sample
from tests.labels.scanning import pdf_reader, scan_pages


@pytest.mark.django_db
def test_sample_page_prints_its_tube_label(client_for, lab_user, outsider):
    assert TEMPLATES["tube"].draw.__module__ == "lab.labels"
    sample = make_sample(lab_user)
    client = client_for(lab_user)
    page = client.get(sample.get_absolute_url()).content.decode()
    url = f"/lab/samples/{sample.pk}/tube-label/"
    assert url in page and "Print tube label" in page
    assert client.get(url).status_code == 405  # a GET prints nothing
    response = client.post(url, {"copies": 2})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = scan_pages(response.content)
    assert len(pages) == 2 and all(p[0].text == sample.barcode for p in pages)
    assert sample.assay.name in pdf_reader(response.content).pages[0].extract_text()
    record = TubeLabelPrint.objects.get()
    assert (record.sample, record.copies, record.printed_by) == (sample, 2, lab_user)
    assert_history(record, user=lab_user)
    refused = client.post(url, {"copies": 99})
    assert refused.status_code == 302 and TubeLabelPrint.objects.count() == 1
    assert client_for(outsider).post(url, {"copies": 1}).status_code == 403
    assert TubeLabelPrint.objects.count() == 1
