"""The Team page in a real browser: an organizer invites a transport coordinator by e-mail, the
invitee proves the address with the mailed link, sets a password, signs in and reaches only the
transport desk; the organizer takes the role away and the invitee's open session loses the console."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, StaffRole, User
from tests.browser.accessibility import assert_accessible
from tests.browser.test_needs_journey import signed_in_page
from tests.factories import wait_for_mail

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/login/link/[A-Za-z0-9_\-]+")
PASSWORD = "a long password of Tina's"


def test_an_invited_coordinator_reaches_only_their_area_until_the_role_is_taken(
        app, live_server, mailbox, event, organizer, open_page):
    slug = event.slug
    boss = signed_in_page(app, live_server, open_page(), organizer.id)
    boss.goto(live_server(f"/staff/e/{slug}/"))
    boss.get_by_role("navigation", name="Event console").get_by_role("link", name="Team", exact=True).click()
    expect(boss.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    assert_accessible(boss)

    invite = boss.locator("#invite")
    invite.get_by_label("E-mail address").fill("tina@example.org")
    invite.get_by_label("Name").fill("Tina Okafor")
    invite.get_by_label("Transport coordinator").check()
    invite.get_by_role("button", name="Send the invitation").click()
    expect(boss.locator(".flashes")).to_contain_text("tina@example.org is on the team")
    expect(boss.get_by_test_id("team")).to_contain_text("Tina Okafor")
    expect(boss.get_by_test_id("team")).to_contain_text("Transport coordinator")

    # Tina opens the mail in her own browser: the link proves her address, then she sets a password.
    mail = wait_for_mail(mailbox, "tina@example.org", lambda m: "invited to the team" in m["Subject"])
    link = LINK.search(mail.get_body(("plain",)).get_content()).group(0)
    tina = open_page()
    tina.goto(link)
    tina.get_by_role("button", name="Sign me in").click()
    expect(tina.get_by_role("heading", name="Your account")).to_be_visible()
    tina.get_by_label("New password (optional)").fill(PASSWORD)
    tina.get_by_role("button", name="Save", exact=True).click()
    expect(tina.locator(".flashes")).to_be_visible()

    # She signs in with the password in a fresh browser, as she will tomorrow.
    tina = open_page()
    tina.goto(live_server("/login"))
    tina.get_by_label("E-mail address").fill("tina@example.org")
    tina.get_by_text("Staff: sign in with a password").click()
    tina.get_by_label("Password (staff)").fill(PASSWORD)
    tina.get_by_role("button", name="Continue").click()
    # Signed in once the answer is in (a boosted form posts in the background): going on sooner drops its cookie.
    expect(tina.get_by_role("button", name="Sign out")).to_be_visible()
    tina.goto(live_server(f"/staff/e/{slug}/"))
    console = tina.get_by_role("navigation", name="Event console")
    expect(console.get_by_role("link", name="Transport")).to_be_visible()
    for elsewhere in ("Lodging", "Catering", "Help desk", "Team", "Check-in"):
        expect(console.get_by_role("link", name=elsewhere, exact=True)).to_have_count(0)
    console.get_by_role("link", name="Transport").click()
    expect(tina).to_have_url(re.compile(rf"/staff/e/{slug}/transport$"))
    expect(tina.get_by_role("heading", name="Arrivals", level=1)).to_be_visible()
    for area in ("lodging", "catering", "helpdesk", "team"):
        response = tina.goto(live_server(f"/staff/e/{slug}/{area}"))
        assert response.status == 403, area

    # The organizer unticks her only role: she leaves the team, and her session ends at once.
    boss.goto(live_server(f"/staff/e/{slug}/team"))
    with app.app_context():
        tina_id = db.session.scalar(select(User.id).where(User.email == "tina@example.org"))
    row = boss.locator(f"#member-{tina_id}")
    row.get_by_label("Transport coordinator").uncheck()
    row.get_by_role("button", name="Save").click()
    expect(boss.locator(".flashes")).to_contain_text("Tina Okafor is no longer on the team")
    tina.goto(live_server(f"/staff/e/{slug}/transport"))
    expect(tina).to_have_url(re.compile(r"/login"))
    with app.app_context():
        assert db.session.scalar(select(StaffRole).where(StaffRole.user_id == tina_id)) is None
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.detail)
                                     .where(AuditEntry.subject == "tina@example.org")).all()
        assert ("role.grant", "transport") in actions and ("role.revoke", "transport") in actions
    # The only errors are the refusals she was meant to get.
    assert boss.problems == []
    assert all("status of 403" in problem for problem in tina.problems), tina.problems
