"""The input-hygiene layer (lims/hygiene.py, lims/api/parsers.py): each rule, and every case of issue 16 answers
4xx with a specific message and changes nothing."""

import codecs
import csv
import io
import json
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lab.models import Sample
from lims import hygiene
from production.models import Batch
from production.monitoring.models import Reading
from tests.helpers import table_counts
from tests.lab.factories import make_assay, make_client
from tests.monitoring import factories as mf
from tests.production import factories as pf

pytestmark = pytest.mark.django_db


# --- the rules, one by one -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1b[31m", "\x7f", "\ud800", "a\x0bb", "\x0c"])
def test_control_characters_are_refused(text):
    assert hygiene.text_message(text).startswith("Control characters are not allowed")


@pytest.mark.parametrize("text", ["plain", "line\nbreak\r\n", "tab\there", "中文 µ ≥ ∞", ""])
def test_ordinary_text_passes(text):
    assert hygiene.text_message(text) is None


def test_date_window():
    today = timezone.localdate()
    assert hygiene.date_message(date(2000, 1, 1)) is None
    assert "before 2000-01-01" in hygiene.date_message(date(1999, 12, 31))
    assert "before 2000-01-01" in hygiene.date_message(date(1900, 1, 1))
    assert hygiene.date_message(today + timedelta(days=365 * 10)) is None  # an expiry date ten years ahead
    assert "latest date" in hygiene.date_message(date(today.year + 51, 1, 1))
    assert hygiene.date_message(today + timedelta(days=366), "manufactured_on") is None
    assert "manufacture date may be at most 366 days ahead" in hygiene.date_message(
        today + timedelta(days=367), "manufactured_on")
    assert "manufacture date" in hygiene.date_message(date(2099, 1, 1), "manufactured_on")


@override_settings(LIMS_EARLIEST_DATE=date(2015, 6, 1), LIMS_MAX_MANUFACTURE_AHEAD_DAYS=30)
def test_date_window_is_configurable():
    assert "before 2015-06-01" in hygiene.date_message(date(2015, 5, 31))
    assert "30 days ahead" in hygiene.date_message(timezone.localdate() + timedelta(days=31), "manufactured_on")


@pytest.mark.parametrize(("hours", "minutes", "ok"), [
    (8, 0, True), (5, 45, True), (-12, 0, True), (14, 0, True), (5, 30, True), (-3, -30, True),
    (19, 22, False), (15, 0, False), (-13, 0, False), (8, 5, False), (0, 1, False)])
def test_time_zone_offsets(hours, minutes, ok):
    moment = datetime(2026, 10, 25, 10, 57, 8, tzinfo=dt_timezone(timedelta(hours=hours, minutes=minutes)))
    message = hygiene.offset_message(moment)
    assert (message is None) is ok, message


@pytest.mark.parametrize(("value", "ok"), [
    (1, True), (2**63 - 1, True), (2**63, False), (10**399, False), (1.5, True), (float("inf"), False),
    (float("nan"), False), (1e16, False), (Decimal("1.25"), True), (Decimal("NaN"), False),
    (Decimal("Infinity"), False), ("12.5", True), ("9" * 400, False), ("1e400", False), ("1" * 31, False)])
def test_numbers_are_finite_and_bounded(value, ok):
    assert (hygiene.number_message(value) is None) is ok


def test_decimals_within_their_field():
    field = Sample._meta.get_field("result_value")  # max_digits 14, decimal_places 4
    assert hygiene.decimal_for_field("12,5", field) == Decimal("12.5")
    for bad in ("1e400", "NaN", "1234567890123.5", "0.00001", "abc"):
        with pytest.raises(ValueError):
            hygiene.decimal_for_field(bad, field)


def test_json_walk_names_every_bad_field():
    data = {"a": [{"b": "x\x00"}, {"c": hygiene.NonFinite("NaN")}], "d": "ok", "e": "y" * 50_001}
    errors = hygiene.check_data(data)
    assert set(errors) == {"a.0.b", "a.1.c", "e"}
    assert "50,000" in errors["e"][0]
    nested = current = []
    for _ in range(40):
        current.append([])
        current = current[0]
    [(path, messages)] = hygiene.check_data(nested).items()
    assert path == ".".join(["0"] * 33) and "nested more than 32 levels" in messages[0]


@pytest.mark.parametrize("month", ["0000-01", "1999-12", "2099-13", "9999-01", "20x6-01"])
def test_month_parameters(month):
    assert hygiene.month_message(month)


# --- encodings of import files ---------------------------------------------------------------------------------
TEXT = "barcode,client,assay,received_at\nE-1,CQMU1,CRP,2026-03-02 09:00,阴性\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    TEXT.encode("utf-16-le"), TEXT.encode("utf-16-be"), TEXT.encode("gb18030")],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "gb18030"])
def test_every_supported_encoding_decodes(data):
    assert hygiene.decode_text(data) == TEXT


