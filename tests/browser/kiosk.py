"""The offline kiosk in a real browser: pair a profile, wait until it works offline, scan, read the check-ins.

Shared by the offline-kiosk journeys and the in-place (hx-boost) ones; the fixtures are in conftest.py.
"""

import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import devices, offline
from portal.extensions import db
from portal.models import CheckIn, Event, User
from tests.browser.conftest import TIMEOUT_MS

START = "Welcome. Please check in here."


def new_device(app, event, organizer, name: str, allowed: bool = True) -> tuple[int, str]:
    """A kiosk (the organizer allowed it to work offline, unless told otherwise) and its pairing code."""
    with app.app_context():
        organizer_row = db.session.get(User, organizer.id)
        device, code = devices.create_device(db.session.get(Event, event.id), name, "North entrance", organizer_row)
        if allowed:
            offline.allow(device, True, organizer_row)
        return device.id, code


def watch(page):
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    return page


def pair(page, live_server, code: str) -> None:
    page.goto(live_server("/kiosk/pair"))
    page.get_by_label("Pairing code").fill(devices.format_pairing_code(code))
    page.get_by_role("button", name="Pair").click()
    expect(page).to_have_url(live_server("/kiosk/"))


def until(page, check, seconds: float = 15, what: str = ""):
    """Poll `check` until it returns something truthy; a page navigating meanwhile is asked again.

    The wait goes through the page, so that Playwright's event handlers (routes) run meanwhile.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except PlaywrightError:
            found = None
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what or check}"
        page.wait_for_timeout(200)


def ready_offline(page) -> None:
    """The worker controls the page (the shell is kept) and the manifest is stored."""
    until(page, lambda: page.evaluate("navigator.serviceWorker.controller !== null"), what="the service worker")
    until(page, lambda: page.evaluate("KioskStore.getMeta('manifest').then(m => Boolean(m))"), what="the manifest")


def open_kiosk(browser, app, live_server, event, organizer, name: str, allowed: bool = True):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = watch(context.new_page())
    device_id, code = new_device(app, event, organizer, name, allowed)
    pair(page, live_server, code)
    if allowed:
        ready_offline(page)
    else:
        until(page, lambda: page.evaluate("navigator.serviceWorker.controller !== null"), what="the service worker")
        until(page, lambda: page.evaluate("KioskStore.getMeta('asked').then(m => Boolean(m))"), what="the answer")
    page.device_id = device_id
    return context, page


def scan(page, code: str) -> None:
    """The scanner types the code and Enter into the focused scan field."""
    expect(page.get_by_label("Scan your ticket QR code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def welcomed(page, code: str, heading: str) -> None:
    """Scan `code` and see the screen headed `heading`."""
    scan(page, code)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def done(page) -> None:
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(START)


def check_ins(app) -> dict[int, tuple[int | None, str]]:
    with app.app_context():
        return {r.registration_id: (r.kiosk_id, r.nonce) for r in db.session.scalars(select(CheckIn))}
