"""The caterer's files per meal, in a real browser with JavaScript on: the catering coordinator downloads one
meal's counts per diet and allergen, with the names, as CSV and as Excel; the page stays where it was, and
each download is in the audit log as the sensitive export it is."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from tests.browser.accessibility import assert_accessible
from tests.factories import add_needs_guest, give_consent, needs_form, signed_in_page, submit
from tests.sessions import sign_in

pytestmark = pytest.mark.browser


def test_the_caterer_downloads_lunch_as_csv_and_excel(app, live_server, make_event, make_staff, open_page):
    event = make_event()
    cook = make_staff("cook@example.org", event, roles=("catering",))
    user, _ = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form()).status_code == 303

    page = signed_in_page(app, live_server, open_page(), cook.id)
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("navigation", name="Event console").get_by_role("link", name="Catering", exact=True).click()
    lunch = page.locator("#meal-lunch")
    expect(lunch.get_by_role("heading")).to_contain_text("(1 guest)")
    assert_accessible(page)

    with page.expect_download() as download:
        lunch.get_by_role("link", name=re.compile(r"^CSV\s*: Lunch$")).click()
    assert download.value.suggested_filename == f"summit-{event.starts_on.isoformat()}-lunch.csv"
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    by_item = {(row["Kind"], row["Diet or allergen"]): row for row in rows}
    assert by_item[("All guests", "")]["Guests"] == "1"
    assert (by_item[("Diet", "Halal")]["Guests"], by_item[("Diet", "Halal")]["Names"]) == ("1", "Amira Haddad")
    peanuts = by_item[("Allergy", "Peanuts")]
    assert (peanuts["Severity"], peanuts["Guests"], peanuts["Names"]) == ("Anaphylactic", "1", "Amira Haddad")
    assert {row["Meal"] for row in rows} == {"Lunch"}

    with page.expect_download() as download:
        lunch.get_by_role("link", name=re.compile(r"^Excel\s*: Lunch$")).click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = [[str(value) if value is not None else "" for value in row] for row in sheet.iter_rows(values_only=True)]
    assert any("Halal" in row and "Amira Haddad" in row for row in cells), cells
    # A boosted link would have replaced the page with the file; it is still the board.
    expect(page.locator("#meal-lunch").get_by_role("heading")).to_contain_text("(1 guest)")

    with app.app_context():
        exports = db.session.execute(select(AuditEntry.subject, AuditEntry.detail)
                                     .where(AuditEntry.action == "sensitive.export").order_by(AuditEntry.id)).all()
    day = event.starts_on.isoformat()
    assert exports == [(f"catering {day} lunch", "csv"), (f"catering {day} lunch", "xlsx")]
    assert page.problems == []
