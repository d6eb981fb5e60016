"""A bad-input corpus over every write endpoint, every query parameter and the imports (issue 16): no input
answers 500, every refusal is a 4xx with the API's error body, and nothing is written.

The cases come from a table, endpoint × field × bad value, generated from the OpenAPI schema (so a new endpoint
or field is in the corpus without anyone adding it): every field of every request body of every POST/PATCH,
every query parameter of every GET, with values no field may accept (control characters, numbers beyond any
column, NaN and Infinity, over-long text, absurd nesting) and, for dates and times, dates outside the window
and time-zone offsets that do not exist. One world of records (one of each, through the factories) serves all
cases of an endpoint; after each case every table of the domain apps (historical tables included) has the rows
it had before."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.helpers import table_counts

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {"lims", "incubator", "production", "monitoring", "labelling", "qc", "regulatory", "lab"}


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


# Values no field accepts, whatever its type (raw JSON text, so that NaN and 400-digit numbers go as sent).
UNIVERSAL = {
    "nul_inside": '"A\\u0000B"',
    "escape": '"\\u001b[31m"',
    "digits_400": "9" * 400,
    "nan": "NaN",
    "text_60k": json.dumps("x" * 60_001),
    "nested_40": json.dumps(_nested(40)),
}
# Fields named in many bodies get the rarer values too.
EXTRA = {"exp_400": "1e400", "infinity": "-Infinity", "bell": '"ok\\u0007"', "nul": '"\\u0000"'}
DATES = {"year_0": '"0000-01-01"', "year_1900": '"1900-01-01"', "year_9999": '"9999-12-31"'}
DATETIMES = {"year_0": '"0000-01-01T00:00:00Z"', "year_1900": '"1900-01-01T08:00:00+08:00"',
             "offset_19_22": '"2026-10-25T10:57:08+19:22"', "offset_15": '"2026-10-25T10:57:08+15:00"'}
QUERY_UNIVERSAL = {"nul": "\x00", "nul_inside": "A\x00B", "escape": "\x1b[31m", "digits_400": "9" * 400,
                   "exp_400": "1e400"}
QUERY_DATES = {"year_0": "0000-01-01", "year_262": "0262-10-25", "odd_offset": "2026-10-25T10:57:08+19:22"}


@cache
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node):
    components = schema()["components"]["schemas"]
    while isinstance(node, dict) and "$ref" in node:
        node = components[node["$ref"].split("/")[-1]]
    return node


def _body_fields(operation):
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None, {}
    media = "application/json" if "application/json" in content else next(iter(content))
    node = _resolve(content[media]["schema"])
    if node.get("type") == "array":
        node = _resolve(node["items"])
    if "oneOf" in node:
        node = _resolve(node["oneOf"][0])
    props = {}
    for name, prop in node.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        prop = _resolve(prop) if "$ref" in prop else prop
        if "allOf" in prop:
            prop = _resolve(prop["allOf"][0])
        props[name] = prop.get("format") or prop.get("type") or "any"
    return media, props


def write_cases():
    cases = []
    for path, operations in schema()["paths"].items():
        for method in ("post", "patch"):
            if method not in operations or path.endswith("/auth/token/"):
                continue
            media, fields = _body_fields(operations[method])
            if media is None:
                continue
            for field, kind in fields.items():
                values = dict(UNIVERSAL)
                if kind in ("integer", "number", "double", "decimal", "float", "int64") or field in ("reason", "code"):
                    values.update(EXTRA)
                if kind == "date":
                    values.update(DATES)
                elif kind == "date-time":
                    values.update(DATETIMES)
                if media.startswith("multipart"):
                    values = {k: v for k, v in values.items() if v.startswith('"')}
                for label, raw in values.items():
                    cases.append((method, path, media, field, label, raw))
    return cases


def query_cases():
    cases = []
    for path, operations in schema()["paths"].items():
        operation = operations.get("get")
        if not operation or path.endswith(("/schema/", "/coa/")) or "bundle" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query" or parameter["name"] in ("format",):
                continue
            kind = parameter.get("schema", {}).get("format") or parameter.get("schema", {}).get("type")
            values = dict(QUERY_UNIVERSAL)
            if kind in ("date", "date-time") or any(w in parameter["name"] for w in (
                    "after", "before", "date", "month", "start", "end", "_on", "_at", "_from", "_to")):
                values.update(QUERY_DATES)
            for label, raw in values.items():
                cases.append(("get", path, parameter["name"], label, raw))
    return cases


def by_endpoint(cases, key):
    groups: dict[str, list] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return groups


WRITE_GROUPS = by_endpoint(write_cases(), lambda c: f"{c[0].upper()} {c[1]}")
QUERY_GROUPS = by_endpoint(query_cases(), lambda c: f"GET {c[1]}")


def test_the_corpus_is_large_and_covers_every_write_endpoint():
    writes = sum(len(v) for v in WRITE_GROUPS.values())
    queries = sum(len(v) for v in QUERY_GROUPS.values())
    assert writes >= 200 and queries >= 200, (writes, queries)
    operations = {f"{m.upper()} {p}" for p, ops in schema()["paths"].items() for m in ops if m in ("post", "patch")}
    uncovered = operations - set(WRITE_GROUPS) - {"POST /api/v1/auth/token/"}
    # Actions without a body (none today) would be listed here.
    assert all(not _body_fields(schema()["paths"][k.split(" ", 1)[1]][k.split()[0].lower()])[1]
               for k in uncovered), uncovered


# --- the world the cases act on ---------------------------------------------------------------------------------
PATH_MODELS = [  # (path prefix, model of its {id} / {lot_number} / {code})
    ("/api/v1/incubator/projects/", "Project"), ("/api/v1/lab/clients/", "Client"), ("/api/v1/lab/assays/", "Assay"),
    ("/api/v1/lab/samples/", "Sample"), ("/api/v1/production/monitoring-points/", "MonitoringPoint"),
    ("/api/v1/production/excursions/", "Excursion"), ("/api/v1/production/products/", "Product"),
    ("/api/v1/production/materials/", "Material"), ("/api/v1/production/reject-reasons/", "RejectReason"),
    ("/api/v1/production/clean-rooms/", "CleanRoom"), ("/api/v1/production/lines/", "Line"),
    ("/api/v1/production/material-lots/", "MaterialLot"), ("/api/v1/production/batches/", "Batch"),
    ("/api/v1/production/labels/", "Batch"), ("/api/v1/qc/batches/", "Batch"),
    ("/api/v1/qc/specifications/", "Specification"), ("/api/v1/qc/inspections/", "Inspection"),
    ("/api/v1/qc/deviations/", "Deviation"), ("/api/v1/qc/performance-studies/", "PerformanceStudy"),
    ("/api/v1/qc/dispositions/", "Disposition"), ("/api/v1/regulatory/dossiers/", "Dossier"),
    ("/api/v1/regulatory/markets/", "Market"), ("/api/v1/regulatory/certification-kinds/", "CertificationKind"),
    ("/api/v1/regulatory/market-rules/", "MarketRule"), ("/api/v1/regulatory/certifications/", "Certification"),
    ("/api/v1/regulatory/shipments/", "Shipment"),
    ("/api/v1/regulatory/batch-verifications/", "BatchVerification"),
    ("/api/v1/production/printers/", "Printer"), ("/api/v1/production/print-jobs/", "PrintJob"),
    ("/api/v1/qc/control-materials/", "ControlMaterial"), ("/api/v1/qc/control-results/", "ControlResult"),
]


def fill(path, world):
    if "{" not in path:
        return path
    model = next(name for prefix, name in PATH_MODELS if path.startswith(prefix))
    obj = world[model]
    value = {"Batch": getattr(obj, "lot_number", None), "Market": getattr(obj, "code", None)}.get(model, obj.pk)
    if model == "Batch" and hasattr(obj, "batch"):
        value = obj.batch.lot_number
    return re.sub(r"\{[^}]+\}", str(value), path)


def domain_models():
    return [m for m in apps.get_models()
            if m._meta.app_label in DOMAIN_APPS and m._meta.managed and not m._meta.proxy]


def check(response, label):
    """A refusal in the API's format, never a 500."""
    assert response.status_code < 500, f"{label}: {response.status_code} {response.content[:300]!r}"
    if 400 <= response.status_code < 500 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        assert "code" in body and "detail" in body, f"{label}: {body}"
    return response


