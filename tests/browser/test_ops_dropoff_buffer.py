"""A drop-off cannot make a guest miss their flight, in a real browser without JavaScript (a locked-down desk
PC): the transport coordinator sets the event's drop-off buffer (a wrong value first, refused beside the
field), a car that would reach the airport too late is refused with the time it must keep to and nobody is
mailed, an earlier one is accepted; the board and the manifest give the guest's phone, flight and where
they are picked up and dropped, and the guest's mail is in the SMTP server."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Event, Registration
from tests.factories import file_leg, make_guest, make_vehicle, signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser

PHONE = "+86 139 2222 3333"


def test_a_late_drop_off_is_refused_under_the_buffer_the_coordinator_set(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    vehicle_id = make_vehicle(app, event, label="Car 2", capacity=3)
    guest = make_guest(app, event, "leaving@example.org", name="Lea Leaving")
    with app.app_context():
        db.session.get(Registration, guest.registration_id).phone = PHONE
        db.session.commit()
    file_leg(app, event, guest, direction="departure", day_offset=2, hour=18, station="Hangzhou Xiaoshan")
    coordinator = make_staff("coord@example.org", event, roles=("transport",))
    day = event.ends_on.isoformat()

    page = signed_in_page(app, live_server, open_page(java_script_enabled=False), coordinator.id)
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("navigation", name="Event console").get_by_role("link", name="Transport", exact=True).click()
    page.get_by_role("link", name="Airports, stations and buffers").first.click()
    dropoff = page.get_by_label("Minutes before departure a drop-off must reach the airport or station")
    expect(dropoff).to_have_value("120")
    dropoff.fill("900")
    page.get_by_role("button", name="Save the buffers").click()
    expect(page.locator("#dropoff_buffer_minutes-error")).to_have_text("Enter from 0 to 720 minutes.")
    expect(dropoff).to_have_value("900")
    dropoff.fill("180")
    page.get_by_role("button", name="Save the buffers").click()
    expect(page.get_by_label("Minutes before departure a drop-off must reach the airport or station")) \
        .to_have_value("180")

    # Car 2 reaches the airport at 16:00 for an 18:00 flight: two hours, one short of the buffer.
    page.goto(live_server(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}"))
    page.get_by_label("Reaches the airport or station at (drop-offs)").fill(f"{day}T16:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("The vehicle is saved.")
    page.get_by_role("link", name="Departures").first.click()
    expect(page).to_have_url(re.compile(r"direction=departure"))
    expect(page.locator("tr", has_text="Lea Leaving")).to_contain_text(PHONE)  # the board: who to call
    page.get_by_label("Lea Leaving").check()
    page.get_by_label("Vehicle").select_option(str(vehicle_id))
    page.get_by_role("button", name="Seat the ticked guests in this vehicle").click()
    error = page.locator("#vehicle-error")
    expect(error).to_contain_text("Lea Leaving leaves at")
    expect(error).to_contain_text("their car must reach the airport or station by")
    expect(error).to_contain_text("15:00")

    page.goto(live_server(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}"))
    page.get_by_label("Leaves at (event's local time)").fill(f"{day}T13:45")
    page.get_by_label("Reaches the airport or station at (drop-offs)").fill(f"{day}T14:45")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("The vehicle is saved.")
    page.get_by_role("link", name="Departures").first.click()
    page.get_by_label("Lea Leaving").check()
    page.get_by_label("Vehicle").select_option(str(vehicle_id))
    page.get_by_role("button", name="Seat the ticked guests in this vehicle").click()
    expect(page.locator(".flash")).to_contain_text("1 guest is seated")
    page.get_by_role("link", name="Car 2").first.click()
    row = page.locator("tbody tr", has_text="Lea Leaving")
    expect(row).to_contain_text("CA 1501")
    expect(row).to_contain_text(PHONE)
    expect(row).to_contain_text("Hangzhou Xiaoshan")          # dropped at the airport
    expect(row).to_contain_text("West Lake Conference Centre")  # picked up at the venue: no hotel

    mail = wait_for_mail(mailbox, "leaving@example.org", lambda m: "pickup is arranged" in m["Subject"])
    body = mail.get_body(("plain",)).get_content()
    assert "Car 2" in body and "13:45" in body
    assert len(mailbox.to("leaving@example.org")) == 1  # the refused car was never mailed
    with app.app_context():
        assert db.session.get(Event, event.id).dropoff_buffer_minutes == 180
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "transport.buffers")) \
            == "45 180"
