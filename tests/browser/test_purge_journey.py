"""After the event, the organizer keeps its archive and then purges its sensitive data, in a real browser
with and without JavaScript: the ZIP holds the announcements and the audit log but no confirmation
code, the purge states what it will clear and asks for the event's short name, and afterwards the
guest's medical note is gone from the guest's file."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEntry, Event, Registration, StaffPermission
from tests.browser.accessibility import assert_accessible
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import MEDICAL_NOTE, add_needs_guest, give_consent, needs_form, submit
from tests.sessions import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_the_organizer_archives_then_purges_the_sensitive_data(app, live_server, make_event, make_staff, open_page,
                                                              javascript):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form()).status_code == 303
    with app.app_context():
        db.session.add(StaffPermission(user_id=organizer.id, event_id=event.id, permission="medical"))
        db.session.execute(update(Event).values(starts_on=date.today() - timedelta(days=5),
                                                ends_on=date.today() - timedelta(days=3)))
        db.session.commit()
        code = db.session.get(Registration, registration_id).confirmation_code

    page = signed_in_page(app, live_server, open_page(java_script_enabled=javascript), organizer.id)
    guest_file = live_server(f"/staff/e/summit/guests/{registration_id}")
    page.goto(guest_file)
    expect(page.locator("main")).to_contain_text(MEDICAL_NOTE)

    page.get_by_role("navigation", name="Event console").get_by_role("link", name="Report", exact=True).click()
    page.get_by_role("link", name="Download the event archive").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the archive (ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        names = archive.namelist()
        texts = [archive.read(name).decode() for name in names]
    assert "summit-archive/csv/announcements.csv" in names and "summit-archive/csv/audit_log.csv" in names
    assert not any(code in text for text in texts)
    assert not any(MEDICAL_NOTE in text for text in texts)  # sensitive needs left out unless ticked

    page.get_by_role("link", name="Purge sensitive data").click()
    expect(page.get_by_test_id("purge-total")).to_have_text("6 records will be cleared.")
    if javascript:  # axe runs as a script: only where scripts run
        assert_accessible(page)
    page.get_by_label("The event's short name").fill("summit-2027")
    page.get_by_role("button", name="Purge the sensitive data").click()
    expect(page.locator("#slug-error")).to_contain_text("Type summit exactly")
    expect(page.get_by_label("The event's short name")).to_have_value("summit-2027")
    page.get_by_label("The event's short name").fill("summit")
    page.get_by_role("button", name="Purge the sensitive data").click()
    expect(page.locator(".flashes")).to_contain_text("6 records cleared")
    expect(page.get_by_test_id("purge-total")).to_have_text("0 records will be cleared.")

    page.goto(guest_file)
    expect(page.locator("main")).to_contain_text("Amira Haddad")
    expect(page.locator("main")).not_to_contain_text(MEDICAL_NOTE)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "sensitive.purge")) \
            == organizer.id
