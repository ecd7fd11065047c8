"""Offline check-in, server side: the organizer's switch, the manifest, the resync and the board.

The kiosk's side (the service worker, the queue in the browser, a network cut
for real) is in tests/browser/test_kiosk_offline.py. Here the test plays the
kiosk's JavaScript: it computes the keyed hashes the way kiosk-store.js does,
from the key the manifest gave, and posts the queue as kiosk-offline.js does.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import lifecycle
from portal.checkin import credential, devices, offline, services
from portal.database import utcnow
from portal.extensions import db
from portal.models import (AuditEntry, BadgePrint, CheckIn, Event, KioskDevice, OfflineScan, Registration, Ticket,
                           User)
from portal.models.registration import CANCELLED, WAITLISTED
from tests.factories import app_config, csrf_token, make_registration, new_kiosk, pair, scan, submit


def paired_kiosk(app, organizer, name="Hall A", allowed=True):
    """A test client that is a paired kiosk of the event, allowed to work offline unless told otherwise."""
    client = app.test_client()
    device_id, code = new_kiosk(app, organizer.event, organizer, name=name)
    assert pair(client, code).status_code == 303
    with app.app_context():
        # Set up the day before, as at a venue: its offline scans of this morning came after its pairing.
        db.session.get(KioskDevice, device_id).paired_at = utcnow() - timedelta(days=1)
        db.session.commit()
    if allowed:
        allow(app, device_id, organizer)
    client.device_id, client.event = device_id, organizer.event
    return client


@pytest.fixture
def kiosk(app, organizer):
    return paired_kiosk(app, organizer)


def allow(app, device_id, organizer, allowed=True):
    with app.app_context():
        offline.allow(db.session.get(KioskDevice, device_id), allowed, db.session.get(User, organizer.id))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def kiosk_tag(key: str, kind: str, code: str) -> str:
    """The keyed hash as static/js/kiosk-store.js computes it: HMAC-SHA256(key, kind:code), 16 bytes."""
    return b64(hmac.new(unb64(key), f"{kind}:{code}".encode(), hashlib.sha256).digest()[:16])


def unseal(key: str, kind: str, code: str, sealed: str) -> list:
    """What kiosk-store.js's unseal does: AES-GCM under HMAC(key, seal:kind:code), the tag as associated data."""
    sealing = hmac.new(unb64(key), f"seal:{kind}:{code}".encode(), hashlib.sha256).digest()
    blob = unb64(sealed)
    return json.loads(AESGCM(sealing).decrypt(blob[:12], blob[12:], kiosk_tag(key, kind, code).encode()))


def manifest_of(kiosk) -> dict:
    response = kiosk.get("/kiosk/offline/manifest")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


_serial = iter(range(10**6))


def queued(kiosk, key: str, code: str, kind="ticket", told="welcome", at: datetime | None = None, nonce=None) -> dict:
    """One scan as the kiosk queues it."""
    return {"nonce": nonce or f"offline-scan-{next(_serial):06d}-abcdef", "kiosk": kiosk.device_id,
            "at": ms(at or utcnow()), "tag": kiosk_tag(key, kind, code), "told": told}


def sync(kiosk, scans, waiting=None, prints=None):
    body = {"waiting": len(scans) if waiting is None else waiting, "scans": scans}
    if prints is not None:
        body["prints"] = prints
    return kiosk.post("/kiosk/offline/sync", json=body)


def queued_print(kiosk, key: str, code: str, kind="ticket", at: datetime | None = None, reprint=False) -> dict:
    """One badge print as the kiosk queues it: its own id, the guest's keyed hash, the kiosk's time."""
    return {"id": f"offline-print-{next(_serial):06d}-abcdef", "kiosk": kiosk.device_id,
            "at": ms(at or utcnow()), "tag": kiosk_tag(key, kind, code), "reprint": reprint}


def logged(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["outcome"] for r in response.get_json()["prints"]]


def outcomes(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(r["outcome"], r["conflict"]) for r in response.get_json()["results"]]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- The organizer's switch ----------------------------------------------------------------------

def test_offline_is_off_by_default(app, organizer):
    kiosk = paired_kiosk(app, organizer, allowed=False)
    make_registration(app, organizer.event)
    body = manifest_of(kiosk)
    assert body == {"offline": False, "device": kiosk.device_id, "refresh": 180}
    assert "entries" not in body and "key" not in body


def test_an_organizer_allows_offline_per_kiosk_and_it_is_audited(app, client, auth, organizer, make_staff):
    first = paired_kiosk(app, organizer, allowed=False)
    second = paired_kiosk(app, organizer, name="Hall B", allowed=False)
    desk = make_staff("desk@example.org", organizer.event, roles=("helpdesk",))
    url = f"/staff/e/summit/kiosks/{first.device_id}/offline"

    auth.login_as(desk)
    assert submit(client, url, {"allow": "1"}, page="/staff/e/summit/check-in").status_code == 403
    auth.login_as(organizer)
    page = client.get("/staff/e/summit/kiosks").get_data(as_text=True)
    assert "Allow offline check-in at Hall A" in page and "Allow offline check-in at Hall B" in page
    response = submit(client, url, {"allow": "1"}, page="/staff/e/summit/kiosks")
    assert response.status_code == 303
    page = client.get("/staff/e/summit/kiosks").get_data(as_text=True)
    assert "may now check guests in offline" in page
    assert "Stop offline check-in at Hall A" in page and "Allow offline check-in at Hall B" in page
    assert manifest_of(first)["offline"] is True
    assert manifest_of(second)["offline"] is False

    submit(client, url, {"allow": "0"}, page="/staff/e/summit/kiosks")
    assert manifest_of(first) == {"offline": False, "device": first.device_id, "refresh": 180}
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.actor_id)
                                     .where(AuditEntry.action.like("kiosk.offline%")).order_by(AuditEntry.id)).all()
    assert actions == [("kiosk.offline_on", "Hall A", organizer.id), ("kiosk.offline_off", "Hall A", organizer.id)]


