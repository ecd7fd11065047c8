"""The help desk in a real browser: a guest asks for help at a paired kiosk; the request appears
in a staff member's open queue without a reload; the staff member adds a note and replies; the
guest reads the reply in the portal (the note nowhere) and by mail, and rates the resolution once."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Registration, TicketMessage
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import next_answer
from tests.factories import make_registration, pair_kiosk, raise_ticket, signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser

RATE_LINK = re.compile(r"https?://\S+/e/summit/help/rate/[A-Za-z0-9_.\-]+(?:\?score=\d)?")
NOTE = "Internal: shuttle desk says driver is late"


def test_a_kiosk_request_reaches_the_live_queue_is_answered_and_rated(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    guest = make_registration(app, event, email="journey@example.org")
    with app.app_context():
        guest_user = db.session.scalar(select(Registration.user_id).where(Registration.id == guest["id"]))

    # The desk has the queue open before anything happens.
    staff = signed_in_page(app, live_server, open_page(), desk.id)
    staff.goto(live_server("/staff/e/summit/helpdesk"))
    expect(staff.locator("#helpdesk-queue")).to_contain_text("No requests match.")
    assert_accessible(staff)
    staff.evaluate("window.sameDocument = true")

    # At the kiosk: scan, welcome, ask for help, leave with the number.
    kiosk = open_page()
    pair_kiosk(kiosk, app, live_server, event.id, organizer)
    kiosk.keyboard.type(guest["ticket"])
    kiosk.keyboard.press("Enter")
    expect(kiosk.locator("h1")).to_contain_text("Welcome, Mr Wang Xiaoming")
    kiosk.get_by_role("link", name="Ask for help").click()
    expect(kiosk.get_by_role("heading", name="Help", exact=True)).to_be_visible()
    kiosk.get_by_label("What is it about?").select_option("transport")
    kiosk.get_by_label("How can we help?").fill("My shuttle to the hotel did not come")
    kiosk.get_by_role("button", name="Send to the help desk").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("H-001")
    expect(kiosk.locator("main")).to_contain_text("Please go to the help desk")

    # It appears in the open queue by itself (htmx polling), without a reload.
    expect(staff.locator("#helpdesk-queue")).to_contain_text("H-001", timeout=15_000)
    expect(staff.locator("#helpdesk-queue")).to_contain_text("My shuttle to the hotel did not come")
    assert staff.evaluate("window.sameDocument") is True

    # The desk takes it, notes, replies and resolves.
    staff.get_by_role("button", name="Take H-001").click()
    expect(staff.get_by_text("H-001 is yours.")).to_be_visible()
    staff.get_by_role("textbox", name="Message").fill(NOTE)
    staff.get_by_role("button", name="Add an internal note").click()
    expect(staff.get_by_text("The note is added; the guest does not see it.")).to_be_visible()
    staff.get_by_role("textbox", name="Message").fill("A car will pick you up at door 3 in ten minutes.")
    staff.get_by_label("Then").select_option("resolved")
    staff.get_by_role("button", name="Send the reply to the guest").click()
    expect(staff.get_by_test_id("ticket-state")).to_have_text("Resolved")
    assert_accessible(staff)

    # The guest reads the reply in the portal, never the note, and got both mails.
    reply = wait_for_mail(mailbox, guest["email"], lambda m: "Reply to your request H-001" in m["Subject"])
    assert "door 3" in reply.get_body(("plain",)).get_content()
    resolved = wait_for_mail(mailbox, guest["email"], lambda m: "H-001 is resolved" in m["Subject"])
    for mail in mailbox.to(guest["email"]):
        assert "driver is late" not in mail.as_string()
    portal = signed_in_page(app, live_server, open_page(), guest_user)
    portal.goto(live_server("/e/summit/me"))
    portal.get_by_role("link", name=re.compile("H-001")).click()
    expect(portal.locator("main")).to_contain_text("A car will pick you up at door 3 in ten minutes.")
    expect(portal.get_by_test_id("ticket-state")).to_have_text("Resolved")
    assert "driver is late" not in portal.content()
    assert_accessible(portal)

    # One click from the mail (a link per rating), a comment, and the link is spent.
    links = RATE_LINK.findall(resolved.get_body(("plain",)).get_content())
    assert len(links) == 5
    rating = open_page()
    rating.goto(links[0])
    expect(rating.get_by_label("5 – excellent")).to_be_checked()
    rating.get_by_label("Anything you would like to tell us? (optional)").fill("Very quick, thank you")
    rating.get_by_role("button", name="Send my rating").last.click()
    expect(rating.locator("h1")).to_have_text("Thank you")
    rating.goto(links[0])
    expect(rating.locator("main")).to_contain_text("This request has already been rated.")
    with app.app_context():
        assert db.session.scalar(select(TicketMessage.body).where(TicketMessage.kind == "internal")) == NOTE
    for page in (staff, kiosk, portal, rating):
        assert page.problems == []


def test_the_metrics_download_links_download_with_javascript_on(app, live_server, make_event, make_staff, open_page):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    page = signed_in_page(app, live_server, open_page(), organizer.id)
    page.goto(live_server(f"/staff/e/{event.slug}/helpdesk/metrics"))
    for name, suffix in (("Download CSV", ".csv"), ("Download Excel", ".xlsx")):
        # A boosted link would put the file's text in place of the page.
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert download.value.suggested_filename.endswith(suffix)
    expect(page.get_by_role("heading", level=1)).to_have_text("Help desk metrics")


@pytest.mark.parametrize("by", ["pointer", "keyboard"])
def test_a_take_under_way_as_the_queue_refreshes_still_takes_the_request(
        app, live_server, make_event, make_staff, open_page, by):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    raise_ticket(app, event, subject="Shuttle missing")
    page = signed_in_page(app, live_server, open_page(), desk.id)
    page.goto(live_server("/staff/e/summit/helpdesk"))
    take = page.get_by_role("button", name="Take H-001")
    # The queue's next poll is answered in the middle of the press, or while the button has the focus.
    if by == "pointer":
        take.hover()
        page.mouse.down()
        assert next_answer(page, "/staff/e/summit/helpdesk") == 200
        page.mouse.up()
    else:
        take.focus()
        assert next_answer(page, "/staff/e/summit/helpdesk") == 200
        expect(take).to_be_focused()
        page.keyboard.press("Enter")
    expect(page.get_by_text("H-001 is yours.")).to_be_visible()
    assert page.problems == []
