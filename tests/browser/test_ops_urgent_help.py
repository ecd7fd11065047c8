"""A guest asks for medical help from My trip in a real browser: the help-desk member and the organizer, each
with a different console page open, see the alert appear by itself, and both find the alert mail in the SMTP
server; the desk member, without the medical permission, reads neither the details in the alert nor in the
mail. The alert's link leads to the request."""

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import make_guest, sign_in_with_password, signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser

DETAILS = "Chest pain since breakfast"


def test_a_medical_request_from_my_trip_alerts_the_desk_and_the_organizer(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    make_staff("desk@example.org", event, roles=("helpdesk",))
    make_staff("boss@example.org", event, roles=("organizer",))
    guest = make_guest(app, event, "ann@example.org", name="Ann Lee")

    desk = open_page()
    sign_in_with_password(desk, live_server, "desk@example.org")
    desk.goto(live_server(f"/staff/e/{event.slug}/check-in"))
    boss = open_page()
    sign_in_with_password(boss, live_server, "boss@example.org")
    boss.goto(live_server(f"/staff/e/{event.slug}/today"))
    for page in (desk, boss):
        expect(page.locator("#desk-alerts").get_by_role("alert")).to_have_count(0)

    portal = signed_in_page(app, live_server, open_page(), guest.user_id)
    portal.goto(live_server(f"/e/{event.slug}/me"))
    portal.get_by_role("link", name="Ask for help").click()
    portal.get_by_label("What is it about?").select_option(label="Medical")
    portal.get_by_label("Subject").fill(DETAILS)
    portal.get_by_label("How can we help?").fill("I feel dizzy in hall B.")
    portal.get_by_role("button", name="Send my request").click()
    expect(portal.get_by_text("is with the help desk", exact=False)).to_be_visible()

    # Each open console page shows the alert by itself (its poll), without the details for the desk member.
    for page in (desk, boss):
        alert = page.locator("#desk-alerts").get_by_role("alert")
        expect(alert).to_contain_text("Medical request H-001", timeout=15_000)
    expect(desk.locator("#desk-alerts")).not_to_contain_text(DETAILS)
    assert_accessible(desk)

    for address in ("desk@example.org", "boss@example.org"):
        mail = wait_for_mail(mailbox, address, lambda m: m["Subject"] == "Medical request H-001 at Future Summit")
        body = mail.get_body(("plain",)).get_content()
        assert live_server(f"/staff/e/{event.slug}/helpdesk/1") in body
        assert (DETAILS in body) is (address == "boss@example.org")
    assert mailbox.to("ann@example.org") != []  # the guest's own receipt

    desk.locator("#desk-alerts").get_by_role("link", name="Medical request H-001").click()
    expect(desk).to_have_url(live_server(f"/staff/e/{event.slug}/helpdesk/1"))
    expect(desk.get_by_role("heading", level=1)).to_contain_text("H-001")
    for page in (desk, boss, portal):
        assert page.problems == []
