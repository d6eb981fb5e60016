"""Steps shared by the role journeys (issue 19, tests/browser/test_journey_<role>.py).

Every journey seeds the demo, signs in as a demo login and walks the pages in English at 1280 px and in
Simplified Chinese at 800 px, so elements are found by id, name, role or address, never by English text."""

import io

import pytest
from django.core.management import call_command

LANGUAGES = pytest.mark.parametrize("language,width", [("en", 1280), ("zh-hans", 800)], ids=["en-1280", "zh-800"])
MARKS = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_demo():
    """The demo plant (about 7 s on an idle machine): every demo login with the password lims-demo."""
    call_command("seed_demo", stdout=io.StringIO())


def sign(journey, dialog_id, username, password="lims-demo", reason="", navigates=True):
    """Open the signing dialog ``dialog_id`` (lims/includes/sign_dialog.html), sign as ``username``."""
    page = journey.page
    journey.click(page.locator(f"[data-bs-target='#{dialog_id}']"))
    dialog = page.locator(f"#{dialog_id}")
    # Bootstrap's fade: fill only once the dialog is shown and has focused its first field (app.js)
    page.wait_for_function("id => { const d = document.getElementById(id); return d && d.classList.contains('show')"
                           " && d.contains(document.activeElement); }", arg=dialog_id)
    page.wait_for_timeout(200)
    journey.fill(dialog.locator(f"#{dialog_id}-username"), username)
    journey.fill(dialog.locator(f"#{dialog_id}-password"), password)
    if reason:
        journey.fill(dialog.locator(f"#{dialog_id}-reason"), reason)
    journey.click(dialog.locator("[type=submit]"), navigates=navigates)


def submit(journey, form="main form[method=post]"):
    """Send the page's form with its submit button (the person clicks Save)."""
    journey.click(journey.page.locator(f"{form} [type=submit]").last, navigates=True)


def download(journey, locator):
    """Click a download link (``Content-Disposition: attachment``); the saved file's bytes and suggested name."""
    with journey.page.expect_download() as info:
        journey.click(locator)
    item = info.value
    return item.path().read_bytes(), item.suggested_filename


def open_document(journey, locator):
    """Click a link to a document the browser shows itself (a PDF sent ``inline``): the bytes and file name the
    server sent, then back to the page the person came from."""
    href = locator.get_attribute("href")
    with journey.page.expect_response(lambda r: r.url.split("?")[0].endswith(href.split("?")[0])) as info:
        journey.click(locator)
    response = info.value
    assert response.status == 200, f"{href} answered {response.status}"
    body = response.body()
    disposition = response.headers.get("content-disposition", "")
    name = disposition.split("filename=")[-1].strip('"') if "filename=" in disposition else ""
    journey.page.go_back()
    journey.page.wait_for_load_state()
    return body, name


def alerts(journey):
    """The texts of the page's messages (role=alert)."""
    return [a.inner_text() for a in journey.page.locator("[role=alert]").all()]


def has_field_error(journey):
    return journey.page.locator(".invalid-feedback, .errorlist, .alert-danger").count() > 0
