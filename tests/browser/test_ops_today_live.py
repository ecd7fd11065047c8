"""The day's dashboard updates itself in a real browser: the organizer keeps it open, a guest is checked in
at the desk and an urgent request arrives, and the figures change in the same page, without a reload."""

import pytest
from playwright.sync_api import expect

from portal.checkin import services as checkin
from portal.extensions import db
from portal.models import Event, User
from tests.browser.accessibility import assert_accessible
from tests.factories import file_leg, make_guest, raise_ticket, sign_in_with_password

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    """A poll short enough to wait for."""
    return make_app(TODAY_POLL_SECONDS=2)


def test_the_open_dashboard_follows_a_check_in_and_a_new_request(app, live_server, event, make_staff, open_page):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    ann = make_guest(app, event, "ann@example.org", name="Ann Arrival")
    file_leg(app, event, ann, hour=9)

    page = open_page()
    sign_in_with_password(page, live_server, "boss@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("link", name="Today", exact=True).first.click()
    expect(page.get_by_text("This page updates itself every 2 seconds.")).to_be_visible()
    checkins = page.locator('[data-figure="checkins"]')
    expect(checkins).to_contain_text("0 checked in this day, 1 arrivals expected.")
    expect(page.locator('[data-figure="tickets"]')).to_contain_text("0 open requests.")
    assert_accessible(page)
    page.evaluate("window.sameDocument = true")

    # At the desk, elsewhere: Ann checks in, then a guest asks for a doctor.
    with app.test_request_context(method="POST"):
        checkin.check_in(db.session.get(Event, event.id), ann.registration_id,
                         staff=db.session.get(User, organizer.id))
    expect(checkins).to_contain_text("1 checked in this day, 1 arrivals expected.")
    expect(page.locator('[data-table="checkins"] tfoot')).to_contain_text("1 / 1")
    raise_ticket(app, event, category="medical", priority="urgent", subject="Dizzy",
                 guest={"id": ann.registration_id})
    expect(page.locator('[data-figure="tickets"]')).to_contain_text("1 open request.")
    assert page.evaluate("window.sameDocument") is True
    assert_accessible(page)
    assert page.problems == []
