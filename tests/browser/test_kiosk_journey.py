"""A guest at a paired kiosk, in a real browser: scan → welcome (hotel, sessions) → badge → idle → nothing left.

The kiosk is paired through the real /kiosk/pair page with a code made by the
staff service; the scanner is a keyboard typing the ticket code and Enter into
whatever has focus, as a keyboard-wedge scanner does. The badge's QR is decoded
from a screenshot. The idle timings are the app's settings, shortened here.
A second Chromium with a fake camera (a video of the ticket QR) checks in
through the camera scan; the ordinary one, without a camera, never offers it.
"""

import io
from datetime import datetime, timedelta

import pytest
import qrcode
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import AgendaEntry, Event, Session
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.factories import (
    assert_large_targets, confirm_stay, file_stay, make_registration, make_small_block, pair_kiosk,
)

pytestmark = pytest.mark.browser

# The idle timer runs while the test checks a screen (axe, every target's size), which takes
# seconds on a loaded machine: the guest must not be timed out before the test's next tap.
IDLE, COUNTDOWN = 10, 2


@pytest.fixture
def app(make_app):
    """Idle settings short enough to wait for."""
    return make_app(KIOSK_IDLE_SECONDS=IDLE, KIOSK_COUNTDOWN_SECONDS=COUNTDOWN)


def session_today(app, event, registration_id: int, title: str) -> None:
    """A session starting now, in the event's time zone, in the guest's own agenda."""
    with app.app_context():
        zone = db.session.get(Event, event.id).zone
        starts = datetime.now(zone).replace(second=0, microsecond=0)
        talk = Session(event_id=event.id, title_en=title, title_zh=title + "（中文）", starts_at=starts,
                       ends_at=starts + timedelta(minutes=30), visibility="public")
        db.session.add(talk)
        db.session.flush()
        db.session.add(AgendaEntry(registration_id=registration_id, session_id=talk.id))
        db.session.commit()


def decode_qr(png: bytes) -> str:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def test_a_guest_checks_in_gets_a_badge_and_leaves_nothing_behind(app, live_server, event, organizer, open_page):
    guest = make_registration(app, event)
    session_today(app, event, guest["id"], "Opening keynote")
    # A confirmed room from yesterday to the day after tomorrow, through the lodging service.
    confirm_stay(app, event, file_stay(app, event, guest["id"], make_small_block(app, event), start=-1, nights=3),
                 room="1203")
    page = open_page(device_scale_factor=2)
    pair_kiosk(page, app, live_server, event.id, organizer)

    # The start screen: accessible, large targets, the scan field focused, no camera offered without one.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please check in here.")
    expect(page.get_by_label("Scan your ticket QR code")).to_be_focused()
    expect(page.get_by_role("button", name="Scan with camera")).to_be_hidden()
    assert_accessible(page)
    assert_large_targets(page)

    # The scanner types the code and Enter into whatever has focus.
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
    expect(page.locator("#main").get_by_role("status")).to_have_text("You are checked in.")
    expect(page.locator(".today-sessions")).to_contain_text("Opening keynote")
    expect(page.locator(".today-cards")).to_contain_text("Lakeside Hotel")
    expect(page.locator(".today-cards")).not_to_contain_text("1203")  # a public screen
    assert "/kiosk/welcome/" in page.url
    assert_accessible(page)
    assert_large_targets(page)

    # The badge, with a QR that carries the ticket code.
    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    qr = page.locator(".badge-qr svg")
    expect(qr).to_be_visible()
    assert decode_qr(qr.screenshot()) == guest["ticket"]
    expect(page.locator(".badge-card")).to_contain_text("王小明")

    # Left alone: the warning with its countdown, then the start screen.
    expect(page.get_by_role("alertdialog")).to_be_visible(timeout=(IDLE + 2) * 1000)
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    expect(page).to_have_url(live_server("/kiosk/"), timeout=(COUNTDOWN + 3) * 1000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please check in here.")

    # Back brings nobody back: the page comes from the server, which has forgotten the visit.
    page.go_back()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please check in here.")
    content = page.content()
    for trace in ("Wang", "王小明", "Opening keynote", "Lakeside", "1203", guest["ticket"]):
        assert trace not in content
    assert page.problems == []


def test_continue_keeps_the_guest_on_screen(app, live_server, event, organizer, open_page):
    guest = make_registration(app, event)
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
    expect(page.get_by_role("alertdialog")).to_be_visible(timeout=(IDLE + 2) * 1000)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    # Past the moment the countdown would have ended, the guest is still greeted.
    page.wait_for_timeout((COUNTDOWN + 1) * 1000)
    assert "/kiosk/welcome/" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")


def fake_camera_video(path, text: str) -> None:
    """A Y4M video (what Chromium's fake camera plays) of the QR code of `text` on white."""
    width, height = 640, 480
    code = qrcode.QRCode(border=4, box_size=10)
    code.add_data(text)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    picture = picture.resize((400, 400), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - 400) // 2, (height - 400) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_a_kiosk_with_a_camera_scans_the_ticket_with_it(app, live_server, event, organizer, browser, tmp_path):
    guest = make_registration(app, event)
    video = tmp_path / "ticket.y4m"
    fake_camera_video(video, guest["ticket"])
    with_camera = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = with_camera.new_context(locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        pair_kiosk(page, app, live_server, event.id, organizer)
        camera = page.get_by_role("button", name="Scan with camera")
        expect(camera).to_be_visible()
        assert_accessible(page)
        camera.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
        expect(page.locator("#main").get_by_role("status")).to_have_text("You are checked in.")
        # The page's CSP let the camera and the decoder work: nothing was refused.
        assert problems == []
        context.close()
    finally:
        with_camera.close()
