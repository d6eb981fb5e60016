"""The API matches its OpenAPI schema (issue 16): schemathesis generates requests for every operation from the
schema and sends them as two roles (QA, who may write, and Auditor, who may only read), token auth, through
the WSGI app. Every response must not be a server error, must have a status code the schema declares, the
content type it declares, and a body that conforms to the declared schema.

The run is bounded and deterministic (derandomized, fixed examples per operation, no shrinking, no example
database) so that CI stays fast; ``make fuzz`` (bench/fuzz_api.py) runs the same checks with many more examples.
"""

from __future__ import annotations

import os

import pytest

from tests.security.schemathesis_run import run_schemathesis

pytestmark = [pytest.mark.django_db, pytest.mark.schema]

MAX_EXAMPLES = int(os.environ.get("SCHEMA_MAX_EXAMPLES", "4"))


def test_the_schema_declares_nullable_fields_and_real_shapes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert components["Deviation"]["properties"]["closed_by"]["nullable"] is True
    assert components["Inspection"]["properties"]["reviewed_by"]["nullable"] is True
    assert components["Batch"]["properties"]["bom_version"]["nullable"] is True
    genealogy = schema["paths"]["/api/v1/production/batches/{lot_number}/genealogy/"]["get"]["responses"]["200"]
    assert genealogy["content"]["application/json"]["schema"]["$ref"].endswith("/BatchGenealogy")
    labels = schema["paths"]["/api/v1/production/labels/{lot_number}/"]["get"]["responses"]["200"]
    assert labels["content"]["application/json"]["schema"]["$ref"].endswith("/BatchLabels")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.endswith("/auth/token/"):
                continue
            assert {"401", "403"} <= codes, (method, path, codes)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch"):
                assert {"400", "409"} <= codes, (method, path)
                assert operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
                    "/ValidationError")


def test_every_operation_conforms_as_qa_and_auditor(world, qa_user, auditor_user):
    report = run_schemathesis([qa_user, auditor_user], max_examples=MAX_EXAMPLES)
    line = f"schemathesis: {report.operations} operations, {report.requests} requests, statuses {report.statuses}"
    print(line)
    if os.environ.get("FUZZ_REPORT"):  # bench/fuzz_api.py
        with open(os.environ["FUZZ_REPORT"], "w") as out:
            out.write(f"{line}\n{report.summary() if report.failures else 'no failures'}\n")
    assert report.operations >= 90, report.operations
    assert report.requests >= report.operations * 2
    assert not report.failures, report.summary()
