"""The help desk finds that an ordinary request is medical and says so on the ticket page, in a real browser
with and without JavaScript: the desk is mailed through the SMTP server and the console shows the alert.
Once medical, only a colleague who may read medical notes can move it back out."""

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import StaffPermission
from tests.browser.test_invitation_journey import wait_for_mail
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import make_guest, raise_ticket

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_the_desk_marks_a_request_medical_and_everyone_on_duty_is_alerted(app, live_server, mailbox, make_event,
                                                                        make_staff, open_page, javascript):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    make_staff("boss@example.org", event, roles=("organizer",))
    medic = make_staff("medic@example.org", event, roles=("helpdesk",))
    with app.app_context():
        db.session.add(StaffPermission(user_id=medic.id, event_id=event.id, permission="medical"))
        db.session.commit()
    guest = make_guest(app, event, "ann@example.org", name="Ann Lee")
    raise_ticket(app, event, category="lodging", guest={"id": guest.registration_id}, subject="Room too warm")
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), desk.id)
    page.goto(live_server(f"/staff/e/{event.slug}/helpdesk"))
    page.get_by_role("link", name="H-001 Room too warm").click()
    expect(page).to_have_url(live_server(f"/staff/e/{event.slug}/helpdesk/1"))
    # The ticket page replaced the queue's page whole, not the queue's own box inside it.
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("#desk-alerts")).not_to_contain_text("H-001")

    page.get_by_label("Category").select_option(label="Medical")
    page.get_by_role("button", name="Save the category").click()
    expect(page.locator(".flashes")).to_contain_text("The category is saved.")
    expect(page.locator("#desk-alerts")).to_contain_text("Medical request H-001")
    expect(page.locator(".ticket-history")).to_contain_text("Lodging → Medical")
    for address in ("desk@example.org", "boss@example.org"):
        mail = wait_for_mail(mailbox, address, lambda m: m["Subject"] == "Medical request H-001 at Future Summit")
        assert "H-001 is now a medical request" in mail.get_body(("plain",)).get_content()

    # Now medical, it stays so for this desk member: the page says who may move it, with no control.
    page.reload()
    expect(page.locator("#category-locked")).to_contain_text("can move a request out of Medical")
    expect(page.get_by_role("button", name="Save the category")).to_have_count(0)
    # A colleague with the medical-data permission finds it was a lodging matter after all.
    colleague = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), medic.id)
    colleague.goto(live_server(f"/staff/e/{event.slug}/helpdesk/1"))
    colleague.get_by_label("Category").select_option(label="Lodging")
    colleague.get_by_role("button", name="Save the category").click()
    expect(colleague.locator(".flashes")).to_contain_text("The category is saved.")
    expect(colleague.locator(".ticket-history")).to_contain_text("Medical → Lodging")
