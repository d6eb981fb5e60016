"""The API's general contract (API.md, General): 401/403, error format, pagination, reason, versions, health."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incubator.models import Project
from lims.audit import audited
from lims.services import update_record
from tests.helpers import Snapshot, assert_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(incubator_user):
    with audited(user=incubator_user, reason="seed"):
        return Project.objects.create(code="P-01", name="Autism intervention", focus_area="neurodevelopment",
                                      entered_on="2025-03-01")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_a_dead_database(client):
    from tests.operations.outage import database_unavailable

    with database_unavailable():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_anonymous_gets_401_with_the_error_format(api_for):
    response = api_for(None).get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_bad_token_is_401(api_for):
    client = api_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_me_with_a_token(api_for, qa_user):
    response = api_for(qa_user).get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "qa" and response.json()["roles"] == ["QA"]


def test_outside_the_role_is_403(api_for, production_user):
    response = api_for(production_user).get("/api/v1/audit-log/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_bad_query_is_400_with_fields(api_for, auditor_user):
    response = api_for(auditor_user).get("/api/v1/audit-log/?date_from=2026-13-01&object_id=x")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"date_from", "object_id"}


def test_audit_log_api_is_paginated(api_for, auditor_user, project, incubator_user):
    update_record(project, {"name": "x"}, user=incubator_user, reason="r1")
    response = api_for(auditor_user).get("/api/v1/audit-log/?model=incubator.project&page_size=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert body["results"][0]["reason"] == "r1" and body["results"][0]["user"] == "incubator"


def test_page_size_is_capped_at_500(api_for, auditor_user):
    response = api_for(auditor_user).get("/api/v1/audit-log/?page_size=10000")
    assert response.status_code == 200


def test_zh_hans_detail_is_translated_code_is_not(api_for, production_user):
    response = api_for(production_user).get("/api/v1/audit-log/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"] != "You do not have permission to perform this action."


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_stale_version_is_refused_and_nothing_changes(project, incubator_user):
    from lims.errors import StaleVersion

    snap = Snapshot(project)
    with pytest.raises(StaleVersion) as err:
        update_record(project, {"name": "Other"}, user=incubator_user, reason="edit", expected_version=99)
    assert err.value.code == "stale_version"
    snap.assert_unchanged()


def test_update_record_writes_history_with_user_and_reason(project, incubator_user):
    updated = update_record(project, {"name": "Autism intervention 2"}, user=incubator_user,
                            reason="renamed by the board", expected_version=1)
    assert updated.version == 2
    assert_history(updated, user=incubator_user, reason="renamed by the board", type="~")


def test_query_count_helper_counts(project):
    with CaptureQueriesContext(connection) as ctx:
        list(Project.objects.all())
    assert len(ctx.captured_queries) == 1


def test_permissions_can_differ_by_method_within_one_action(rf, qa_user, production_user):
    from rest_framework.request import Request

    from lims.api.permissions import ModelRolePermission

    class View:
        action = "steps"
        required_permissions = {"steps:POST": "lims.sign_records", "steps": "lims.view_audit_log"}

    def allowed(user, method):
        request = Request(getattr(rf, method.lower())("/"))
        request.user = user
        return ModelRolePermission().has_permission(request, View())

    assert allowed(qa_user, "GET") and allowed(qa_user, "POST")
    assert not allowed(production_user, "GET") and allowed(production_user, "POST")