def test_undecodable_bytes_name_the_encoding_problem():
    with pytest.raises(hygiene.EncodingProblem, match="not text in UTF-8, UTF-16 or GB18030"):
        hygiene.decode_text(b"barcode\n\x80\xff\xfe\x81\xff")
    with pytest.raises(hygiene.EncodingProblem, match="UTF-16 LE"):
        hygiene.decode_text(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate
    assert hygiene.decode_text(b"a,b\nc\x00,d\n") == "a,b\nc\x00,d\n"  # the cell check reports the NUL


def test_multipart_header_overflow_message():
    from django.http.multipartparser import MultiPartParserError

    message = hygiene.multipart_message(MultiPartParserError("Request max total header size exceeded."))
    assert "file name that is too long (at most 200 characters)" in message


# --- the cases of issue 16, end to end ---------------------------------------------------------------------------
@pytest.fixture
def plant(production_user):
    product = pf.make_product(production_user, "setup")
    line = pf.make_line(production_user, "setup")
    batch = pf.make_batch(production_user, "setup", product=product, line=line)
    room = mf.make_room(production_user, "setup")
    pressure_only = mf.make_point(production_user, "setup", room=room, measures_particles=False,
                                  measures_temperature=False, measures_humidity=False, measures_pressure=True)
    return {"product": product, "line": line, "batch": batch, "point": pressure_only}


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


def test_nul_in_the_public_resolver_is_a_404_page(client, plant):
    gtin = plant["product"].gtin
    for url in (f"/01/{gtin}/10/%00", f"/01/{gtin}/10/A%00B", f"/01/%00/10/{plant['batch'].lot_number}",
                f"/01/{gtin}/10/{plant['batch'].lot_number}/21/%01"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is no page or record at this address" in response.content.decode()


def test_nul_in_an_api_path_is_a_json_404(api_for, production_user):
    response = api_for(production_user).get("/api/v1/production/batches/%00/")
    assert response.status_code == 404 and _json(response)["code"] == "not_found"


def test_control_characters_in_query_parameters(api_for, client_for, qa_user):
    response = api_for(qa_user).get("/api/v1/production/batches/", {"product": "1\x00"})
    body = _json(response)
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["fields"]["product"] == ["Control characters are not allowed (found U+0000)."]
    response = client_for(qa_user).get(reverse("production:batch-list"), {"q": "a\x00"})
    assert response.status_code == 400 and "Control characters are not allowed" in response.content.decode()


def test_year_zero_and_odd_offsets_in_queries(api_for, production_user, qa_user):
    api = api_for(production_user)
    for url in ("/api/v1/production/capacity/output/?month=0000-01",
                "/api/v1/production/capacity/plan/?month=0000-01&demand=10"):
        response = api.get(url)
        assert response.status_code == 400 and "month" in _json(response)["fields"], url
    response = api_for(qa_user).get("/api/v1/production/excursions/?started_after=0262-10-25T10:57:08%2B19:22")
    assert response.status_code == 400
    assert "offset +19:22 does not exist" in _json(response)["fields"]["started_after"][0]
    response = api_for(qa_user).get("/api/v1/production/excursions/?started_after=2026-10-25T10:57:08%2B19:22")
    assert "offset +19:22 does not exist" in _json(response)["fields"]["started_after"][0]
    response = api_for(qa_user).get("/api/v1/production/batches/?manufactured_after=0001-01-01")
    assert response.status_code == 400 and "earliest date" in _json(response)["fields"]["manufactured_after"][0]


def _post_reading(api, body):
    return api.post("/api/v1/production/readings/", body if isinstance(body, str) else json.dumps(body),
                    content_type="application/json")


@pytest.mark.parametrize(("raw", "field", "message"), [
    ('{"point": "P\\u0000", "measured_at": "%(t)s", "pressure_pa": 5}', "point", "Control characters"),
    ('{"point": "%(p)s", "measured_at": "%(t)s", "pressure_pa": ' + "9" * 400 + "}", "pressure_pa", "30 digits"),
    ('{"point": "%(p)s", "measured_at": "%(t)s", "pressure_pa": 1e400}', "pressure_pa", "finite number"),
    ('{"point": "%(p)s", "measured_at": "%(t)s", "pressure_pa": NaN}', "pressure_pa", "finite number"),
    ('{"point": "%(p)s", "measured_at": "%(t)s", "pressure_pa": -Infinity}', "pressure_pa", "finite number"),
    ('{"point": "%(p)s", "measured_at": "%(t)s", "particles_0_5um": 1000}', "particles_0_5um", "does not measure"),
    ('{"point": "%(p)s", "measured_at": "0000-01-01T00:00:00Z", "pressure_pa": 5}', "measured_at", "ISO 8601"),
    ('[{"point": "%(p)s", "measured_at": "%(t)s", "pressure_pa": 5}, {"point": "%(p)s\\u0001"}]', "1.point",
     "Control characters"),
])
def test_bad_readings_are_field_errors_and_store_nothing(api_for, production_user, plant, raw, field, message):
    moment = (timezone.now() - timedelta(minutes=5)).isoformat()
    body = raw.replace("%(p)s", str(plant["point"].pk)).replace("%(t)s", moment)
    response = _post_reading(api_for(production_user), body)
    data = _json(response)
    assert response.status_code == 400 and data["code"] == "invalid", data
    assert message in data["fields"][field][0], data
    assert Reading.objects.count() == 0


def test_pressure_reading_on_a_pressure_point_is_stored(api_for, production_user, plant):
    moment = (timezone.now() - timedelta(minutes=5)).isoformat()
    response = _post_reading(api_for(production_user), {"point": str(plant["point"].pk), "measured_at": moment,
                                                        "pressure_pa": 12.5})
    assert response.status_code == 201, response.content
    assert Reading.objects.count() == 1


def test_deeply_nested_json_is_a_400_in_the_json_format(api_for, production_user):
    response = _post_reading(api_for(production_user), "[" * 100_000)
    data = _json(response)
    assert response.status_code == 400 and data["code"] == "invalid"
    assert "nested more than 32 levels" in data["detail"]
    response = _post_reading(api_for(production_user), "[" * 40 + "]" * 40)
    assert response.status_code == 400 and "nested more than 32 levels" in json.dumps(_json(response))


def test_a_30_mb_json_body_is_a_json_413(api_for, production_user):
    body = '{"point": "' + "x" * (30 * 2**20) + '"}'
    response = _post_reading(api_for(production_user), body)
    data = _json(response)
    assert response.status_code == 413 and data["code"] == "too_large"
    assert "30.0 MB" in data["detail"] and "25 MB" in data["detail"]
    assert Reading.objects.count() == 0


def test_a_body_over_the_limit_without_content_length_is_refused_by_the_parser(api_for, production_user):
    from lims.api.parsers import JSONParser, TooLarge

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100), pytest.raises(TooLarge):
        JSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 200 + b'"}'))


