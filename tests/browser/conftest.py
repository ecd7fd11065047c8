"""The browser harness: the app served on loopback, and Debian's Chromium driving it.

The app is the one from tests/conftest.py (its database is fresh and migrated for
each test, SQLite or PostgreSQL, and it sends mail after each response to the
loopback SMTP server), served by werkzeug in a background thread. Playwright
drives /usr/bin/chromium; no browser is ever downloaded.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Long enough for a slow CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 10_000


class LiveServer:
    """The app served on 127.0.0.1; remembers any exception a request raised."""

    def __init__(self, app):
        self.app = app
        self.errors: list[BaseException] = []
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        # TESTING propagates exceptions; keep them so the test fails on a 500, not only a log line.
        try:
            return self.app(environ, start_response)
        except BaseException as error:
            self.errors.append(error)
            raise

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_server(app):
    """The test's app (tests/conftest.py) served on a free port, stopped after the test."""
    server = LiveServer(app)
    # Links in mail rendered outside a request (invitations, the worker) point here.
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()
    assert not server.errors, f"the app raised while serving: {server.errors!r}"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, shared by the whole run."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def open_page(browser):
    """Open a page in a fresh browser context: `open_page(locale="zh-CN", java_script_enabled=False)`.

    Each context is a separate browser profile (its own cookies), closed after the test.
    Errors the page reports (uncaught exceptions, console errors such as a CSP
    refusal) are kept in `page.problems`.
    """
    contexts = []

    def open_(locale: str = "en-GB", **options):
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
        page.on("console", lambda message: message.type == "error" and page.problems.append(
            f"console: {message.text} at {message.location.get('url')}"))
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A page in an English-speaking browser with JavaScript on."""
    return open_page()
