"""Survey reminders more than once, in a real browser: the organizer confirms each reminder for the number it
goes to, the mails are in the SMTP server (the second only to the guest still silent), and the list of guests
who have not answered is shown and downloaded."""

import csv
import io
import time

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import add_guest, add_survey, sign_in_with_password, submit
from tests.sessions import sign_in

pytestmark = pytest.mark.browser


def _mails_to(mailbox, email: str, count: int, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(mailbox.to(email)) < count:
        time.sleep(0.05)
    assert len(mailbox.to(email)) == count, [m["Subject"] for m in mailbox.to(email)]
    return mailbox.to(email)


def test_the_organizer_reminds_twice_and_downloads_who_is_still_silent(
        app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    ann_user, _ = add_guest(app, event, "ann@example.org", name="Ann Lee")
    add_guest(app, event, "wang@example.org", name="Wang Wei", language="zh_Hans")
    survey = add_survey(app, event, [("long_text", "What should we change?", {})])

    page = open_page()
    sign_in_with_password(page, live_server, "boss@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("navigation", name="Event console").get_by_role("link", name="Surveys", exact=True).click()
    page.get_by_role("link", name="How was it?").first.click()

    page.get_by_role("link", name="Remind the guests who have not answered").click()
    expect(page.get_by_text("No reminder sent yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the reminder to 2 guests").click()
    expect(page.get_by_text("Reminder 1 is on its way to 2 guests.")).to_be_visible()
    _mails_to(mailbox, "ann@example.org", 1)
    _mails_to(mailbox, "wang@example.org", 1)

    # Ann answers; the second reminder goes to Wang alone, confirmed for one.
    guest = app.test_client()
    sign_in(guest, ann_user)
    assert submit(guest, f"/e/{event.slug}/me/survey",
                  {"action": "submit", f"q{survey['questions'][0]}": "Nothing"}).status_code == 303
    page.get_by_role("link", name="Remind the guests who have not answered").click()
    expect(page.get_by_text("1 reminder sent so far", exact=False)).to_be_visible()
    page.get_by_role("button", name="Send the reminder to 1 guest").click()
    expect(page.get_by_text("Reminder 2 is on its way to 1 guest.")).to_be_visible()
    _mails_to(mailbox, "wang@example.org", 2)
    assert len(mailbox.to("ann@example.org")) == 1

    page.get_by_role("link", name="Remind the guests who have not answered").click()
    page.get_by_role("link", name="Who has not answered").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has not answered")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Wang Wei")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        lines = list(csv.reader(io.StringIO(file.read())))
    assert len(lines) == 2 and any("wang@example.org" in cell for cell in lines[1]), lines
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has not answered")
    assert page.problems == []
