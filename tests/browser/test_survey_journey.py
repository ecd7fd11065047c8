"""The survey in a real browser: the organizer sends the reminder; a checked-in guest follows the link from
the mail, signs in by an e-mailed link, saves a draft, comes back in a new browser, signs in again and sends
the answers; the organizer reads them in the results and in the Excel export."""

import io
import re
import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import add_guest, add_survey, STAFF_PASSWORD

pytestmark = pytest.mark.browser

GUEST = "lin@example.org"


def wait_for_mail(mailbox, email: str, pattern: str, timeout: float = 10.0, seen: int = 0) -> str:
    """The first link matching `pattern` in a mail to `email` after the first `seen` mails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in mailbox.to(email)[seen:]:
            found = re.search(pattern, mail.get_body(("plain",)).get_content())
            if found:
                return found.group(0)
        time.sleep(0.05)
    pytest.fail(f"no mail to {email} matching {pattern}; got {[m['Subject'] for m in mailbox.to(email)]}")


def sign_in_through(page, live_server, mailbox, survey_link: str) -> None:
    """Follow the survey link signed out: the sign-in page, the e-mailed link, back to the survey."""
    seen = len(mailbox.to(GUEST))
    page.goto(survey_link)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail address").fill(GUEST)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    link = wait_for_mail(mailbox, GUEST, r"https?://\S+/login/link/[A-Za-z0-9_\-]+", seen=seen)
    page.goto(link)
    page.get_by_role("button", name="Sign me in").click()
    expect(page).to_have_url(live_server("/e/summit/me/survey"))


def test_a_checked_in_guest_answers_after_the_reminder(app, live_server, mailbox, make_event, make_staff, open_page):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    add_guest(app, event, GUEST, checked_in=True, name="Lin Wei")
    add_guest(app, event, "away@example.org", name="Not Here")  # confirmed but never came: not asked
    survey = add_survey(app, event, [
        ("rating_1_5", "How was the venue?", {"area": "venue", "required": True}),
        ("nps_0_10", "How likely are you to recommend the summit?", {"required": True}),
        ("long_text", "What should we change?", {}),
    ], audience="checked_in")

    # The organizer sends a reminder, confirmed for the one guest who has not answered.
    staff = open_page()
    staff.goto(live_server("/login"))
    staff.get_by_label("E-mail address").fill("boss@example.org")
    staff.get_by_text("Staff: sign in with a password").click()
    staff.get_by_label("Password (staff)").fill(STAFF_PASSWORD)
    staff.get_by_role("button", name="Continue").click()
    expect(staff.get_by_role("button", name="Sign out")).to_be_visible()
    staff.goto(live_server(f"/staff/e/{event.slug}/surveys/{survey['id']}"))
    assert_accessible(staff)
    staff.get_by_role("link", name="Remind the guests who have not answered").click()
    staff.get_by_role("button", name="Send the reminder to 1 guest").click()
    expect(staff.get_by_text("Reminder 1 is on its way to 1 guest.")).to_be_visible()
    link = wait_for_mail(mailbox, GUEST, r"https?://\S+/e/summit/me/survey")
    assert link == live_server("/e/summit/me/survey")
    assert mailbox.to("away@example.org") == []

    # First visit: sign in by link, answer one question, save a draft, close the browser.
    first = open_page()
    sign_in_through(first, live_server, mailbox, link)
    expect(first.get_by_role("heading", level=1)).to_have_text("How was it?")
    assert_accessible(first)
    first.get_by_role("group", name=re.compile("How was the venue")).get_by_label("4").check()
    first.get_by_role("button", name="Save and finish later").click()
    expect(first.get_by_text("Your answers are saved.")).to_be_visible()
    first.context.close()

    # A new browser: sign in again; the draft is there; finish and send.
    second = open_page()
    sign_in_through(second, live_server, mailbox, link)
    venue = second.get_by_role("group", name=re.compile("How was the venue"))
    expect(venue.get_by_label("4")).to_be_checked()
    second.get_by_role("button", name="Send my answers").click()
    expect(second.get_by_text("Please answer this question.", exact=True)).to_be_visible()  # the NPS is required
    assert_accessible(second)
    second.get_by_role("group", name=re.compile("recommend")).get_by_label("9", exact=True).check()
    second.get_by_label("What should we change?").fill("More quiet rooms between sessions")
    second.get_by_role("button", name="Send my answers").click()
    expect(second.get_by_test_id("survey-thanks")).to_be_visible()
    assert_accessible(second)
    second.goto(live_server("/e/summit/me"))
    expect(second.get_by_text("Thank you for your answers.")).to_be_visible()

    # The organizer sees the answer in the results and in the Excel export.
    staff.goto(live_server(f"/staff/e/{event.slug}/surveys/{survey['id']}/results"))
    expect(staff.get_by_test_id("response-rate")).to_contain_text("1 responses from 1 guests asked")
    expect(staff.get_by_text("More quiet rooms between sessions")).to_be_visible()
    expect(staff.locator("svg[role=img]").first).to_be_visible()
    assert_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Every response (Excel)").click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert rows[1][0] == "Lin Wei" and rows[1][2] == GUEST
    assert rows[1][5:] == (4, 9, "More quiet rooms between sessions")
    for page in (staff, second):
        assert page.problems == []
