"""The kiosk: enrolment, access, scan and lookup, welcome, badge, idle reset and privacy."""

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.checkin import credential, devices, offline
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEntry, BadgePrint, CheckIn, Event, KioskDevice, Ticket, User
from portal.models.registration import CANCELLED, DECLINED, PENDING, WAITLISTED
from tests.factories import (
    check_ins, counting_queries, CSRF_INPUT, csrf_token, make_registration, new_kiosk, pair, scan, submit,
)

KIOSK_PATHS = ["/kiosk/", "/kiosk/find", "/kiosk/reset", "/kiosk/help", "/kiosk/welcome/abcdefghijklmnopqrstuv",
               "/kiosk/badge/abcdefghijklmnopqrstuv", "/kiosk/announcements?shown=", "/kiosk/refresh?next=/kiosk/"]


# -- Enrolment and access ------------------------------------------------------------------------

@pytest.mark.parametrize("path", KIOSK_PATHS)
def test_an_unpaired_browser_gets_nothing_but_the_way_to_pair(client, organizer, path):
    response = client.get(path)
    if path.startswith("/kiosk/announcements"):  # fetched by a script, not a screen: refused, not redirected
        assert response.status_code == 403
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/kiosk/pair"
    assert response.headers["Cache-Control"] == "no-store"
    token = csrf_token(client, "/kiosk/pair")
    posted = client.post(path, data={"csrf_token": token, "ticket": "x"})
    assert posted.status_code == 405 or (posted.status_code == 403 and "/kiosk/pair" in posted.get_data(as_text=True))


def test_pairing_sets_a_strict_httponly_cookie_and_stores_only_its_hash(app, client, organizer):
    device_id, code = new_kiosk(app, organizer.event, organizer)
    response = pair(client, code.lower()[:4] + "-" + code.lower()[4:])
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(credential.COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/kiosk/" in cookie
    secret = cookie.split(";")[0].split("=", 1)[1]
    with app.app_context():
        device = db.session.get(KioskDevice, device_id)
        assert device.credential_hash != secret and len(device.credential_hash) == 64
        assert device.paired_at is not None and device.pairing_code_hash is None
    start = client.get("/kiosk/")
    assert start.status_code == 200
    assert "Future Summit" in start.get_data(as_text=True)


def test_a_pairing_code_works_once(app, client, organizer):
    _, code = new_kiosk(app, organizer.event, organizer)
    assert pair(client, code).status_code == 303
    other = app.test_client()
    response = pair(other, code)
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)
    assert other.get("/kiosk/").headers["Location"] == "/kiosk/pair"


def test_an_expired_pairing_code_fails(app, client, organizer):
    device_id, code = new_kiosk(app, organizer.event, organizer)
    with app.app_context():
        device = db.session.get(KioskDevice, device_id)
        device.pairing_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert pair(client, code).status_code == 422
    assert client.get("/kiosk/").headers["Location"] == "/kiosk/pair"


@pytest.mark.parametrize("code", ["", "x" * 10_000, "' OR 1=1 --", "ABCD-EFGH"])
def test_a_wrong_pairing_code_is_refused_calmly(client, organizer, code):
    response = pair(client, code)
    assert response.status_code == 422


@pytest.mark.parametrize("path", KIOSK_PATHS)
def test_a_revoked_kiosk_gets_nothing(app, kiosk, organizer, path):
    assert kiosk.get("/kiosk/").status_code == 200
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, kiosk.device_id), organizer)
    assert kiosk.get(path).status_code == 403


def test_a_kiosk_holds_no_staff_powers(kiosk):
    response = kiosk.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_last_contact_is_written_at_most_once_a_minute(app, kiosk):
    with app.app_context():
        first = db.session.get(KioskDevice, kiosk.device_id).last_seen_at
    kiosk.get("/kiosk/")
    with app.app_context():
        assert db.session.get(KioskDevice, kiosk.device_id).last_seen_at == first
        device = db.session.get(KioskDevice, kiosk.device_id)
        device.last_seen_at = first - timedelta(minutes=5)
        db.session.commit()
    kiosk.get("/kiosk/")
    with app.app_context():
        assert db.session.get(KioskDevice, kiosk.device_id).last_seen_at > first - timedelta(seconds=5)


