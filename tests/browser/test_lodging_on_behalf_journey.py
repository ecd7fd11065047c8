"""A lodging coordinator, in a real browser, enters the lodging a minister's office phoned in, then moves it
to another hotel and other dates; the guest's file and the guest's own page show the move, and the audit
log keeps where the details came from."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Hotel, LodgingRequest, RoomBlock, RoomNight
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import make_block, make_guest

pytestmark = pytest.mark.browser

SOURCE = "By phone from the minister's office"


def _riverside(app, event) -> int:
    """A second hotel with its own block, so the request has somewhere to move to."""
    with app.app_context():
        hotel = Hotel(event_id=event.id, name_en="Riverside Hotel", name_zh="江畔酒店", address_en="2 River Road",
                      address_zh="江滨路2号")
        db.session.add(hotel)
        db.session.flush()
        start = event.starts_on - timedelta(days=1)
        block = RoomBlock(event_id=event.id, hotel_id=hotel.id, room_type_en="Twin", room_type_zh="双床房",
                          nightly_rate=Decimal("700.00"), currency="CNY", payer="organizer", arrival_from=start,
                          departure_until=start + timedelta(days=4))
        block.nights = [RoomNight(night=start + timedelta(days=n), total=5, taken=0) for n in range(4)]
        db.session.add(block)
        db.session.commit()
        return block.id


@pytest.mark.parametrize("javascript", [True, False])
def test_a_coordinator_enters_lodging_by_phone_and_moves_it(app, live_server, make_event, make_staff, open_page,
                                                           javascript):
    event = make_event()
    lakeside = make_block(app, event)
    riverside = _riverside(app, event)
    guest = make_guest(app, event, "minister@example.org", name="Salem Al Zoubi")
    coordinator = make_staff("cora@example.org", event, roles=("lodging",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), coordinator.id)
    guest_page = live_server(f"/staff/e/{event.slug}/guests/{guest.registration_id}")
    page.goto(guest_page)
    lodging_card = page.get_by_test_id("guest-lodging")
    expect(lodging_card).to_contain_text("No lodging request.")

    lodging_card.get_by_role("link", name="Enter a lodging request").click()
    page.get_by_label("Hotel and room type").select_option(str(lakeside))
    page.get_by_label("Check-in date").fill(event.starts_on.isoformat())
    page.get_by_label("Check-out date").fill((event.starts_on + timedelta(days=2)).isoformat())
    page.get_by_label("Source of the details").fill(SOURCE)
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    page.get_by_role("button", name="Save the request").click()
    expect(page.locator(".flashes")).to_contain_text("The lodging request of Salem Al Zoubi is saved.")
    expect(page.get_by_test_id("guest-lodging")).to_contain_text("Lakeside Hotel")

    # The office calls again: another hotel, one night less.
    page.get_by_test_id("guest-lodging").get_by_role("link", name="Change or move the request").click()
    expect(page.get_by_label("Hotel and room type")).to_have_value(str(lakeside))
    page.get_by_label("Hotel and room type").select_option(str(riverside))
    page.get_by_label("Check-out date").fill((event.starts_on + timedelta(days=1)).isoformat())
    page.get_by_label("Source of the details").fill(SOURCE)
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    page.get_by_role("button", name="Save the request").click()
    expect(page.locator(".flashes")).to_contain_text("The lodging request of Salem Al Zoubi is saved.")
    card = page.get_by_test_id("guest-lodging")
    expect(card).to_contain_text("Riverside Hotel")
    expect(card).not_to_contain_text("Lakeside Hotel")

    with app.app_context():
        request = db.session.scalar(select(LodgingRequest))
        assert (request.block_id, request.check_out) == (riverside, event.starts_on + timedelta(days=1))
        details = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "lodging.on_behalf")).all()
    assert len(details) == 2 and all(detail.startswith(SOURCE) for detail in details)

    # The guest's own page shows the new hotel.
    guest_view = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), guest.user_id)
    guest_view.goto(live_server(f"/e/{event.slug}/me"))
    expect(guest_view.locator("main")).to_contain_text("Riverside Hotel")
    expect(guest_view.locator("main")).not_to_contain_text("Lakeside Hotel")
