"""Lab: intake (API list and files, all-or-nothing), the sample life cycle, the throughput endpoint, pages,
roles, history and query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lab import services
from lab.models import Assay, Client, Sample
from lims.errors import DomainError
from tests.helpers import Snapshot, assert_constant_queries, assert_history, table_counts
from tests.lab.factories import FACTORIES, local, make_assay, make_client, make_sample

pytestmark = pytest.mark.django_db
SAMPLES = "/api/v1/lab/samples/"


@pytest.fixture
def lab(lab_user):
    return {"user": lab_user, "client": make_client(lab_user, code="CQMU1", name="First Affiliated Hospital"),
            "assay": make_assay(lab_user, code="CRP", tat_target_hours=4),
            "pcr": make_assay(lab_user, code="COV-PCR", tat_target_hours=24)}


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_every_tracked_model_has_a_factory_writing_user_and_reason(model, lab_user):
    obj = FACTORIES[model](lab_user, "for the audit test")
    assert isinstance(obj, model)
    assert_history(obj, user=lab_user, reason="for the audit test", type="+")


# --- life cycle --------------------------------------------------------------------------------------------
def test_received_in_testing_reported_with_history(lab):
    user = lab["user"]
    sample = make_sample(user, client=lab["client"], assay=lab["assay"], received_at=local(2026, 3, 2, 9))
    assert sample.status == "received" and sample.barcode.startswith("S260302") and len(sample.barcode) == 13
    sample = services.start_testing(sample, started_at=local(2026, 3, 2, 9, 30), user=user, reason="on analyser 2")
    assert_history(sample, user=user, reason="on analyser 2", type="~")
    sample = services.report_result(sample, result="12.5 mg/L", result_value="12.5", result_unit="mg/L",
                                    reported_at=local(2026, 3, 2, 11), user=user, reason="validated")
    assert (sample.status, sample.tat_hours) == ("reported", 2.0)
    assert_history(sample, user=user, reason="validated")
    with pytest.raises(DomainError) as exc:
        services.reject_sample(sample, user=user, reason="late")
    assert exc.value.code == "invalid_state"


def test_rejection_needs_a_reason_and_changes_nothing_without_one(lab):
    from django.core.exceptions import ValidationError

    sample = make_sample(lab["user"], client=lab["client"], assay=lab["assay"])
    snapshot = Snapshot(sample)
    with pytest.raises(ValidationError):
        services.reject_sample(sample, user=lab["user"], reason="  ")
    snapshot.assert_unchanged()
    sample = services.reject_sample(sample, user=lab["user"], reason="haemolysed")
    assert (sample.status, sample.rejection_reason) == ("rejected", "haemolysed")
    assert_history(sample, user=lab["user"], reason="haemolysed")


def test_a_report_before_receipt_is_refused(lab):
    from django.core.exceptions import ValidationError

    sample = make_sample(lab["user"], client=lab["client"], assay=lab["assay"], received_at=local(2026, 3, 2, 9))
    snapshot = Snapshot(sample)
    with pytest.raises(ValidationError):
        services.report_result(sample, result="neg", reported_at=local(2026, 3, 2, 8), user=lab["user"])
    snapshot.assert_unchanged()


# --- API intake ----------------------------------------------------------------------------------------------
def test_api_list_intake_all_or_nothing_reports_every_bad_row(api_for, lab):
    api = api_for(lab["user"])
    c, a = lab["client"].pk, lab["assay"].pk
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], barcode="TAKEN-1")
    before = table_counts(Sample, Sample.history.model)
    rows = [
        {"client": c, "assay": a, "received_at": "2026-03-02T09:00:00+08:00"},
        {"client": c, "assay": 99999, "received_at": "2026-03-02T09:00:00+08:00"},
        {"client": c, "assay": a, "barcode": "DUP-1", "received_at": "2026-03-02T09:00:00+08:00"},
        {"client": c, "assay": a, "barcode": "DUP-1", "received_at": "2026-03-02T09:00:00+08:00"},
        {"client": c, "assay": a, "received_at": "2026-03-02T09:00:00+08:00",
         "reported_at": "2026-03-02T08:00:00+08:00"},
        {"client": c, "assay": a, "barcode": "TAKEN-1"},
        {"client": c, "assay": a, "received_at": "not a date"},
    ]
    response = api.post(SAMPLES, rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    fields = body["fields"]
    assert list(fields) == ["1.assay", "3.barcode", "4.reported_at", "5.barcode", "6.received_at"]
    assert "appears twice" in fields["3.barcode"][0] and "already exists" in fields["5.barcode"][0]
    assert table_counts(Sample, Sample.history.model) == before


def test_api_list_intake_creates_every_row_with_history(api_for, lab):
    api = api_for(lab["user"])
    rows = [{"client": lab["client"].pk, "assay": lab["assay"].pk, "barcode": f"B-{i}",
             "received_at": "2026-03-02T09:00:00+08:00", "reported_at": "2026-03-02T11:30:00+08:00",
             "result": "negative", "reason": "ignored per row"} for i in range(3)]
    rows.append({"client": lab["client"].pk, "assay": lab["pcr"].pk})
    response = api.post(SAMPLES, rows, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [r["status"] for r in body] == ["reported"] * 3 + ["received"]
    assert body[0]["reported_at"] == "2026-03-02T11:30:00+08:00" and body[0]["result"] == "negative"
    assert body[3]["barcode"].startswith("S")
    sample = Sample.objects.get(barcode="B-0")
    assert_history(sample, user=lab["user"], type="+")


def test_api_single_sample_and_actions(api_for, lab):
    api = api_for(lab["user"])
    response = api.post(SAMPLES, {"client": lab["client"].pk, "assay": lab["assay"].pk,
                                  "received_at": "2026-03-02T09:00:00+08:00", "reason": "courier"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert_history(Sample.objects.get(pk=pk), user=lab["user"], reason="courier")
    bad = api.post(SAMPLES, {"client": lab["client"].pk, "assay": 0}, format="json")
    assert bad.status_code == 400 and "assay" in bad.json()["fields"]
    assert api.post(f"{SAMPLES}{pk}/start/", {}, format="json").json()["status"] == "in_testing"
    refused = api.post(f"{SAMPLES}{pk}/start/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"
    reported = api.post(f"{SAMPLES}{pk}/report/", {"result": "positive", "reason": "validated"}, format="json")
    assert reported.status_code == 200 and reported.json()["status"] == "reported"
    needs_reason = api.patch(f"{SAMPLES}{pk}/", {"result": "negative"}, format="json")
    assert needs_reason.status_code == 400 and needs_reason.json()["code"] == "reason_required"
    fixed = api.patch(f"{SAMPLES}{pk}/", {"result": "negative", "reason": "typo"}, format="json")
    assert fixed.status_code == 200 and fixed.json()["result"] == "negative"
    status = api.patch(f"{SAMPLES}{pk}/", {"status": "received", "reason": "x"}, format="json")
    assert status.json()["status"] == "reported"  # read-only


@pytest.mark.parametrize(("persona", "read", "write"), [
    ("Lab", 200, 201), ("Auditor", 200, 403), ("Incubator", 403, 403), ("QA", 403, 403), ("outsider", 403, 403)])
def test_api_roles(api_for, personas, lab, persona, read, write):
    api = api_for(personas[persona])
    for path in (SAMPLES, "/api/v1/lab/clients/", "/api/v1/lab/assays/", "/api/v1/lab/throughput/"):
        assert api.get(path).status_code == read, path
    before = Sample.objects.count()
    response = api.post(SAMPLES, [{"client": lab["client"].pk, "assay": lab["assay"].pk}], format="json")
    assert response.status_code == write
    assert Sample.objects.count() == before + (1 if write == 201 else 0)


def test_api_anonymous_is_401(client):
    for path in (SAMPLES, "/api/v1/lab/throughput/"):
        assert client.get(path).status_code == 401


# --- throughput endpoint ------------------------------------------------------------------------------------
def test_throughput_endpoint_matches_posted_samples(api_for, lab):
    api = api_for(lab["user"])
    rows = [{"client": lab["client"].pk, "assay": lab["assay"].pk, "received_at": "2026-03-02T08:00:00+08:00",
             "reported_at": f"2026-03-02T{8 + h:02d}:00:00+08:00", "result": "neg"} for h in (1, 2, 3, 10)]
    assert api.post(SAMPLES, rows, format="json").status_code == 201
    response = api.get("/api/v1/lab/throughput/", {"start": "2026-03-01", "end": "2026-03-07", "bucket": "week",
                                                   "assay": lab["assay"].pk})
    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == [{  # the compact row of API.md
        "period": "2026-03-02", "assay": lab["assay"].pk, "completed": 4,
        "median_tat_hours": 2.5, "p90_tat_hours": 7.9, "within_target_pct": 75.0}]
    assert body["assays"] == {str(lab["assay"].pk): "CRP"} and "clients" not in body
    assert body["totals"][0]["backlog"] == 0
    with_clients = api.get("/api/v1/lab/throughput/", {"start": "2026-03-01", "end": "2026-03-07",
                                                       "bucket": "week", "include": "clients"}).json()
    assert [(r["client"], r["completed"]) for r in with_clients["clients"]] == [(lab["client"].pk, 4)]
    params = {"start": "2026-03-01", "end": "2026-03-07", "bucket": "day", "include": "clients"}
    as_rows = api.get("/api/v1/lab/throughput/", params).json()
    as_columns = api.get("/api/v1/lab/throughput/", {**params, "layout": "columns"}).json()
    assert as_columns["layout"] == "columns" and as_columns["assays"] == as_rows["assays"]
    for key in ("rows", "totals", "clients"):  # the same figures, one array per field
        fields = list(as_rows[key][0])
        assert list(as_columns[key]) == fields
        assert [dict(zip(fields, values, strict=True)) for values in zip(*as_columns[key].values(), strict=True)] \
            == as_rows[key]


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-02-30"}, "start"), ({"end": "yesterday"}, "end"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "end"), ({"bucket": "year"}, "bucket"),
    ({"assay": "999999"}, "assay"), ({"assay": "abc"}, "assay"), ({"client": "999999"}, "client"),
    ({"layout": "csv"}, "layout")])
def test_throughput_bad_parameters_are_400_with_the_field(api_for, lab, params, field):
    response = api_for(lab["user"]).get("/api/v1/lab/throughput/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_throughput_is_documented_in_the_schema(api_for, admin_user):
    schema = api_for(admin_user).get("/api/v1/schema/", {"format": "json"}).json()
    op = schema["paths"]["/api/v1/lab/throughput/"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"start", "end", "assay", "bucket"}
    assert "type 7" in op["description"]


# --- file import ---------------------------------------------------------------------------------------------
def _csv(rows, encoding="utf-8", bom=False, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _upload(client, name, data, reason="courier batch"):
    return client.post(reverse("lab:sample-import"), {"file": SimpleUploadedFile(name, data), "reason": reason})


HEADER = ["barcode", "client", "assay", "received_at", "reported_at", "result"]


def test_file_with_good_and_bad_rows_imports_nothing_and_lists_every_bad_row(client_for, lab):
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], barcode="OLD-1")
    data = _csv([
        HEADER,
        ["F-1", "CQMU1", "CRP", "2026-03-02 09:00", "", ""],  # row 2 good
        ["F-2", "NOPE", "CRP", "2026-03-02 09:00", "", ""],  # row 3 unknown client
        ["F-3", "CQMU1", "CRP", "2026-03-02 09:00", "2026-03-02 08:00", "neg"],  # row 4 reported before received
        [],  # row 5 empty: skipped, but numbering continues
        ["F-1", "CQMU1", "CRP", "2026/3/2 9:30", "", ""],  # row 6 duplicate barcode in the file
        ["OLD-1", "CQMU1", "XX", "tomorrow", "", ""],  # row 7 unknown assay and bad time
        ["F-8", "CQMU1", "CRP", "2026-03-02 09:00", "", ""],  # row 8 good
    ])
    before = table_counts(Sample, Sample.history.model)
    response = _upload(client_for(lab["user"]), "intake.csv", data)
    assert response.status_code == 400  # a refused import answers 400 (issue 16)
    found = [(e.row, e.field) for e in response.context["row_errors"]]
    assert found == [(3, "client"), (4, "reported_at"), (6, "barcode"), (7, "assay"), (7, "received_at")]
    assert "Nothing was imported" in response.content.decode()
    assert table_counts(Sample, Sample.history.model) == before


def test_gb18030_file_with_chinese_headers_and_results(client_for, lab):
    data = _csv([["条码", "送检单位", "检测项目", "接收时间", "报告时间", "结果"],
                 ["G-1", "CQMU1", "CRP", "2026-03-02 09:00", "2026-03-02 10:30", "阴性（未检出）"],
                 ["G-2", "CQMU1", "COV-PCR", "2026-03-02 09:05", "", ""]], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    response = _upload(client_for(lab["user"]), "送检.csv", data, reason="weekly courier")
    assert response.status_code == 302, response.context and response.context.get("row_errors")
    g1 = Sample.objects.get(barcode="G-1")
    assert (g1.result, g1.status, g1.tat_hours) == ("阴性（未检出）", "reported", 1.5)
    assert g1.received_at == local(2026, 3, 2, 9)
    assert Sample.objects.get(barcode="G-2").status == "received"
    assert_history(g1, user=lab["user"], reason="weekly courier", type="+")


def test_utf8_bom_file_with_semicolons(client_for, lab):
    data = _csv([HEADER, ["U-1", "CQMU1", "CRP", "2026-03-02 09:00", "", ""]], bom=True, delimiter=";")
    assert _upload(client_for(lab["user"]), "intake.csv", data).status_code == 302
    assert Sample.objects.filter(barcode="U-1").exists()


def test_xlsx_file_rows_as_in_the_sheet(client_for, lab):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["X-1", "CQMU1", "CRP", datetime(2026, 3, 2, 9, 0), None, None])
    sheet.append(["X-2", "CQMU1", "CRP", "2026-13-02 09:00", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client_for(lab["user"]), "intake.xlsx", buffer.getvalue())
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [(3, "received_at")]
    assert not Sample.objects.filter(barcode="X-1").exists()


def test_unreadable_files_are_refused_with_a_message(client_for, lab):
    client = client_for(lab["user"])
    response = _upload(client, "x.csv", b"barcode,client\nA,B\n")
    assert "received_at" in response.context["form"].errors["file"][0]
    response = _upload(client, "x.xlsx", b"not a workbook")
    assert response.context["form"].errors["file"]
    response = _upload(client, "x.pdf", b"%PDF")
    assert response.context["form"].errors["file"]


# --- pages ---------------------------------------------------------------------------------------------------
def test_sample_pages_and_actions(client_for, lab):
    client = client_for(lab["user"])
    response = client.post(reverse("lab:sample-receive"), {"client": lab["client"].pk, "assay": lab["assay"].pk,
                                                           "reason": "walk-in"})
    assert response.status_code == 302
    sample = Sample.objects.get()
    page = client.get(sample.get_absolute_url())
    assert sample.barcode in page.content.decode()
    assert reverse("object-history", args=["lab", "sample", sample.pk]) in page.content.decode()
    assert client.post(reverse("lab:sample-start", args=[sample.pk]), {"reason": ""}).status_code == 302
    assert client.post(reverse("lab:sample-report", args=[sample.pk]), {"result": "", "reason": ""}).status_code == 200
    assert client.post(reverse("lab:sample-report", args=[sample.pk]),
                       {"result": "negative", "reason": "validated"}).status_code == 302
    sample.refresh_from_db()
    assert sample.status == "reported"
    refused = client.post(reverse("lab:sample-reject", args=[sample.pk]), {"reason": "too late"})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    history = client.get(reverse("object-history", args=["lab", "sample", sample.pk]))
    assert "validated" in history.content.decode()


def test_client_and_assay_forms(client_for, lab, incubator_user):
    from tests.incubator.factories import make_project

    project = make_project(incubator_user)
    client = client_for(lab["user"])
    response = client.post(reverse("lab:client-create"), {
        "code": "P-WOMEN", "name": "Women's diagnostics project", "kind": "incubator_project",
        "project": project.pk, "active": "on", "reason": "new client"})
    assert response.status_code == 302
    new = Client.objects.get(code="P-WOMEN")
    assert new.project == project
    bad = client.post(reverse("lab:client-create"), {"code": "H-X", "name": "x", "kind": "hospital",
                                                     "project": project.pk, "reason": ""})
    assert bad.status_code == 200 and "project" in bad.context["form"].errors
    response = client.post(reverse("lab:assay-edit", args=[lab["assay"].pk]), {
        "code": "CRP", "name": "C-reactive protein", "method": "Immunoturbidimetry", "tat_target_hours": 6,
        "price": "35", "result_type": "quantitative", "unit": "mg/L", "reference_high": "10", "active": "on",
            "version": lab["assay"].version, "reason": "new analyser"})
    assert response.status_code == 302
    assay = Assay.objects.get(pk=lab["assay"].pk)
    assert assay.tat_target_hours == 6
    assert_history(assay, user=lab["user"], reason="new analyser", type="~")


@pytest.mark.parametrize(("persona", "status"), [
    ("Lab", 200), ("Auditor", 200), ("Admin", 200), ("Incubator", 403), ("QC", 403), ("outsider", 403)])
def test_pages_by_role(personas, client_for, lab, persona, status):
    sample = make_sample(lab["user"], client=lab["client"], assay=lab["assay"])
    client = client_for(personas[persona])
    for url in (reverse("lab:throughput"), reverse("lab:sample-list"), reverse("lab:client-list"),
                reverse("lab:assay-list"), sample.get_absolute_url(), lab["client"].get_absolute_url(),
                lab["assay"].get_absolute_url()):
        assert client.get(url).status_code == status, url


def test_auditor_cannot_change(client_for, auditor_user, lab):
    sample = make_sample(lab["user"], client=lab["client"], assay=lab["assay"])
    snapshot = Snapshot(sample)
    client = client_for(auditor_user)
    for url in (reverse("lab:sample-start", args=[sample.pk]), reverse("lab:sample-reject", args=[sample.pk]),
                reverse("lab:sample-receive"), reverse("lab:sample-import")):
        assert client.post(url, {"reason": "x"}).status_code == 403
    snapshot.assert_unchanged()


def test_dashboard_charts_and_exports(client_for, lab):
    received = timezone.now() - timedelta(days=2)
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], received_at=received,
                reported_at=received + timedelta(hours=3), result="neg")
    client = client_for(lab["user"])
    page = client.get(reverse("lab:throughput"), {"bucket": "week"})
    assert page.status_code == 200
    assert b'data-chart="volume-chart"' in page.content and b'id="tat-chart"' in page.content
    csv_response = client.get(reverse("lab:throughput"), {"bucket": "week", "export": "csv"})
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "assay,assay_code,period,completed,median_tat_hours,p90_tat_hours,within_target_pct,backlog"
    assert lines[1].split(",")[1:4][0] == "CRP" and lines[1].split(",")[3] == "1"
    xlsx = client.get(reverse("lab:throughput"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get(reverse("lab:throughput"), {"start": "2026-03-10", "end": "2026-03-01"})
    assert bad.status_code == 200 and bad.context["figures"] is None


def test_lists_and_dashboards_keep_a_constant_query_count(client_for, lab, incubator_user):
    from tests.incubator.factories import make_project

    project = make_project(incubator_user)
    linked = make_client(lab["user"], kind="incubator_project", project=project)
    client = client_for(lab["user"])
    rounds = iter(range(100))
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"])  # an empty page skips the rows query

    def add_rows():
        day = next(rounds)
        for i in range(3):
            received = timezone.now() - timedelta(days=3 + day, hours=i)
            other = make_client(lab["user"])
            make_sample(lab["user"], client=other, assay=lab["assay"], received_at=received,
                        reported_at=received + timedelta(hours=2), result="neg")
            make_sample(lab["user"], client=linked, assay=make_assay(lab["user"]), received_at=received)

    for url in (reverse("lab:sample-list"), reverse("lab:client-list"), reverse("lab:assay-list"),
                reverse("lab:throughput") + "?bucket=day", lab["client"].get_absolute_url(),
                lab["assay"].get_absolute_url(), reverse("home")):
        assert_constant_queries(client, url, add_rows)
    assert_constant_queries(client_for(incubator_user), project.get_absolute_url(), add_rows)


def test_home_panel_lists_open_samples_beyond_target(client_for, lab):
    make_sample(lab["user"], client=lab["client"], assay=lab["assay"], barcode="LATE-1",
                received_at=timezone.now() - timedelta(hours=5))
    make_sample(lab["user"], client=lab["client"], assay=lab["pcr"], barcode="FINE-1",
                received_at=timezone.now() - timedelta(hours=5))
    page = client_for(lab["user"]).get(reverse("home")).content.decode()
    assert "LATE-1" in page and "FINE-1" not in page


def test_project_page_shows_lab_usage(client_for, lab, incubator_user):
    from tests.incubator.factories import make_project

    project = make_project(incubator_user)
    linked = make_client(lab["user"], kind="incubator_project", project=project)
    for h in (2, 4):
        received = local(2026, 3, 2, 9)
        make_sample(lab["user"], client=linked, assay=lab["assay"], received_at=received,
                    reported_at=received + timedelta(hours=h), result="neg")
    make_sample(lab["user"], client=linked, assay=lab["assay"])
    response = client_for(incubator_user).get(project.get_absolute_url())
    [panel] = [p["context"] for p in response.context["panels"]
               if p["template_name"] == "lab/panels/project_lab_usage.html"]
    assert (panel["summary"]["submitted"], panel["summary"]["reported"], panel["median_tat_hours"]) == (3, 2, 3.0)