# -- Scan, welcome and badge ---------------------------------------------------------------------

def test_the_start_screen_is_bilingual_and_large(kiosk):
    page = kiosk.get("/kiosk/")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "中文" in text and "English" in text
    assert 'autofocus' in text and 'inputmode="none"' in text
    assert '"historyCacheSize": 0' in text
    assert "site-header" not in text and "/login" not in text


def test_scan_checks_in_and_welcomes_by_name(app, kiosk):
    guest = make_registration(app, kiosk.event)
    response = scan(kiosk, guest["ticket"])
    assert response.status_code == 303
    welcome = kiosk.get(response.headers["Location"])
    text = welcome.get_data(as_text=True)
    assert welcome.status_code == 200 and welcome.headers["Cache-Control"] == "no-store"
    assert "Welcome, Mr Wang Xiaoming" in text
    assert "You are checked in." in text
    assert "VIP" in text
    # Nothing private on a public screen.
    for private in ("1234", "wang@example.org", guest["code"], guest["ticket"]):
        assert private not in text
    assert check_ins(app) == 1


def test_welcome_speaks_the_guests_language(app, kiosk):
    guest = make_registration(app, kiosk.event, language="zh_Hans")
    welcome = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"])
    assert "王小明" in welcome.get_data(as_text=True)


def test_a_second_scan_says_already_checked_in_at_what_time_and_offers_a_reprint(app, kiosk):
    guest = make_registration(app, kiosk.event)
    scan(kiosk, guest["ticket"])
    again = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"]).get_data(as_text=True)
    with app.app_context():
        at = db.session.scalar(select(CheckIn.at))
    local = at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"already checked in, since {local}" in again
    assert "Reprint my badge" in again
    assert check_ins(app) == 1


def test_a_retried_scan_with_the_same_nonce_gets_the_first_answer(app, kiosk):
    guest = make_registration(app, kiosk.event)
    nonce = "retry-nonce-0123456789"
    first = scan(kiosk, guest["ticket"], nonce=nonce)
    second = scan(kiosk, guest["ticket"], nonce=nonce)
    assert first.headers["Location"] == second.headers["Location"]
    assert "You are checked in." in kiosk.get(second.headers["Location"]).get_data(as_text=True)
    assert check_ins(app) == 1


