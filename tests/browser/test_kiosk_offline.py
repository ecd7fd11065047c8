"""Offline check-in in a real browser: kiosks with their network cut (Playwright's offline mode).

Each kiosk is a browser profile paired through the real /kiosk/pair page and
allowed offline by the organizer's switch. Once its service worker controls the
page and its manifest is stored, the network is cut with `context.set_offline`;
scans then go through the page's JavaScript, the queue in IndexedDB and, once
the network is back, the sync endpoint. The tests read the browser's storage
(IndexedDB and Cache Storage) the way a thief with the device would.
"""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkin import devices
from portal.extensions import db
from portal.models import BadgePrint, KioskDevice, OfflineScan, User
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.browser.kiosk import (
    START, check_ins, done, new_device, open_kiosk, pair, ready_offline, scan, until, watch, welcomed,
)
from tests.factories import assert_large_targets, make_registration, signed_in_page

pytestmark = pytest.mark.browser

# What Chromium logs while it has no network: a request that could not be sent is expected then.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_RESET", "Failed to fetch", "htmx:sendError",
                 "htmx:afterRequest", "htmx:sendAbort", "htmx:timeout")
# Reads the kiosk's IndexedDB and the pages in its Cache Storage, as JSON; a CryptoKey shows as what it is.
READ_STORAGE = """async () => {
  const found = {databases: (await indexedDB.databases()).map(d => d.name), stores: {}, pages: {}};
  if (found.databases.includes("concierge-kiosk")) {
    const db = await new Promise((ok, fail) => {
      const opening = indexedDB.open("concierge-kiosk"); opening.onsuccess = () => ok(opening.result);
      opening.onerror = () => fail(opening.error); });
    for (const name of db.objectStoreNames) {
      found.stores[name] = await new Promise((ok, fail) => {
        const tx = db.transaction(name), keys = tx.objectStore(name).getAllKeys(), values = tx.objectStore(name).getAll();
        tx.oncomplete = () => ok({keys: keys.result, values: values.result}); tx.onerror = () => fail(tx.error); });
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (!new URL(request.url).pathname.startsWith("/static/")) {
        found.pages[request.url] = await (await cache.match(request)).text();
      }
    }
  }
  found.workers = (await navigator.serviceWorker.getRegistrations()).length;
  return JSON.stringify(found, (key, value) =>
    value instanceof CryptoKey ? {cryptoKey: value.algorithm.name, extractable: value.extractable} : value);
}"""


@pytest.fixture
def app(make_app):
    """A manifest refreshed every 2 s, so a revoked kiosk hears of it quickly."""
    return make_app(KIOSK_OFFLINE_REFRESH_SECONDS=2)


def problems(page) -> list[str]:
    return [p for p in page.problems if not any(noise in p for noise in OFFLINE_NOISE)]


def queued(page) -> int:
    return until(page, lambda: page.evaluate("KioskStore.count().then(n => String(n))"), what="the queue")


def storage(page) -> dict:
    return json.loads(page.evaluate(READ_STORAGE))


def offline_scans(app) -> list[tuple[int, str, str, str]]:
    with app.app_context():
        return db.session.execute(select(OfflineScan.registration_id, OfflineScan.told, OfflineScan.outcome,
                                         OfflineScan.conflict).order_by(OfflineScan.id)).all()


