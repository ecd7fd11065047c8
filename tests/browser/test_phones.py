"""The portal and the staff console on a 360 px phone, in a real browser, on the demo event.

The staff menu and the agenda's filters fold into a <details> (no script needed) and are
always open on a desktop; My trip shows the ticket first; an emergency stays at the top
of the screen in a role="alert" region that the 10-second poll leaves alone while nothing
changed (other notices go to the role="status" one beside it); no key page scrolls sideways at 360 px.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.agenda import announcements
from portal.database import utcnow
from portal.extensions import db
from portal.models import Event, Registration, User
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import next_answer
from tests.factories import signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}
LOCALES = {"en": "en-GB", "zh": "zh-CN"}
GUEST_PAGES = ("/e/demo/", "/e/demo/agenda", "/e/demo/agenda?day=all", "/e/demo/agenda/changes", "/e/demo/me",
               "/e/demo/me/agenda", "/e/demo/me/lodging", "/e/demo/me/transport", "/e/demo/me/needs",
               "/e/demo/me/help", "/e/demo/me/profile", "/e/demo/me/data", "/account")
ANONYMOUS_PAGES = ("/", "/login", "/e/demo/register", "/e/demo/announcements")
# Counts changes of content (not htmx's busy class) in the strip's box, marked so the test knows it
# is still the same element.
WATCH_STRIP = """() => {
  const box = document.getElementById('announcements');
  box.dataset.watched = 'yes';
  window.stripChanges = 0;
  window.alertChanges = 0;
  new MutationObserver(records => { window.stripChanges += records.length; })
    .observe(box, {subtree: true, childList: true, characterData: true});
  new MutationObserver(records => { window.alertChanges += records.length; })
    .observe(document.getElementById('announcements-urgent'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def demo(app, demo_event):
    """The demo event, its organizer and its first confirmed guest."""
    with app.app_context():
        guest = db.session.scalar(select(Registration).where(
            Registration.event_id == demo_event["event_id"], Registration.state == "confirmed")
            .order_by(Registration.id))
        return {**demo_event, "guest_user_id": guest.user_id}


def _too_wide(page, path: str) -> list[str]:
    """Nothing, or what makes the page wider than the phone."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('table'))
      .slice(0, 3).map(e => e.outerHTML.slice(0, 80))""")
    return [f"{path} is {width} px wide: {wide}"]


def scroll_down(page) -> None:
    """Scroll far down with the wheel, as a thumb does, and wait until the page has stopped moving."""
    page.mouse.wheel(0, 5000)
    page.wait_for_function("""() => new Promise(done => {
      let last = -1;
      const settled = () => { if (scrollY > 0 && scrollY === last) { done(true); } else { last = scrollY; setTimeout(settled, 100); } };
      settled();
    })""")


def _post(app, demo, level: str, text: str) -> int:
    with app.app_context():
        return announcements.post(
            db.session.get(Event, demo["event_id"]), db.session.get(User, demo["organizer_id"]), level=level,
            text_en=text, text_zh=text, starts_at=utcnow(), ends_at=None).id


@pytest.mark.parametrize("language", list(LOCALES))
def test_no_key_page_scrolls_sideways_on_a_360px_phone(app, live_server, demo, open_page, language):
    too_wide = []
    page = open_page(locale=LOCALES[language], viewport=PHONE)
    for path in ANONYMOUS_PAGES:
        page.goto(live_server(path))
        too_wide += _too_wide(page, path)
    page = signed_in_page(app, live_server, open_page(locale=LOCALES[language], viewport=PHONE), demo["guest_user_id"])
    for path in GUEST_PAGES:
        page.goto(live_server(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        too_wide += _too_wide(page, path)
    # Every page of the staff console's menu, as the organizer (who sees all of it) opens them.
    page = signed_in_page(app, live_server, open_page(locale=LOCALES[language], viewport=PHONE), demo["organizer_id"])
    page.goto(live_server("/staff/e/demo/"))
    links = page.locator(".subnav-row a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(links) > 15
    for path in ["/staff/"] + links:
        page.goto(live_server(path))
        too_wide += _too_wide(page, path)
    assert not too_wide, "\n".join(too_wide)
    assert page.problems == []


def test_the_staff_menu_folds_on_a_phone_and_is_open_on_a_desktop_without_javascript(
        app, live_server, demo, open_page):
    phone = signed_in_page(app, live_server, open_page(viewport=PHONE, java_script_enabled=False), demo["organizer_id"])
    phone.goto(live_server("/staff/e/demo/"))
    menu = phone.get_by_role("navigation", name="Event console")
    guests = menu.get_by_role("link", name="Guests", exact=True)
    expect(guests).to_be_hidden()
    # One line instead of six rows of tabs, a 48 px target.
    summary = menu.locator("summary")
    expect(summary).to_have_text("Menu")
    assert menu.bounding_box()["height"] <= 60 and summary.bounding_box()["height"] >= 48
    summary.click()
    expect(guests).to_be_visible()
    assert guests.bounding_box()["height"] >= 48
    guests.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Guests")

    desktop = signed_in_page(app, live_server, open_page(viewport=DESKTOP, java_script_enabled=False),
                             demo["organizer_id"])
    desktop.goto(live_server("/staff/e/demo/"))
    menu = desktop.get_by_role("navigation", name="Event console")
    expect(menu.get_by_role("link", name="Guests", exact=True)).to_be_visible()
    expect(menu.locator("summary")).to_be_hidden()

    # axe needs script: the same phone page with it, folded and unfolded.
    phone = signed_in_page(app, live_server, open_page(viewport=PHONE), demo["organizer_id"])
    phone.goto(live_server("/staff/e/demo/"))
    assert_accessible(phone)
    phone.get_by_role("navigation", name="Event console").locator("summary").click()
    assert_accessible(phone)


def test_the_agenda_filters_fold_on_a_phone_and_show_on_a_desktop(app, live_server, demo, open_page):
    phone = open_page(viewport=PHONE)
    phone.goto(live_server("/e/demo/agenda?day=all"))
    search = phone.get_by_label("Search sessions and speakers")
    expect(search).to_be_hidden()
    # The first session is on the first screen, not below a screenful of filters.
    first = phone.locator("#agenda-sessions h3, #agenda-sessions h2").first
    assert first.bounding_box()["y"] < PHONE["height"]
    phone.get_by_text("Search and filter").click()
    expect(search).to_be_visible()
    search.fill("keynote")
    phone.get_by_role("button", name="Show", exact=True).click()
    expect(phone).to_have_url(re.compile(r"q=keynote"))
    # A search in use keeps the filters open after the page comes back.
    expect(phone.get_by_label("Search sessions and speakers")).to_be_visible()
    assert_accessible(phone)

    desktop = open_page(viewport=DESKTOP)
    desktop.goto(live_server("/e/demo/agenda"))
    expect(desktop.get_by_label("Search sessions and speakers")).to_be_visible()
    expect(desktop.get_by_text("Search and filter")).to_be_hidden()


def test_my_trip_shows_the_ticket_first_on_a_phone(app, live_server, demo, open_page):
    page = signed_in_page(app, live_server, open_page(viewport=PHONE), demo["guest_user_id"])
    page.goto(live_server("/e/demo/me"))
    ticket = page.locator("section.ticket-card")
    registration = page.locator("section.status-card")
    assert ticket.bounding_box()["y"] < registration.bounding_box()["y"]
    # The QR code itself is on the first screen.
    qr = ticket.locator(".qr svg")
    assert qr.bounding_box()["y"] + qr.bounding_box()["height"] <= PHONE["height"]
    assert_accessible(page)



def test_only_the_emergency_stays_in_view_the_other_notices_scroll_away(app, live_server, demo, open_page):
    _post(app, demo, "emergency", "Fire alarm: leave by the east exit.")
    for n in range(3):
        _post(app, demo, "info", f"Notice {n}: shuttles run every 20 minutes from both partner hotels until 10:00.")
    page = open_page(viewport=PHONE)
    page.goto(live_server("/e/demo/agenda?day=all"))
    scroll_down(page)
    assert page.evaluate("scrollY") > 300
    alert = page.get_by_role("alert")
    assert abs(alert.bounding_box()["y"]) < 1
    # The polite notices went up with the page: the phone's screen is the guest's, under the emergency.
    notices = page.locator("#announcements").get_by_role("status").bounding_box()
    assert notices["y"] + notices["height"] <= 0
    assert_accessible(page)

def test_an_emergency_stays_in_view_and_is_announced_once(app, live_server, demo, open_page):
    _post(app, demo, "emergency", "Fire alarm: leave by the east exit.")
    page = signed_in_page(app, live_server, open_page(viewport=PHONE), demo["guest_user_id"])
    page.goto(live_server("/e/demo/me"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Fire alarm: leave by the east exit.")
    assert_accessible(page)
    # Sticky: still at the top after scrolling to the bottom of the page.
    scroll_down(page)
    assert page.evaluate("scrollY") > 300
    box = alert.bounding_box()
    assert abs(box["y"]) < 1 and box["height"] > 20

    # The poll while nothing changed: answered 204, nothing in the alert box touched.
    page.evaluate(WATCH_STRIP)
    assert next_answer(page, "/e/demo/announcements") == 204
    assert page.evaluate("window.stripChanges") == 0

    # A new notice: swapped in once, into the polite region beside it; the alert is not touched.
    _post(app, demo, "important", "Lunch moves to the terrace.")
    assert next_answer(page, "/e/demo/announcements") == 200
    polite = page.locator("#announcements").get_by_role("status")
    expect(polite).to_contain_text("Lunch moves to the terrace.")
    expect(alert).not_to_contain_text("Lunch moves")
    assert page.evaluate("window.alertChanges") == 0
    assert page.evaluate("document.getElementById('announcements').dataset.watched") == "yes"
    changes = page.evaluate("window.stripChanges")
    assert changes > 0
    # And the poll after that leaves it alone again.
    assert next_answer(page, "/e/demo/announcements") == 204
    assert page.evaluate("window.stripChanges") == changes
    expect(page.get_by_role("alert")).to_have_count(1)
    assert page.problems == []


@pytest.mark.parametrize("language", list(LOCALES))
def test_a_guest_with_a_long_address_does_not_widen_the_staff_guest_page(app, live_server, demo, open_page, language):
    with app.app_context():
        guest = db.session.scalars(select(Registration).where(Registration.event_id == demo["event_id"])).all()
        longest = max(guest, key=lambda registration: len(registration.email or ""))
    page = signed_in_page(app, live_server, open_page(locale=LOCALES[language], viewport=PHONE,
                                                       java_script_enabled=False), demo["organizer_id"])
    path = f"/staff/e/demo/guests/{longest.id}"
    page.goto(live_server(path))
    expect(page.get_by_text(longest.email, exact=True)).to_be_visible()
    assert not _too_wide(page, path)


def test_the_badge_preview_at_the_desk_fits_a_360px_phone(app, live_server, demo, open_page):
    from portal.checkin import services as checkin

    with app.app_context():
        event = db.session.get(Event, demo["event_id"])
        guest = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.state == "confirmed").order_by(Registration.id))
        checkin.check_in(event, guest.id, staff=db.session.get(User, demo["organizer_id"]))
        path = f"/staff/e/demo/guests/{guest.id}/badge"
    page = signed_in_page(app, live_server, open_page(viewport=PHONE, java_script_enabled=False), demo["organizer_id"])
    page.goto(live_server(path))
    expect(page.locator(".badge-card")).to_be_visible()
    assert not _too_wide(page, path)
