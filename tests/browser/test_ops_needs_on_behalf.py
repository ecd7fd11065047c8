"""The organizer enters a guest's needs as their office phoned them in, in a real browser with and without
JavaScript: consent recorded as given through staff, the source kept in the audit log, the guest's file
showing every part to the organizer, and the guest's own My trip saying their meals are arranged."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from tests.browser.accessibility import assert_accessible
from tests.factories import make_guest, signed_in_page

pytestmark = pytest.mark.browser

SOURCE = "By phone from the minister's office"
MEDICAL_NOTE = "Carries two adrenaline pens"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_organizer_enters_needs_phoned_in_by_the_office(app, live_server, make_event, make_staff, open_page,
                                                            javascript):
    event = make_event()
    guest = make_guest(app, event, "minister@example.org", name="Salem Al Zoubi")
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), organizer.id)
    page.goto(live_server(f"/staff/e/{event.slug}/guests"))
    page.get_by_role("link", name="Salem Al Zoubi").click()
    needs = page.locator("section", has=page.get_by_role("heading", name="Needs", exact=True))
    expect(needs).to_contain_text("has not consented")
    needs.get_by_role("link", name="Enter or change the needs for the guest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs of Salem Al Zoubi")

    page.get_by_label("Halal", exact=True).check()
    page.get_by_label("Peanuts", exact=True).check()
    page.get_by_label("How severe is the allergy to Peanuts?").select_option("anaphylactic")
    page.get_by_label("Medical notes for the event's medical staff").fill(MEDICAL_NOTE)
    page.get_by_label("Emergency contact: name").fill("Lina Al Zoubi")
    page.get_by_label("Emergency contact: phone, with country code").fill("+971 50 111 2222")
    page.get_by_label("Source of the details").fill(SOURCE)
    # Without the consent box the needs are refused, and what was typed stays.
    page.get_by_role("button", name="Save the needs").click()
    expect(page.locator("[id$='consent-error']")).to_contain_text("only with their consent")
    expect(page.get_by_label("Medical notes for the event's medical staff")).to_have_value(MEDICAL_NOTE)
    expect(page.get_by_label("Halal", exact=True)).to_be_checked()
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    page.get_by_role("button", name="Save the needs").click()

    needs = page.locator("section", has=page.get_by_role("heading", name="Needs", exact=True))
    expect(needs).to_contain_text("Halal")
    expect(needs).to_contain_text("Peanuts (Anaphylactic)")
    expect(needs).to_contain_text(MEDICAL_NOTE)
    with app.app_context():
        details = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "needs.on_behalf")).all()
    assert len(details) == 1 and details[0].startswith(SOURCE)

    trip = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), guest.user_id)
    trip.goto(live_server(f"/e/{event.slug}/me"))
    expect(trip.get_by_test_id("meal-status")).to_have_text("Your halal meals are arranged.")
    expect(trip.locator("#needs-card")).to_contain_text("Peanuts (Anaphylactic)")
    assert page.problems == [] and trip.problems == []
