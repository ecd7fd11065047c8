"""The desk finds guests by any part of their names and downloads the list it sees, in a real browser,
with and without JavaScript; the check-in desk shows each guest's badge prints."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import services as checkin
from portal.extensions import db
from portal.models import AuditEntry, KioskDevice, Registration
from tests.browser.accessibility import assert_accessible
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import add_guests, new_kiosk

pytestmark = pytest.mark.browser


def _guests(app, event):
    add_guests(app, event, 1, prefix="salem", name_latin="Salem Al-Zoubi", name_original="سالم الزعبي",
               surname="Al-Zoubi", phone="+971 50 123 4567")
    add_guests(app, event, 1, prefix="wang", name_latin="Wang Xiaoming", name_original="王小明", surname="Wang",
               phone="+86 138 0000 1234")
    add_guests(app, event, 1, prefix="saleh", name_latin="Saleh Haddad", surname="Haddad", state="waitlisted",
               phone="+962 7 9000 0000")


def _search(page, javascript: bool, term: str):
    if javascript:  # typing alone asks for the rows; wait for the answer to this term's
        with page.expect_response(lambda r: "/guests?" in r.url and parse_qs(urlsplit(r.url).query).get("q") == [term]):
            page.get_by_label("Search").fill(term)
    else:
        page.get_by_label("Search").fill(term)
        page.get_by_role("button", name="Search").click()


def _rows(page):
    return page.locator("#guest-results tbody tr")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_desk_finds_guests_and_downloads_what_it_sees(app, live_server, make_event, make_staff, open_page,
                                                          javascript):
    event = make_event()
    _guests(app, event)
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), desk.id)
    page.goto(live_server("/staff/e/summit/guests"))
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("thead")).to_contain_text("Waiting list")
    expect(page.locator("tr", has_text="Saleh Haddad")).to_contain_text("No. 1")
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)

    for term, name in (("Zoubi Salem", "Salem Al-Zoubi"), ("al-zoubi", "Salem Al-Zoubi"),
                       ("Xiaoming Wang", "Wang Xiaoming"), ("王小明", "Wang Xiaoming"), ("+971", "Salem Al-Zoubi"),
                       ("138 0000", "Wang Xiaoming")):
        _search(page, javascript, term)
        expect(_rows(page)).to_have_count(1)
        expect(_rows(page).first).to_contain_text(name)

    # The export link follows the search the rows were found with, and the file holds those rows.
    _search(page, javascript, "sal")
    expect(_rows(page)).to_have_count(2)
    if javascript:
        expect(page).to_have_url(live_server("/staff/e/summit/guests?q=sal&state=&category="))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        text = file.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["Name (Latin)"] for row in rows) == ["Saleh Haddad", "Salem Al-Zoubi"]
    assert {row["Name (Latin)"]: row["Waiting-list position"] for row in rows} == {
        "Saleh Haddad": "1", "Salem Al-Zoubi": ""}

    page.get_by_label("State").select_option(label="On the waiting list")
    if not javascript:
        page.get_by_role("button", name="Search").click()
    expect(_rows(page)).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == "summit-guests.xlsx"
    with app.app_context():
        exported = db.session.execute(select(AuditEntry.subject, AuditEntry.detail)
                                      .where(AuditEntry.action == "guests.export").order_by(AuditEntry.id)).all()
    assert exported == [("q=sal", "csv, 2 rows"), ("q=sal, state=waitlisted", "xlsx, 1 rows")]


def test_the_check_in_desk_shows_each_guests_badge_prints(app, live_server, make_event, make_staff, open_page):
    event = make_event()
    organizer = make_staff("olivia@example.org", event, roles=("organizer",))
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    _guests(app, event)
    device_id, _code = new_kiosk(app, event, organizer, name="Hall A")
    with app.app_context():
        wang = db.session.scalar(select(Registration).where(Registration.name_original == "王小明"))
        arrival = checkin.check_in(event, wang.id, kiosk=db.session.get(KioskDevice, device_id))
        check_in = checkin.check_in_of(arrival.registration.id)
        for _ in range(2):
            checkin.record_badge_print(event.id, check_in.registration_id, kiosk=db.session.get(KioskDevice, device_id))
        wang_id = wang.id
    page = signed_in_page(app, live_server, open_page(), desk.id)
    page.goto(live_server("/staff/e/summit/check-in"))
    page.get_by_label("Name, e-mail or confirmation code").fill("Xiaoming Wang")
    page.get_by_role("button", name="Search").click()
    cell = page.get_by_test_id(f"desk-badge-{wang_id}")
    expect(cell).to_contain_text("Badge printed 2 times, last")
    expect(cell).to_contain_text("at kiosk Hall A (North entrance)")
    assert_accessible(page)
    cell.get_by_role("link", name="Print or reprint the badge of Wang Xiaoming").click()
    page.get_by_role("button", name="Log a reprint").click()
    expect(page.get_by_test_id("print-count")).to_have_text("Printed 3 times.")
    page.get_by_role("link", name="Back to the guest").click()
    expect(page.get_by_test_id("badge-summary")).to_contain_text("Badge printed 3 times, last")
    expect(page.get_by_test_id("badge-summary")).to_contain_text("at the desk")
    expect(page.locator(".badge-log li")).to_have_count(3)
