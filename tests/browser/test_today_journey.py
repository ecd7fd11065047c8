"""The organizer watches the day's dashboard in a real browser, with and without JavaScript: registrations
by state, check-ins by hour, open help requests, pending lodging and transport, mail failed or waiting;
a guest checks in at the desk and, after a reload, the figures say so."""

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import OutboundMail
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import file_leg, file_stay, make_guest, make_small_block, raise_ticket

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_the_organizer_sees_the_day_change_after_a_check_in(app, live_server, event, make_staff, open_page,
                                                           javascript):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    ann = make_guest(app, event, "ann@example.org", name="Ann Arrival")
    make_guest(app, event, "pat@example.org", name="Pat Pending", state="pending")
    block_id = make_small_block(app, event)
    file_stay(app, event, ann.registration_id, block_id)
    file_leg(app, event, ann, hour=9)
    raise_ticket(app, event, category="lodging", guest={"id": ann.registration_id}, subject="Cold room")
    with app.app_context():
        db.session.add(OutboundMail(event_id=event.id, kind="x", recipient="x@example.org", subject="x",
                                    body_text="x", message_id="<failed@example.org>", state="failed"))
        db.session.commit()

    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), organizer.id)
    page.goto(live_server(f"/staff/e/{event.slug}/today"))
    # Totals per state: awaiting approval, confirmed, waiting list, cancelled, declined, all.
    expect(page.locator('[data-table="registrations"] thead')).to_contain_text("Awaiting approval")
    expect(page.locator('[data-table="registrations"] tfoot td')).to_have_text(["1", "1", "0", "0", "0", "2"])
    expect(page.locator('[data-figure="checkins"]')).to_contain_text(
        "0 checked in this day, 1 arrivals expected. 0 of 1 confirmed guests have checked in so far.")
    expect(page.locator('[data-figure="tickets"]')).to_contain_text("1 open request.")
    expect(page.locator('[data-figure="lodging"]')).to_have_text("1")
    expect(page.locator('[data-figure="transport"]')).to_have_text("1")
    expect(page.locator('[data-figure="mails-failed"]')).to_have_text("1")
    expect(page.locator('[data-figure="mails-pending"]')).to_be_visible()

    # The guest arrives; the desk checks them in through the console.
    page.goto(live_server(f"/staff/e/{event.slug}/check-in"))
    page.get_by_label("Name, e-mail or confirmation code").fill("Ann Arrival")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Check in Ann Arrival").click()
    expect(page.locator(".flashes")).to_contain_text("Ann Arrival is checked in.")

    page.goto(live_server(f"/staff/e/{event.slug}/today"))
    page.reload()
    expect(page.locator('[data-figure="checkins"]')).to_contain_text(
        "1 checked in this day, 1 arrivals expected. 1 of 1 confirmed guests have checked in so far.")
    expect(page.locator('[data-table="checkins"] tfoot')).to_contain_text("1 / 1")
