"""The whole guest on one staff page, in a real browser, as each role reaches it from the guest list: the
organizer reads the registration, lodging, transport, sessions, needs, help requests, check-in and badge
prints; each coordinator and the help desk read only their own parts."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.checkin import services as checkin
from portal.extensions import db
from portal.models import AgendaEntry, Event, User
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    MEDICAL_NOTE, add_needs_guest, at, file_leg, file_stay, give_consent, make_session, make_small_block,
    needs_form, raise_ticket, signed_in_page, submit,
)
from tests.sessions import sign_in

pytestmark = pytest.mark.browser

# Which of the file's parts each role reads: (lodging, transport, help requests, diet, medical notes).
PARTS = {
    "organizer": (True, True, True, True, True),
    "lodging": (True, False, False, False, False),
    "transport": (False, True, False, False, False),
    "catering": (False, False, False, True, False),
    "helpdesk": (False, False, True, False, False),
}


@pytest.mark.parametrize("role", PARTS)
def test_each_role_reads_its_parts_of_the_whole_guest(app, live_server, make_event, make_staff, open_page, role):
    event = make_event()
    person = make_staff(f"{role}@example.org", event, roles=(role,))
    user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form()).status_code == 303
    file_stay(app, event, registration_id, make_small_block(app, event))
    file_leg(app, event, SimpleNamespace(registration_id=registration_id), hour=9)
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 10))
    raise_ticket(app, event, category="lodging", guest={"id": registration_id}, subject="Cold room")
    with app.test_request_context(method="POST"):
        row = db.session.get(Event, event.id)
        db.session.add(AgendaEntry(registration_id=registration_id, session_id=session_id))
        checkin.check_in(row, registration_id, staff=db.session.get(User, person.id))
        checkin.record_badge_print(event.id, registration_id, staff=db.session.get(User, person.id))
        db.session.commit()

    page = signed_in_page(app, live_server, open_page(), person.id)
    page.goto(live_server(f"/staff/e/{event.slug}/guests"))
    page.get_by_role("link", name="Amira Haddad").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amira Haddad")
    lodging, transport, tickets, diet, medical = PARTS[role]

    # Everyone: the registration and its history, the sessions, the check-in and the badge prints.
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_test_id("guest-sessions")).to_contain_text("Opening keynote")
    expect(page.get_by_test_id("guest-arrival")).to_contain_text("Checked in")
    expect(page.get_by_test_id("badge-summary")).to_contain_text("Badge printed 1 time")
    expect(page.get_by_test_id("guest-lodging")).to_have_count(1 if lodging else 0)
    if lodging:
        expect(page.get_by_test_id("guest-lodging")).to_contain_text("Lakeside Hotel")
    expect(page.get_by_test_id("guest-transport")).to_have_count(1 if transport else 0)
    if transport:
        expect(page.get_by_test_id("guest-transport")).to_contain_text("CA 1501")
    expect(page.get_by_test_id("guest-tickets")).to_have_count(1 if tickets else 0)
    if tickets:
        expect(page.get_by_test_id("guest-tickets")).to_contain_text("Cold room")
    main = page.locator("main")
    if diet:
        expect(main).to_contain_text("Halal")
    else:
        expect(main).not_to_contain_text("Halal")
    if medical:
        expect(main).to_contain_text(MEDICAL_NOTE)
    else:
        expect(main).not_to_contain_text(MEDICAL_NOTE)
    assert_accessible(page)
    assert page.problems == []