def test_a_kiosk_checks_guests_in_through_a_network_cut_and_resyncs_exactly_once(
        app, live_server, event, organizer, guests, browser):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    # Before the cut, a guest checks in online as ever.
    welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_label("Scan your ticket QR code")).to_be_focused()

    context.set_offline(True)
    # A guest registered in English: welcomed, and the badge prints from the kept template.
    welcomed(page, guests["zhao"]["ticket"], "Welcome, Ms Zhao Min")
    expect(page.get_by_role("status").filter(has_text="checked in")).to_have_text("You are checked in.")
    expect(page.locator(".today-card")).to_contain_text("Delegate")
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    assert_accessible(page)
    assert_large_targets(page)
    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    badge = page.locator(".badge-card")
    expect(badge).to_contain_text("Zhao Min")
    expect(badge).to_contain_text("Delegate")
    expect(badge).to_contain_text("Future Summit")
    assert badge.locator("rect").get_attribute("fill") == "#2f6b3a"
    done(page)
    expect(page.get_by_text("Scans waiting: 1")).to_be_visible()

    # A reload with no network still shows the start screen, with the sign for staff.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(START)
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    assert_accessible(page)
    assert_large_targets(page)
    # The same guest again: told when they were checked in.
    scan(page, guests["zhao"]["ticket"])
    expect(page.get_by_role("status").filter(has_text="checked in")).to_contain_text(
        "You are already checked in, since")
    done(page)

    # A guest registered in Chinese is greeted in Chinese, the form of address after the name.
    welcomed(page, guests["li"]["ticket"], "欢迎您，李华博士")
    expect(page.get_by_role("status").filter(has_text="签到")).to_have_text("您已签到成功。")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert_accessible(page)
    page.get_by_role("link", name="完成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(START)

    # A cancelled guest, and a code nobody has: the help desk.
    for code in (guests["cancelled"]["ticket"], "no-such-ticket-0123456789"):
        welcomed(page, code, "Please see the help desk")
        assert_accessible(page)
        page.get_by_role("link", name="Back to the start").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(START)

    # Without a QR code: the confirmation code, typed as a guest would.
    page.get_by_role("link", name="No QR code? Find my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find my registration")
    assert_accessible(page)
    code = guests["qian"]["code"].lower()
    page.get_by_label("Confirmation code").fill(f"{code[:4]}-{code[4:]}")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Qian Wei")
    done(page)

    # A guest may pick the other language offline too; the next guest starts in the kiosk's own.
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎光临，请在此签到。")
    page.goto(live_server("/kiosk/reset"))  # as the idle reset does
    expect(page.get_by_role("heading", level=1)).to_have_text(START)

    # Nothing has reached the server yet; six scans wait, in the browser.
    assert queued(page) == "6"
    expect(page.get_by_text("Scans waiting: 6")).to_be_visible()
    assert set(check_ins(app)) == {guests["wang"]["id"]}

    # The network comes back. The first answer of the sync is lost on its way back: the kiosk sends
    # the batch again, and the server, having applied it once, answers it from its record.
    lost_answers = []

    def lose_the_first_answer(route):
        if lost_answers:
            route.continue_()
            return
        lost_answers.append(route.request.post_data_json)
        assert route.fetch().status == 200  # the server applies the batch...
        route.abort("connectionreset")  # ...and its answer never reaches the kiosk

    context.route("**/kiosk/offline/sync", lose_the_first_answer)
    context.set_offline(False)
    until(page, lambda: len(offline_scans(app)) == 6 and queued(page) == "0", seconds=30, what="the resync")
    assert len(lost_answers) == 1 and len(lost_answers[0]["scans"]) == 6
    expect(page.get_by_role("heading", level=1)).to_have_text(START)
    expect(page.locator("[data-offline-sign]")).to_be_hidden(timeout=15_000)

    # Exactly one check-in per guest; every offline scan accounted for.
    arrivals = check_ins(app)
    assert set(arrivals) == {guests[name]["id"] for name in ("wang", "zhao", "li", "qian")}
    assert all(kiosk == page.device_id for kiosk, _ in arrivals.values())
    ids = {name: guest["id"] for name, guest in guests.items()}
    assert offline_scans(app) == [
        (ids["zhao"], "welcome", "checked_in", ""), (ids["zhao"], "welcome", "duplicate", ""),
        (ids["li"], "welcome", "checked_in", ""), (ids["cancelled"], "help_desk", "refused", ""),
        (None, "help_desk", "refused", ""), (ids["qian"], "welcome", "checked_in", ""),
    ]
    assert problems(page) == []
    context.close()


def prints_queued(page) -> str:
    """How many prints wait in the browser, as a string (so "0" is an answer, not a retry)."""
    return until(page, lambda: page.evaluate("KioskStore.count('prints').then(n => String(n))"), what="the prints")


def badge_prints(app) -> list[tuple[int, int | None, bool, bool, str | None]]:
    with app.app_context():
        return db.session.execute(select(BadgePrint.registration_id, BadgePrint.kiosk_id, BadgePrint.reprint,
                                         BadgePrint.offline, BadgePrint.nonce).order_by(BadgePrint.id)).all()


def test_badges_printed_offline_reach_the_desks_badge_log_once_the_kiosk_syncs(
        app, live_server, event, organizer, guests, browser, make_staff, open_page):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)
    welcomed(page, guests["zhao"]["ticket"], "Welcome, Ms Zhao Min")
    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    expect(page.locator(".badge-card")).to_contain_text("Zhao Min")
    # The print is queued once the badge is on screen; then the guest asks for another, a reprint.
    until(page, lambda: prints_queued(page) == "1", what="the first print")
    page.get_by_role("button", name="Print again").click()
    until(page, lambda: prints_queued(page) == "2", what="the reprint")
    done(page)
    # The sign for staff still counts scans; the prints wait beside them.
    expect(page.get_by_text("Scans waiting: 1")).to_be_visible()
    kept = storage(page)
    [scan] = kept["stores"]["queue"]["values"]
    prints = kept["stores"]["prints"]["values"]
    assert [(p["tag"], p["kiosk"], p["reprint"]) for p in prints] == [
        (scan["tag"], page.device_id, False), (scan["tag"], page.device_id, True)]
    assert badge_prints(app) == []

    context.set_offline(False)
    until(page, lambda: len(badge_prints(app)) == 2 and queued(page) == "0" and prints_queued(page) == "0",
          seconds=30, what="the resync")
    assert badge_prints(app) == [(guests["zhao"]["id"], page.device_id, False, True, prints[0]["id"]),
                                 (guests["zhao"]["id"], page.device_id, True, True, prints[1]["id"])]
    assert problems(page) == []
    context.close()

    # The desk sees both prints, at this kiosk, offline.
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    staff = signed_in_page(app, live_server, open_page(), desk.id)
    staff.goto(live_server(f"/staff/e/{event.slug}/check-in"))
    staff.get_by_label("Name, e-mail or confirmation code").fill("Zhao Min")
    staff.get_by_role("button", name="Search").click()
    cell = staff.get_by_test_id(f"desk-badge-{guests['zhao']['id']}")
    expect(cell).to_contain_text("Badge printed 2 times, last")
    expect(cell).to_contain_text("at kiosk Hall A (North entrance), offline")
    assert_accessible(staff)
    staff.goto(live_server(f"/staff/e/{event.slug}/guests/{guests['zhao']['id']}"))
    entries = staff.locator(".badge-log li")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("first print · at kiosk Hall A (North entrance), offline")
    expect(entries.last).to_contain_text("reprint · at kiosk Hall A (North entrance), offline")