@pytest.mark.parametrize("same_nonce", [False, True])
def test_a_guest_already_in_is_answered_and_nothing_is_written(app, kiosk, same_nonce):
    guest = make_registration(app, kiosk.event)
    nonce = "rescan-nonce-0123456789"
    first = scan(kiosk, guest["ticket"], nonce=nonce)
    with counting_queries(app) as statements:
        again = scan(kiosk, guest["ticket"], nonce=nonce if same_nonce else None)
    assert again.status_code == 303 and "/kiosk/welcome/" in again.headers["Location"]
    assert (again.headers["Location"] == first.headers["Location"]) == same_nonce
    writes = [sql for sql in statements if sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    answer = kiosk.get(again.headers["Location"]).get_data(as_text=True)
    assert ("You are checked in." in answer) == same_nonce and ("already checked in" in answer) != same_nonce
    assert check_ins(app) == 1


def test_the_badge_prints_and_every_print_is_logged(app, kiosk):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    badge_url = welcome_url.replace("/welcome/", "/badge/")
    token = csrf_token(kiosk, welcome_url)
    printed = kiosk.post(badge_url, data={"csrf_token": token})
    assert printed.status_code == 303 and printed.headers["Location"] == badge_url
    page = kiosk.get(badge_url)
    text = page.get_data(as_text=True)
    assert 'data-autoprint="true"' in text
    assert "王小明" in text and "Wang Xiaoming" in text and "Example Holdings" in text
    assert "<svg" in text and 'fill="#8a6d1d"' in text
    assert "css/badge.css" in text
    # A reload shows the badge without printing again.
    assert 'data-autoprint' not in kiosk.get(badge_url).get_data(as_text=True)
    kiosk.post(badge_url, data={"csrf_token": token})
    with app.app_context():
        prints = db.session.scalars(select(BadgePrint.reprint).order_by(BadgePrint.id)).all()
    assert prints == [False, True]


BACKGROUND_READS = ["/kiosk/offline/en", "/kiosk/offline/zh_Hans", "/kiosk/sw.js"]


def test_a_background_read_racing_a_scan_does_not_undo_the_guests_visit(app, kiosk):
    """The kiosk's script fetches its offline screens while a guest scans. A read sent before the
    scan and answered after it must not write back the cookie it carried, or the guest's tap on
    "Print my badge" lands on the start screen."""
    guest = make_registration(app, kiosk.event)
    kiosk.get("/kiosk/")
    before = kiosk.get_cookie("session").value
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    after = kiosk.get_cookie("session").value
    for path in BACKGROUND_READS:
        kiosk.set_cookie("session", before)  # the read went out with the cookie of before the scan
        answer = kiosk.get(path)
        assert answer.status_code in (200, 204), path
        assert kiosk.get_cookie("session").value == before, f"{path} rewrote the session cookie"
    kiosk.set_cookie("session", after)  # what the browser holds, since no read wrote over it
    badge_url = welcome_url.replace("/welcome/", "/badge/")
    printed = kiosk.post(badge_url, data={"csrf_token": csrf_token(kiosk, welcome_url)})
    assert printed.headers["Location"] == badge_url


def print_id(page: str) -> str:
    """The id the print button's form gives its print (kiosk/_print.html)."""
    form = page[page.index("data-print-form"):].split("</form>")[0]
    return re.search(r'name="nonce" value="([^"]+)"', form).group(1)


def test_a_print_sent_twice_is_logged_once_and_print_again_is_a_reprint(app, kiosk):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    badge_url = welcome_url.replace("/welcome/", "/badge/")
    welcome = kiosk.get(welcome_url).get_data(as_text=True)
    token, first = CSRF_INPUT.search(welcome).group(1), print_id(welcome)
    # The answer to the tap was lost and the request is sent again, as it was: one print.
    for _ in range(2):
        answer = kiosk.post(badge_url, data={"csrf_token": token, "nonce": first})
        assert answer.status_code == 303 and answer.headers["Location"] == badge_url
    badge = kiosk.get(badge_url).get_data(as_text=True)
    assert 'data-autoprint="true"' in badge
    again = print_id(badge)
    assert again != first
    kiosk.post(badge_url, data={"csrf_token": token, "nonce": again})
    with app.app_context():
        prints = db.session.execute(select(BadgePrint.reprint, BadgePrint.nonce).order_by(BadgePrint.id)).all()
    assert prints == [(False, first), (True, again)]


def test_the_print_button_gives_the_offline_kiosk_what_it_needs_to_print_itself(app, kiosk, organizer):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    # Not allowed offline: the form carries nothing of the guest.
    assert "data-printable" not in kiosk.get(welcome_url).get_data(as_text=True)
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        offline.allow(device, True, db.session.get(User, organizer.id))
        key = offline.device_key(device)
    for url in (welcome_url, welcome_url.replace("/welcome/", "/badge/")):
        page = kiosk.get(url).get_data(as_text=True)
        form = page[page.index("data-print-form"):].split(">")[0]
        printable = json.loads(html.unescape(re.search(r"data-printable='([^']+)'", form).group(1)))
        # The keyed hash the kiosk's list files the guest under, and what the badge shows; no code.
        assert printable == {"tag": offline.tag(key, offline.TICKET, guest["ticket"]),
                             "guest": ["王小明", "Wang Xiaoming", "Mr", printable["guest"][3], "en"]}
        assert guest["ticket"] not in form and guest["code"] not in form
        # And a screen for when neither the server nor the kiosk can print it.
        assert "<template data-print-failed>" in page and "Your badge could not be printed here." in page


def test_the_badge_qr_carries_the_ticket_code(app, kiosk):
    zxingcpp = pytest.importorskip("zxingcpp")
    pytest.importorskip("PIL")
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    text = kiosk.get(welcome_url.replace("/welcome/", "/badge/")).get_data(as_text=True)
    assert re.search(r'<svg[^>]*role="img"', text)
    from portal.guests.tickets import qr_png
    import io
    from PIL import Image
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(guest["ticket"]))))
    assert decoded[0].text == guest["ticket"]


