"""The rest of the operations desk in a real browser, without JavaScript as at a locked-down desk PC:
a transport coordinator enters an arrival phoned in by a VIP office, choosing the airport from the list
they keep; the organizer moves lunch and the catering board follows."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Station, TransportLeg
from tests.browser.accessibility import assert_accessible
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import file_leg, make_guest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_coordinator_enters_an_arrival_from_the_station_list(app, live_server, make_event, make_staff, open_page,
                                                               javascript):
    event = make_event()
    guest = make_guest(app, event, "minister@example.org", name="Salem Al Zoubi")
    with app.app_context():
        db.session.add_all([Station(event_id=event.id, name_en="Shanghai Pudong International Airport", code="PVG"),
                            Station(event_id=event.id, name_en="Shanghai Hongqiao Railway Station", kind="station")])
        db.session.commit()
    coordinator = make_staff("coord@example.org", event, roles=("transport",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), coordinator.id)
    page.goto(live_server(f"/staff/e/{event.slug}/guests/{guest.registration_id}"))
    page.get_by_role("link", name="Enter or change the arrival").click()
    page.get_by_label("Airline or railway").fill("EK")
    page.get_by_label("Flight or train number").fill("302")
    page.get_by_label("Date and time (event's local time)").fill(f"{event.starts_on.isoformat()}T09:30")
    page.get_by_label("Airport or station", exact=True).select_option(label="Shanghai Pudong International Airport (PVG)")
    page.get_by_label("Source of the details").fill("By phone from the minister's office")
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)
    page.get_by_role("button", name="Save the travel details").click()
    expect(page.locator(".flashes")).to_contain_text("The travel details of Salem Al Zoubi are saved.")
    expect(page.get_by_test_id("guest-transport")).to_contain_text("Shanghai Pudong International Airport")
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg))
        assert leg.station_id is not None and leg.number == "302"


def test_the_organizer_moves_lunch_and_the_board_counts_for_the_new_time(app, live_server, make_event, make_staff,
                                                                        open_page):
    event = make_event()
    early = make_guest(app, event, "early@example.org", name="Early Guest")
    late = make_guest(app, event, "late@example.org", name="Late Lander")
    file_leg(app, event, early, hour=8)
    file_leg(app, event, late, hour=12, minute=45)
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=False), organizer.id)
    board = f"/staff/e/{event.slug}/catering?day={event.starts_on.isoformat()}"
    page.goto(live_server(board))
    lunch = page.locator('[data-meal="lunch"]')
    expect(lunch).to_contain_text("(1 guest)")

    page.goto(live_server(f"/staff/e/{event.slug}/catering/meals"))
    page.get_by_label("Lunch").fill("11:00")
    page.get_by_label("Dinner").fill("10:00")
    page.get_by_role("button", name="Save the meal times").click()
    expect(page.locator("#times-dinner-error")).to_contain_text("must come in that order")
    expect(page.get_by_label("Lunch")).to_have_value("11:00")
    page.get_by_label("Lunch").fill("13:30")
    page.get_by_label("Dinner").fill("19:00")
    page.get_by_role("button", name="Save the meal times").click()
    expect(page.locator(".flashes")).to_contain_text("The meal times are saved.")
    expect(page.get_by_label("Lunch")).to_have_value("13:30")

    page.goto(live_server(board))
    lunch = page.locator('[data-meal="lunch"]')
    expect(lunch).to_contain_text("13:30")
    expect(lunch).to_contain_text("(2 guests)")
