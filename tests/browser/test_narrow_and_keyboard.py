"""At 800 px the language switch stays visible (not folded into the collapsed menu), and a signing dialog opened
from the keyboard puts the focus on its first field, so that it can be signed without a mouse (issue 19)."""

import pytest

from tests.qc.factories import make_inspection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def errors_of(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.mark.parametrize("width", [800, 1280])
def test_the_language_switch_is_visible_at_every_width(page, sign_in, live_server, qc_user, width):
    errors = errors_of(page)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("qc")
    switch = page.locator("#language-select")
    assert switch.is_visible()
    if width == 800:
        assert page.locator(".navbar-toggler").is_visible()  # the menu itself is collapsed
    with page.expect_navigation():
        switch.select_option("zh-hans")
    assert page.locator("#language-select").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=f"/tmp/h19-home-{width}-zh.png")
    assert errors == []


def test_the_signing_dialog_focuses_its_first_field_and_signs_from_the_keyboard(
        page, sign_in, live_server, qc_user, user_factory):
    recorder = user_factory("recorder", "QC")
    inspection = make_inspection(recorder, "release testing")
    errors = errors_of(page)
    page.set_viewport_size({"width": 800, "height": 900})
    sign_in("qc")
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    button = page.get_by_role("button", name="Review (second check)")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#review-dialog")
    dialog.wait_for(state="visible")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'review-dialog-username'")
    page.screenshot(path="/tmp/h19-sign-dialog-800.png")
    page.keyboard.type("qc")
    page.keyboard.press("Tab")
    page.keyboard.type("lims-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    inspection.refresh_from_db()
    assert inspection.status == "reviewed" and inspection.reviewed_by_id == qc_user.pk
    assert errors == []
