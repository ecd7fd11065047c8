"""Lodging, transport and dietary needs in a real browser: the guest files all three on My trip
(htmx, in place; needs after their own separate consent), a coordinator confirms the room,
seats the guest in a car and finds them counted on the catering board (never their medical
notes), the guest sees it all on My trip, and the room and pickup mails arrived."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import make_block, make_guest, make_vehicle, signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser

# Stored for the medical staff only: a coordinator without the medical permission never reads them.
MEDICAL_NOTE = "Carries two adrenaline pens in the left jacket pocket"
EMERGENCY_NAME = "Lin Wenhua"
EMERGENCY_PHONE = "+86 138 0000 0000"


def test_guest_files_lodging_transport_and_needs_and_the_coordinator_fulfils_them(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    block_id = make_block(app, event, rooms=5)
    vehicle_id = make_vehicle(app, event, label="Van 7", capacity=4)
    guest = make_guest(app, event, "journey@example.org", name="Journey Guest")
    coordinator = make_staff("coord@example.org", event, roles=("lodging", "transport", "catering"))

    # Sign-in itself is proved in tests/test_auth.py and the invitation journey; here each
    # browser profile gets the session cookie a signed-in account holds.
    page = signed_in_page(app, live_server, open_page(), guest.user_id)

    page.goto(live_server(f"/e/{event.slug}/me"))
    card = page.locator("#lodging-card")
    expect(card).to_contain_text("No room requested yet.")
    card.get_by_role("link", name="Request a room").click()
    # htmx swapped the editor into the card: same page, no navigation.
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    editor = page.locator("#lodging-card")
    editor.get_by_label("Hotel and room type").select_option(str(block_id))
    editor.get_by_label("Check-in date").fill(event.starts_on.isoformat())
    editor.get_by_label("Check-out date").fill((event.starts_on + timedelta(days=1)).isoformat())
    # A mistake first: check-out before check-in is named beside the field.
    editor.get_by_label("Check-out date").fill((event.starts_on - timedelta(days=1)).isoformat())
    editor.get_by_role("button", name="Send my request").click()
    expect(page.locator("#lodging-card")).to_contain_text("The check-out date must be after the check-in date.")
    page.locator("#lodging-card").get_by_label("Check-out date").fill((event.starts_on + timedelta(days=2)).isoformat())
    page.locator("#lodging-card").get_by_label("Notes for the hotel").fill("Late arrival")
    page.locator("#lodging-card").get_by_role("button", name="Send my request").click()
    expect(page.locator("#lodging-card [data-testid=lodging-state]")).to_have_text("Requested")

    page.locator("#transport-card").get_by_role("link", name="Give or change my travel details").click()
    arrival = page.locator("#transport-card form").first
    arrival.get_by_label("Travelling by").select_option("flight")
    arrival.get_by_label("Airline or railway").fill("CA")
    arrival.get_by_label("Flight or train number").fill("1701")
    arrival.get_by_label("Date and time (event's local time)").fill(f"{event.starts_on.isoformat()}T09:40")
    arrival.get_by_label("Airport or station").fill("Hangzhou Xiaoshan")
    arrival.get_by_label("Passengers").fill("1")
    arrival.get_by_role("button", name="Save my arrival").click()
    expect(page.locator("#transport-card [data-testid=arrival-state]")).to_have_text("Requested")
    assert_accessible(page)

    # Needs: the separate consent first, then the form, each swapped into the card in place.
    needs = page.locator("#needs-card")
    needs.get_by_role("link", name="State my needs").click()
    expect(needs.get_by_role("heading", name="Before you tell us about your needs")).to_be_visible()
    needs.get_by_label("I consent to the storage and use of my dietary").check()
    needs.get_by_role("button", name="Give my consent").click()
    expect(needs.get_by_role("heading", name="My diet, accessibility and medical needs")).to_be_visible()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    needs.get_by_label("Halal", exact=True).check()
    needs.get_by_label("Peanuts", exact=True).check()
    needs.get_by_label("Medical notes for the event's medical staff").fill(MEDICAL_NOTE)
    needs.get_by_label("Emergency contact: name").fill(EMERGENCY_NAME)
    needs.get_by_label("Emergency contact: phone, with country code").fill(EMERGENCY_PHONE)
    # A mistake first: an allergy without its severity is refused, and what was typed is kept.
    needs.get_by_role("button", name="Save my needs").click()
    expect(needs.locator(".allergens .error")).to_have_text("Say how severe each allergy is: Peanuts.")
    expect(needs.get_by_label("Halal", exact=True)).to_be_checked()
    expect(needs.get_by_label("Medical notes for the event's medical staff")).to_have_value(MEDICAL_NOTE)
    assert_accessible(page)
    needs.get_by_label("How severe is the allergy to Peanuts?").select_option("anaphylactic")
    needs.get_by_role("button", name="Save my needs").click()
    expect(needs.get_by_test_id("meal-status")).to_have_text("Your halal meals are arranged.")
    expect(needs).to_contain_text("Peanuts (Anaphylactic)")
    expect(needs).to_contain_text("Medical notes and emergency contact on file")
    expect(needs).not_to_contain_text(MEDICAL_NOTE)
    # The needs form as its own page (the link without JavaScript) holds what was stored, and passes axe.
    page.goto(live_server(f"/e/{event.slug}/me/needs/edit"))
    expect(page.get_by_label("Halal", exact=True)).to_be_checked()
    expect(page.get_by_label("Peanuts", exact=True)).to_be_checked()
    expect(page.get_by_label("How severe is the allergy to Peanuts?")).to_have_value("anaphylactic")
    expect(page.get_by_label("Medical notes for the event's medical staff")).to_have_value(MEDICAL_NOTE)
    assert_accessible(page)
    page.get_by_role("link", name="Back to my trip").click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    assert page.problems == []

    # The coordinator, in another browser profile.
    staff = signed_in_page(app, live_server, open_page(), coordinator.id)
    staff.goto(live_server(f"/staff/e/{event.slug}/lodging"))
    row = staff.locator("tr", has_text="Journey Guest")
    row.get_by_label("Hotel confirmation number").fill("LH-2048")
    row.get_by_label("Room number").fill("1808")
    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(staff.locator(".flash")).to_contain_text("the guest is told")
    staff.goto(live_server(f"/staff/e/{event.slug}/transport?direction=arrival"))
    staff.get_by_label("Journey Guest").check()
    staff.get_by_label("Vehicle").select_option(str(vehicle_id))
    staff.get_by_role("button", name="Seat the ticked guests in this vehicle").click()
    expect(staff.locator(".flash")).to_contain_text("1 guest is seated")
    assert_accessible(staff)

    # The catering board counts the guest under halal and under the allergen at lunch on the day
    # they land (09:40), never the medical part.
    staff.goto(live_server(f"/staff/e/{event.slug}/catering"))
    lunch = staff.locator("#meal-lunch")
    halal = lunch.locator("tr", has=staff.get_by_role("rowheader", name="Halal", exact=True))
    expect(halal.locator(".count")).to_have_text("1")
    expect(halal).to_contain_text("Journey Guest")
    # Breakfast was served before they landed.
    expect(staff.locator("#meal-breakfast tr", has=staff.get_by_role("rowheader", name="Halal", exact=True))
           .locator(".count")).to_have_text("0")
    peanuts = lunch.locator("tr", has=staff.get_by_role("rowheader", name="Peanuts", exact=True))
    expect(peanuts).to_have_count(1)
    expect(peanuts).to_contain_text("Anaphylactic")
    expect(peanuts.locator(".count")).to_have_text("1")
    expect(peanuts).to_contain_text("Journey Guest")
    for secret in (MEDICAL_NOTE, EMERGENCY_NAME, EMERGENCY_PHONE):
        expect(staff.locator("body")).not_to_contain_text(secret)
    assert_accessible(staff)
    # The guest's staff page shows the coordinator the diet and allergy, not the medical notes
    # (a coordinator holds no medical permission).
    staff.goto(live_server(f"/staff/e/{event.slug}/guests/{guest.registration_id}"))
    staff_needs = staff.locator("section", has=staff.get_by_role("heading", name="Needs", exact=True))
    expect(staff_needs).to_contain_text("Halal")
    expect(staff_needs).to_contain_text("Peanuts (Anaphylactic)")
    for secret in (MEDICAL_NOTE, EMERGENCY_NAME, EMERGENCY_PHONE):
        expect(staff.locator("body")).not_to_contain_text(secret)
    assert staff.problems == []

    # The guest sees both, and both mails arrived.
    page.reload()
    expect(page.locator("#lodging-card [data-testid=lodging-state]")).to_have_text("Confirmed")
    expect(page.locator("#lodging-card [data-testid=lodging-confirmation]")).to_have_text("LH-2048")
    expect(page.locator("#transport-card [data-testid=arrival-vehicle]")).to_contain_text("Van 7")
    expect(page.locator("#needs-card [data-testid=meal-status]")).to_have_text("Your halal meals are arranged.")
    expect(page.locator("#needs-card")).to_contain_text("Peanuts (Anaphylactic)")
    room = wait_for_mail(mailbox, "journey@example.org", lambda m: "room is confirmed" in m["Subject"])
    assert "LH-2048" in room.get_body(("plain",)).get_content()
    car = wait_for_mail(mailbox, "journey@example.org", lambda m: "pickup is arranged" in m["Subject"])
    assert "Van 7" in car.get_body(("plain",)).get_content()


def test_lodging_works_without_javascript(app, live_server, make_event, open_page):
    event = make_event()
    block_id = make_block(app, event)
    guest = make_guest(app, event, "nojs@example.org")
    page = signed_in_page(app, live_server, open_page(java_script_enabled=False), guest.user_id)
    page.goto(live_server(f"/e/{event.slug}/me"))
    page.get_by_role("link", name="Request a room").click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me/lodging"))
    page.get_by_label("Hotel and room type").select_option(str(block_id))
    page.get_by_label("Check-in date").fill(event.starts_on.isoformat())
    page.get_by_label("Check-out date").fill((event.starts_on + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    expect(page.locator("#lodging-card [data-testid=lodging-state]")).to_have_text("Requested")