@pytest.mark.parametrize("state", [CANCELLED, WAITLISTED, DECLINED, PENDING])
def test_a_guest_who_is_not_confirmed_is_sent_calmly_to_the_help_desk(app, kiosk, state):
    guest = make_registration(app, kiosk.event, state=state)
    response = scan(kiosk, guest["ticket"])
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/help"
    page = kiosk.get("/kiosk/help").get_data(as_text=True)
    assert "Please see the help desk" in page
    assert "Wang" not in page and "王" not in page
    assert check_ins(app) == 0
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "checkin.refused"))


@pytest.mark.parametrize("scanned", ["garbage", "x" * 10_240, "'; DROP TABLE registration; --", "ÿ\x00\x01", " "])
def test_bad_scans_get_a_calm_screen(app, kiosk, scanned):
    response = scan(kiosk, scanned)
    # A NUL character is refused with 400 before any view runs (see portal/web.py).
    assert response.status_code in (303, 400, 422) if "\x00" in scanned else response.status_code in (303, 422)
    if response.status_code == 303:
        assert response.headers["Location"] == "/kiosk/help"
    assert check_ins(app) == 0



@pytest.mark.parametrize("scanned", [" ", "   ", "\t"])
def test_only_spaces_in_the_scan_field_asks_for_the_qr_and_opens_no_desk_ticket(app, kiosk, scanned):
    response = scan(kiosk, scanned)
    assert response.status_code == 422
    assert "Scan the QR code on your ticket." in response.get_data(as_text=True)
    assert check_ins(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0

def test_a_ticket_of_another_event_is_unknown_here(app, kiosk, make_event):
    other = make_event(slug="other", name_en="Other Forum", name_zh="其他论坛")
    guest = make_registration(app, other)
    assert scan(kiosk, guest["ticket"]).headers["Location"] == "/kiosk/help"
    assert check_ins(app) == 0


def test_a_stale_csrf_token_starts_again_calmly(app, kiosk):
    guest = make_registration(app, kiosk.event)
    response = kiosk.post("/kiosk/", data={"csrf_token": "stale", "nonce": "n" * 22, "ticket": guest["ticket"]})
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/?expired=1"
    assert "took too long" in kiosk.get("/kiosk/?expired=1").get_data(as_text=True)
    assert check_ins(app) == 0


# -- Lookup without a QR -------------------------------------------------------------------------

def find(client, **data):
    token = csrf_token(client, "/kiosk/find")
    return client.post("/kiosk/find", data={"csrf_token": token, "nonce": "lookup-nonce-0123456789", **data})


def test_lookup_by_confirmation_code(app, kiosk):
    guest = make_registration(app, kiosk.event)
    response = find(kiosk, by="code", code=guest["code"].lower())
    assert response.status_code == 303
    assert "Welcome" in kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert check_ins(app) == 1



def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.mark.parametrize("way", ["scan field", "no QR code"])
def test_a_code_typed_with_a_chinese_input_methods_full_width_letters_is_found(app, kiosk, way):
    guest = make_registration(app, kiosk.event)
    typed = _full_width(guest["code"][:4] + " -" + guest["code"][4:])  # "ＡＢＣＤ　－ＥＦＧＨ"
    assert typed != guest["code"] and not typed.isascii()
    response = scan(kiosk, typed) if way == "scan field" else find(kiosk, by="code", code=typed)
    assert response.status_code == 303 and "/kiosk/welcome/" in response.headers["Location"]
    assert check_ins(app) == 1

def test_lookup_by_surname_and_phone(app, kiosk):
    make_registration(app, kiosk.event)
    response = find(kiosk, by="name", surname="wang", phone_last4="1234")
    assert response.status_code == 303
    assert check_ins(app) == 1


def _normalised(response) -> str:
    """The page without its CSRF token and the second it was rendered (the no-script refresh carries it)."""
    text = CSRF_INPUT.sub("csrf", response.get_data(as_text=True))
    return re.sub(r"since=\d+", "since=?", text)


def test_a_lookup_never_tells_a_wrong_second_factor_from_no_match(app, kiosk):
    make_registration(app, kiosk.event)
    make_registration(app, kiosk.event, email="li@example.org", name_original="李华", name_latin="Li Hua", surname="Li",
                      phone="+86 139 0000 5678")
    # Wang exists with another phone; Zhao does not exist; Li's digits are typed with Wang's name.
    wrong_factor = find(kiosk, by="name", surname="Wang", phone_last4="5678")
    no_match = find(kiosk, by="name", surname="Zhao", phone_last4="5678")
    assert wrong_factor.status_code == no_match.status_code == 422
    # Byte for byte the same page, once the typed name (kept in the form) and the CSRF token are set aside.
    assert _normalised(wrong_factor).replace('value="Wang"', 'value="?"') == \
        _normalised(no_match).replace('value="Zhao"', 'value="?"')
    unknown_name = no_match
    for page in (wrong_factor, no_match, unknown_name):
        text = page.get_data(as_text=True)
        assert "Li Hua" not in text and "李华" not in text and "Xiaoming" not in text
    wrong_code = find(kiosk, by="code", code="ZZZZ2222")
    assert wrong_code.status_code == 422
    assert check_ins(app) == 0


@pytest.mark.parametrize("data", [
    {"by": "name", "surname": "", "phone_last4": ""},
    {"by": "name", "surname": "Wang", "phone_last4": "12a4"},
    {"by": "name", "surname": "W" * 5000, "phone_last4": "1234"},
    {"by": "code", "code": ""},
    {"by": "code", "code": "x" * 10_000},
    {"by": "nonsense"},
])
def test_lookup_bad_input_gets_errors_beside_the_fields(app, kiosk, data):
    make_registration(app, kiosk.event)
    response = find(kiosk, **data)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert check_ins(app) == 0


def test_lookups_past_the_limit_are_refused(make_app, make_staff):
    from portal.models import Category

    app = make_app(RATELIMIT_ENABLED=True, KIOSK_LOOKUP_RATE_LIMIT="3 per minute")
    from datetime import date
    with app.app_context():
        event = Event(slug="summit", name_en="Future Summit", name_zh="未来峰会", starts_on=date.today(),
                      ends_on=date.today(), status="published")
        event.categories = Category.defaults()
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    organizer = make_staff("limit@example.org")
    with app.app_context():
        _, code = devices.create_device(db.session.get(Event, event_id), "Hall", "", organizer)
    client = app.test_client()
    assert pair(client, code).status_code == 303
    answers = [find(client, by="code", code="ZZZZ2222").status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]
    assert "help desk" in find(client, by="code", code="ZZZZ2222").get_data(as_text=True)
    # Another kiosk has its own allowance.
    with app.app_context():
        _, code = devices.create_device(db.session.get(Event, event_id), "Hall 2", "", organizer)
    second = app.test_client()
    pair(second, code)
    assert find(second, by="code", code="ZZZZ2222").status_code == 422


# -- Idle reset and privacy ----------------------------------------------------------------------

def test_kiosk_pages_return_to_the_start_when_idle(app, kiosk):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    text = kiosk.get(welcome_url).get_data(as_text=True)
    # Without JavaScript the page reloads through /kiosk/refresh (emergencies, idle reset; tests/test_kiosk_live.py).
    assert re.search(r'<noscript><meta http-equiv="refresh" content="15;url=/kiosk/refresh\?next=/kiosk/welcome/', text)
    assert 'data-idle-seconds="45"' in text and 'data-warning-seconds="20"' in text
    assert 'id="idle-continue"' in text and "js/kiosk.js" in text


def test_after_the_reset_nothing_of_the_guest_remains(app, kiosk):
    guest = make_registration(app, kiosk.event, language="zh_Hans")
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    assert "王小明" in kiosk.get(welcome_url).get_data(as_text=True)
    reset = kiosk.get("/kiosk/reset")
    assert reset.status_code == 303 and reset.headers["Location"] == "/kiosk/"
    with kiosk.session_transaction() as session:
        assert "kiosk_visit" not in session and "lang" not in session
    # Back to the welcome page: the server no longer shows anyone.
    back = kiosk.get(welcome_url)
    assert back.status_code == 303 and back.headers["Location"] == "/kiosk/"
    badge = kiosk.get(welcome_url.replace("/welcome/", "/badge/"))
    assert badge.status_code == 303
    start = kiosk.get("/kiosk/").get_data(as_text=True)
    assert "王小明" not in start and "Wang" not in start


def test_another_browser_cannot_open_a_guests_welcome(app, kiosk, organizer):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    other = app.test_client()
    _, code = new_kiosk(app, organizer.event, organizer, name="Hall B")
    pair(other, code)
    response = other.get(welcome_url)
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"


def test_the_language_switch(app, kiosk):
    token = csrf_token(kiosk, "/kiosk/")
    response = kiosk.post("/kiosk/language", data={"csrf_token": token, "lang": "zh_Hans", "next": "start"})
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"
    assert 'lang="zh-Hans"' in kiosk.get("/kiosk/").get_data(as_text=True)


# -- Staff: kiosks and the check-in desk ---------------------------------------------------------

def test_an_organizer_creates_pairs_and_revokes_a_kiosk(app, client, auth, organizer):
    auth.login_as(organizer)
    listing = client.get("/staff/e/summit/kiosks")
    assert listing.status_code == 200
    created = submit(client, "/staff/e/summit/kiosks", {"name": "Hall A", "location": "North door"})
    assert created.status_code == 303
    pairing_url = created.headers["Location"]
    page = client.get(pairing_url).get_data(as_text=True)
    code = re.search(r'class="pairing-code mono"><strong>([A-Z0-9]{4}-[A-Z0-9]{4})<', page).group(1)
    assert "<svg" in page
    device = app.test_client()
    assert pair(device, code).status_code == 303
    assert device.get("/kiosk/").status_code == 200
    listing = client.get("/staff/e/summit/kiosks").get_data(as_text=True)
    assert "Hall A" in listing and "Paired" in listing and "Never" not in listing
    with app.app_context():
        device_id = db.session.scalar(select(KioskDevice.id))
    revoked = submit(client, f"/staff/e/summit/kiosks/{device_id}/revoke", {}, page="/staff/e/summit/kiosks")
    assert revoked.status_code == 303
    assert device.get("/kiosk/").status_code == 403


def test_a_kiosk_form_with_errors_keeps_the_input(client, auth, organizer):
    auth.login_as(organizer)
    response = submit(client, "/staff/e/summit/kiosks", {"name": "", "location": "North door"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'value="North door"' in text and "Give the kiosk a name." in text
    assert submit(client, "/staff/e/summit/kiosks", {"name": "x" * 5000}).status_code == 422


def test_only_organizers_manage_kiosks(app, client, auth, organizer, make_staff):
    desk = make_staff("desk@example.org", organizer.event, roles=("helpdesk",))
    device_id, _ = new_kiosk(app, organizer.event, organizer)
    auth.login_as(desk)
    assert client.get("/staff/e/summit/kiosks").status_code == 403
    token = csrf_token(client, "/staff/e/summit/check-in")
    assert client.post(f"/staff/e/summit/kiosks/{device_id}/revoke", data={"csrf_token": token}).status_code == 403


def test_the_desk_checks_a_guest_in_and_undoes_it_with_a_reason(app, client, auth, organizer, make_staff):
    desk = make_staff("desk@example.org", organizer.event, roles=("helpdesk",))
    guest = make_registration(app, organizer.event)
    auth.login_as(desk)
    page = client.get("/staff/e/summit/check-in?q=wang").get_data(as_text=True)
    assert "Check in Wang Xiaoming" in page
    done = submit(client, f"/staff/e/summit/check-in/{guest['id']}", {"q": "wang"}, page="/staff/e/summit/check-in")
    assert done.status_code == 303
    assert check_ins(app) == 1
    no_reason = submit(client, f"/staff/e/summit/check-in/{guest['id']}/undo", {"reason": " "},
                       page="/staff/e/summit/check-in")
    assert no_reason.status_code == 422
    assert check_ins(app) == 1
    undone = submit(client, f"/staff/e/summit/check-in/{guest['id']}/undo", {"reason": "wrong guest"},
                    page="/staff/e/summit/check-in")
    assert undone.status_code == 303
    assert check_ins(app) == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == desk.id)
                                     .order_by(AuditEntry.id)).all()
    assert actions == ["checkin.create", "checkin.undo"]


def test_the_live_board_counts_arrivals_and_costs_nothing_when_unchanged(app, client, auth, kiosk, organizer, make_staff):
    coordinator = make_staff("coord@example.org", organizer.event, roles=("catering",))
    wang = make_registration(app, kiosk.event)
    make_registration(app, kiosk.event, email="li@example.org", name_latin="Li Hua", surname="Li", category="delegate")
    scan(kiosk, wang["ticket"])
    auth.login_as(coordinator)
    page = client.get("/staff/e/summit/check-in/board")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'data-arrived>1<', text) and re.search(r'data-expected>2<', text)
    assert "Wang Xiaoming" in text and "Hall A" in text and 'hx-trigger="every 5s"' in text
    fragment = client.get("/staff/e/summit/check-in/board", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    etag = fragment.headers["ETag"]
    unchanged = client.get("/staff/e/summit/check-in/board", headers={"HX-Request": "true", "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    scan(kiosk, make_registration(app, kiosk.event, email="zhao@example.org", surname="Zhao")["ticket"])
    changed = client.get("/staff/e/summit/check-in/board", headers={"HX-Request": "true", "If-None-Match": etag})
    assert changed.status_code == 200 and "data-arrived>2<" in changed.get_data(as_text=True)


def test_welcome_shows_todays_sessions_from_the_guests_agenda(app, kiosk):
    from datetime import UTC, datetime

    from portal.models import AgendaEntry, Session

    guest = make_registration(app, kiosk.event)
    now = datetime.now(UTC)
    with app.app_context():
        talk = Session(event_id=kiosk.event.id, title_en="Opening keynote", title_zh="开幕主旨演讲",
                       starts_at=now, ends_at=now + timedelta(hours=1), visibility="public")
        secret = Session(event_id=kiosk.event.id, title_en="Ministers' roundtable", title_zh="部长圆桌",
                         starts_at=now, ends_at=now + timedelta(hours=1), visibility="invitation")
        later = Session(event_id=kiosk.event.id, title_en="Next week", title_zh="下周",
                        starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=1))
        db.session.add_all([talk, secret, later])
        db.session.flush()
        for session in (talk, secret, later):
            db.session.add(AgendaEntry(registration_id=guest["id"], session_id=session.id))
        db.session.commit()
    text = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"]).get_data(as_text=True)
    assert "Opening keynote" in text and "Private meeting" in text
    assert "roundtable" not in text and "Next week" not in text


def test_a_chinese_greeting_puts_the_form_of_address_after_the_name_or_leaves_it_out(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from portal.guests.addressing import welcome

    guest = SimpleNamespace(honorific="Dr", name_original="王小明", name_latin="Wang Xiaoming", surname="Wang")
    honourable = SimpleNamespace(honorific="Hon", name_original="王小明", name_latin="Wang Xiaoming", surname="Wang")
    with app.test_request_context(), force_locale("zh_Hans"):
        assert welcome(guest) == "欢迎您，王小明博士"
        assert welcome(honourable) == "欢迎您，王小明"
    with app.test_request_context(), force_locale("en"):
        assert welcome(honourable) == "Welcome, Hon. Wang Xiaoming"


def test_every_link_on_the_arrivals_board_opens_for_whoever_reads_it(app, client, auth, organizer, make_staff):
    """A coordinator reads the board but works no desk: the board does not send them to a 403."""
    coordinator = make_staff("coord@example.org", organizer.event, roles=("transport",))
    for reader, sees_desk in ((coordinator, False), (organizer, True)):
        auth.login_as(reader)
        board = client.get("/staff/e/summit/check-in/board").get_data(as_text=True)
        assert ("Check-in desk" in board) is sees_desk
        for link in set(re.findall(r'href="(/staff/e/summit/[^"]*)"', board)):
            assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("original, latin, marks", [
    ("佐藤さくら", "Sato Sakura", [("badge-name-original", "ja"), ("badge-name-latin", "en")]),
    ("김민준", "Kim Minjun", [("badge-name-original", "ko"), ("badge-name-latin", "en")]),
    ("王小明", "Wang Xiaoming", [("badge-name-original", "zh"), ("badge-name-latin", "en")]),
    ("Marie Curie", "Marie Curie", [("badge-name-original", "en")]),
])
def test_the_badge_marks_each_name_with_the_language_of_its_script(app, kiosk, original, latin, marks):
    guest = make_registration(app, kiosk.event, name_original=original, name_latin=latin,
                              surname=latin.split()[0])
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    text = kiosk.get(welcome_url.replace("/welcome/", "/badge/")).get_data(as_text=True)
    found = re.findall(r'<p class="(badge-name-[a-z]+)" lang="([a-z]+)">', text)
    assert found == marks
