"""Every URL of the project refuses anonymous users: pages redirect to sign-in, the API answers 401.
New pages are covered automatically because the test walks the resolver."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Public on purpose: sign-in itself, health probe, language switch, the GS1 Digital Link resolver (scanned by
# distributors and hospitals), the API token endpoint and the published API contract (schema and docs).
PUBLIC = [
    r"^accounts/login/$",
    r"^accounts/logout/$",
    r"^admin/login/$",
    r"^admin/logout/$",
    r"^healthz$",
    r"^language/$",
    r"^01/",
    r"^api/v1/auth/token/$",
    r"^api/v1/schema/$",
    r"^api/v1/docs/$",
    r"^api/v1/redoc/$",
]
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def concrete(route: str) -> str:
    """A URL matching ``route``: regex groups (routers) and path converters get sample values."""
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # regex named groups first: (?P<pk>[^/.]+)
    route = re.sub(r"\(\?:[^)]*\)\??", "", route)  # optional non-capturing groups (format suffixes)
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".").replace("/?", "/")
    return "/" + route


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_the_walk_sees_the_project():
    assert len(ROUTES) > 20
    assert any(r.startswith("api/v1/") for r in ROUTES)


@pytest.mark.parametrize("route", [r for r in ROUTES if not any(re.search(p, r) for p in PUBLIC)])
def test_anonymous_is_refused(client, route, db):
    url = concrete(route)
    if url.startswith("/" + settings.STATIC_URL) or url.startswith("/" + settings.MEDIA_URL):
        pytest.skip("static files")
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json()["code"] == "not_authenticated"
        elif url.startswith("/admin/"):
            assert response.status_code in (302, 404), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"]
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(
                settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else "/accounts/login/"
            )
        return
    pytest.fail(f"{url} answers 405 to both GET and POST")
