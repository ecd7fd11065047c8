"""A request past a rate limit says so where the answer was expected, in a real browser with htmx:
the kiosk asks the guest to wait or see the help desk (it no longer keeps showing "We could not find
you"), pairing says it was limited, and a guest's help request says to wait."""

import pytest
from playwright.sync_api import expect

from portal.checkin import devices
from portal.extensions import db
from portal.models import Event
from tests.browser.conftest import LiveServer
from tests.factories import make_guest
from tests.sessions import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def limited_server(app, make_app):
    """The app with its limits on and low, served on loopback.

    Made after the test's `app` (which make_event uses): the one limiter follows the app made last.
    """
    app = make_app(RATELIMIT_ENABLED=True, KIOSK_LOOKUP_RATE_LIMIT="2 per minute", KIOSK_PAIR_RATE_LIMIT="2 per minute",
                   HELP_REQUEST_RATE_LIMIT="1 per minute")
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()
    assert not server.errors, server.errors


def test_a_limited_kiosk_asks_the_guest_to_wait_instead_of_not_finding_them(limited_server, make_event, make_staff,
                                                                           open_page):
    app = limited_server.app
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    with app.app_context():
        _device, code = devices.create_device(db.session.get(Event, event.id), "Hall", "", organizer)

    kiosk = open_page()
    kiosk.goto(limited_server("/kiosk/pair"))
    kiosk.get_by_label("Pairing code").fill(code)
    kiosk.get_by_role("button", name="Pair").click()
    expect(kiosk).to_have_url(limited_server("/kiosk/"))

    # Pairing is limited per network address (2 a minute here): the second wrong code is one too many.
    page = open_page()
    page.goto(limited_server("/kiosk/pair"))
    page.get_by_label("Pairing code").fill("WRONGCOD")
    page.get_by_role("button", name="Pair").click()
    expect(page.locator(".error")).to_contain_text("This code is not valid")
    page.get_by_label("Pairing code").fill("WRONGCOE")
    page.get_by_role("button", name="Pair").click()
    expect(page.locator(".error")).to_contain_text("Too many pairing attempts from here. Wait a minute")
    expect(page.get_by_label("Pairing code")).to_have_value("WRONGCOE")

    kiosk.goto(limited_server("/kiosk/find"))
    for _ in range(2):
        kiosk.get_by_label("Confirmation code").fill("ZZZZ2222")
        kiosk.get_by_role("button", name="Check in").first.click()
        expect(kiosk.get_by_text("We could not find you")).to_be_visible()
    kiosk.get_by_label("Confirmation code").fill("ZZZZ2223")
    kiosk.get_by_role("button", name="Check in").first.click()
    expect(kiosk.get_by_role("heading", name="Too many attempts at this kiosk")).to_be_visible()
    expect(kiosk.get_by_text("Please wait a minute, or ask at the help desk.", exact=False)).to_be_visible()
    expect(kiosk.get_by_text("We could not find you")).to_have_count(0)


def test_a_limited_help_request_says_to_wait(limited_server, make_event, open_page):
    app = limited_server.app
    event = make_event()
    guest = make_guest(app, event, "ana@example.org")
    client = app.test_client()
    sign_in(client, guest.user_id)
    page = open_page()
    page.context.add_cookies([{"name": "session", "value": client.get_cookie("session").value,
                               "url": limited_server.url}])

    for subject, expected in (("Cold room", "is with the help desk"), ("Still cold", "Too many attempts")):
        page.goto(limited_server("/e/summit/me/help"))
        page.get_by_label("What is it about?").select_option("lodging")
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("How can we help?").fill("The heating does not work.")
        page.get_by_role("button", name="Send my request").click()
        expect(page.get_by_text(expected, exact=False)).to_be_visible()
    expect(page.get_by_text("Please wait a minute and try again.")).to_be_visible()