def test_a_revoked_kiosk_gets_neither_manifest_nor_sync(app, kiosk, organizer):
    guest = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, kiosk.device_id), db.session.get(User, organizer.id))
        # A revoked kiosk cannot be allowed offline again.
        assert not offline.allow(db.session.get(KioskDevice, kiosk.device_id), True, db.session.get(User, organizer.id))
    assert kiosk.get("/kiosk/offline/manifest").status_code == 403
    assert sync(kiosk, [queued(kiosk, key, guest["ticket"])]).status_code == 403
    assert kiosk.get("/kiosk/sw.js").status_code == 403
    assert count(app, CheckIn) == 0


# -- The manifest --------------------------------------------------------------------------------

def test_the_manifest_holds_keyed_hashes_and_sealed_names_never_a_code(app, kiosk, organizer):
    event = organizer.event
    wang = make_registration(app, event)
    li = make_registration(app, event, email="li@example.org", name_original="李华", name_latin="Li Hua", surname="Li",
                           honorific="Dr", category="delegate", language="zh_Hans", phone="+86 139 5555 6666",
                           organization="Secret Ministry")
    cancelled = make_registration(app, event, email="zhao@example.org", name_original="赵敏", name_latin="Zhao Min",
                                  surname="Zhao", state=CANCELLED)
    waiting = make_registration(app, event, email="qian@example.org", name_latin="Qian Wei", surname="Qian",
                                state=WAITLISTED)
    response = kiosk.get("/kiosk/offline/manifest")
    text = response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Cache-Control"] == "no-store"

    # Nothing in the clear: no code, no name, no contact, no organisation.
    for guest in (wang, li, cancelled, waiting):
        assert guest["ticket"] not in text and guest["code"] not in text and guest["email"] not in text
    # Phones as typed and as bare digits: long enough that sealed bytes or a timestamp never hold them by chance.
    for secret in ("王小明", "Wang Xiaoming", "李华", "Li Hua", "赵敏", "Qian Wei", "+86", "138 0000 1234",
                   "13800001234", "139 5555 6666", "13955556666", "Example Holdings", "Secret Ministry"):
        assert secret not in text

    # Two entries per confirmed guest, one per code, and none for the cancelled or waitlisted.
    key = body["key"]
    assert len(unb64(key)) == 32
    assert len(body["entries"]) == 4
    for guest in (cancelled, waiting):
        assert kiosk_tag(key, "ticket", guest["ticket"]) not in body["entries"]
        assert kiosk_tag(key, "code", guest["code"]) not in body["entries"]
    with app.app_context():
        categories = {c.code: c.id for c in db.session.get(Event, event.id).categories}
    for guest, expected in ((wang, ["王小明", "Wang Xiaoming", "Mr", categories["vip"], "en"]),
                            (li, ["李华", "Li Hua", "Dr", categories["delegate"], "zh_Hans"])):
        for kind, code in (("ticket", guest["ticket"]), ("code", guest["code"])):
            assert unseal(key, kind, code, body["entries"][kiosk_tag(key, kind, code)]) == expected
    # An entry opens only with its own code.
    with pytest.raises(Exception):
        unseal(key, "ticket", li["ticket"], body["entries"][kiosk_tag(key, "ticket", wang["ticket"])])

    assert body["categories"][str(categories["vip"])] == {"en": "VIP", "zh": "贵宾", "colour": "#8a6d1d"}
    assert body["device"] == kiosk.device_id and body["zone"] == "Asia/Shanghai"
    # It expires at midnight after the event's last day, on the event's clock.
    expires = datetime.fromtimestamp(body["expires"] / 1000, UTC).astimezone(event.zone)
    assert (expires.date(), expires.hour, expires.minute) == (event.ends_on + timedelta(days=1), 0, 0)
    assert abs(body["now"] - ms(utcnow())) < 60_000


def test_each_kiosk_has_its_own_key(app, kiosk, organizer):
    other = paired_kiosk(app, organizer, name="Hall B")
    guest = make_registration(app, organizer.event)
    first, second = manifest_of(kiosk), manifest_of(other)
    assert first["key"] != second["key"]
    assert not set(first["entries"]) & set(second["entries"])
    assert kiosk_tag(second["key"], "ticket", guest["ticket"]) in second["entries"]


