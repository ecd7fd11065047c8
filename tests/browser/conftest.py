"""The browser harness: the app served on loopback, and Debian's Chromium driving it.

The app is the one from tests/conftest.py (its database is migrated once and emptied
before each test, SQLite or PostgreSQL, and it sends mail after each response to the
loopback SMTP server), served by werkzeug in a background thread. Playwright
drives /usr/bin/chromium; no browser is ever downloaded.
"""

import os
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import Event, User
from portal.models.registration import CANCELLED
from tests.factories import make_registration

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
        self._busy = 0
        self._idle = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        with self._idle:
            self._busy += 1
        try:
            response = self.app(environ, start_response)
        except BaseException as error:
            # TESTING propagates exceptions; keep them so the test fails on a 500, not only a log line.
            self.errors.append(error)
            self._done()
            raise
        return _ClosedWhenSent(response, self._done)

    def _done(self):
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)
        # Request threads are daemons kept alive by the browser's idle connections,
        # so wait for the requests (and the mail they send on close), not the threads.
        with self._idle:
            finished = self._idle.wait_for(lambda: self._busy == 0, timeout=10)
        self._server.server_close()
        assert finished, "a request was still running 10 s after the test"

    def __call__(self, path: str) -> str:
        return self.url + path


class _ClosedWhenSent:
    """The app's response, closed as soon as its last byte is written.

    The app sends its mail when the response is closed (`call_on_close`). After
    writing a response, werkzeug's server drains the socket and only then calls
    close(); when the browser resets the connection first (Chromium does, now and
    then, after a POST), the drain raises and close() is never called, so the
    mail would stay in the outbox for the worker. Closing on exhaustion keeps
    the test independent of that race; gunicorn always closes.
    """

    def __init__(self, response, on_closed):
        self._response = response
        self._chunks = iter(response)
        self._on_closed = on_closed
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise

    def close(self):
        if self._closed:
            return
        self._closed = True
        try:
            if hasattr(self._response, "close"):
                self._response.close()
        finally:
            self._on_closed()


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
    from playwright.sync_api import expect, sync_playwright

    # expect() has its own timeout (5 s), apart from the contexts' default: the same for both.
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


# The status of each answer htmx has handled (swapped in, or left) to a request for a path sent
# since the count began, kept in the page.
_COUNT_ANSWERS = """path => {
  if (!window.answersTo) {
    window.answersTo = {};
    const sent = new WeakMap();
    const pathOf = event => new URL(event.detail.requestConfig.path, location.href).pathname;
    document.addEventListener("htmx:beforeRequest", event => {
      const kept = window.answersTo[pathOf(event)];
      if (kept) { sent.set(event.detail.xhr, kept); }
    });
    document.addEventListener("htmx:afterRequest", event => {
      const kept = sent.get(event.detail.xhr);
      if (kept) { sent.delete(event.detail.xhr); kept.push(event.detail.xhr.status); }
    });
  }
  window.answersTo[path] = [];
}"""


def next_answer(page, path: str, timeout: float = 15_000) -> int:
    """The status of the first htmx answer from `path` (a poll) sent from now on, once htmx has done with it.

    A request already on its way may have been answered before a change the test just made; and a
    response seen on the network may not be swapped in yet. What the page shows is read after this.
    """
    page.evaluate(_COUNT_ANSWERS, path)
    page.wait_for_function("path => window.answersTo[path].length > 0", arg=path, timeout=timeout)
    return page.evaluate("path => window.answersTo[path][0]", path)


# A page left while one of its polls was in flight: the browser aborts the request, and htmx logs
# the abort and the request's end as errors. A failed answer or network still logs its own event.
LEFT_MID_POLL = ("htmx:sendAbort", "htmx:afterRequest")


def _is_problem(message) -> bool:
    # Chromium logs every 4xx as a console error; 422 is how the app answers a form with mistakes.
    return (message.type == "error" and "status of 422" not in message.text
            and not message.text.startswith(LEFT_MID_POLL))


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
        page.on("console", lambda message: _is_problem(message) and page.problems.append(
            f"console: {message.text} at {message.location.get('url')}"))
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A page in an English-speaking browser with JavaScript on."""
    return open_page()


@pytest.fixture
def event(make_event):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return make_event(timezone="Asia/Shanghai", starts_on=today, ends_on=today + timedelta(days=1))


@pytest.fixture
def organizer(make_staff, event):
    return make_staff("boss@example.org", event, roles=("organizer",))


@pytest.fixture
def guests(app, event):
    """Four confirmed guests (one registered in Chinese) and a cancelled one."""
    return {
        "wang": make_registration(app, event),
        "li": make_registration(app, event, email="li@example.org", name_original="李华", name_latin="Li Hua",
                                surname="Li", honorific="Dr", category="speaker", language="zh_Hans"),
        "zhao": make_registration(app, event, email="zhao@example.org", name_original="Zhao Min", name_latin="Zhao Min",
                                  surname="Zhao", honorific="Ms", category="delegate"),
        "qian": make_registration(app, event, email="qian@example.org", name_original="钱伟", name_latin="Qian Wei",
                                  surname="Qian", honorific="", category="press"),
        "cancelled": make_registration(app, event, email="sun@example.org", name_original="孙丽", name_latin="Sun Li",
                                       surname="Sun", state=CANCELLED),
    }


@pytest.fixture
def demo_event(app, tmp_path):
    """`flask seed-demo` on the test database: the demo event's id and its organizer's."""
    # The demo's logo, cover and map go to a folder of this test's own; `app` puts the setting back.
    app.config["EVENT_IMAGES_FOLDER"] = str(tmp_path / "event-images")
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert "Created the demo event" in output, output
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        organizer = db.session.scalar(select(User).where(User.email == "organizer@demo.example.org"))
        return {"event_id": event.id, "organizer_id": organizer.id}