# --- the cases ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint", sorted(WRITE_GROUPS))
def test_bad_bodies_are_refused_and_write_nothing(endpoint, world, api_for, admin_user):
    api = api_for(admin_user)
    models = domain_models()
    failures = []
    for method, path, media, field, label, raw in WRITE_GROUPS[endpoint]:
        url = fill(path, world)
        before = table_counts(*models)
        name = f"{method.upper()} {url} {field}={label}"
        if media.startswith("multipart"):
            data = {field: json.loads(raw)} if field == "reason" else {field: json.loads(raw), "reason": "corpus"}
            if field != "file":
                data["file"] = SimpleUploadedFile("doc.pdf", b"%PDF-1.4\n%%EOF\n")
            response = getattr(api, method)(url, data, format="multipart")
        else:
            tail = "" if field == "reason" else ', "reason": "corpus"'  # a JSON key twice: the last one counts
            response = getattr(api, method)(url, f'{{"{field}": {raw}{tail}}}',
                                            content_type="application/json")
        try:
            check(response, name)
            assert 400 <= response.status_code < 500, f"{name}: accepted ({response.status_code})"
            assert table_counts(*models) == before, f"{name}: something was written"
        except AssertionError as exc:
            failures.append(str(exc)[:400])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", sorted(QUERY_GROUPS))
