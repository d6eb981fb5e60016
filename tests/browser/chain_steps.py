"""Helpers of the main-chain journey (issue 19): signing in where the person's work is, accepting a confirmation,
the signing dialog from the keyboard. Every helper counts what the person does through the Journey it is given
(tests/browser/conftest.py), never around it."""

from urllib.parse import urlparse

from tests.browser.conftest import HTML_LANG

PASSWORD = "lims-demo"


def path_of(journey):
    return urlparse(journey.page.url).path


def sign_in_at(journey, path, username, password=PASSWORD):
    """Open the address of the work (a bookmark or a link in a notice): the site asks to sign in, then lands on
    that address. Four interactions: open, user name, password, submit."""
    journey.goto(path)
    page = journey.page
    assert "/accounts/login/" in page.url, f"expected the sign-in page, got {page.url}"
    journey.fill(page.locator("#id_username"), username)
    journey.fill(page.locator("#id_password"), password)
    journey.click(page.locator("form [type=submit]").first, navigates=True)
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    assert path_of(journey) == urlparse(path).path, f"{username} landed on {page.url}, not {path}"
    assert page.locator("html").get_attribute("lang") == HTML_LANG[journey.language]
    return page


def accept_confirmations(journey):
    """A ``data-confirm`` button asks with window.confirm: the person presses OK, which counts as one interaction."""

    def accept(dialog):
        journey._did(f"confirm: {dialog.message}")
        dialog.accept()

    journey.page.on("dialog", accept)


def sign_from_keyboard(journey, opener, dialog_id, username, password=PASSWORD):
    """Open the signing dialog with its button, then keyboard only: the focus is on the user name; type it, Tab,
    type the password, Enter (the meaning is shown in the dialog; a decision that sets it follows the password
    and is already chosen). Five interactions."""
    page = journey.page
    journey.click(opener)
    page.locator(f"#{dialog_id}").wait_for(state="visible")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === '{dialog_id}-username'")
    journey.type(username)
    journey.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"{dialog_id}-password"
    journey.type(password)
    journey.press("Enter", navigates=True)


def messages_of(page):
    return page.locator(".alert").all_inner_texts()
