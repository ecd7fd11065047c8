"""The desk's badge prints at 4 × 3 in when reached by boosted clicks (guest list, guest, badge), as it does
from the kiosk, and the print is logged through the server before the browser prints."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import services as checkin
from portal.extensions import db
from portal.models import BadgePrint, Event, User
from tests.factories import make_guest, signed_in_page

pytestmark = pytest.mark.browser

MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def test_the_desk_badge_reached_in_place_prints_on_one_4_by_3_inch_card(app, live_server, make_event, make_staff,
                                                                         open_page):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    guest = make_guest(app, event, "ann@example.org", name="Ann Lee")
    with app.test_request_context(method="POST"):
        checkin.check_in(db.session.get(Event, event.id), guest.registration_id, staff=db.session.get(User, desk.id))

    page = signed_in_page(app, live_server, open_page(), desk.id)
    page.goto(live_server(f"/staff/e/{event.slug}/guests"))
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Ann Lee").click()
    page.get_by_test_id("guest-arrival").get_by_role("link", name="Badge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badge of Ann Lee")
    page.get_by_role("button", name="Log the print").click()
    expect(page.get_by_test_id("print-count")).to_have_text("Printed 1 time.")
    assert page.evaluate("window.sameDocument") is True  # every step was an in-place swap

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = [(float(w) / 72, float(h) / 72) for w, h in MEDIA_BOX.findall(pdf)]
    assert sizes == [(4.0, 3.0)], "one card on one 4 × 3 in page"
    with app.app_context():
        assert db.session.scalars(select(BadgePrint.reprint)).all() == [False]
    assert page.problems == []
