"""The Team page's other half in a real browser: the organizer reads who signed in when, lets a help-desk
member read medical notes (and takes it back), each change audited and felt at once on the desk's guest file;
an admin appoints the organizer of another event, who is invited by a mail in the SMTP server."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, StaffRole, User
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    MEDICAL_NOTE, add_needs_guest, give_consent, needs_form, sign_in_with_password, submit, wait_for_mail,
)
from tests.sessions import sign_in

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/login/link/[A-Za-z0-9_\-]+")


def test_the_organizer_grants_and_takes_the_medical_permission_and_reads_last_sign_ins(
        app, live_server, make_event, make_staff, open_page):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    cook = make_staff("cook@example.org", event, roles=("catering",))
    user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form()).status_code == 303

    # The desk member signs in at the desk; the guest's file holds no medical note for them.
    dana = open_page()
    sign_in_with_password(dana, live_server, "desk@example.org")
    guest_file = live_server(f"/staff/e/summit/guests/{registration_id}")
    dana.goto(guest_file)
    expect(dana.locator("main")).to_contain_text("Amira Haddad")
    expect(dana.locator("main")).not_to_contain_text(MEDICAL_NOTE)

    boss = open_page()
    sign_in_with_password(boss, live_server, "boss@example.org")
    boss.goto(live_server("/staff/e/summit/"))
    boss.get_by_role("navigation", name="Event console").get_by_role("link", name="Team", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Team")
    # When each last signed in: the desk member today, the cook never.
    desk_row, cook_row = boss.locator(f"#member-{desk.id}"), boss.locator(f"#member-{cook.id}")
    expect(desk_row.locator("td").nth(2)).not_to_have_text("Never")
    expect(desk_row.locator("td").nth(2)).not_to_have_text("")
    expect(cook_row.locator("td").nth(2)).to_have_text("Never")
    expect(boss.locator("#medical")).not_to_contain_text("desk")
    assert_accessible(boss)

    desk_row.get_by_label("May read medical notes and emergency contacts").check()
    desk_row.get_by_role("button", name="Save").click()
    expect(boss.locator(".flashes")).to_contain_text("The roles of desk are saved.")
    expect(boss.locator(f"#member-{desk.id} .badge")).to_have_text("May read medical notes")
    expect(boss.locator("#medical")).to_contain_text("desk · Help desk")
    assert_accessible(boss)

    # The desk member's next look at the file shows the note; the look itself is audited.
    dana.goto(guest_file)
    expect(dana.locator("main")).to_contain_text(MEDICAL_NOTE)

    boss.locator(f"#member-{desk.id}").get_by_label("May read medical notes and emergency contacts").uncheck()
    boss.locator(f"#member-{desk.id}").get_by_role("button", name="Save").click()
    expect(boss.locator(".flashes")).to_contain_text("The roles of desk are saved.")
    expect(boss.locator(f"#member-{desk.id} .badge")).to_have_count(0)
    expect(boss.locator("#medical")).not_to_contain_text("desk")
    dana.goto(guest_file)
    expect(dana.locator("main")).to_contain_text("Amira Haddad")
    expect(dana.locator("main")).not_to_contain_text(MEDICAL_NOTE)

    with app.app_context():
        changes = db.session.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.detail)
                                     .where(AuditEntry.action.like("permission.%")).order_by(AuditEntry.id)).all()
    assert changes == [("permission.grant", "desk@example.org", "medical"),
                       ("permission.revoke", "desk@example.org", "medical")]
    assert boss.problems == [] and dana.problems == []


def test_an_admin_appoints_the_organizer_of_an_event_who_follows_the_mailed_link(
        app, live_server, mailbox, make_event, make_staff, open_page):
    make_event()
    other = make_event(slug="forum", name_en="Harbour Forum", name_zh="港湾论坛")
    make_staff("root@example.org", admin=True)

    admin = open_page()
    sign_in_with_password(admin, live_server, "root@example.org")
    admin.goto(live_server("/staff/"))
    admin.get_by_role("link", name="Organizers of every event").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Organizers of every event")
    assert_accessible(admin)
    admin.get_by_label("Event").select_option(label="Harbour Forum (forum)")
    admin.get_by_label("E-mail address").fill("olu@example.org")
    admin.get_by_label("Name").fill("Olu Adeyemi")
    admin.get_by_role("button", name="Appoint and invite").click()
    expect(admin.locator(".flashes")).to_contain_text("olu@example.org is an organizer of Harbour Forum.")
    row = admin.get_by_test_id("organizers").locator("tr", has_text="Harbour Forum")
    expect(row).to_contain_text("Olu Adeyemi")

    # Olu opens the mail in a browser of their own and lands, signed in, on the forum's team page.
    mail = wait_for_mail(mailbox, "olu@example.org", lambda m: "invited to the team" in m["Subject"])
    olu = open_page()
    olu.goto(LINK.search(mail.get_body(("plain",)).get_content()).group(0))
    olu.get_by_role("button", name="Sign me in").click()
    expect(olu.get_by_role("heading", name="Your account")).to_be_visible()
    olu.goto(live_server("/staff/"))
    olu.get_by_role("link", name=re.compile("Harbour Forum")).first.click()
    olu.get_by_role("navigation", name="Event console").get_by_role("link", name="Team", exact=True).click()
    expect(olu.get_by_test_id("team")).to_contain_text("Olu Adeyemi")
    # Organizer of the forum only: the other event's team stays closed.
    assert olu.goto(live_server("/staff/e/summit/team")).status == 403
    with app.app_context():
        olu_id = db.session.scalar(select(User.id).where(User.email == "olu@example.org"))
        assert db.session.execute(select(StaffRole.event_id, StaffRole.role)
                                  .where(StaffRole.user_id == olu_id)).all() == [(other.id, "organizer")]
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "team.invite")) == "organizer"
