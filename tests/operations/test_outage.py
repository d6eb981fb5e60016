"""Issue #15, outages: with the database unavailable, /healthz answers 503 within 2 s for every kind of caller,
every other request answers 503 quickly (the app's own page, JSON for the API) with no traceback, and everything
is back to normal by itself once the database returns."""

import pytest

from tests.operations.outage import database_unavailable

pytestmark = pytest.mark.django_db(transaction=True)


def callers(user):
    """Anonymous, session and token clients that return the response of a failed request (as a browser would
    see it) instead of re-raising the exception in the test."""
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    anonymous = Client(raise_request_exception=False)
    session = Client(raise_request_exception=False)
    session.force_login(user)
    token = APIClient(raise_request_exception=False)
    token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return anonymous, session, token


def test_an_outage_answers_503_to_every_caller_and_recovers(qa_user):
    anonymous, session, token = callers(qa_user)
    assert session.get("/").status_code == 200
    assert token.get("/api/v1/auth/me/").status_code == 200

    with database_unavailable():
        for caller in (anonymous, session, token):  # how fast: bench/outage.py (no timed assertions here)
            response = caller.get("/healthz")
            assert response.status_code == 503
            assert response.json()["database"] == "unavailable"

        page = session.get("/")
        assert page.status_code == 503
        assert "text/html" in page["Content-Type"]
        body = page.content.decode()
        assert "Service unavailable (503)" in body and "Traceback" not in body
        assert page["Retry-After"]

        api = token.get("/api/v1/auth/me/")
        assert api.status_code == 503
        assert api.json()["code"] == "unavailable"

        sign_in = anonymous.post("/accounts/login/", {"username": "qa", "password": "x"})
        assert sign_in.status_code == 503

        session_api = session.get("/api/v1/production/batches/")
        assert session_api.status_code == 503 and session_api.json()["code"] == "unavailable"

    # Back by itself: no restart, the same callers are served again.
    assert anonymous.get("/healthz").status_code == 200
    assert session.get("/").status_code == 200
    assert token.get("/api/v1/auth/me/").status_code == 200


def test_the_outage_is_logged_as_one_line_without_a_traceback(qa_user, caplog):
    import logging

    from lims.logs import OutageFilter

    _anonymous, session, _token = callers(qa_user)
    with caplog.at_level(logging.WARNING, logger="django.request"), database_unavailable():
        assert session.get("/").status_code == 503
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:
        OutageFilter().filter(record)
        assert record.exc_info is None and record.levelname == "WARNING"
        assert record.getMessage().startswith("database unavailable")
