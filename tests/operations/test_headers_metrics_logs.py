"""Issue #15: no-store on every authenticated response and download; /metrics behind its token or address
rule; JSON log lines with the request id and the user."""

import json
import logging

import pytest

from tests.regulatory.factories import make_document


def no_store(response):
    return response["Cache-Control"] == "no-store, private" and response["Pragma"] == "no-cache"


def test_signed_in_pages_api_and_downloads_are_not_stored(client_for, api_for, regulatory_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    doc = make_document(regulatory_user)
    session = client_for(regulatory_user)
    for url in ("/", "/regulatory/dossiers/", f"/regulatory/dossiers/{doc.item.dossier_id}/", "/inbox/",
                "/api/v1/auth/me/"):
        assert no_store(session.get(url)), url
    token = api_for(regulatory_user)
    assert no_store(token.get("/api/v1/auth/me/"))
    bundle = token.get(f"/api/v1/regulatory/dossiers/{doc.item.dossier_id}/bundle/")
    assert bundle.status_code == 200 and no_store(bundle)


def test_anonymous_pages_are_left_to_their_own_caching(client):
    login = client.get("/accounts/login/")  # Django marks it never_cache itself; the middleware adds nothing
    assert login.status_code == 200 and "Pragma" not in login


def test_metrics_need_the_token_or_an_allowed_address(client, settings, qa_user):
    from django.contrib.auth.signals import user_login_failed  # noqa: F401  (connected in NotificationsConfig)

    client.post("/accounts/login/", {"username": "qa", "password": "wrong"})
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.9.9.9"]
    assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    body = client.get("/metrics").content.decode()
    assert "lims_http_requests_total" in body and "lims_http_request_duration_seconds_bucket" in body
    assert "lims_signin_failures_total" in body and "lims_task_queue_depth" in body and "lims_tasks_failed" in body
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_log_lines_are_json_with_request_id_and_user(client_for, qa_user):
    from lims.logs import JsonFormatter, RequestFilter

    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.addFilter(RequestFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client_for(qa_user).get("/no-such-page/", HTTP_X_REQUEST_ID="req-0123456789")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404 and response["X-Request-ID"] == "req-0123456789"
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "req-0123456789" and entry["user"] == "qa" and entry["level"] == "WARNING"
    assert entry["status"] == 404


@pytest.mark.parametrize("given", ["bad id with spaces", "x" * 100])
def test_a_malformed_request_id_is_replaced(client, given):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given and len(response["X-Request-ID"]) == 32
