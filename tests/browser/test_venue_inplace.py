"""Pages loaded in place (hx-boost) behave as if loaded whole, in a real browser.

The badge reached by the boosted kiosk flow prints at 4 × 3 in; the kiosk's scan field takes
a typed confirmation code; a revoked or rate-limited kiosk says so on its own screen.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.checkin import devices
from portal.extensions import db
from portal.models import BadgePrint, Event, KioskDevice, TicketRating, User
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import LiveServer
from tests.factories import RATE_LINKS, pair_kiosk, resolved_mail, signed_in_page
from tests.browser.kiosk import check_ins as offline_check_ins
from tests.browser.kiosk import done, open_kiosk, until, welcomed
from tests.sessions import sign_in_new_account
from tests.factories import make_guest as make_portal_guest
from tests.factories import make_registration as make_guest

pytestmark = pytest.mark.browser

POINTS_PER_INCH = 72
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in inches, from the PDF's media boxes."""
    return [(float(w) / POINTS_PER_INCH, float(h) / POINTS_PER_INCH) for w, h in MEDIA_BOX.findall(pdf)]


def scan_in(page, guest) -> None:
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")


def test_the_badge_reached_by_the_kiosk_flow_prints_at_4_by_3_inches(app, live_server, event, organizer, open_page):
    guest = make_guest(app, event)
    page = open_page()
    # Headless Chromium has no printer: count the page's print requests, and print to PDF ourselves.
    page.add_init_script("window.printed = 0; window.print = function () { window.printed += 1; };")
    pair_kiosk(page, app, live_server, event.id, organizer)
    scan_in(page, guest)

    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    until(page, lambda: page.evaluate("window.printed") == 1, what="the print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_page_sizes(pdf) == [(4.0, 3.0)], "one card on one 4 × 3 in page"

    # "Print again" goes through the server, which logs a reprint, and prints the same card.
    page.get_by_role("button", name="Print again").click()
    until(page, lambda: page.evaluate("window.printed") == 2, what="the reprint")
    assert pdf_page_sizes(page.pdf(prefer_css_page_size=True)) == [(4.0, 3.0)]
    with app.app_context():
        prints = db.session.scalars(db.select(BadgePrint).where(BadgePrint.registration_id == guest["id"])
                                    .order_by(BadgePrint.id)).all()
        assert [p.reprint for p in prints] == [False, True]
    assert page.problems == []


def test_a_confirmation_code_typed_in_the_scan_field_checks_the_guest_in(app, live_server, event, organizer,
                                                                          open_page):
    guest = make_guest(app, event)
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    page.get_by_label("Scan your ticket QR code").type(guest["code"].lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
    expect(page.locator("#main").get_by_role("status")).to_have_text("You are checked in.")
    assert page.problems == []


def test_the_kiosk_language_switch_marks_the_page_and_the_welcome_in_chinese(app, live_server, event, organizer,
                                                                             open_page):
    guest = make_guest(app, event)
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Welcome. Please check in here.")
    expect(page.locator("main [autofocus]")).to_be_focused()
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("王小明")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.title() == page.evaluate("document.title") and "Kiosk" not in page.title()
    # Focus moved to the new screen's heading, and the status line names it for a screen reader.
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.locator("[data-page-announcer]")).to_have_text(page.title())
    assert_accessible(page)
    page.get_by_role("link", name="完成").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please check in here.")



def test_a_kiosk_form_sent_with_a_mistake_puts_focus_on_the_field_to_correct(app, live_server, event, organizer,
                                                                            open_page):
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    page.get_by_role("link", name="No QR code? Find my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find my registration")
    page.get_by_label("Family name").fill("Wang")
    page.get_by_label("Last four digits of your phone number").fill("12ab")
    page.locator("form").filter(has=page.get_by_label("Family name")).get_by_role("button", name="Check in").click()
    phone = page.get_by_label("Last four digits of your phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    # The guest types the correction straight away, with what they typed still there.
    expect(phone).to_be_focused()
    expect(phone).to_have_value("12ab")
    expect(page.get_by_label("Family name")).to_have_value("Wang")
    assert_accessible(page)
    assert page.problems == []

def test_the_portal_language_switch_marks_the_page(app, live_server, make_event, open_page):
    event = make_event()
    page = open_page()
    page.goto(live_server(f"/e/{event.slug}/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english_title = page.title()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).not_to_have_title(english_title)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title(english_title)
    assert page.problems == []


def test_a_my_trip_editor_opened_in_place_takes_the_focus(app, live_server, make_event, open_page):
    event = make_event()
    guest = make_portal_guest(app, event, "trip@example.org", name="Trip Guest")
    page = signed_in_page(app, live_server, open_page(), guest.user_id)
    page.goto(live_server(f"/e/{event.slug}/me"))

    page.locator("#transport-card").get_by_role("link", name="Give or change my travel details").click()
    expect(page.locator("#transport-card").get_by_label("Travelling by").first).to_be_focused()
    # The next Tab goes on through the form, not back to the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#transport-card') !== null")

    # A submit with mistakes: focus on the error summary, which names them.
    page.locator("#transport-card form").first.get_by_label("Passengers").fill("0")
    page.locator("#transport-card form").first.get_by_role("button", name="Save my arrival").click()
    expect(page.locator("#transport-card .error-summary").first).to_be_focused()
    assert_accessible(page)
    assert page.problems == []


def test_a_revoked_kiosk_says_so_and_shows_no_guest(app, live_server, event, organizer, open_page):
    guest = make_guest(app, event)
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    scan_in(page, guest)
    # The kiosk asks for its offline manifest once a page has loaded, and polls the announcements every
    # 10 s; a refusal of either reloads the page by itself, under the guest's tap. Let the first ask
    # finish, then hold both, so the tap is what the server refuses.
    page.wait_for_load_state("networkidle")
    page.context.route(re.compile(r"/kiosk/(announcements|offline/manifest)"), lambda route: None)
    with app.app_context():
        device = db.session.scalar(db.select(KioskDevice).where(KioskDevice.event_id == event.id))
        devices.revoke(device, db.session.get(User, organizer.id))
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This kiosk is out of service")
    content = page.content()
    for trace in ("Wang", "王小明", guest["ticket"]):
        assert trace not in content
    assert_accessible(page)


@pytest.fixture
def limited_server(app, make_app):
    """The app with a kiosk scan limit low enough to reach (the limiter follows the app made last)."""
    limited = make_app(RATELIMIT_ENABLED=True, KIOSK_SCAN_RATE_LIMIT="1 per minute")
    server = LiveServer(limited)
    limited.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()
    assert not server.errors, server.errors


def test_a_limited_kiosk_shows_its_own_screen(limited_server, make_event, make_staff, open_page):
    app = limited_server.app
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    guest = make_guest(app, event)
    with app.app_context():
        _device, code = devices.create_device(db.session.get(Event, event.id), "Hall", "", organizer)
    page = open_page()
    page.goto(limited_server("/kiosk/pair"))
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair").click()
    expect(page.get_by_label("Scan your ticket QR code")).to_be_focused()
    page.keyboard.type("not a ticket")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please see the help desk")
    page.get_by_role("link", name="Back to the start").click()
    expect(page.get_by_label("Scan your ticket QR code")).to_be_focused()
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts at this kiosk")
    expect(page).to_have_title("Too many attempts at this kiosk")
    assert "Wang" not in page.content()
    assert_accessible(page)


def test_a_failed_registration_puts_focus_on_the_error_summary(app, live_server, make_event, open_page):
    event = make_event()
    client = app.test_client()
    sign_in_new_account(client, "new@example.org")
    page = open_page()
    page.context.add_cookies([{"name": "session", "value": client.get_cookie("session").value,
                               "url": live_server.url}])
    page.goto(live_server(f"/e/{event.slug}/register"))
    page.get_by_role("button", name="Register", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please check the form")
    assert_accessible(page)


def test_the_rating_page_from_the_mail_has_thumb_sized_targets_on_a_phone(app, live_server, make_event, make_staff,
                                                                          mailbox, open_page):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    client = app.test_client()
    resolved = resolved_mail(app, client, event, desk, mailbox, language="zh_Hans")
    [(path, _)] = [link for link in RATE_LINKS.findall(resolved.get_body(("plain",)).get_content()) if link[1] == "5"]
    page = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(live_server(path))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    targets = page.locator(".rating-form .check, .rating-form button")
    assert targets.count() == 7  # five ratings and the button above and below the comment
    for n in range(targets.count()):
        box = targets.nth(n).bounding_box()
        assert box["height"] >= 48, targets.nth(n).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="提交评价").first.tap()
    # The rating page has a heading too: wait for the thanks, which only comes once the rating is stored.
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(TicketRating.score)) == 5


def test_offline_too_a_code_typed_in_the_scan_field_checks_the_guest_in(app, live_server, event, organizer, guests,
                                                                         browser):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)
    code = guests["wang"]["code"]
    welcomed(page, code[:4].lower() + "-" + code[4:].lower(), "Welcome, Mr Wang Xiaoming")
    done(page)
    context.set_offline(False)
    arrived = until(page, lambda: offline_check_ins(app).get(guests["wang"]["id"]), what="the sync")
    assert arrived[0] is not None  # checked in by the kiosk, once it could tell the server
    context.close()


def test_offline_too_a_code_typed_in_full_width_letters_checks_the_guest_in(app, live_server, event, organizer,
                                                                             guests, browser):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)
    # What a Chinese input method types: full-width letters and digits, an ideographic space.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in guests["wang"]["code"])
    welcomed(page, full_width[:4] + "\u3000" + full_width[4:], "Welcome, Mr Wang Xiaoming")
    done(page)
    context.set_offline(False)
    arrived = until(page, lambda: offline_check_ins(app).get(guests["wang"]["id"]), what="the sync")
    assert arrived[0] is not None
    context.close()
