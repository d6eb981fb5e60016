"""Results by assay type, checked at entry, in the API and at import; the second-person review (four eyes);
the client report PDF; the import templates; the tube scan at receipt; human messages."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from lab import services
from lab.models import Assay, Sample
from lims.errors import DomainError
from lims.models import Signature
from tests.conftest import make_user, sig, sig_body
from tests.helpers import Snapshot, table_counts
from tests.lab.factories import make_assay, make_client, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(lab_user):
    return {
        "user": lab_user, "client": make_client(lab_user, code="H1"),
        "antigen": make_assay(lab_user, code="COV-AG", result_type=Assay.ResultType.QUALITATIVE),
        "crp": make_assay(lab_user, code="CRP", result_type=Assay.ResultType.QUANTITATIVE, unit="mg/L",
                          reference_low=Decimal("0"), reference_high=Decimal("10")),
        "culture": make_assay(lab_user, code="CULT", result_type=Assay.ResultType.DESCRIPTIVE),
    }


def received(lab, assay):
    return make_sample(lab["user"], client=lab["client"], assay=lab[assay],
                       received_at=timezone.now() - timedelta(hours=2))


@pytest.mark.parametrize(("assay", "values", "field", "words"), [
    ("antigen", {"result": "neg"}, "outcome", "qualitative"),
    ("antigen", {"outcome": "positive"}, "control_line", "control line"),
    ("antigen", {"outcome": "positive", "control_line": False}, "outcome", "invalid"),
    ("antigen", {"outcome": "maybe", "control_line": True}, "outcome", "not an outcome"),
    ("antigen", {"outcome": "negative", "control_line": True, "result_value": Decimal("1")}, "result_value",
     "no numeric value"),
    ("crp", {"result": "high"}, "result_value", "mg/L"),
    ("crp", {"result_value": Decimal("5"), "result_unit": "g/L"}, "result_unit", "mg/L"),
    ("crp", {"result_value": Decimal("5"), "outcome": "positive"}, "outcome", "Only a qualitative"),
    ("culture", {}, "result", "Enter the result"),
])
def test_a_result_of_the_wrong_kind_is_refused_and_nothing_changes(lab, assay, values, field, words):
    sample = received(lab, assay)
    snapshot = Snapshot(sample)
    with pytest.raises(ValidationError) as exc:
        services.report_result(sample, user=lab["user"], **values)
    assert words in " ".join(exc.value.message_dict[field])
    snapshot.assert_unchanged()


def test_results_of_each_kind_are_stored_as_typed(lab):
    ag = services.report_result(received(lab, "antigen"), user=lab["user"], outcome="Invalid", control_line=False)
    assert (ag.outcome, ag.control_line, ag.status) == ("invalid", False, Sample.Status.REPORTED)
    assert ag.result_display == "Invalid (no control line)"
    crp = services.report_result(received(lab, "crp"), user=lab["user"], result_value=Decimal("12.5"))
    assert (crp.result_unit, crp.flag) == ("mg/L", "high")  # the unit is the assay's; 12.5 > 10
    assert crp.reported_by == lab["user"]


def test_api_checks_the_result_type_per_row(api_for, lab):
    api = api_for(lab["user"])
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    rows = [{"client": lab["client"].pk, "assay": lab["antigen"].pk, "received_at": at, "outcome": "negative",
             "control_line": True},
            {"client": lab["client"].pk, "assay": lab["antigen"].pk, "received_at": at, "outcome": "positive",
             "control_line": False}]
    before = table_counts(Sample)
    response = api.post("/api/v1/lab/samples/", rows, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["1.outcome"]
    assert table_counts(Sample) == before
    sample = received(lab, "crp")
    response = api.post(f"/api/v1/lab/samples/{sample.pk}/report/", {"result_value": "3.2"}, format="json")
    assert response.status_code == 200 and response.json()["flag"] == "normal"
    assert response.json()["result_unit"] == "mg/L"


# --- review -------------------------------------------------------------------------------------------------
def test_the_analyst_may_not_review_their_own_result_and_nothing_changes(lab, client_for):
    sample = services.report_result(received(lab, "antigen"), user=lab["user"], outcome="negative",
                                    control_line=True)
    assert services.REVIEW_RESULT.refusal(lab["user"], sample) == (
        "You entered this result; another person must review it.")
    snapshot = Snapshot(sample)
    signatures = Signature.objects.count()
    with pytest.raises(DomainError) as exc:
        services.review_result(sample, **sig(lab["user"]), user=lab["user"])
    assert exc.value.code == "four_eyes"
    snapshot.assert_unchanged()
    assert Signature.objects.count() == signatures
    page = client_for(lab["user"]).get(sample.get_absolute_url())
    assert "another person must review it" in page.content.decode()  # shown before anyone types a password


def test_a_second_person_reviews_with_a_signature(lab, api_for):
    sample = services.report_result(received(lab, "crp"), user=lab["user"], result_value=Decimal("4"))
    analyst_api = api_for(lab["user"])
    refused = analyst_api.post(f"/api/v1/lab/samples/{sample.pk}/review/", sig_body(lab["user"]), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "four_eyes"
    reviewer = make_user("lab2", "Lab", first_name="Li", last_name="Na")
    response = api_for(reviewer).post(f"/api/v1/lab/samples/{sample.pk}/review/", sig_body(reviewer),
                                      format="json")
    assert response.status_code == 200 and response.json()["reviewed_by"] == reviewer.pk
    [signature] = Signature.objects.for_object(sample)
    assert (signature.signer, signature.meaning, signature.printed_name) == (reviewer, "reviewed", "Li Na")
    again = api_for(reviewer).post(f"/api/v1/lab/samples/{sample.pk}/review/", sig_body(reviewer), format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    # A corrected result needs a new review.
    services.correct_sample(sample, {"result_value": Decimal("40")}, user=lab["user"], reason="transcription")
    sample.refresh_from_db()
    assert sample.reviewed_by is None and sample.flag == "high"


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_client_report_pdf_holds_the_result_and_the_reviewers_signature(lab, client_for):
    sample = services.report_result(received(lab, "crp"), user=lab["user"], result_value=Decimal("12.5"))
    reviewer = make_user("lab2", "Lab", first_name="Li", last_name="Na")
    services.review_result(sample, **sig(reviewer), user=reviewer, reason="checked against the analyser")
    response = client_for(lab["user"]).get(reverse("lab:sample-report-pdf", args=[sample.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in (sample.barcode, "12.5", "mg/L", "0–10 mg/L", "Above the reference range", "Li Na", "Reviewed",
                  "checked against the analyser", lab["user"].get_full_name()):
        assert words in text, words
    assert "preliminary" not in text
    open_sample = received(lab, "crp")
    assert client_for(lab["user"]).get(reverse("lab:sample-report-pdf", args=[open_sample.pk])).status_code == 404


def test_unreviewed_report_says_preliminary_in_chinese_too(lab, client_for):
    sample = services.report_result(received(lab, "antigen"), user=lab["user"], outcome="positive",
                                    control_line=True)
    client = client_for(lab["user"])
    text = pdf_text(client.get(reverse("lab:sample-report-pdf", args=[sample.pk])).content)
    assert "Positive" in text and "preliminary" in text
    zh = client.get(reverse("lab:sample-report-pdf", args=[sample.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200


# --- import templates and messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_template_imports_as_it_is(lab, client_for, fmt):
    client = client_for(lab["user"])
    template = client.get(reverse("lab:import-template", args=[fmt]))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"samples.{fmt}", template.content)
    before = Sample.objects.count()
    response = client.post(reverse("lab:sample-import"), {"file": upload, "reason": "template"}, follow=True)
    assert response.status_code == 200
    assert Sample.objects.count() == before + 4  # one received, then one finished test per result type
    assert "4 samples imported." in response.content.decode()
    antigen = Sample.objects.get(assay=lab["antigen"], status=Sample.Status.REPORTED)
    assert (antigen.outcome, antigen.control_line) == ("negative", True)
    assert Sample.objects.get(assay=lab["crp"]).result_unit == "mg/L"


def test_one_imported_sample_is_said_in_the_singular(lab, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    at = timezone.localtime() - timedelta(hours=1)
    body = f"client,assay,received_at\nH1,CULT,{at:%Y-%m-%d %H:%M}\n".encode()
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("one.csv", body), "reason": ""}, follow=True)
    assert "1 sample imported." in response.content.decode()


def test_an_impossible_date_is_a_sentence_naming_the_row_and_column(lab, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (b"client,assay,received_at,outcome,control_line\n"
            b"H1,CULT,2026-13-01 08:00,,\nH1,CULT,2026-02-30 08:00,,\nH1,COV-AG,2026-03-01 08:00,positive,maybe\n"
            )
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("bad.csv", body), "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "month must be in" not in page and "day is out of range" not in page
    assert "Row 2, column “received_at”: “2026-13-01 08:00” is not a date: there is no month 13" in page
    assert "Row 3, column “received_at”: “2026-02-30 08:00” is not a date: 2026-02 has 28 days, not 30." in page
    assert "Row 4, column “control_line”" in page
    assert Sample.objects.count() == 0


# --- receipt by scanning the tube ------------------------------------------------------------------------------
def test_scanning_a_received_tube_opens_its_sample_and_a_new_tube_takes_its_barcode(lab, client_for):
    client = client_for(lab["user"])
    page = client.get(reverse("lab:sample-receive"))
    assert b'name="scan"' in page.content and b"autofocus" in page.content
    sample = make_sample(lab["user"], client=lab["client"], assay=lab["culture"], barcode="TUBE-0001")
    response = client.post(reverse("lab:sample-receive"), {"scan": " TUBE-0001 "})
    assert response.status_code == 302 and response["Location"] == sample.get_absolute_url()
    before = Sample.objects.count()
    response = client.post(reverse("lab:sample-receive"), {"scan": "TUBE-0002"})
    assert response.status_code == 200 and Sample.objects.count() == before
    assert response.context["form"].initial["barcode"] == "TUBE-0002"
    response = client.post(reverse("lab:sample-receive"), {
        "scan": "TUBE-0002", "barcode": "TUBE-0002", "client": lab["client"].pk, "assay": lab["culture"].pk,
        "reason": ""})
    assert response.status_code == 302 and Sample.objects.filter(barcode="TUBE-0002").exists()


# --- the throughput page stays short --------------------------------------------------------------------------
def test_throughput_page_shows_summaries_and_collapses_the_detail(lab, client_for):
    for assay in ("crp", "culture"):
        sample = received(lab, assay)
        services.report_result(sample, user=lab["user"], result="x", result_value=Decimal("1"))
    page = client_for(lab["user"]).get(reverse("lab:throughput"))
    assert page.status_code == 200
    figures = page.context["figures"]
    assert [r["assay_code"] for r in figures["assay_summary"]] == ["CRP", "CULT"]
    assert page.content.decode().count("<details") == 3
