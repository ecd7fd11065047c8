"""The operations desk's transport and catering in a real browser: the coordinator lists the
airport, a guest without JavaScript chooses it, a car that would leave before the guest is through
arrivals is refused beside the field (and nobody is mailed), a later one is accepted and its
manifest says where to drop the guest; the organizer adds a reception the catering board counts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import signed_in_page, wait_for_mail
from tests.factories import make_guest
from tests.factories import make_vehicle

pytestmark = pytest.mark.browser


def test_a_car_cannot_strand_a_guest_who_chose_the_listed_airport(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    vehicle_id = make_vehicle(app, event, label="Van 7", capacity=4)
    guest = make_guest(app, event, "flyer@example.org", name="Flyer Guest")
    coordinator = make_staff("coord@example.org", event, roles=("transport", "catering"))
    organizer = make_staff("boss@example.org", event, roles=("organizer",))

    staff = signed_in_page(app, live_server, open_page(), coordinator.id)
    staff.goto(live_server(f"/staff/e/{event.slug}/transport"))
    staff.get_by_role("link", name="Airports, stations and buffers").first.click()
    staff.get_by_label("Name in English (e.g. Shanghai Pudong International Airport)").fill(
        "Shanghai Pudong International Airport")
    staff.get_by_label("Name in Chinese (e.g. 上海浦东国际机场)").fill("上海浦东国际机场")
    staff.get_by_label("Code (e.g. PVG)").fill("pvg")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".flash")).to_contain_text("The airport or station is saved.")
    expect(staff.get_by_role("cell", name="PVG", exact=True)).to_be_visible()
    assert_accessible(staff)

    # The guest, without JavaScript: the list, and "Other" only for what it lacks.
    page = signed_in_page(app, live_server, open_page(java_script_enabled=False), guest.user_id)
    page.goto(live_server(f"/e/{event.slug}/me/transport"))
    arrival = page.locator("form", has=page.get_by_role("button", name="Save my arrival"))
    arrival.get_by_label("Airline or railway").fill("MU")
    arrival.get_by_label("Flight or train number").fill("5101")
    arrival.get_by_label("Date and time (event's local time)").fill(f"{event.starts_on.isoformat()}T16:30")
    arrival.get_by_label("Airport or station", exact=True).select_option(label="Shanghai Pudong International Airport (PVG)")
    arrival.get_by_role("button", name="Save my arrival").click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    expect(page.locator("#transport-card")).to_contain_text("Shanghai Pudong International Airport")
    expect(page.locator("#transport-card")).not_to_contain_text("上海浦东国际机场")

    # A car leaving at 15:15 for a guest landing at 16:30 is refused beside the vehicle field.
    staff.goto(live_server(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}"))
    staff.get_by_label("Leaves at (event's local time)").fill(f"{event.starts_on.isoformat()}T15:15")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".flash")).to_contain_text("The vehicle is saved.")
    staff.goto(live_server(f"/staff/e/{event.slug}/transport?direction=arrival"))
    expect(staff.get_by_role("heading", level=3)).to_contain_text("Shanghai Pudong International Airport")
    staff.get_by_label("Flyer Guest").check()
    staff.get_by_label("Vehicle").select_option(str(vehicle_id))
    staff.get_by_role("button", name="Seat the ticked guests in this vehicle").click()
    error = staff.locator("#vehicle-error")
    expect(error).to_contain_text("Flyer Guest lands at")
    expect(error).to_contain_text("17:15 at the earliest")
    expect(staff.get_by_label("Vehicle")).to_have_attribute("aria-describedby", "vehicle-error")
    assert_accessible(staff)

    staff.goto(live_server(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}"))
    staff.get_by_label("Leaves at (event's local time)").fill(f"{event.starts_on.isoformat()}T17:15")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".flash")).to_contain_text("The vehicle is saved.")
    staff.goto(live_server(f"/staff/e/{event.slug}/transport?direction=arrival"))
    staff.get_by_label("Flyer Guest").check()
    staff.get_by_label("Vehicle").select_option(str(vehicle_id))
    staff.get_by_role("button", name="Seat the ticked guests in this vehicle").click()
    expect(staff.locator(".flash")).to_contain_text("1 guest is seated")
    staff.get_by_role("link", name="Van 7").first.click()
    row = staff.locator("tbody tr", has_text="Flyer Guest")
    expect(row).to_contain_text("MU 5101")
    expect(row).to_contain_text("Shanghai Pudong International Airport")
    expect(row).to_contain_text("West Lake Conference Centre")   # no hotel: the venue
    assert_accessible(staff)
    car = wait_for_mail(mailbox, "flyer@example.org", lambda m: "pickup is arranged" in m["Subject"])
    assert "17:15" in car.get_body(("plain",)).get_content()
    assert len(mailbox.to("flyer@example.org")) == 1   # the refused car was never mailed
    assert staff.problems == []

    # The organizer adds a reception; it is counted with the guests here by then.
    boss = signed_in_page(app, live_server, open_page(), organizer.id)
    boss.goto(live_server(f"/staff/e/{event.slug}/catering"))
    boss.get_by_role("link", name="Meals and receptions").click()
    boss.get_by_label("Served at (event's local time)").fill("18:00")
    boss.get_by_label("Name in English").fill("Welcome reception")
    boss.get_by_label("Name in Chinese").fill("欢迎酒会")
    boss.get_by_role("button", name="Add").click()
    expect(boss.locator(".flash")).to_contain_text("The reception is added")
    assert_accessible(boss)
    boss.get_by_role("link", name="Catering").first.click()
    reception = boss.locator("section.meal", has=boss.get_by_role("heading", name=re.compile("Welcome reception")))
    expect(reception.get_by_role("heading")).to_contain_text("(1 guest)")
    expect(boss.locator("#meal-lunch h3")).to_contain_text("(0 guests)")
    assert_accessible(boss)
    assert boss.problems == []


@pytest.mark.parametrize("path", ["lodging", "lodging/rooming", "lodging/inventory", "transport"])
def test_a_coordinators_download_link_downloads_with_javascript_on(
        app, live_server, make_event, make_staff, open_page, path):
    event = make_event()
    coordinator = make_staff("coord@example.org", event, roles=("lodging", "transport"))
    staff = signed_in_page(app, live_server, open_page(), coordinator.id)
    staff.goto(live_server(f"/staff/e/{event.slug}/{path}"))
    heading = staff.get_by_role("heading", level=1).inner_text()
    # htmx boosts every link; a boosted file would replace the page with its text.
    with staff.expect_download() as download:
        staff.locator(".export-links").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    expect(staff.get_by_role("heading", level=1)).to_have_text(heading)
    assert staff.problems == []
