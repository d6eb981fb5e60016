"""Fixtures for every suite: one persona per role plus an outsider, clients signed in as each, API clients
with a real token, and the helpers of tests/helpers.py."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lims.roles import ROLES

PASSWORD = "lims-demo"


@pytest.fixture(autouse=True)
def english_after_each_test():
    """Requests with Accept-Language or a user preference activate a language in the thread; each test starts
    in English so that one test's zh-Hans request never leaks into the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


def make_user(username, *roles, superuser=False, first_name="", last_name=""):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first_name or username.title(),
        last_name=last_name or "Tester",
        is_superuser=superuser,
        is_staff=superuser,
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def user_factory(db):
    return make_user


def _persona(role):
    @pytest.fixture
    def fixture(db):
        username = role.lower()
        return make_user(username, role, superuser=(role == "Admin"))

    return fixture


production_user = _persona("Production")
qc_user = _persona("QC")
qa_user = _persona("QA")
regulatory_user = _persona("Regulatory")
incubator_user = _persona("Incubator")
lab_user = _persona("Lab")
auditor_user = _persona("Auditor")
admin_user = _persona("Admin")


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role."""
    return make_user("outsider")


@pytest.fixture
def personas(db, outsider):
    """role name → user (one per role), plus "outsider"."""
    users = {role: make_user(f"p-{role.lower()}", role, superuser=(role == "Admin")) for role in ROLES}
    users["outsider"] = outsider
    return users


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db):
    """An API client authenticated with the user's real token (``Authorization: Token …``)."""

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def sig(user, password=PASSWORD) -> dict:
    """Both components of an electronic signature (21 CFR 11.200(a)(1)) for a signing service call."""
    return {"username": user.get_username(), "password": password}


def sig_body(user, password=PASSWORD) -> dict:
    """The same for an API or form body."""
    return {"username": user.get_username(), "password": password}