def test_an_unchanged_manifest_answers_304_and_a_change_makes_a_new_one(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    first = kiosk.get("/kiosk/offline/manifest")
    etag = first.headers["ETag"]
    again = kiosk.get("/kiosk/offline/manifest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert kiosk.get("/kiosk/offline/manifest").get_json()["entries"] == first.get_json()["entries"]
    with app.app_context():
        registration = db.session.get(Registration, wang["id"])
        lifecycle.cancel(registration, actor=db.session.get(User, organizer.id))
    changed = kiosk.get("/kiosk/offline/manifest", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["entries"] == {}


def test_no_manifest_once_the_event_is_over(app, make_event, make_staff):
    today = datetime.now(UTC).date()
    event = make_event(starts_on=today - timedelta(days=5), ends_on=today - timedelta(days=2))
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    organizer.event = event
    kiosk = paired_kiosk(app, organizer)
    make_registration(app, event)
    assert manifest_of(kiosk) == {"offline": False, "device": kiosk.device_id, "refresh": 180}


# -- The shell and its worker --------------------------------------------------------------------

def test_the_worker_keeps_the_shell_in_both_languages(app, kiosk, client):
    worker = kiosk.get("/kiosk/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    script = worker.get_data(as_text=True)
    for kept in ('"/kiosk/offline/en"', '"/kiosk/offline/zh_Hans"', '"/static/js/kiosk-offline.js?v=',
                 '"/static/css/badge.css?v=', 'importScripts("/static/js/kiosk-store.js?v='):
        assert kept in script
    version = re.search(r'"concierge-kiosk-" \+ "([0-9a-f]{16})"', script).group(1)
    assert kiosk.get("/kiosk/sw.js").get_data(as_text=True).count(version) == 2
    assert client.get("/kiosk/sw.js").status_code == 403


def test_the_kept_shell_names_no_one_and_no_announcement(app, kiosk, organizer):
    from portal.agenda import announcements

    guest = make_registration(app, organizer.event)
    scan(kiosk, guest["ticket"])
    with app.app_context():
        announcements.post(db.session.get(Event, organizer.event.id), db.session.get(User, organizer.id),
                           level="emergency", text_en="Evacuate now.", text_zh="立即疏散。", starts_at=utcnow(),
                           ends_at=None)
    chinese = kiosk.get("/kiosk/offline/zh_Hans").get_data(as_text=True)
    english = kiosk.get("/kiosk/offline/en").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in chinese and "欢迎光临，请在此签到。" in chinese
    assert '<html lang="en">' in english and "Welcome. Please check in here." in english
    for page in (chinese, english):
        assert 'data-offline-shell' in page and 'data-offline-screen="welcome"' in page
        assert "Evacuate" not in page and "立即疏散" not in page
        assert "Wang" not in page and "王小明" not in page and guest["ticket"] not in page
    assert kiosk.get("/kiosk/offline/fr").status_code == 404


# -- Resync --------------------------------------------------------------------------------------

def test_the_queue_is_applied_in_the_order_sent_at_the_scans_times(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    first_at, second_at = utcnow() - timedelta(minutes=10), utcnow() - timedelta(minutes=4)
    scans = [queued(kiosk, key, wang["ticket"], at=first_at),
             queued(kiosk, key, wang["code"], kind="code", at=second_at),
             queued(kiosk, key, "not-a-ticket-of-anyone-here", told="help_desk")]
    before = utcnow()
    assert outcomes(sync(kiosk, scans, waiting=7)) == [("checked_in", ""), ("duplicate", ""), ("refused", "")]
    with app.app_context():
        [arrival] = db.session.scalars(select(CheckIn)).all()
        assert arrival.nonce == scans[0]["nonce"] and arrival.kiosk_id == kiosk.device_id
        assert abs(arrival.at - first_at) < timedelta(milliseconds=2)
        records = db.session.scalars(select(OfflineScan).order_by(OfflineScan.id)).all()
        assert [(r.nonce, r.outcome, r.told) for r in records] == [
            (scans[0]["nonce"], "checked_in", "welcome"), (scans[1]["nonce"], "duplicate", "welcome"),
            (scans[2]["nonce"], "refused", "help_desk")]
        assert [r.registration_id for r in records] == [wang["id"], wang["id"], None]
        assert records[0].check_in_id == records[1].check_in_id == arrival.id
        assert abs(records[1].scanned_at - second_at) < timedelta(milliseconds=2)
        assert all(r.synced_at >= before for r in records)
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device.offline_waiting == 4 and device.last_synced_at >= before
        # The unknown code was handed to the help desk, as an online scan of it would be.
        assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.source == "handoff")) == 1


def test_a_retried_sync_is_harmless(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    li = make_registration(app, organizer.event, email="li@example.org", name_latin="Li Hua", surname="Li",
                           state=CANCELLED)
    key = manifest_of(kiosk)["key"]
    scans = [queued(kiosk, key, wang["ticket"]), queued(kiosk, key, li["ticket"], told="help_desk")]
    first = outcomes(sync(kiosk, scans))
    tickets = count(app, Ticket)
    # The answer was lost on the way back: the kiosk sends the same batch again, and once more in part.
    assert outcomes(sync(kiosk, scans)) == first == [("checked_in", ""), ("refused", "")]
    assert outcomes(sync(kiosk, scans[1:] + scans[:1])) == [("refused", ""), ("checked_in", "")]
    assert count(app, CheckIn) == 1 and count(app, OfflineScan) == 2 and count(app, Ticket) == tickets
    assert count(app, AuditEntry, AuditEntry.action == "checkin.create") == 1


def test_a_scan_that_reached_the_server_before_the_network_dropped_is_no_duplicate(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    nonce = "same-request-nonce-123456"
    # The scan went through, but its answer never came back; the kiosk queued it with the page's nonce.
    assert scan(kiosk, wang["ticket"], nonce=nonce).status_code == 303
    assert outcomes(sync(kiosk, [queued(kiosk, key, wang["ticket"], nonce=nonce)])) == [("checked_in", "")]
    assert count(app, CheckIn) == 1


@pytest.mark.parametrize("reported, expected", [
    (lambda now, paired: now + timedelta(hours=3), lambda now, paired, synced: synced),
    (lambda now, paired: datetime(1999, 1, 1, tzinfo=UTC), lambda now, paired, synced: paired),
    (lambda now, paired: None, lambda now, paired, synced: synced),
], ids=["clock ahead", "clock far behind", "no time"])
def test_the_time_a_kiosk_reports_is_bounded(app, kiosk, organizer, reported, expected):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    with app.app_context():
        paired = db.session.get(KioskDevice, kiosk.device_id).paired_at
    now = utcnow()
    sent = queued(kiosk, key, wang["ticket"])
    moment = reported(now, paired)
    sent["at"] = ms(moment) if moment else None
    assert outcomes(sync(kiosk, [sent])) == [("checked_in", "")]
    with app.app_context():
        arrival = db.session.scalar(select(CheckIn))
        record = db.session.scalar(select(OfflineScan))
        assert arrival.at == record.scanned_at
        assert abs(arrival.at - expected(now, paired, record.synced_at)) < timedelta(milliseconds=2)


def test_what_the_kiosk_could_not_know_is_listed_for_the_help_desk(app, client, auth, kiosk, organizer, make_staff):
    event = organizer.event
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    cancelled = make_registration(app, event, email="zhao@example.org", name_latin="Zhao Min", surname="Zhao")
    at_desk = make_registration(app, event, email="li@example.org", name_latin="Li Hua", surname="Li")
    late = make_registration(app, event, email="qian@example.org", name_latin="Qian Wei", surname="Qian")
    key = manifest_of(kiosk)["key"]
    # While the kiosk was offline: Zhao cancelled, the desk checked Li in, and Qian registered after
    # the kiosk's last manifest (the kiosk sent Qian to the desk).
    with app.app_context():
        lifecycle.cancel(db.session.get(Registration, cancelled["id"]), actor=db.session.get(User, organizer.id))
        services.check_in(db.session.get(Event, event.id), at_desk["id"], staff=db.session.get(User, desk.id))
    scans = [queued(kiosk, key, cancelled["ticket"]), queued(kiosk, key, at_desk["code"], kind="code"),
             queued(kiosk, key, late["ticket"], told="help_desk")]
    assert outcomes(sync(kiosk, scans)) == [("refused", "refused"), ("duplicate", "staff"),
                                            ("checked_in", "sent_to_desk")]
    with app.app_context():
        handoff = db.session.scalar(select(Ticket).where(Ticket.source == "handoff"))
        assert handoff.registration_id == cancelled["id"] and handoff.kiosk_id == kiosk.device_id
        assert db.session.scalar(select(CheckIn).where(CheckIn.registration_id == at_desk["id"])).staff_id == desk.id

    auth.login_as(desk)
    board = client.get("/staff/e/summit/check-in/board").get_data(as_text=True)
    assert "Offline scans for the help desk" in board
    assert re.search(r'data-conflict="refused">.*?Zhao Min.*?Hall A.*?not a confirmed guest now', board, re.S)
    assert re.search(r'data-conflict="staff">.*?Li Hua.*?already checked in at the desk', board, re.S)
    assert re.search(r'data-conflict="sent_to_desk">.*?Qian Wei.*?now checked in', board, re.S)


@pytest.mark.parametrize("body, content_type", [
    (b"not json", "application/json"),
    (b'{"scans": "everything"}', "application/json"),
    (b'[1, 2, 3]', "application/json"),
    (json.dumps({"scans": [{}] * 51}).encode(), "application/json"),
    (b'{"scans": []}', "text/plain"),
], ids=["not json", "scans not a list", "not an object", "too many", "not declared json"])
def test_a_malformed_sync_is_refused_with_400(app, kiosk, body, content_type):
    response = kiosk.post("/kiosk/offline/sync", data=body, content_type=content_type)
    assert response.status_code == 400 and "error" in response.get_json()
    assert count(app, OfflineScan) == 0


def test_a_scan_that_is_not_one_of_this_kiosks_is_rejected(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    other = paired_kiosk(app, organizer, name="Hall B")
    key = manifest_of(kiosk)["key"]
    good = queued(kiosk, key, wang["ticket"])
    bad = [
        {**good, "nonce": "short"}, {**good, "nonce": "x" * 30, "kiosk": other.device_id},
        {**good, "nonce": "y" * 30, "tag": "not a tag"}, {**good, "nonce": "z" * 30, "told": "nothing"},
        {**good, "nonce": "w" * 30, "kiosk": True}, "a string", None,
    ]
    assert outcomes(sync(kiosk, bad)) == [("rejected", "")] * len(bad)
    # A scan recorded for one kiosk is not another's to answer for.
    assert outcomes(sync(kiosk, [good])) == [("checked_in", "")]
    assert outcomes(sync(other, [{**good, "kiosk": other.device_id}])) == [("rejected", "")]
    assert count(app, OfflineScan) == 1 and count(app, CheckIn) == 1


def test_the_board_shows_kiosks_cut_off_scans_waiting_and_last_sync(app, client, auth, kiosk, organizer, make_staff):
    other = paired_kiosk(app, organizer, name="Hall B", allowed=False)
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    coordinator = make_staff("coord@example.org", organizer.event, roles=("transport",))
    auth.login_as(coordinator)
    board = client.get("/staff/e/summit/check-in/board", headers={"HX-Request": "true"})
    etag = board.headers["ETag"]
    assert re.search(r'data-kiosk="Hall A">.*?may work offline.*?Online.*?<td>0</td>\s*<td>Never</td>',
                     board.get_data(as_text=True), re.S)

    # Hall A syncs the first 2 of the 12 scans it held; Hall B falls silent.
    assert outcomes(sync(kiosk, [queued(kiosk, key, wang["ticket"]), queued(kiosk, key, wang["code"], kind="code")],
                         waiting=12)) == [("checked_in", ""), ("duplicate", "")]
    with app.app_context():
        device = db.session.get(KioskDevice, other.device_id)
        device.last_seen_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    changed = client.get("/staff/e/summit/check-in/board", headers={"HX-Request": "true", "If-None-Match": etag})
    assert changed.status_code == 200
    text = changed.get_data(as_text=True)
    assert re.search(r'data-kiosk="Hall A">.*?Online.*?<td>10</td>\s*<td>[^<]*\d', text, re.S)
    assert re.search(r'data-kiosk="Hall A">.*?</td>\s*<td>2</td>\s*</tr>', text, re.S)
    assert re.search(r'data-kiosk="Hall B">.*?<strong>Offline</strong>.*?last heard', text, re.S)


# -- Two kiosks at once ---------------------------------------------------------------------------

KIOSKS = 4


def test_kiosks_syncing_the_same_guest_at_once_make_one_check_in(app, make_app, organizer):
    wang = make_registration(app, organizer.event)
    # One app (one engine, one pool) per kiosk, as if each kiosk reached another worker.
    workers = [app] + [make_app() for _ in range(KIOSKS - 1)]
    clients = [paired_kiosk(workers[n], organizer, name=f"Hall {n}") for n in range(KIOSKS)]
    # The first kiosk's batch is also sent again at once, through another worker: a retry racing its first sending.
    retry = workers[1].test_client()
    retry.set_cookie(credential.COOKIE_NAME, clients[0].get_cookie(credential.COOKIE_NAME, path="/kiosk/").value,
                     path="/kiosk/")
    # Each kiosk scanned Wang offline, a minute apart.
    batches = [[queued(kiosk, manifest_of(kiosk)["key"], wang["ticket"], at=utcnow() - timedelta(minutes=n + 1))]
               for n, kiosk in enumerate(clients)]
    jobs = [*zip(clients, batches), (retry, batches[0])]
    start = threading.Barrier(len(jobs))

    def run(job):
        client, batch = job
        start.wait(timeout=60)
        return outcomes(sync(client, batch))

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(run, jobs))

    with app.app_context():
        [arrival] = db.session.scalars(select(CheckIn)).all()
        records = {r.nonce: r for r in db.session.scalars(select(OfflineScan))}
    assert len(records) == KIOSKS
    winners = [r for r in records.values() if r.outcome == "checked_in"]
    assert len(winners) == 1 and winners[0].check_in_id == arrival.id and winners[0].nonce == arrival.nonce
    assert sorted(r.outcome for r in records.values()) == ["checked_in"] + ["duplicate"] * (KIOSKS - 1)
    # What each kiosk was told is what the database holds; both sendings of one batch got the same answer.
    assert [[(records[batch[0]["nonce"]].outcome, "")] for batch in batches] == answers[:KIOSKS]
    assert answers[KIOSKS] == answers[0]
    assert count(app, AuditEntry, AuditEntry.action == "checkin.create") == 1


# -- Badges printed offline ----------------------------------------------------------------------

def badge_prints(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(BadgePrint.registration_id, BadgePrint.kiosk_id, BadgePrint.staff_id, BadgePrint.reprint,
                   BadgePrint.offline, BadgePrint.at).order_by(BadgePrint.at, BadgePrint.id)).all()


def test_badges_printed_offline_are_logged_once_and_shown_to_the_desk(app, client, auth, kiosk, organizer,
                                                                     make_staff):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    arrived, printed, again = (utcnow() - timedelta(minutes=m) for m in (12, 11, 9))
    scans = [queued(kiosk, key, wang["ticket"], at=arrived)]
    prints = [queued_print(kiosk, key, wang["ticket"], at=printed),
              queued_print(kiosk, key, wang["ticket"], at=again, reprint=True)]
    response = sync(kiosk, scans, prints=prints)
    assert outcomes(response) == [("checked_in", "")]
    assert logged(response) == ["logged", "logged"]
    assert [r["id"] for r in response.get_json()["prints"]] == [p["id"] for p in prints]
    rows = badge_prints(app)
    assert [row[:5] for row in rows] == [(wang["id"], kiosk.device_id, None, False, True),
                                         (wang["id"], kiosk.device_id, None, True, True)]
    assert abs(rows[0].at - printed) < timedelta(milliseconds=2) and abs(rows[1].at - again) < timedelta(milliseconds=2)

    # The answer was lost: the same batch again, then in part and reversed. Logged once each.
    assert logged(sync(kiosk, scans, prints=prints)) == ["logged", "logged"]
    assert logged(sync(kiosk, [], prints=prints[::-1])) == ["logged", "logged"]
    assert badge_prints(app) == rows

    desk = make_staff("desk@example.org", organizer.event, roles=("helpdesk",))
    auth.login_as(desk)
    guest_page = client.get(f"/staff/e/summit/guests/{wang['id']}").get_data(as_text=True)
    log = guest_page[guest_page.index('data-testid="badge-summary"'):]
    assert "Badge printed 2 times, last" in log
    entries = re.findall(r"<li>(.*?)</li>", log[log.index('class="plain badge-log"'):].split("</ol>")[0], re.S)
    assert "first print" in entries[0] and "at kiosk Hall A (North entrance), offline" in entries[0]
    assert "reprint" in entries[1] and "at kiosk Hall A (North entrance), offline" in entries[1]
    desk_page = client.get("/staff/e/summit/check-in", query_string={"q": "Wang"}).get_data(as_text=True)
    cell = desk_page[desk_page.index(f'data-testid="desk-badge-{wang["id"]}"'):].split("</td>")[0]
    assert "Badge printed 2 times, last" in cell and "at kiosk Hall A (North entrance), offline" in cell
    submit(client, "/language", {"lang": "zh_Hans", "next": "/"}, page="/")
    chinese = client.get(f"/staff/e/summit/guests/{wang['id']}").get_data(as_text=True)
    assert "在自助机“Hall A (North entrance)”（离线）" in chinese


def test_a_print_after_one_already_logged_is_a_reprint(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    # Printed online first (the desk); then the kiosk, offline, printed one it thought was the first.
    with app.app_context():
        arrival = services.check_in(db.session.get(Event, organizer.event.id), wang["id"],
                                    staff=db.session.get(User, organizer.id))
        services.record_badge_print(organizer.event.id, wang["id"], staff=db.session.get(User, organizer.id))
    later = utcnow() + timedelta(milliseconds=20)
    assert logged(sync(kiosk, [], prints=[queued_print(kiosk, key, wang["code"], kind="code", at=later)])) == ["logged"]
    assert [(row.staff_id, row.reprint, row.offline) for row in badge_prints(app)] == [
        (organizer.id, False, False), (None, True, True)]


@pytest.mark.parametrize("reported, expected", [
    (lambda now, paired: now + timedelta(hours=3), lambda now, paired, synced: synced),
    (lambda now, paired: datetime(1999, 1, 1, tzinfo=UTC), lambda now, paired, synced: paired),
    (lambda now, paired: None, lambda now, paired, synced: synced),
    (lambda now, paired: "yesterday", lambda now, paired, synced: synced),
], ids=["clock ahead", "clock far behind", "no time", "not a time"])
def test_the_time_a_print_reports_is_bounded(app, kiosk, organizer, reported, expected):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    with app.app_context():
        paired = db.session.get(KioskDevice, kiosk.device_id).paired_at
    now = utcnow()
    sent = queued_print(kiosk, key, wang["ticket"])
    moment = reported(now, paired)
    sent["at"] = ms(moment) if isinstance(moment, datetime) else moment
    before = utcnow()
    assert logged(sync(kiosk, [], prints=[sent])) == ["logged"]
    after = utcnow()
    [row] = badge_prints(app)
    if expected(now, paired, None) is None:
        assert before <= row.at <= after
    else:
        assert abs(row.at - expected(now, paired, None)) < timedelta(milliseconds=2)


@pytest.mark.parametrize("body", [
    {"scans": [], "prints": "everything"},
    {"scans": [], "prints": {"id": "offline-print-000000-abcdef"}},
    {"scans": [], "prints": [{}] * 51},
    {"prints": []},
], ids=["prints not a list", "prints an object", "too many", "no scans"])
def test_a_malformed_print_sync_is_refused_with_400(app, kiosk, body):
    response = kiosk.post("/kiosk/offline/sync", json=body)
    assert response.status_code == 400 and "error" in response.get_json()
    assert count(app, BadgePrint) == 0


def test_a_print_that_is_not_one_of_this_kiosks_guests_is_rejected(app, kiosk, organizer, make_event, make_staff):
    wang = make_registration(app, organizer.event)
    other = paired_kiosk(app, organizer, name="Hall B")
    elsewhere = make_event(slug="forum", name_en="Other Forum", name_zh="另一论坛")
    stranger = make_registration(app, elsewhere, email="stranger@example.org")
    key = manifest_of(kiosk)["key"]
    good = queued_print(kiosk, key, wang["ticket"])
    bad = [
        {**good, "id": "short"}, {**good, "id": "x" * 30, "kiosk": other.device_id},
        {**good, "id": "y" * 30, "tag": "not a tag"}, {**good, "id": "z" * 30, "reprint": "yes"},
        {**good, "id": "w" * 30, "kiosk": True}, {**good, "id": 12345678901234567890}, "a string", None, [1],
        # Another event's guest: this kiosk's key over their real ticket names no one here.
        queued_print(kiosk, key, stranger["ticket"]),
        queued_print(kiosk, key, "not-a-ticket-of-anyone-here"),
    ]
    response = sync(kiosk, [], prints=bad)
    assert logged(response) == ["rejected"] * len(bad)
    assert count(app, BadgePrint) == 0
    # A print logged for one kiosk is not another's to answer for.
    assert logged(sync(kiosk, [], prints=[good])) == ["logged"]
    assert logged(sync(other, [], prints=[{**good, "kiosk": other.device_id}])) == ["rejected"]
    assert [(row.kiosk_id, row.offline) for row in badge_prints(app)] == [(kiosk.device_id, True)]


def test_a_revoked_kiosk_cannot_log_prints(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, kiosk.device_id), db.session.get(User, organizer.id))
    assert sync(kiosk, [], prints=[queued_print(kiosk, key, wang["ticket"])]).status_code == 403
    assert count(app, BadgePrint) == 0


def test_the_database_keeps_offline_prints_to_kiosks_and_their_ids_unique(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    with app.app_context():
        row = dict(event_id=organizer.event.id, registration_id=wang["id"], offline=True)
        for wrong in (dict(kiosk_id=kiosk.device_id, nonce=None), dict(staff_id=organizer.id, nonce="n" * 30)):
            db.session.add(BadgePrint(**row, **wrong))
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()
        db.session.add(BadgePrint(**row, kiosk_id=kiosk.device_id, nonce="n" * 30))
        db.session.commit()
        db.session.add(BadgePrint(**row, kiosk_id=kiosk.device_id, nonce="n" * 30))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# -- One first print per guest, whatever order the prints reach the server in -------------------

def print_online(kiosk, ticket: str) -> None:
    """The guest scans in at a kiosk that reaches the server and taps "Print my badge"."""
    welcome_url = scan(kiosk, ticket).headers["Location"]
    badge_url = welcome_url.replace("/welcome/", "/badge/")
    assert kiosk.post(badge_url, data={"csrf_token": csrf_token(kiosk, welcome_url)}).status_code == 303


def first_prints(app, registration_id: int) -> list[tuple[bool, bool, int | None]]:
    """The guest's prints oldest first, as (reprint, offline, kiosk)."""
    with app.app_context():
        return db.session.execute(
            select(BadgePrint.reprint, BadgePrint.offline, BadgePrint.kiosk_id)
            .where(BadgePrint.registration_id == registration_id).order_by(BadgePrint.at, BadgePrint.id)).all()


def desk_badge_log(app, client, auth, organizer, make_staff, registration_id: int) -> tuple[str, list[str]]:
    """What the desk reads of a guest's badge: the summary on the check-in desk, the entries on the guest's page."""
    auth.login_as(make_staff("desk@example.org", organizer.event, roles=("helpdesk",)))
    desk = client.get("/staff/e/summit/check-in", query_string={"q": "Wang"}).get_data(as_text=True)
    cell = desk[desk.index(f'data-testid="desk-badge-{registration_id}"'):].split("</td>")[0]
    page = client.get(f"/staff/e/summit/guests/{registration_id}").get_data(as_text=True)
    log = page[page.index('class="plain badge-log"'):].split("</ol>")[0]
    return " ".join(cell.split()), [" ".join(entry.split()) for entry in re.findall(r"<li>(.*?)</li>", log, re.S)]


def test_an_offline_print_older_than_one_logged_online_becomes_the_first_print(
        app, client, auth, kiosk, organizer, make_staff):
    wang = make_registration(app, organizer.event)
    online = paired_kiosk(app, organizer, name="Hall B", allowed=False)
    key = manifest_of(kiosk)["key"]
    # Hall A printed Wang's badge offline ten minutes ago; Hall B, online, printed him another just now,
    # and its print reached the server first.
    print_online(online, wang["ticket"])
    assert first_prints(app, wang["id"]) == [(False, False, online.device_id)]
    earlier = queued_print(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=10))
    assert logged(sync(kiosk, [queued(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=11))],
                       prints=[earlier])) == ["logged"]
    assert first_prints(app, wang["id"]) == [(False, True, kiosk.device_id), (True, False, online.device_id)]
    # Sent again (its answer was lost): logged once, the first print still the first.
    assert logged(sync(kiosk, [], prints=[earlier])) == ["logged"]
    assert first_prints(app, wang["id"]) == [(False, True, kiosk.device_id), (True, False, online.device_id)]

    summary, entries = desk_badge_log(app, client, auth, organizer, make_staff, wang["id"])
    assert "Badge printed 2 times, last" in summary and "at kiosk Hall B (North entrance)" in summary
    assert len(entries) == 2
    assert "first print · at kiosk Hall A (North entrance), offline" in entries[0]
    assert "reprint · at kiosk Hall B (North entrance)" in entries[1] and "offline" not in entries[1]


def test_an_online_print_after_an_offline_one_is_a_reprint(app, client, auth, kiosk, organizer, make_staff):
    wang = make_registration(app, organizer.event)
    online = paired_kiosk(app, organizer, name="Hall B", allowed=False)
    key = manifest_of(kiosk)["key"]
    printed = queued_print(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=10))
    assert logged(sync(kiosk, [queued(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=11))],
                       prints=[printed])) == ["logged"]
    print_online(online, wang["ticket"])
    # The same offline print sent once more changes nothing either.
    assert logged(sync(kiosk, [], prints=[printed])) == ["logged"]
    assert first_prints(app, wang["id"]) == [(False, True, kiosk.device_id), (True, False, online.device_id)]
    summary, entries = desk_badge_log(app, client, auth, organizer, make_staff, wang["id"])
    assert "Badge printed 2 times, last" in summary and "at kiosk Hall B (North entrance)" in summary
    assert ["first print" in entries[0], "reprint" in entries[1]] == [True, True]


def test_a_print_the_kiosk_made_itself_after_the_server_logged_it_is_not_logged_twice(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    welcome_url = scan(kiosk, wang["ticket"]).headers["Location"]
    welcome = kiosk.get(welcome_url).get_data(as_text=True)
    print_id = re.search(r'name="nonce" value="([^"]+)"', welcome[welcome.index("data-print-form"):]).group(1)
    # The tap reached the server, which logged the print; its answer was lost, so the kiosk printed the
    # badge itself and queued the print under the request's id.
    assert kiosk.post(welcome_url.replace("/welcome/", "/badge/"),
                      data={"csrf_token": csrf_token(kiosk, welcome_url), "nonce": print_id}).status_code == 303
    stood_in = {**queued_print(kiosk, key, wang["ticket"]), "id": print_id}
    assert logged(sync(kiosk, [], prints=[stood_in])) == ["logged"]
    assert first_prints(app, wang["id"]) == [(False, False, kiosk.device_id)]


def test_a_kiosk_that_thought_its_print_a_reprint_is_corrected_by_the_log(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    key = manifest_of(kiosk)["key"]
    # The kiosk's first print never reached the server (its queue was lost); what it called a reprint
    # is the first print the log holds, and an older one sent later takes its place.
    later = queued_print(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=5), reprint=True)
    assert logged(sync(kiosk, [], prints=[later])) == ["logged"]
    assert first_prints(app, wang["id"]) == [(False, True, kiosk.device_id)]
    older = queued_print(kiosk, key, wang["ticket"], at=utcnow() - timedelta(minutes=8))
    assert logged(sync(kiosk, [], prints=[older])) == ["logged"]
    assert [reprint for reprint, _, _ in first_prints(app, wang["id"])] == [False, True]


def test_prints_logged_at_once_from_many_kiosks_and_the_desk_keep_one_first_print(app, make_app, organizer):
    wang = make_registration(app, organizer.event)
    # One app (one engine, one pool) per kiosk, as if each reached another worker; the desk prints too.
    workers = [app] + [make_app() for _ in range(KIOSKS - 1)]
    clients = [paired_kiosk(workers[n], organizer, name=f"Hall {n}") for n in range(KIOSKS)]
    now = utcnow()
    # Each kiosk printed Wang's badge offline, a minute apart; the last kiosk's is the oldest.
    batches = [[queued_print(kiosk, manifest_of(kiosk)["key"], wang["ticket"], at=now - timedelta(minutes=n + 1))]
               for n, kiosk in enumerate(clients)]
    retry = workers[1].test_client()
    retry.set_cookie(credential.COOKIE_NAME, clients[0].get_cookie(credential.COOKIE_NAME, path="/kiosk/").value,
                     path="/kiosk/")
    jobs = [*zip(clients, batches), (retry, batches[0]), ("desk", None), ("desk", None)]
    start = threading.Barrier(len(jobs))

    def run(job):
        client, batch = job
        if client == "desk":
            with workers[2].app_context():
                start.wait(timeout=60)
                services.record_badge_print(organizer.event.id, wang["id"], staff=db.session.get(User, organizer.id))
            return "desk"
        start.wait(timeout=60)
        return logged(sync(client, [], prints=batch))

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(run, jobs))
    assert answers == [["logged"]] * (KIOSKS + 1) + ["desk", "desk"]
    with app.app_context():
        rows = db.session.execute(select(BadgePrint.reprint, BadgePrint.kiosk_id, BadgePrint.nonce)
                                  .order_by(BadgePrint.at, BadgePrint.id)).all()
    # Every print once (the retry is not a print), and only the oldest, the last kiosk's, is the first.
    assert len(rows) == KIOSKS + 2
    assert [reprint for reprint, _, _ in rows] == [False] + [True] * (KIOSKS + 1)
    assert rows[0].kiosk_id == clients[-1].device_id and rows[0].nonce == batches[-1][0]["id"]


def test_the_database_keeps_one_first_print_per_guest(app, kiosk, organizer):
    wang = make_registration(app, organizer.event)
    with app.app_context():
        row = dict(event_id=organizer.event.id, registration_id=wang["id"], staff_id=organizer.id)
        db.session.add(BadgePrint(**row, reprint=False))
        db.session.commit()
        db.session.add(BadgePrint(**row, reprint=True))
        db.session.commit()
        db.session.add(BadgePrint(**row, reprint=False))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_migration_puts_the_badge_log_right(tmp_path, mailbox):
    """On a SQLite database of its own: two first prints logged before 0026 become one, the earliest."""
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.models import Category

    app = create_app(app_config(f"sqlite:///{tmp_path / 'before.sqlite3'}", mailbox.port))
    with app.app_context():
        upgrade(revision="0025_offline_prints")
        event = Event(slug="summit", name_en="S", name_zh="S", starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2),
                      timezone="UTC", venue_en="", venue_zh="", status="published")
        event.categories = Category.defaults()
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    wang = make_registration(app, event)
    li = make_registration(app, event, email="li@example.org")
    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    with app.app_context():
        # As 0025 logged them: Wang's offline print, older, also a first print; Li's only print a
        # "reprint", as the kiosk said.
        before = ((wang["id"], 10, False, None), (wang["id"], 5, False, "n" * 30), (wang["id"], 20, True, None),
                  (li["id"], 5, True, "m" * 30))
        for registration_id, minutes, reprint, nonce in before:
            db.session.add(BadgePrint(event_id=event_id, registration_id=registration_id, reprint=reprint,
                                      at=start + timedelta(minutes=minutes), offline=nonce is not None, nonce=nonce))
        db.session.commit()
        upgrade(revision="heads")
        rows = db.session.execute(select(BadgePrint.registration_id, BadgePrint.reprint)
                                  .order_by(BadgePrint.registration_id, BadgePrint.at)).all()
        assert rows == [(wang["id"], False), (wang["id"], True), (wang["id"], True), (li["id"], False)]
        db.session.rollback()
        downgrade(revision="0025_offline_prints")
        db.session.add(BadgePrint(event_id=event_id, registration_id=li["id"], reprint=False))
        db.session.commit()
        db.engine.dispose()
