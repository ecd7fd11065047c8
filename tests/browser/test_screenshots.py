"""The demo event as people see it, saved as screenshots a person can look at after any run.

`flask seed-demo` makes the event; each key screen (the event home, My trip, the
kiosk's start and welcome screens) is opened at a phone's, a desktop's and a
kiosk's size, portrait and landscape, and saved under tests/screenshots/ (git-ignored). The
event home is checked with axe in both languages at every size on the way.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import devices, services
from portal.extensions import db
from portal.database import utcnow
from portal.models import Event, LodgingRequest, Registration, TransportLeg, User
from tests.browser.accessibility import assert_accessible
from tests.factories import signed_in_page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
SIZES = {
    "phone": {"width": 360, "height": 780},
    "desktop": {"width": 1366, "height": 900},
    "kiosk-portrait": {"width": 1080, "height": 1920},
    "kiosk-landscape": {"width": 1920, "height": 1080},
}
LOCALES = {"en": "en-GB", "zh": "zh-CN"}
# The demo has six guests with a hotel and a shuttle today; each is checked in, then undone, to be reused.
GUESTS_PER_LANGUAGE = 3


@pytest.fixture
def demo(app, demo_event):
    """The demo event, and confirmed guests with a hotel stay and a shuttle today, one per screen and language."""
    with app.app_context():
        guests = db.session.scalars(
            select(Registration).join(LodgingRequest, LodgingRequest.registration_id == Registration.id)
            .join(TransportLeg, TransportLeg.registration_id == Registration.id)
            .where(Registration.event_id == demo_event["event_id"], Registration.state == "confirmed",
                   LodgingRequest.state == "confirmed", TransportLeg.vehicle_id.is_not(None),
                   TransportLeg.scheduled_at > utcnow())
            .order_by(Registration.id).limit(GUESTS_PER_LANGUAGE * len(LOCALES))
        ).all()
        assert len(guests) == GUESTS_PER_LANGUAGE * len(LOCALES)
        return {
            **demo_event,
            "guests": [{"id": g.id, "user_id": g.user_id, "ticket": g.ticket_code, "name": g.name_latin}
                       for g in guests],
        }


def _save(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _pair(app, live_server, page, demo, name: str) -> None:
    with app.app_context():
        _, code = devices.create_device(db.session.get(Event, demo["event_id"]), name, "North lobby",
                                        db.session.get(User, demo["organizer_id"]))
    page.goto(live_server("/kiosk/pair"))
    page.locator("input[name=code]").fill(devices.format_pairing_code(code))
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(live_server("/kiosk/"))


def _undo_check_in(app, demo, guest) -> None:
    """So the next size greets the same guest as a first check-in."""
    with app.app_context():
        assert services.undo_check_in(db.session.get(Event, demo["event_id"]), guest["id"],
                                      db.session.get(User, demo["organizer_id"]), "Screenshots")


@pytest.mark.parametrize("language", list(LOCALES))
def test_the_key_screens_at_phone_desktop_and_kiosk_sizes(app, live_server, demo, open_page, language):
    first = GUESTS_PER_LANGUAGE * list(LOCALES).index(language)
    guests = demo["guests"][first:first + GUESTS_PER_LANGUAGE]
    for turn, (size, viewport) in enumerate(SIZES.items()):
        # The event home, as anyone arriving from a link sees it: accessible at every size.
        page = open_page(locale=LOCALES[language], viewport=viewport)
        page.goto(live_server("/e/demo/"))
        expect(page.locator("h2#highlights-title")).to_be_visible()
        expect(page.locator(".brand-logo")).to_be_visible()
        expect(page.locator("img.event-cover")).to_be_visible()
        assert_accessible(page)
        # No sideways scrolling, down to a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _save(page, f"event-home-{language}-{size}")

        # My trip, for a confirmed guest with a hotel stay.
        guest = guests[turn % len(guests)]
        page = open_page(locale=LOCALES[language], viewport=viewport)
        signed_in_page(app, live_server, page, guest["user_id"])
        page.goto(live_server("/e/demo/me"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _save(page, f"my-trip-{language}-{size}")

        # The kiosk: its start screen, then the welcome screen after a scan.
        page = open_page(locale=LOCALES[language], viewport=viewport)
        _pair(app, live_server, page, demo, f"Kiosk {language} {size}")
        expect(page.locator(".kiosk-logo")).to_be_visible()
        expect(page.locator(".lobby-picture")).to_be_visible()
        assert_accessible(page)
        _save(page, f"kiosk-start-{language}-{size}")
        page.keyboard.type(guest["ticket"])
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/kiosk/welcome/"))
        expect(page.locator(".today-sessions")).to_be_visible()
        assert_accessible(page)
        _save(page, f"kiosk-welcome-{language}-{size}")
        _undo_check_in(app, demo, guest)
        assert page.problems == []
    assert {p.name for p in SCREENSHOTS.glob(f"*-{language}-*.png")} >= {
        f"{screen}-{language}-{size}.png" for screen in ("event-home", "my-trip", "kiosk-start", "kiosk-welcome")
        for size in SIZES}