def test_implausible_manufacture_date_creates_no_batch(api_for, production_user, plant):
    before = table_counts(Batch, Batch.history.model)
    response = api_for(production_user).post("/api/v1/production/batches/", {
        "product": plant["product"].pk, "line": plant["line"].pk, "planned_quantity": 100,
        "manufactured_on": "2099-01-01"}, format="json")
    data = _json(response)
    assert response.status_code == 400
    assert "manufacture date may be at most 366 days ahead" in data["fields"]["manufactured_on"][0]
    assert table_counts(Batch, Batch.history.model) == before


def test_manufacture_date_on_the_page_form_too(client_for, production_user, plant):
    before = table_counts(Batch, Batch.history.model)
    response = client_for(production_user).post(reverse("production:batch-create"), {
        "product": plant["product"].pk, "line": plant["line"].pk, "planned_quantity": 100,
        "manufactured_on": "2099-01-01", "reason": "plan"})
    assert response.status_code in (200, 400)
    assert "manufacture date may be at most" in response.content.decode()
    assert table_counts(Batch, Batch.history.model) == before


def test_sample_with_a_10_mb_result_or_a_1900_receipt_is_refused(api_for, lab_user):
    client, assay = make_client(lab_user), make_assay(lab_user)
    api = api_for(lab_user)
    before = table_counts(Sample, Sample.history.model)
    base = {"client": client.pk, "assay": assay.pk, "received_at": "2026-03-02T09:00:00+08:00"}
    response = api.post("/api/v1/lab/samples/", {**base, "result": "x" * (10 * 2**20)}, format="json")
    assert response.status_code == 400
    assert "At most 50,000 characters" in _json(response)["fields"]["result"][0]
    response = api.post("/api/v1/lab/samples/", {**base, "received_at": "1900-01-01T08:00:00+08:00"}, format="json")
    assert response.status_code == 400
    assert "before 2000-01-01" in _json(response)["fields"]["received_at"][0]
    assert table_counts(Sample, Sample.history.model) == before


def test_nul_in_related_references_of_bodies(api_for, regulatory_user, production_user, plant):
    response = api_for(regulatory_user).post("/api/v1/regulatory/dossiers/", {
        "product": plant["product"].pk, "market": "E\x00U", "purpose": "x"}, format="json")
    assert response.status_code == 400 and "Control characters" in _json(response)["fields"]["market"][0]
    response = api_for(production_user).post(f"/api/v1/production/batches/{plant['batch'].lot_number}/complete/", {
        "quantity_made": 10, "rejects": [{"reason": "R\x00", "quantity": 1}]}, format="json")
    assert response.status_code == 400 and "rejects.0.reason" in _json(response)["fields"]


