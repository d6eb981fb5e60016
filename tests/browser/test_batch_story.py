"""The batch story and the audit trail in a real browser: they render, filter and carry no CSP error
(screenshots go to $LIMS_SCREENSHOTS when set)."""

import os

import pytest

from tests.story.conftest import walk_batch

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    folder = os.environ.get("LIMS_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_story_and_audit_pages_in_the_browser(page, sign_in, live_server, production_user, qc_user, qa_user,
                                               admin_user, regulatory_user, auditor_user, user_factory):
    walked = walk_batch(production_user=production_user, qc_user=qc_user, qa_user=qa_user, admin_user=admin_user,
                        releaser=user_factory("qa2", "QA", first_name="Li", last_name="Na"),
                        regulatory_user=regulatory_user)
    sign_in("auditor")
    page.goto(f"{live_server.url}/production/batches/{walked.batch.lot_number}/story/")
    assert page.get_by_role("link", name="Story").count() >= 1
    assert page.get_by_text("all tests passed").count() >= 1
    shot(page, "story")
    page.get_by_label("Kind of change").select_option("signed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.get_by_text("case labels").count() == 0 and page.get_by_text("Li Na").count() >= 1
    page.goto(f"{live_server.url}/audit/?lot={walked.batch.lot_number}")
    assert page.get_by_text("Showing the story of lot").count() == 1
    shot(page, "audit")
    assert not page.csp_errors
