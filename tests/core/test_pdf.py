import io

import pytest
from pypdf import PdfReader

from incubator.models import Project
from lims.audit import audited, service
from lims.pdf import RecordPdf, Section
from lims.services import update_record
from lims.signatures import SigningAction, sign, signature_rows
from tests.conftest import sig

pytestmark = pytest.mark.django_db


APPROVE = SigningAction("tests.pdf_approve", ("approved",))


@service(signs=APPROVE)
def approve(project, *, user, reason, username, password, meaning=""):
    project.save()
    sign(project, user=user, meaning=meaning, reason=reason)
    return project


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_record_pdf_shows_facts_sections_and_signatures(qa_user, incubator_user):
    with audited(user=incubator_user, reason="new"):
        project = Project.objects.create(code="P-1", name="x", focus_area="other", entered_on="2025-01-01")
    approve(project, user=qa_user, **sig(qa_user), reason="checked")
    update_record(project, {"name": "y"}, user=incubator_user, reason="late edit")
    pdf = RecordPdf(title="Certificate of analysis", reference="Lot SC1", facts=[("Product", "抗原检测试剂盒")],
                    sections=[Section("Results", [["Test", "Result"], ["Appearance", "Pass"]]),
                              Section("Deviations", text="No deviations.")],
                    signatures=signature_rows(project), printed_by="qa").build()
    text = " ".join(text_of(pdf).split())
    for expected in ("Lot SC1", "抗原检测试剂盒", "Appearance", "No deviations.", "Qa Tester", "Approved",
                     "checked", "changed after signature", "Printed"):
        assert expected in text, expected
