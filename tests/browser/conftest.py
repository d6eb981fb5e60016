"""Browser tests drive Debian's chromium through Playwright (its own browser download does not work here)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed (make test installs it with apt-get as root)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: page.csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    def do(username, password="lims-demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do


# ---------------------------------------------------------------------------------------------------------------
# Journeys (issue 19): a person's day walked in the browser, step by step, counting what the person does.
# ---------------------------------------------------------------------------------------------------------------

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "browser"
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}
HTML_LANG = {"en": "en", "zh-hans": "zh-hans"}


class Journey:
    """Drives one page as one person and counts their interactions.

    Every method that stands for something the person does (open an address, click, fill a field, choose an option,
    press a key, type into the focused field) adds one to ``count``; reading the page does not. ``shot`` saves a
    full-page screenshot under ``test-artefacts/browser/<journey>/<language>-<width>/``. Console errors and uncaught
    page errors are collected from the start and fail the test at the end (``check``, called by the fixture).
    """

    def __init__(self, page, base_url, name, language, width):
        self.page, self.base_url, self.language, self.width = page, base_url, language, width
        self.count, self.steps, self.errors, self.shots = 0, [], [], 0
        self.folder = ARTEFACTS / name / f"{language}-{width}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        page.on("console", lambda msg: self.errors.append(f"console {msg.type}: {msg.text} ({page.url})")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc} ({page.url})"))

    def _did(self, what):
        self.count += 1
        self.steps.append(what)

    # what the person does -------------------------------------------------------------------------------------
    def goto(self, path):
        """Open an address (a bookmark or a typed URL): one interaction."""
        self._did(f"open {path}")
        self.page.goto(path if path.startswith("http") else f"{self.base_url}{path}")
        self.page.wait_for_load_state()
        return self.page

    def click(self, locator, navigates=False):
        self._did(f"click {locator}")
        if navigates:
            with self.page.expect_navigation():
                locator.click()
            self.page.wait_for_load_state()
        else:
            locator.click()

    def fill(self, locator, value):
        self._did(f"fill {locator}")
        locator.fill(str(value))

    def select(self, locator, value=None, label=None):
        self._did(f"select {locator}")
        if label is not None:
            locator.select_option(label=label)
        else:
            locator.select_option(value)

    def check_box(self, locator):
        self._did(f"check {locator}")
        locator.check()

    def press(self, key, navigates=False):
        self._did(f"press {key}")
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
            self.page.wait_for_load_state()
        else:
            self.page.keyboard.press(key)

    def type(self, text):
        """Type into the focused field (a scanner or the keyboard): one interaction per field."""
        self._did("type")
        self.page.keyboard.type(str(text))

    def sign_in(self, username, password="lims-demo"):
        """The sign-in form: open it, user name, password, submit (four interactions)."""
        self.goto("/accounts/login/")
        self.fill(self.page.locator("#id_username"), username)
        self.fill(self.page.locator("#id_password"), password)
        self.click(self.page.locator("form [type=submit]").first, navigates=True)
        assert "/accounts/login/" not in self.page.url, f"{username} could not sign in"
        assert self.page.locator("html").get_attribute("lang") == HTML_LANG[self.language]

    # what the test looks at -----------------------------------------------------------------------------------
    def shot(self, name):
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def canvas_drawn(self, selector="canvas"):
        """True when every matching canvas has at least one non-transparent pixel (a chart that drew)."""
        self.page.wait_for_selector(selector)
        return self.page.eval_on_selector_all(selector, """(canvases) => canvases.length > 0 && canvases.every(c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
            return false; })""")

    def check(self):
        assert self.errors == [], "browser errors:\n" + "\n".join(self.errors)
        (self.folder / "steps.txt").write_text(
            f"{self.count} interactions\n" + "\n".join(f"{i + 1}. {s}" for i, s in enumerate(self.steps)) + "\n")


@pytest.fixture
def journey(browser, live_server, request):
    """``journey(name, language="en", width=1280)`` → a Journey on a fresh browser context in that language.

    The context sends the language's Accept-Language (a Chinese user's browser asks for zh-CN, which Django serves
    as zh-hans); each call opens its own context (one per person in a chain), all closed at the end.
    """
    made = []

    def start(name, language="en", width=1280, height=900):
        context = browser.new_context(locale=LOCALES[language], viewport={"width": width, "height": height},
                                      extra_http_headers={"Accept-Language": LOCALES[language]})
        made.append(context)
        journey = Journey(context.new_page(), live_server.url, name, language, width)
        made.append(journey)
        return journey

    try:
        yield start
        for item in made:
            if isinstance(item, Journey):
                item.check()
    finally:
        for item in made:
            if not isinstance(item, Journey):
                item.close()
