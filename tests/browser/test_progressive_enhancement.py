"""Every page works without JavaScript; with it, htmx (vendored) makes navigation smoother."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Registration
from tests.browser.accessibility import assert_accessible
from tests.factories import wait_for_mail

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+(/login/link/[A-Za-z0-9_\-]+)")


def prove_address(page, live_server, mailbox, event, email="ana@example.org"):
    """On the registration page: give the address, open the link mailed to it, and come back signed in."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    mail = wait_for_mail(mailbox, email, lambda m: m["Subject"].startswith("Continue your registration"))
    page.goto(live_server(LINK.search(mail.get_body(("plain",)).get_content()).group(1)))
    page.get_by_role("button", name="Sign me in").click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/register"))
    expect(page.locator("#email")).to_have_value(email)


def fill_registration(page, **overrides):
    values = {
        "#name_original": "Ana Souza",
        "#name_latin": "Ana Souza",
        "#surname": "Souza",
        "#organization": "Instituto Exemplo",
        "#phone": "+55 11 91234 5678",
        **overrides,
    }
    for selector, value in values.items():
        page.fill(selector, value)
    page.select_option("#country", "BR")
    page.check("#consent")


def test_public_registration_works_without_javascript(live_server, app, mailbox, make_event, open_page):
    event = make_event()
    page = open_page(java_script_enabled=False)
    page.goto(live_server(f"/e/{event.slug}/"))
    page.get_by_role("link", name="Register", exact=True).click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/register"))
    prove_address(page, live_server, mailbox, event)

    # A mistake comes back beside its field, with what was typed kept.
    fill_registration(page, **{"#phone": "call me"})
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#phone-error")).to_have_text("Enter a phone number such as +86 138 0000 0000.")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name_latin")).to_have_value("Ana Souza")
    expect(page.locator("#country")).to_have_value("BR")

    page.fill("#phone", "+55 11 91234 5678")
    page.check("#consent")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My trip")
    expect(page.locator(".ticket-card .qr svg")).to_be_visible()
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == "ana@example.org"))
        assert registration.state == "confirmed"
        expect(page.get_by_test_id("confirmation-code")).to_have_text(registration.confirmation_code)
    assert page.problems == []


def test_htmx_boosts_navigation_and_forms_into_whole_pages(live_server, app, mailbox, make_event, page):
    event = make_event()
    boosted = []
    page.on("request", lambda request: request.headers.get("hx-boosted") and boosted.append(
        (request.method, request.url)))
    page.goto(live_server(f"/e/{event.slug}/"))

    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("htmx.version").startswith("2.")
    htmx_src = page.locator("script[src*='htmx']").get_attribute("src")
    assert htmx_src.startswith("/static/vendor/htmx-"), htmx_src
    # A boosted navigation swaps the body; a full reload would forget this.
    page.evaluate("window.stillTheSameDocument = true")

    page.get_by_role("link", name="Register", exact=True).click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    expect(page.locator("header")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    expect(page).to_have_title(f"Register · {event.name_en}")
    assert page.evaluate("window.stillTheSameDocument") is True
    assert_accessible(page)
    # The link from the mail opens a page of its own; from there on, htmx again.
    prove_address(page, live_server, mailbox, event)
    page.evaluate("window.stillTheSameDocument = true")

    # An invalid form answers 422; htmx swaps it in like the no-JS page.
    fill_registration(page, **{"#name_latin": "安娜"})
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#name_latin-error")).to_have_text("Use Latin letters, spaces, hyphens and apostrophes only.")
    expect(page.locator("#name_original")).to_have_value("Ana Souza")
    expect(page.locator("header")).to_have_count(1)
    assert_accessible(page)

    page.fill("#name_latin", "Ana Souza")
    page.check("#consent")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page).to_have_url(live_server(f"/e/{event.slug}/me"))
    expect(page.locator(".ticket-card .qr svg")).to_be_visible()
    expect(page.locator("header")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    assert page.evaluate("window.stillTheSameDocument") is True
    register = live_server(f"/e/{event.slug}/register")
    assert ("GET", register) in boosted
    assert boosted.count(("POST", register)) == 2
    assert page.problems == []


def test_the_calendar_file_of_a_session_downloads_with_javascript_on(app, live_server, make_event, open_page):
    from tests.factories import at, make_session

    event = make_event()
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    page = open_page()
    page.goto(live_server(f"/e/{event.slug}/agenda/{session_id}"))
    # A boosted link would put the calendar's text in place of the page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Opening keynote")
