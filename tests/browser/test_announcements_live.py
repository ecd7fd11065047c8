"""An emergency reaches pages that are already open, in a real browser, without a reload.

A guest's portal page and a paired kiosk are open before the organizer posts;
within 15 seconds the emergency tops the portal page and takes over the kiosk.
Ending it removes it from both, and the kiosk is back at its start screen.
"""

import pytest
from playwright.sync_api import expect

from portal.agenda import announcements
from portal.database import utcnow
from portal.extensions import db
from portal.models import Event, User
from tests.browser.accessibility import assert_accessible
from tests.factories import pair_kiosk

pytestmark = pytest.mark.browser

# The brief's promise: on every open page within 15 seconds of posting.
WITHIN_MS = 15_000
EMERGENCY_EN = "Fire alarm: leave by the east exit."
EMERGENCY_ZH = "火警：请从东门撤离。"


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def organizer(make_staff, event):
    return make_staff("boss@example.org", event, roles=("organizer",))


def post_emergency(app, event, organizer) -> int:
    with app.app_context():
        return announcements.post(
            db.session.get(Event, event.id), db.session.get(User, organizer.id), level="emergency",
            text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH, starts_at=utcnow(), ends_at=None).id


def end(app, event, organizer, announcement_id: int) -> None:
    with app.app_context():
        announcements.end(db.session.get(Event, event.id), db.session.get(User, organizer.id), announcement_id)


def test_an_emergency_reaches_open_portal_and_kiosk_pages_and_leaves_when_ended(
        app, live_server, event, organizer, open_page):
    portal = open_page()
    portal.goto(live_server(f"/e/{event.slug}/agenda"))
    expect(portal.get_by_role("heading", level=1)).to_have_text("Agenda")
    kiosk = open_page()
    pair_kiosk(kiosk, app, live_server, event.id, organizer)
    portal_url, kiosk_url = portal.url, kiosk.url
    assert portal.locator("text=" + EMERGENCY_EN).count() == 0

    emergency = post_emergency(app, event, organizer)

    # The portal page: the emergency on top, above the site header, the page itself still there.
    notice = portal.locator(".announcement-emergency")
    expect(notice).to_contain_text(EMERGENCY_EN, timeout=WITHIN_MS)
    assert portal.evaluate(
        "n => n.compareDocumentPosition(document.querySelector('.site-header')) & Node.DOCUMENT_POSITION_FOLLOWING",
        notice.element_handle())
    expect(portal.get_by_role("heading", level=1)).to_have_text("Agenda")
    assert portal.url == portal_url

    # The kiosk: the whole screen, in both languages, with nothing to scan or type.
    expect(kiosk.get_by_role("alert")).to_contain_text(EMERGENCY_EN, timeout=WITHIN_MS)
    expect(kiosk.get_by_role("alert")).to_contain_text(EMERGENCY_ZH)
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Emergency")
    expect(kiosk.get_by_label("Scan your ticket QR code")).to_have_count(0)
    expect(kiosk.locator("body")).to_have_class("kiosk kiosk-emergency")
    assert_accessible(kiosk)

    end(app, event, organizer, emergency)

    expect(portal.locator(".announcement-emergency")).to_have_count(0, timeout=WITHIN_MS)
    expect(portal.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Welcome. Please check in here.", timeout=WITHIN_MS)
    expect(kiosk.get_by_label("Scan your ticket QR code")).to_be_visible()
    expect(kiosk.get_by_role("alert")).to_have_count(0)
    assert kiosk.url == kiosk_url
    assert portal.problems == [] and kiosk.problems == []
