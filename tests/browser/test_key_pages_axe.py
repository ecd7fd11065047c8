"""The key pages of the demo event, in each language, pass axe-core's WCAG 2.2 A/AA rules with no violation:
the event home, registration, the programme, My trip, and the kiosk's start and welcome screens (the pages
Lighthouse is run on, see docs/performance.md)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import devices
from portal.extensions import db
from portal.models import Event, Registration, User
from tests.browser.accessibility import assert_accessible
from tests.factories import signed_in_page

pytestmark = pytest.mark.browser

LANGUAGES = [pytest.param("en-GB", "en", id="english"), pytest.param("zh-CN", "zh-Hans", id="chinese")]


@pytest.mark.parametrize(("locale", "html_lang"), LANGUAGES)
def test_the_key_pages_have_no_axe_violation_in_either_language(app, live_server, demo_event, open_page, locale,
                                                                html_lang):
    with app.app_context():
        # My trip speaks the guest's own language: a guest who chose this one.
        guest = db.session.scalar(select(Registration).where(
            Registration.event_id == demo_event["event_id"], Registration.state == "confirmed",
            Registration.language == ("en" if html_lang == "en" else "zh_Hans")).order_by(Registration.id))
        guest_user, ticket = guest.user_id, guest.ticket_code
        _, code = devices.create_device(db.session.get(Event, demo_event["event_id"]), "Lobby", "North lobby",
                                        db.session.get(User, demo_event["organizer_id"]))

    visitor = open_page(locale=locale)
    for path in ("/e/demo/", "/e/demo/register", "/e/demo/agenda"):
        visitor.goto(live_server(path))
        expect(visitor.locator("html")).to_have_attribute("lang", html_lang)
        expect(visitor.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(visitor)

    trip = signed_in_page(app, live_server, open_page(locale=locale), guest_user)
    trip.goto(live_server("/e/demo/me"))
    expect(trip.locator("html")).to_have_attribute("lang", html_lang)
    expect(trip.locator(".ticket-card .qr svg")).to_be_visible()
    assert_accessible(trip)

    kiosk = open_page(locale=locale, viewport={"width": 1080, "height": 1920})
    kiosk.goto(live_server("/kiosk/pair"))
    kiosk.locator("input[name=code]").fill(devices.format_pairing_code(code))
    kiosk.locator("form button[type=submit]").click()
    expect(kiosk).to_have_url(live_server("/kiosk/"))
    expect(kiosk.locator("main [autofocus]")).to_be_focused()
    assert_accessible(kiosk)
    kiosk.keyboard.type(ticket)
    kiosk.keyboard.press("Enter")
    expect(kiosk).to_have_url(re.compile(r"/kiosk/welcome/"))
    assert_accessible(kiosk)
    for page in (visitor, trip, kiosk):
        assert page.problems == []
