"""Lock-out keyed on the user name; an address is locked only when it fails for many distinct user names
(issue 16: behind one proxy, lab's typos locked regulatory out)."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from lims.auth import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="127.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def test_one_users_failures_from_the_proxy_address_do_not_lock_another(client, lab_user, regulatory_user):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        login(client, "lab", "wrong")
    assert login(client, "lab", PASSWORD).status_code == 403  # lab is locked (per user name)
    response = login(client, "regulatory", PASSWORD)  # same address 127.0.0.1
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_api_token_of_another_user_from_the_same_address_still_works(api_for, lab_user, regulatory_user):
    client = api_for(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "lab", "password": "bad"}, format="json")
    assert client.post("/api/v1/auth/token/", {"username": "lab", "password": PASSWORD},
                       format="json").json()["code"] == "locked_out"
    response = client.post("/api/v1/auth/token/", {"username": "regulatory", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"]


@override_settings(LIMS_LOCKOUT_ADDRESS_USERNAMES=4)
def test_an_address_trying_many_user_names_is_locked(client, regulatory_user):
    for i in range(3):
        login(client, f"guess{i}", "wrong", ip="10.7.7.7")
    assert login(client, "regulatory", PASSWORD, ip="10.7.7.7").status_code == 302  # 3 names: not yet
    client.post(reverse("logout"))
    login(client, "guess3", "wrong", ip="10.7.7.7")
    response = login(client, "regulatory", PASSWORD, ip="10.7.7.7")
    assert response.status_code == 403 and "Too many failed sign-in attempts" in response.content.decode()
    assert login(client, "regulatory", PASSWORD, ip="10.7.7.8").status_code == 302  # another address is fine


class _Req:
    def __init__(self, remote, xff=None):
        self.META = {"REMOTE_ADDR": remote}
        if xff is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = xff


@pytest.mark.parametrize(("count", "xff", "expected"), [
    (0, "6.6.6.6", "10.0.0.1"),              # no proxy configured: the header is ignored (it could be forged)
    (1, "203.0.113.9", "203.0.113.9"),       # one proxy: the address it saw
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry left of the proxy's is not trusted
    (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
    (2, "203.0.113.9", "10.0.0.1"),          # fewer entries than proxies: fall back to the peer
    (1, "not-an-address", "10.0.0.1"),
])
def test_client_address_behind_proxies(count, xff, expected):
    with override_settings(LIMS_PROXY_COUNT=count):
        assert client_address(_Req("10.0.0.1", xff)) == expected


@override_settings(LIMS_PROXY_COUNT=1)
def test_behind_a_proxy_users_are_told_apart_by_forwarded_address(client, regulatory_user):
    with override_settings(LIMS_LOCKOUT_ADDRESS_USERNAMES=3):
        for i in range(3):
            login(client, f"guess{i}", "wrong", ip="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.7")
        # the attacker behind the proxy is locked, a colleague behind the same proxy is not
        assert login(client, "regulatory", PASSWORD, ip="10.0.0.254",
                     HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 403
        assert login(client, "regulatory", PASSWORD, ip="10.0.0.254",
                     HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
