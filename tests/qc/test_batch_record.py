"""The batch record PDF (labelling) carries the QC part: inspections, deviations and the release decision."""

import io

import pytest
from pypdf import PdfReader

from qc import services
from tests.conftest import sig

pytestmark = pytest.mark.django_db


def record_text(client, batch) -> str:
    response = client.get(f"/production/batches/{batch.lot_number}/record.pdf")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_record_shows_qc_deviations_and_release(kit, approved, releaser, client_for, qa_user):
    empty = record_text(client_for(qa_user), kit.batch)
    assert "No QC inspection recorded for this batch." in empty
    assert "No deviation on this batch." in empty and "No release decision yet." in empty

    inspection = approved()
    services.dispose_batch(kit.batch, decision="release", quantity_released=3000, **sig(releaser),
                           user=releaser, reason="all tests passed")
    text = record_text(client_for(qa_user), kit.batch)
    assert f"#{inspection.pk}" in text and "3 results, 0 failing" in text
    assert "Acceptance (QC) records" in text and "Release decision" in text
    assert "Release 3000 all tests passed Qa2 Tester (qa2), Released" in text
