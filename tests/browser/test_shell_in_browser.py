import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_language_and_read_the_audit_trail(page, sign_in, live_server, auditor_user):
    sign_in("auditor")
    assert page.get_by_role("heading", name="Welcome, Auditor Tester").is_visible()
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")  # submits through app.js (no inline script)
    assert page.get_by_role("heading", name="欢迎，Auditor Tester").is_visible()
    page.goto(f"{live_server.url}/audit/")
    assert page.get_by_role("heading", name="审计追踪").is_visible()
    assert page.csp_errors == []


def test_locked_out_after_failed_sign_ins(page, sign_in, qa_user):
    for _ in range(5):
        sign_in("qa", "wrong-password")
    sign_in("qa")
    assert page.get_by_role("heading", name="Account locked").is_visible()
