"""Sign-in, lock-out (per user name and per address), password change, session timeout, the API token."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_and_logout(client, qa_user):
    response = login(client, "qa", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_message(client, qa_user):
    response = login(client, "qa", "nope")
    assert response.status_code == 200
    assert "correct user name and password" in response.content.decode()


def test_lockout_per_user_name_even_with_the_right_password(client, qa_user):
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(client, "qa", "wrong", ip=f"10.0.1.{i}")  # different addresses: only the user name counts
    response = login(client, "qa", PASSWORD, ip="10.0.2.1")
    assert response.status_code == 403
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_per_address(client, qa_user, qc_user, user_factory):
    # An address is locked only for failures with many distinct user names (tests/security/test_lockout.py).
    for i in range(settings.LIMS_LOCKOUT_ADDRESS_USERNAMES):
        user_factory(f"someone{i}")
        login(client, f"someone{i}", "wrong", ip="10.9.9.9")  # different users, one address
    response = login(client, "qc", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 403
    assert login(client, "qc", PASSWORD, ip="10.9.9.10").status_code == 302


def test_token_endpoint(api_for, qa_user):
    client = api_for(None)
    response = client.post("/api/v1/auth/token/", {"username": "qa", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/").status_code in (200, 404)


def test_token_endpoint_bad_credentials_and_bad_input(api_for, qa_user):
    client = api_for(None)
    response = client.post("/api/v1/auth/token/", {"username": "qa", "password": "bad"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    response = client.post("/api/v1/auth/token/", {"username": "qa"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"password": ["This field is required."]}


def test_token_endpoint_is_under_the_same_lockout(api_for, qa_user):
    client = api_for(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "qa", "password": "bad"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "qa", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out"


def test_password_change(client_for, qa_user):
    client = client_for(qa_user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a-New-passw0rd-2026", "new_password2": "a-New-passw0rd-2026"})
    assert response.status_code == 302
    qa_user.refresh_from_db()
    assert qa_user.check_password("a-New-passw0rd-2026")


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_session_times_out_when_idle(client, qa_user, monkeypatch):
    """A sliding 30-minute window that moves at most once a minute: pages within the minute write nothing, a page
    after it moves the expiry forward, and a session left idle past its expiry is signed out."""
    import time

    from django.contrib.sessions.models import Session

    import lims.middleware

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    login(client, "qa", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    first = _expiry(client)
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(client) == first  # the second page within the minute wrote no session row
    later = time.time() + 61
    monkeypatch.setattr(lims.middleware, "_clock", lambda: later)
    assert client.get(reverse("home")).status_code == 200
    moved = _expiry(client)
    assert moved > first
    # idle beyond the window: the stored session has expired, the next page asks to sign in again
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=moved.replace(year=2000))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