def test_bad_query_parameters_are_refused(endpoint, world, api_for, admin_user):
    api = api_for(admin_user)
    failures = []
    for _method, path, parameter, label, raw in QUERY_GROUPS[endpoint]:
        url = fill(path, world)
        try:
            response = check(api.get(url, {parameter: raw}), f"GET {url} {parameter}={label}")
            if label in ("nul", "nul_inside", "escape", "year_0", "odd_offset"):
                assert response.status_code == 400, f"GET {url} {parameter}={label}: {response.status_code}"
        except AssertionError as exc:
            failures.append(str(exc)[:400])
    assert not failures, "\n".join(failures)


BAD_PATH_SEGMENTS = ["%00", "A%00B", "%1b", "9" * 400, "..%2f..%2fetc"]


@pytest.mark.parametrize("segment", BAD_PATH_SEGMENTS)
def test_bad_path_segments_are_404_or_400(segment, world, api_for, admin_user, client):
    api = api_for(admin_user)
    gtin = world["Product"].gtin
    urls = [f"/01/{gtin}/10/{segment}", f"/01/{segment}", f"/01/{gtin}/10/{world['Batch'].lot_number}/21/{segment}"]
    urls += [re.sub(r"\{[^}]+\}", segment, p) for p in schema()["paths"] if "{" in p]
    for url in urls:
        response = (client if url.startswith("/01/") else api).get(url)
        assert response.status_code in (400, 404, 405), (url, response.status_code)


IMPORT_FILES = {
    "nul_cell": b"barcode,client,assay,received_at\nA-1,C\x00,X,2026-03-02 09:00\n",
    "exp_400": b"barcode,client,assay,received_at,result_value\nA-1,C,X,2026-03-02 09:00,1e400\n",
    "digits_400": b"barcode,client,assay,received_at,result_value\nA-1,C,X,2026-03-02 09:00," + b"9" * 400 + b"\n",
    "year_0": b"barcode,client,assay,received_at\nA-1,C,X,0000-01-01 09:00\n",
    "year_1900": b"barcode,client,assay,received_at\nA-1,C,X,1900-01-01 09:00\n",
    "odd_offset": b"barcode,client,assay,received_at\nA-1,C,X,2026-10-25T10:57:08+19:22\n",
    "binary": bytes(range(256)) * 4,
    "latin1": "barcode,client,assay,received_at\nÄ-1,Ç,X,2026-03-02 09:00\n".encode("latin-1") + b"\xff\xfe\x81",
    "utf16_odd": "barcode,client\n".encode("utf-16-le") + b"\x00",
    "empty": b"",
    "header_only": b"barcode,client,assay,received_at\n",
    "text_60k": b"barcode,client,assay,received_at,result\nA-1,C,X,2026-03-02 09:00," + b"x" * 60_001 + b"\n",
}
READINGS_FILES = {
    "nul": b"point,measured_at,pressure_pa\nP\x00,2026-03-02T09:00:00Z,1\n",
    "digits_400": b"point,measured_at,pressure_pa\nP,2026-03-02T09:00:00Z," + b"9" * 400 + b"\n",
    "exp_400": b"point,measured_at,pressure_pa\nP,2026-03-02T09:00:00Z,1e400\n",
    "nan": b"point,measured_at,pressure_pa\nP,2026-03-02T09:00:00Z,NaN\n",
    "year_0": b"point,measured_at,pressure_pa\nP,0000-01-01T09:00:00Z,1\n",
    "odd_offset": b"point,measured_at,pressure_pa\nP,2026-10-25T10:57:08+19:22,1\n",
    "binary": bytes(range(256)) * 4,
    "empty": b"",
}


@pytest.mark.parametrize(("target", "label"), [("lab", k) for k in IMPORT_FILES]
                         + [("readings", k) for k in READINGS_FILES])
def test_bad_import_files_answer_400_and_import_nothing(target, label, world, client_for, admin_user):
    client = client_for(admin_user)
    models = domain_models()
    before = table_counts(*models)
    if target == "lab":
        response = client.post(reverse("lab:sample-import"), {
            "file": SimpleUploadedFile("intake.csv", IMPORT_FILES[label]), "reason": "corpus"})
    else:
        response = client.post(reverse("monitoring:reading-upload"), {
            "file": SimpleUploadedFile("counter.csv", READINGS_FILES[label])})
    assert response.status_code == 400, (target, label, response.status_code)
    assert table_counts(*models) == before
