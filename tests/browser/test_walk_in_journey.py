"""The help desk registers a walk-in, checks them in and prints the badge in one flow, in a real
browser, with and without JavaScript; the guest's confirmation arrives in the SMTP server."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import BadgePrint, CheckIn, Registration
from tests.browser.accessibility import assert_accessible
from tests.factories import signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_the_desk_registers_checks_in_and_badges_a_walk_in(app, live_server, mailbox, make_event, make_staff,
                                                          open_page, javascript):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), desk.id)
    page.goto(live_server("/staff/e/summit/guests"))
    page.get_by_role("link", name="Register a guest").click()
    expect(page.get_by_role("heading", name="Register a guest")).to_be_visible()
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)

    page.get_by_label("Full name, in the original script").fill("سالم الزعبي")
    page.get_by_label("Full name in Latin letters").fill("Salem Al Zoubi")
    page.get_by_label("Family name in Latin letters").fill("Al Zoubi")
    page.get_by_label("E-mail address").fill("salem@example.org")
    page.get_by_label("Country or region").select_option("AE")
    page.get_by_label("Mobile phone, with country code").fill("+971 50 000 0000")
    page.get_by_label("Category").select_option(label="Delegate")
    page.get_by_label("Source of the details").fill("Walked in at the north entrance")
    # A missing consent is explained beside the box, and what was typed stays.
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#consent-error")).to_contain_text("only with their consent")
    expect(page.get_by_label("Full name in Latin letters")).to_have_value("Salem Al Zoubi")
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    expect(page.get_by_label("Check the guest in now and print the badge")).to_be_checked()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="Badge of Salem Al Zoubi")).to_be_visible()
    expect(page.locator(".flashes")).to_contain_text("registered and checked in")
    expect(page.get_by_test_id("print-count")).to_have_text("Not printed yet.")
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)
    page.get_by_role("button", name="Log the print").click()
    expect(page.get_by_test_id("print-count")).to_have_text("Printed 1 time.")
    page.get_by_role("button", name="Log a reprint").click()
    expect(page.get_by_test_id("print-count")).to_have_text("Printed 2 times.")

    page.get_by_role("link", name="Back to the guest").click()
    expect(page.get_by_test_id("guest-arrival")).to_contain_text("Checked in")
    expect(page.get_by_test_id("guest-arrival")).to_contain_text("Badge printed 2 times, last ")
    expect(page.locator("main")).to_contain_text("Walked in at the north entrance")

    wait_for_mail(mailbox, "salem@example.org", lambda m: "Future Summit" in m["Subject"])
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == "salem@example.org"))
        assert registration.state == "confirmed"
        assert db.session.scalar(select(CheckIn.staff_id).where(CheckIn.registration_id == registration.id)) \
            == desk.id
        assert db.session.scalars(select(BadgePrint.reprint).order_by(BadgePrint.id)).all() == [False, True]
