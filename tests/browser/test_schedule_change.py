"""A session moves: the guest who holds it is told, on My trip and by mail, in a real browser.

The guest signs in with the link from the mail the loopback SMTP server received;
the organizer signs in with a password and moves the session in the staff agenda
editor; the guest then finds the change on My trip (old and new time) and a mail
that says the same. A guest who does not hold the session hears nothing.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import at, make_registration, make_session, STAFF_PASSWORD

pytestmark = pytest.mark.browser

SIGN_IN_LINK = re.compile(r"https?://\S+/login/link/[A-Za-z0-9_\-]+")


def wait_for_mail(mailbox, email: str, predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.to(email) if predicate(m)]
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"no such mail to {email}; got {[m['Subject'] for m in mailbox.to(email)]}")


def sign_in_by_mail(page, live_server, mailbox, email: str) -> None:
    page.goto(live_server("/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    [mail] = wait_for_mail(mailbox, email, lambda m: SIGN_IN_LINK.search(m.get_body(("plain",)).get_content()))
    page.goto(SIGN_IN_LINK.search(mail.get_body(("plain",)).get_content()).group(0))
    page.get_by_role("button", name="Sign me in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_guest_holding_a_moved_session_sees_the_notice_and_gets_the_mail(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    holder = make_registration(app, event)
    other = make_registration(app, event, email="li@example.org", name_latin="Li Hua", surname="Li")
    session_id = make_session(app, event, "Markets outlook", at(event, 0, 9))

    # The guest signs in and puts the session in their agenda.
    guest = open_page()
    sign_in_by_mail(guest, live_server, mailbox, holder["email"])
    guest.goto(live_server(f"/e/{event.slug}/agenda"))
    guest.get_by_role("button", name=re.compile(r"^Add to my agenda\W+Markets outlook$")).click()
    expect(guest.get_by_text("In my agenda")).to_be_visible()
    guest.goto(live_server(f"/e/{event.slug}/me"))
    expect(guest.get_by_test_id("schedule-notices")).to_have_count(0)

    # The organizer moves it from 09:00 to 14:30 in the editor.
    staff = open_page()
    staff.goto(live_server("/login"))
    staff.get_by_label("E-mail address").fill("boss@example.org")
    staff.get_by_text("Staff: sign in with a password").click()
    staff.get_by_label("Password (staff)").fill(STAFF_PASSWORD)
    staff.get_by_role("button", name="Continue").click()
    expect(staff.get_by_role("button", name="Sign out")).to_be_visible()
    staff.goto(live_server(f"/staff/e/{event.slug}/agenda/sessions/{session_id}"))
    day = event.starts_on.isoformat()
    staff.get_by_label("Starts (event time)").fill(f"{day}T14:30")
    staff.get_by_label("Ends (event time)").fill(f"{day}T15:30")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("The session is saved.")).to_be_visible()

    # My trip tells the guest what changed, old and new.
    guest.reload()
    notice = guest.get_by_test_id("schedule-notices")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("A session in your agenda has changed.")
    expect(notice).to_contain_text("Markets outlook")
    expect(notice.locator("del")).to_contain_text("09:00–10:00")
    expect(notice.locator("ins")).to_contain_text("14:30–15:30")
    assert_accessible(guest)

    # And one mail says the same; the guest who does not hold the session gets none.
    [mail] = wait_for_mail(mailbox, holder["email"], lambda m: "Change to your session" in m["Subject"])
    assert mail["Subject"] == "Change to your session: Markets outlook"
    body = mail.get_body(("plain",)).get_content()
    assert "09:00–10:00" in body and "14:30–15:30" in body and f"/e/{event.slug}/me/agenda" in body
    assert [m for m in mailbox.to(other["email"]) if "Change to your session" in m["Subject"]] == []

    # "Got it" puts the notice away.
    notice.get_by_role("button", name="Got it").click()
    expect(guest.get_by_test_id("schedule-notices")).to_have_count(0)
    assert guest.problems == [] and staff.problems == []
