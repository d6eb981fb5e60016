"""Every page without parameters answers each role with 200 (its pages) or 403 (not its pages), in English and
Simplified Chinese, never 500 — new pages are covered automatically (the routes come from the resolver)."""

import re

import pytest

from lims.roles import ROLES
from tests.core.test_url_walk import ROUTES, concrete

SKIP = re.compile(r"^(api/|admin/|accounts/logout|language/|01/|healthz|static/|media/)")
PAGES = [concrete(r) for r in ROUTES if "<" not in r and "(?P" not in r and not SKIP.match(r)]


def test_there_are_pages():
    assert len(PAGES) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_every_page_answers_every_role(role, personas, client_for):
    client = client_for(personas[role])
    failures = []
    for language in ("en", "zh-hans"):
        for url in PAGES:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            allowed = (200, 403, 405) if role != "Admin" else (200, 405)  # 405: POST-only action URLs
            if response.status_code not in allowed:
                failures.append((language, url, response.status_code))
    assert failures == []