def test_a_long_file_name_in_a_multipart_upload_has_a_clear_message(client_for, api_for, lab_user):
    name = "n" * 20_000 + ".csv"
    response = client_for(lab_user).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile(name, b"barcode\n"), "reason": "x"})
    assert response.status_code == 400
    assert "The file name is too long (255 characters; at most 200)" in response.content.decode()
    response = api_for(lab_user).post("/api/v1/lab/samples/", {"file": SimpleUploadedFile(name, b"x")},
                                      format="multipart")
    assert response.status_code == 400 and "file name" in _json(response)["detail"]
    response = client_for(lab_user).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("m" * 210 + ".csv", b"barcode\n"), "reason": "x"})
    assert response.status_code == 400 and "The file name is too long (214 characters" in response.content.decode()


# --- imports ---------------------------------------------------------------------------------------------------
@pytest.fixture
def lab(lab_user):
    return {"user": lab_user, "client": make_client(lab_user, code="CQMU1"), "assay": make_assay(lab_user, code="CRP")}


def _intake(rows, encoding="utf-8", bom=b""):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return bom + buffer.getvalue().encode(encoding)


HEADER = ["barcode", "client", "assay", "received_at", "result_value", "result"]


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b"")])
def test_lab_import_reads_every_encoding(client_for, lab, encoding, bom):
    data = _intake([HEADER, ["ENC-1", "CQMU1", "CRP", "2026-03-02 09:00", "1.5", "阴性"]], encoding, bom)
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("intake.csv", data), "reason": "courier"})
    assert response.status_code == 302, response.context and (response.context["form"].errors,
                                                                 response.context.get("row_errors"))
    assert Sample.objects.get(barcode="ENC-1").result == "阴性"


@pytest.mark.parametrize(("cell", "field", "message"), [
    ("1e400", "result_value", "too large"), ("9" * 400, "result_value", "30 digits"),
    ("NaN", "result_value", "finite"), ("12345678901234.5", "result_value", "digits"),
    ("neg\x00", "result", "Control characters"), ("1900-01-01 08:00", "received_at", "before 2000-01-01")])
def test_lab_import_refuses_bad_cells_with_400_and_imports_nothing(client_for, lab, cell, field, message):
    row = ["B-1", "CQMU1", "CRP", "2026-03-02 09:00", "1", "neg"]
    row[HEADER.index(field)] = cell
    before = table_counts(Sample, Sample.history.model)
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("intake.csv", _intake([HEADER, row])), "reason": "courier"})
    assert response.status_code == 400
    errors = [(e.row, e.field, e.message) for e in response.context["row_errors"]]
    assert any(e[0] == 2 and e[1] == field and message in e[2] for e in errors), errors
    assert table_counts(Sample, Sample.history.model) == before


def test_lab_import_unreadable_encoding_is_a_400_naming_it(client_for, lab):
    response = client_for(lab["user"]).post(reverse("lab:sample-import"), {
        "file": SimpleUploadedFile("intake.csv", b"barcode,client\n\x80\xff\xfe\x81\xff"), "reason": "courier"})
    assert response.status_code == 400
    assert "not text in UTF-8, UTF-16 or GB18030" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", b""), ("utf-16-be", codecs.BOM_UTF16_BE),
                                                ("gb18030", b""), ("utf-8", codecs.BOM_UTF8)])
def test_readings_upload_reads_every_encoding(client_for, production_user, plant, encoding, bom):
    moment = (timezone.now() - timedelta(minutes=5)).isoformat()
    text = f"point,measured_at,pressure_pa\n{plant['point'].code},{moment},12\n"
    response = client_for(production_user).post(reverse("monitoring:reading-upload"), {
        "file": SimpleUploadedFile("counter.csv", bom + text.encode(encoding))})
    assert response.status_code == 302
    assert Reading.objects.count() == 1


def test_readings_upload_with_a_nul_is_a_400(client_for, production_user, plant):
    moment = (timezone.now() - timedelta(minutes=5)).isoformat()
    text = f"point,measured_at,pressure_pa\n{plant['point'].code}\x00,{moment},12\n"
    response = client_for(production_user).post(reverse("monitoring:reading-upload"), {
        "file": SimpleUploadedFile("counter.csv", text.encode())})
    assert response.status_code == 400 and "Control characters" in response.content.decode()
    assert Reading.objects.count() == 0


def test_unknown_api_paths_answer_json_404(api_for, qa_user):
    for url in ("/api/v1/lab/assays/12x/", "/api/v1/no-such-thing/", "/api/v1/production/batches/A/B/C/"):
        response = api_for(qa_user).get(url)
        assert response.status_code == 404 and _json(response)["code"] == "not_found", url