def test_the_same_guest_offline_at_two_kiosks_is_checked_in_once(app, live_server, event, organizer, guests, browser):
    first, hall_a = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    second, hall_b = open_kiosk(browser, app, live_server, event, organizer, "Hall B")
    first.set_offline(True)
    second.set_offline(True)
    # Wang goes through both halls while the network is down; Zhao through Hall B.
    for page in (hall_a, hall_b):
        welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
        expect(page.get_by_role("status").filter(has_text="checked in")).to_have_text("You are checked in.")
        done(page)
    welcomed(hall_b, guests["zhao"]["ticket"], "Welcome, Ms Zhao Min")
    done(hall_b)
    assert (queued(hall_a), queued(hall_b)) == ("1", "2")
    assert check_ins(app) == {}

    # Hall B reaches the server first: its scan of Wang checks him in; Hall A's is a duplicate scan.
    second.set_offline(False)
    until(hall_b, lambda: len(offline_scans(app)) == 2 and queued(hall_b) == "0", seconds=30, what="Hall B")
    first.set_offline(False)
    until(hall_a, lambda: len(offline_scans(app)) == 3 and queued(hall_a) == "0", seconds=30, what="Hall A")
    arrivals = check_ins(app)
    assert {registration: kiosk for registration, (kiosk, _) in arrivals.items()} == {
        guests["wang"]["id"]: hall_b.device_id, guests["zhao"]["id"]: hall_b.device_id}
    with app.app_context():
        scans = db.session.execute(select(OfflineScan.kiosk_id, OfflineScan.registration_id, OfflineScan.outcome)
                                   .order_by(OfflineScan.id)).all()
    assert scans == [(hall_b.device_id, guests["wang"]["id"], "checked_in"),
                     (hall_b.device_id, guests["zhao"]["id"], "checked_in"),
                     (hall_a.device_id, guests["wang"]["id"], "duplicate")]
    assert problems(hall_a) == [] and problems(hall_b) == []
    first.close()
    second.close()


