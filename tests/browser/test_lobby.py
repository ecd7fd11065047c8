"""The kiosk made for the lobby, in a real browser, on a portrait 1080×1920 and a landscape 1920×1080 screen.

The start screen: one instruction in the largest type on it, a drawn picture of where
to hold the code, the scan field and two large ways out, all on one screen without
scrolling, side by side in landscape. The welcome screen greets the guest by name
with their form of address in their own language, shows their hotel (never the room)
and today's sessions, and a printed badge is one scan and one tap away.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.checkin import devices
from portal.extensions import db
from portal.models import Event, User
from tests.browser.accessibility import assert_accessible
from tests.browser.test_kiosk_journey import session_today
from tests.factories import assert_large_targets, confirm_stay, file_stay, make_registration, make_small_block, pair_kiosk

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
# Records the print dialog instead of opening it: headless Chromium has none to show.
COUNT_PRINTS = "window.printed = 0; window.print = () => { window.printed += 1; };"

# The font size of every piece of visible text in <main>, by the element that holds it.
TEXT_SIZES = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, holder = node.parentElement;
    if (!node.textContent.trim() || !holder.getClientRects().length) continue;
    if (holder.closest('[hidden], template, .visually-hidden')) continue;
    sizes.push([holder.getAttribute('class') || holder.tagName, parseFloat(getComputedStyle(holder).fontSize)]);
  }
  return sizes;
}"""


def _inside(box, viewport) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5 \
        and box["y"] + box["height"] <= viewport["height"] + 0.5


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_the_start_screen_fills_a_lobby_screen_in_either_orientation(
        app, live_server, event, organizer, open_page, viewport):
    page = open_page(viewport=viewport)
    pair_kiosk(page, app, live_server, event.id, organizer)

    instruction = page.locator("#scan-instruction")
    expect(instruction).to_have_text("Hold the QR code from your e-mail or phone under the scanner.")
    # One instruction, in the largest type on the screen (the title included), and at least 40 px.
    size = float(instruction.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 40
    others = [(holder, px) for holder, px in page.evaluate(TEXT_SIZES) if "kiosk-instruction" not in holder]
    assert others and all(px < size for _, px in others), others
    # The scan field is described by it, for a screen reader.
    field = page.get_by_label("Scan your ticket QR code")
    expect(field).to_have_attribute("aria-describedby", "scan-instruction")

    # A picture drawn in the page (no image file), and everything a guest needs without scrolling.
    picture = page.locator("main svg.lobby-picture")
    expect(picture).to_be_visible()
    assert page.locator("main img").count() == 0
    find = page.get_by_role("link", name="No QR code? Find my registration")
    ask = page.get_by_role("link", name="Ask for help")
    check_in = page.get_by_role("button", name="Check in")
    for part in (instruction, picture, field, check_in, find, ask):
        assert _inside(part.bounding_box(), viewport), part
    assert page.evaluate("document.scrollingElement.scrollHeight") <= viewport["height"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    # The two ways out are large tiles, side by side, each at least 96 px tall.
    find_box, ask_box = find.bounding_box(), ask.bounding_box()
    assert find_box["height"] >= 96 and ask_box["height"] >= 96
    assert abs(find_box["y"] - ask_box["y"]) < 1 and find_box["x"] < ask_box["x"]

    picture_box, field_box = picture.bounding_box(), field.bounding_box()
    if viewport is LANDSCAPE:
        # Two columns: the instruction and its picture on the left, the scan field on the right.
        assert picture_box["x"] + picture_box["width"] <= field_box["x"]
    else:
        # One column, the picture above the field, the screen's width used.
        assert picture_box["y"] + picture_box["height"] <= field_box["y"]
        assert field_box["width"] >= viewport["width"] * 0.8
    expect(field).to_be_focused()
    assert_accessible(page)
    assert_large_targets(page)
    assert page.problems == []


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_one_scan_and_one_tap_print_the_badge_after_a_greeting_in_the_guests_language(
        app, live_server, event, organizer, open_page, viewport):
    guest = make_registration(app, event, language="zh_Hans", honorific="Prof")
    session_today(app, event, guest["id"], "Opening keynote")
    confirm_stay(app, event, file_stay(app, event, guest["id"], make_small_block(app, event), start=-1, nights=3),
                 room="1203")
    page = open_page(viewport=viewport)
    page.add_init_script(COUNT_PRINTS)
    pair_kiosk(page, app, live_server, event.id, organizer)

    # One scan: the scanner types the code and Enter.
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kiosk/welcome/"))
    # In the guest's own language, their name in its own script and their form of address after it.
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎您，王小明教授")
    today = page.locator(".lobby-today")
    expect(today).to_contain_text("湖畔酒店")
    expect(today).not_to_contain_text("1203")
    expect(page.locator(".today-sessions")).to_contain_text("Opening keynote（中文）")
    # The one tap, on the largest button, on screen without scrolling.
    badge = page.get_by_role("button", name="打印我的胸卡")
    assert _inside(badge.bounding_box(), viewport)
    assert badge.bounding_box()["height"] >= 96
    if viewport is LANDSCAPE:
        assert badge.bounding_box()["x"] + badge.bounding_box()["width"] <= today.bounding_box()["x"]
    assert_accessible(page)
    assert_large_targets(page)

    badge.click()
    expect(page.locator(".badge-card")).to_contain_text("王小明")
    # kiosk.js prints once the badge's stylesheet is in; a moment later it has printed once, and only once.
    page.wait_for_function("() => window.printed > 0")
    page.wait_for_timeout(500)
    assert page.evaluate("window.printed") == 1
    assert page.problems == []


def test_the_start_screen_checks_a_guest_in_without_javascript(app, live_server, event, organizer, open_page):
    guest = make_registration(app, event)
    page = open_page(viewport=PORTRAIT, java_script_enabled=False)
    pair_kiosk_without_script(page, app, live_server, event, organizer)
    expect(page.locator("main svg.lobby-picture")).to_be_visible()
    page.get_by_label("Scan your ticket QR code").fill(guest["ticket"])
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")


def pair_kiosk_without_script(page, app, live_server, event, organizer) -> None:
    """Pair through the real page; without script nothing waits for the field's focus."""
    with app.app_context():
        _, code = devices.create_device(db.session.get(Event, event.id), "Hall B", "North entrance",
                                        db.session.get(User, organizer.id))
    page.goto(live_server("/kiosk/pair"))
    page.get_by_label("Pairing code").fill(devices.format_pairing_code(code))
    page.get_by_role("button", name="Pair").click()
    expect(page).to_have_url(live_server("/kiosk/"))
