"""Back after signing out shows nothing: a guest signs in by the e-mailed link, opens the page with
their medical note, signs out, and goes Back, with and without JavaScript. Neither the browser's
cache (no-store) nor htmx's history snapshots (none of a signed-in page) keep the note."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import add_needs_guest, give_consent, MEDICAL_NOTE, needs_form, submit, wait_for_mail
from tests.sessions import sign_in

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+(/login/link/[A-Za-z0-9_\-]+)")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-script"])
def test_back_after_signing_out_shows_nothing_of_the_medical_note(app, live_server, mailbox, make_event,
                                                                   open_page, javascript):
    event = make_event()
    user, _registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    # The note, as the guest filed it earlier from another browser.
    earlier = app.test_client()
    sign_in(earlier, user.id)
    give_consent(earlier)
    assert submit(earlier, "/e/summit/me/needs/edit", needs_form()).status_code == 303

    page = open_page(java_script_enabled=javascript)
    page.goto(live_server("/login"))
    page.get_by_label("E-mail address").fill("amira@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    mail = wait_for_mail(mailbox, "amira@example.org", lambda m: m["Subject"] == "Your sign-in link")
    page.goto(live_server(LINK.search(mail.get_body(("plain",)).get_content()).group(1)))
    page.get_by_role("button", name="Sign me in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    if javascript:
        page.goto(live_server("/account"))
        expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
        assert_accessible(page)

    page.goto(live_server("/e/summit/me/needs/edit"))
    expect(page.get_by_label("Medical notes", exact=False)).to_have_value(MEDICAL_NOTE)
    # On to My trip the way a guest goes (a boosted link with JavaScript), then sign out there.
    page.get_by_role("link", name="Back to my trip").click()
    expect(page).to_have_url(live_server("/e/summit/me"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    for _ in range(2):  # My trip, then the page with the note
        if javascript:
            # htmx brings the page back into the same document after go_back() returns, and at the second
            # Back the sign-in heading is already there: read once it is done. A page loaded whole has no `restored`.
            page.evaluate("window.restored = false;"
                          " document.addEventListener('htmx:historyRestore', () => { window.restored = true; }, {once: true})")
        page.go_back()
        page.wait_for_load_state()
        if javascript:
            page.wait_for_function("() => window.restored !== false")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert MEDICAL_NOTE not in page.content()
        assert "Amira" not in page.content()
    assert page.problems == []
