"""The cost view in a real browser: the organizer sets a meal rate, enters a budget line (first wrongly,
then rightly) and reads the difference against what was spent; with and without JavaScript."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import BudgetLine, Vehicle
from tests.browser.accessibility import assert_accessible
from tests.factories import add_guest, sign_in_with_password

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("java_script", [True, False], ids=["htmx", "no-js"])
def test_the_organizer_enters_a_budget_line_and_sees_the_difference(app, live_server, make_event, make_staff,
                                                                    open_page, java_script):
    event = make_event(starts_on=date.today() + timedelta(days=5), ends_on=date.today() + timedelta(days=5))
    make_staff("boss@example.org", event, roles=("organizer",))
    add_guest(app, event, "ann@example.org", name="Ann Lee")
    with app.app_context():
        db.session.add(Vehicle(event_id=event.id, label="Van 1", capacity=6, rate=Decimal("450.00")))
        db.session.commit()

    page = open_page(java_script_enabled=java_script)
    sign_in_with_password(page, live_server, "boss@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/report"))
    page.get_by_role("link", name="Budget and costs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget and costs")
    expect(page.get_by_text("No-shows are counted once the event has ended")).to_be_visible()

    page.get_by_label("Lunch, per guest").fill("120")
    page.get_by_role("button", name="Save the meal rates").click()
    expect(page.get_by_text("The meal rates are saved.")).to_be_visible()

    # A wrong amount: the message stands beside the field and what was typed stays.
    page.get_by_label("Category").select_option(label="Transport")
    page.get_by_label("What it is for (e.g. Hotel rooms for speakers)").fill("Airport shuttles")
    page.get_by_label("Budgeted amount").fill("-300")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#amount-error")).to_have_text("Enter an amount from 0 to 1,000,000,000.")
    expect(page.get_by_label("What it is for (e.g. Hotel rooms for speakers)")).to_have_value("Airport shuttles")
    if java_script:  # axe runs as a script in the page
        assert_accessible(page)
    with app.app_context():
        assert db.session.query(BudgetLine).count() == 0

    page.get_by_label("Budgeted amount").fill("1000.00")
    page.get_by_role("button", name="Add the line").click()
    expect(page.get_by_text("The budget line is added.")).to_be_visible()
    table = page.get_by_test_id("costs-CNY")
    expect(table.get_by_role("cell", name="Airport shuttles")).to_be_visible()
    # 1,000 budgeted, one van at 450: 550 left. Catering: Ann's lunch, 120, against no budget.
    expect(table.locator('[data-figure="actual-CNY-transport"]')).to_have_text("450.00")
    expect(table.locator('[data-figure="difference-CNY-transport"]')).to_have_text("550.00")
    expect(table.locator('[data-figure="difference-CNY-catering"]')).to_have_text("-120.00")
    expect(table.locator('[data-figure="difference-CNY"]')).to_have_text("430.00")
    if java_script:
        assert_accessible(page)