def test_the_queue_survives_a_restart_and_is_sent_once(app, live_server, event, organizer, guests, browser, tmp_path):
    profile = tmp_path / "kiosk-profile"

    def start_browser():
        context = browser.browser_type.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        return context

    context = start_browser()
    page = watch(context.pages[0] if context.pages else context.new_page())
    device_id, code = new_device(app, event, organizer, "Hall A")
    pair(page, live_server, code)
    ready_offline(page)
    context.set_offline(True)
    welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
    # The power goes, and the kiosk starts again with the network still down.
    context.close()
    context = start_browser()
    context.set_offline(True)
    page = watch(context.pages[0] if context.pages else context.new_page())
    page.goto(live_server("/kiosk/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(START)
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    expect(page.get_by_text("Scans waiting: 1")).to_be_visible()
    welcomed(page, guests["zhao"]["ticket"], "Welcome, Ms Zhao Min")
    # A second window of the same browser: one queue between them, sent once.
    other = watch(context.new_page())
    other.goto(live_server("/kiosk/"))
    expect(other.get_by_text("Scans waiting: 2")).to_be_visible()
    context.set_offline(False)
    until(page, lambda: len(offline_scans(app)) == 2 and queued(other) == "0", seconds=30, what="the resync")
    assert {registration: kiosk for registration, (kiosk, _) in check_ins(app).items()} == {
        guests["wang"]["id"]: device_id, guests["zhao"]["id"]: device_id}
    assert [outcome for _, _, outcome, _ in offline_scans(app)] == ["checked_in", "checked_in"]
    assert problems(page) == [] and problems(other) == []
    context.close()


def test_a_revoked_kiosk_wipes_what_it_kept_at_its_next_contact(app, live_server, event, organizer, guests, browser):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)
    welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
    done(page)
    kept = storage(page)
    assert len(kept["stores"]["entries"]["keys"]) == 8 and len(kept["stores"]["queue"]["keys"]) == 1
    assert kept["workers"] == 1 and len(kept["pages"]) == 2
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, page.device_id), db.session.get(User, organizer.id))
    # Back online, its next contact is refused: it keeps nothing, and says it is out of service.
    context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text("This kiosk is out of service", timeout=15_000)
    wiped = until(page, lambda: (lambda found: found if found["workers"] == 0 else None)(storage(page)),
                  what="the wipe")
    assert all(not store["keys"] for store in wiped["stores"].values())
    assert wiped["pages"] == {}
    # The scan it could not send is gone with it: a revoked kiosk is no longer trusted.
    assert offline_scans(app) == [] and check_ins(app) == {}
    context.close()


