"""The organizer registers a guest whose office sent the details by mail, in a real browser without
JavaScript: not a walk-in, so no check-in; the guest's confirmation with their personal link is in the SMTP
server, the guest's file names the source and who registered them, and the guest's link opens My trip."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, CheckIn, Registration
from tests.factories import signed_in_page, wait_for_mail

pytestmark = pytest.mark.browser

SOURCE = "By mail from the minister's office"


def test_the_organizer_registers_a_guest_the_office_wrote_about(app, live_server, mailbox, make_event, make_staff,
                                                                 open_page):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    page = signed_in_page(app, live_server, open_page(java_script_enabled=False), organizer.id)
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("navigation", name="Event console").get_by_role("link", name="Guests", exact=True).click()
    page.get_by_role("link", name="Register a guest").click()

    page.get_by_label("Full name, in the original script").fill("王小明")
    page.get_by_label("Full name in Latin letters").fill("Wang Xiaoming")
    page.get_by_label("Family name in Latin letters").fill("Wang")
    page.get_by_label("E-mail address").fill("wang@example.org")
    page.get_by_label("Country or region").select_option("CN")
    page.get_by_label("Mobile phone, with country code").fill("+86 138 0000 1234")
    page.get_by_label("Category").select_option(label="VIP")
    page.get_by_label("Source of the details").fill(SOURCE)
    page.get_by_label("The guest (or their office) agreed to the privacy notice, through staff").check()
    page.get_by_label("Check the guest in now and print the badge").uncheck()
    page.get_by_role("button", name="Register").click()

    expect(page.locator(".flashes")).to_contain_text("Wang Xiaoming")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wang Xiaoming")
    expect(page.get_by_test_id("guest-arrival")).to_contain_text("Not checked in.")
    expect(page.locator("main")).to_contain_text(SOURCE)

    mail = wait_for_mail(mailbox, "wang@example.org", lambda m: "is confirmed" in m["Subject"]
                         or "已确认" in m["Subject"])
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == "wang@example.org"))
        assert registration.state == "confirmed" and registration.category.code == "vip"
        assert db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration.id)) is None
        audited = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.actor_id == organizer.id)).all()
        assert any(SOURCE in (detail or "") for detail in audited), audited
        code = registration.confirmation_code
    body = mail.get_body(("plain",)).get_content()
    assert code in body
    assert re.search(re.escape(live_server(f"/e/{event.slug}/")), body), body
    assert page.problems == []