def test_the_kiosk_keeps_no_code_and_no_name_in_the_clear(app, live_server, event, organizer, guests, browser):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)
    welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
    page.get_by_role("button", name="Print my badge").click()
    expect(page.locator(".badge-card")).to_contain_text("Wang Xiaoming")
    # The print is queued once the badge is on screen; "Done" loads the start screen, which would cut that short.
    until(page, lambda: prints_queued(page) == "1", what="the print")
    done(page)
    page.get_by_role("link", name="No QR code? Find my registration").click()
    page.get_by_label("Confirmation code").fill(guests["zhao"]["code"])
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ms Zhao Min")
    done(page)

    text = page.evaluate(READ_STORAGE)
    kept = json.loads(text)
    # Spaces, CJK and "@" never occur in the hashes and seals, so any of these found is in the clear.
    for guest in guests.values():
        for secret in (guest["ticket"], guest["code"], guest["code"].lower(), guest["email"]):
            assert secret not in text
    for secret in ("Wang Xiaoming", "王小明", "Li Hua", "李华", "Zhao Min", "Qian Wei", "钱伟", "Sun Li", "孙丽",
                   "Example Holdings", "+86 138"):
        assert secret not in text
    # Two entries per confirmed guest, the key not extractable, and two queued scans with only this in them.
    assert len(kept["stores"]["entries"]["keys"]) == 8
    [terms] = [value for key, value in zip(kept["stores"]["meta"]["keys"], kept["stores"]["meta"]["values"])
               if key == "manifest"]
    assert terms["key"] == {"cryptoKey": "HMAC", "extractable": False}
    assert [sorted(scan) for scan in kept["stores"]["queue"]["values"]] == [
        ["at", "kiosk", "nonce", "tag", "told"]] * 2
    assert set(kept["pages"]) == {live_server("/kiosk/offline/en"), live_server("/kiosk/offline/zh_Hans")}
    # The badge printed is queued with the scan's hash, never the guest's name.
    [printed] = kept["stores"]["prints"]["values"]
    assert sorted(printed) == ["at", "id", "kiosk", "reprint", "tag"]
    assert printed["tag"] == kept["stores"]["queue"]["values"][0]["tag"]
    context.close()


def test_without_javascript_the_kiosk_works_online_as_before(app, live_server, event, organizer, guests, open_page):
    page = open_page(java_script_enabled=False)
    asked = []
    page.on("request", lambda request: asked.append(request.url.replace(live_server.url, "")))
    _, code = new_device(app, event, organizer, "Hall A")
    pair(page, live_server, code)
    page.get_by_label("Scan your ticket QR code").fill(guests["wang"]["ticket"])
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")
    assert set(check_ins(app)) == {guests["wang"]["id"]}
    # The print button is a plain form: the server logs the print and shows the badge.
    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    [(registration_id, _, reprint, offline, nonce)] = badge_prints(app)
    assert (registration_id, reprint, offline) == (guests["wang"]["id"], False, False) and nonce
    assert not [url for url in asked if url.startswith("/kiosk/offline") or url == "/kiosk/sw.js"]


def test_without_a_live_list_every_offline_scan_goes_to_the_help_desk(
        app, live_server, event, organizer, guests, browser):
    allowed, hall_a = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    refused, hall_b = open_kiosk(browser, app, live_server, event, organizer, "Hall B", allowed=False)
    # Hall A's list has run out (the event ended while it was offline); Hall B was never allowed one.
    hall_a.evaluate("KioskStore.getMeta('manifest').then(terms => KioskStore.setMeta('manifest',"
                    " Object.assign(terms, {expires: Date.now() - 1000})))")
    for context, page in ((allowed, hall_a), (refused, hall_b)):
        context.set_offline(True)
        welcomed(page, guests["wang"]["ticket"], "Please see the help desk")
        expect(page.get_by_text("Offline", exact=True)).to_be_visible()
        kept = storage(page)
        # Nothing to check a guest against, so nothing of them is queued, and the list is gone.
        assert [kept["stores"][name]["keys"] for name in ("entries", "queue")] == [[], []]
        assert "manifest" not in kept["stores"]["meta"]["keys"]
        assert problems(page) == []
        context.close()


def test_offline_a_name_in_another_script_is_marked_with_its_language(
        app, live_server, event, organizer, browser):
    sato = make_registration(app, event, email="sato@example.org", name_original="佐藤さくら", name_latin="Sato Sakura",
                             surname="Sato", honorific="Ms", language="zh_Hans")
    zhao = make_registration(app, event, email="zhao@example.org", name_original="Zhao Min", name_latin="Zhao Min",
                             surname="Zhao", honorific="Ms")
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A")
    context.set_offline(True)

    # Greeted in Chinese, her language, her name read as Japanese; so is it on the badge.
    welcomed(page, sato["ticket"], "欢迎您，佐藤さくら女士")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1).locator('span[lang="ja"]')).to_have_text("佐藤さくら")
    assert_accessible(page)
    page.get_by_role("button", name="打印我的胸卡").click()
    expect(page.locator(".badge-name-original")).to_have_attribute("lang", "ja")
    expect(page.locator(".badge-name-latin")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="完成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(START)

    # A guest who picks 中文 here sees her Latin name marked English on the Chinese screen.
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎光临，请在此签到。")
    expect(page.get_by_label("扫描您的参会凭证二维码")).to_be_focused()
    page.keyboard.type(zhao["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1).locator('span[lang="en"]')).to_have_text("Zhao Min")
    assert_accessible(page)
    page.get_by_role("button", name="打印我的胸卡").click()
    expect(page.locator(".badge-name-original")).to_have_attribute("lang", "en")
    expect(page.locator(".badge-name-latin")).to_have_count(0)
    assert problems(page) == []
    context.close()


@pytest.mark.parametrize("allowed, failure", [(True, "request lost"), (True, "answer lost"), (True, "bad gateway"),
                                               (True, "no answer"), (False, "request lost")],
                         ids=["request lost", "answer lost", "proxy cut off", "no answer", "kiosk without a list"])
def test_a_print_the_network_drops_on_still_prints_and_is_logged_once(
        app, live_server, event, organizer, guests, browser, make_staff, open_page, allowed, failure):
    context, page = open_kiosk(browser, app, live_server, event, organizer, "Hall A", allowed=allowed)
    welcomed(page, guests["wang"]["ticket"], "Welcome, Mr Wang Xiaoming")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    sent = []

    def network_down(route):
        # The network drops as the guest taps "Print my badge": the request is lost on its way, or
        # reaches the server, which logs the print, and its answer is lost on the way back; or the
        # proxy in front of the server can no longer reach it.
        if route.request.method == "POST" and "/kiosk/badge/" in route.request.url:
            sent.append(route.request.post_data)
            if failure == "answer lost":
                assert route.fetch().status == 200
                route.abort("connectionreset")
                return
            if failure == "bad gateway":
                route.fulfill(status=502, body="Bad Gateway")
                return
            if failure == "no answer":
                return  # the connection hangs: the kiosk gives up after a few seconds
        route.abort("internetdisconnected")

    context.route("**/*", network_down)
    page.get_by_role("button", name="Print my badge").click()
    if not allowed:
        # Nothing to print from: a calm screen sends the guest to the desk, never the browser's error page.
        expect(page.get_by_role("heading", level=1)).to_have_text("Please see the help desk")
        expect(page.get_by_text("Your badge could not be printed here.")).to_be_visible()
        assert_accessible(page)
        assert len(sent) == 1 and page.evaluate("window.printed") == 0 and prints_queued(page) == "0"
        context.unroute("**/*")
        page.get_by_role("link", name="Back to the start").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(START)
        assert badge_prints(app) == []
        assert problems(page) == []
        context.close()
        return

    # The kiosk prints the badge from what it holds, and queues the print under the request's id.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing", timeout=TIMEOUT_MS + 6000)
    expect(page.locator(".badge-card")).to_contain_text("Wang Xiaoming")
    until(page, lambda: page.evaluate("window.printed") == 1, what="the print")
    until(page, lambda: prints_queued(page) == "1", what="the queued print")
    assert len(sent) == 1
    [queued_print] = storage(page)["stores"]["prints"]["values"]
    assert f"nonce={queued_print['id']}" in sent[0]
    answer_lost = failure == "answer lost"
    assert len(badge_prints(app)) == (1 if answer_lost else 0)

    # The network comes back: the queue is sent, and the print is in the log once.
    context.unroute("**/*")
    until(page, lambda: prints_queued(page) == "0", seconds=30, what="the sync")
    assert badge_prints(app) == [(guests["wang"]["id"], page.device_id, False, not answer_lost, queued_print["id"])]
    done(page)
    assert [p for p in problems(page) if "502" not in p] == []  # the bad gateway, as Chromium and htmx log it
    context.close()

    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    staff = signed_in_page(app, live_server, open_page(), desk.id)
    staff.goto(live_server(f"/staff/e/{event.slug}/guests/{guests['wang']['id']}"))
    expect(staff.get_by_test_id("badge-summary")).to_contain_text("Badge printed 1 time, last")
    expect(staff.locator(".badge-log li")).to_have_count(1)
    expect(staff.locator(".badge-log li")).to_contain_text("first print · at kiosk Hall A")
