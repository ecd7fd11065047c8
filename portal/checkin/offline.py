"""Offline check-in: the manifest a kiosk keeps to recognise guests without the server, and the resync.

Only a kiosk an organizer allowed to work offline gets a manifest. For each
confirmed guest it holds two entries, one filed under a keyed hash of the
ticket code and one under a keyed hash of the confirmation code (HMAC-SHA256
with the kiosk's own key, cut to 128 bits), never a code itself. An entry's
payload is what the welcome screen and the badge show (the name in both
scripts, the form of address, the category, the language), sealed with AES-GCM
under a key derived from the same code and the kiosk's key. Nothing of needs,
lodging or contacts is in it.

What someone who copies the kiosk's storage (its key with it) learns: how
many guests are expected, and nothing about any of them without a code. A
ticket code has 128 random bits and cannot be guessed; a confirmation code is
8 characters of 30, so with enough computing every one can be tried, which
would reveal the names behind them. The manifest expires at the end of the
event (the kiosk drops it then and the server hands out no more), and the
kiosk drops it when the server says it may no longer work offline, or
refuses it (revoked, unpaired).

A scan the kiosk could not send is queued there with its nonce, its time, the
kiosk and the keyed hash of the code. `apply_scans` applies each through
checkin.services.check_in, the idempotent path the online kiosk takes, then
records it in offline_scan, whose nonce is unique: a scan sent again is
answered from that record, and one whose first sending was applied but not
recorded is applied again harmlessly, as its nonce made the check-in.

A badge the kiosk printed offline is queued too, with an id the kiosk gave
it, the same keyed hash and the time; `log_prints` logs each in badge_print,
flagged offline, once (the id is unique there), after the batch's scans,
through checkin.services.record_badge_print like every print: whether it was
the guest's first print is decided there, by time, whatever the kiosk
thought. A print the kiosk made when its online print request failed carries
that request's id, so a print the server had logged is not logged twice.
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import audit
from portal.checkin import services
from portal.database import utcnow
from portal.extensions import db
from portal.models import CheckIn, Event, KioskDevice, OfflineScan, Registration, User
from portal.models.registration import CONFIRMED

TICKET, CODE = "ticket", "code"
WELCOME, HELP_DESK = "welcome", "help_desk"
REJECTED = "rejected"
# A sync carries at most this many scans: the kiosk sends its queue in batches of this size.
BATCH = 50
TAG_BYTES = 16
# What the check-in board lists of the scans the help desk should look at.
CONFLICTS_SHOWN = 20


@dataclass(frozen=True)
class QueuedScan:
    """One scan from a kiosk's queue, as sent: the keyed hash of the code, and what the guest was told."""

    nonce: str
    tag: str
    told: str
    at: datetime | None  # as the kiosk's clock said (corrected by the server's time it last heard)


@dataclass(frozen=True)
class Synced:
    """What became of a queued scan: checked_in, duplicate, refused (or rejected: not a scan of this kiosk)."""

    nonce: str
    outcome: str
    conflict: str = ""
    # A scan refused as it was applied now (not a resent one): the kiosk sends the guest to the help desk.
    refusal: services.Arrival | None = None


# -- Keys, hashes and seals ----------------------------------------------------------------------

def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def device_key(device: KioskDevice) -> bytes | None:
    return _unb64(device.offline_key) if device.offline_key else None


def tag(key: bytes, kind: str, code: str) -> str:
    """The keyed hash a manifest files a code under; static/js/kiosk-store.js computes the same."""
    return _b64(_mac(key, f"{kind}:{code}")[:TAG_BYTES])


def seal(key: bytes, kind: str, code: str, payload: list) -> str:
    """`payload` as JSON, sealed with AES-GCM under a key that only this code (with the kiosk's key) gives."""
    sealing = _mac(key, f"seal:{kind}:{code}")
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # The nonce comes from the sealing key and the text: an unchanged guest seals to the same
    # bytes (so an unchanged manifest is the same), and two texts never share a nonce under one key.
    nonce = hmac.new(sealing, plain, hashlib.sha256).digest()[:12]
    return _b64(nonce + AESGCM(sealing).encrypt(nonce, plain, tag(key, kind, code).encode("ascii")))


# -- The organizer's switch ----------------------------------------------------------------------

def allow(device: KioskDevice, allowed: bool, actor: User) -> bool:
    """Let a kiosk check guests in offline, or stop it; audited. False for a revoked kiosk. Commits."""
    if device.revoked_at is not None:
        db.session.commit()
        return False
    if device.offline_allowed != allowed:
        device.offline_allowed = allowed
        if allowed and device.offline_key is None:
            device.offline_key = _b64(secrets.token_bytes(32))
        audit.record(device.event, actor, "kiosk.offline_on" if allowed else "kiosk.offline_off",
                     subject=device.name)
    db.session.commit()
    return True


# -- The manifest --------------------------------------------------------------------------------

def expires_at(event: Event) -> datetime:
    """The end of the event's last day on its own clock: no manifest outlives the event."""
    return datetime.combine(event.ends_on + timedelta(days=1), time.min, tzinfo=event.zone).astimezone(UTC)


def may_work_offline(device: KioskDevice, event: Event) -> bool:
    return device.offline_allowed and device.offline_key is not None and utcnow() < expires_at(event)


def manifest_version(device: KioskDevice, event: Event) -> str:
    """Changes whenever the manifest would: a guest confirmed, cancelled or edited, a category, the event."""
    count, latest = db.session.execute(
        select(func.count(Registration.id), func.max(Registration.updated_at)).where(Registration.event_id == event.id)
    ).one()
    categories = [(c.id, c.name_en, c.name_zh, c.colour) for c in event.categories]
    parts = (device.id, device.offline_key, count, latest.isoformat() if latest else "", categories,
             event.name_en, event.name_zh, event.ends_on.isoformat(), event.timezone)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _payload(guest) -> list:
    """What the welcome screen and the badge show of a guest (a registration, or a row of its columns)."""
    return [guest.name_original, guest.name_latin, guest.honorific, guest.category_id, guest.language]


def printable(device: KioskDevice, event: Event, registration: Registration) -> dict | None:
    """What a kiosk needs to print the badge of the guest on its screen itself, should its print request fail.

    The keyed hash it logs the print under at its next sync and what the badge
    shows, nothing the screen does not show already; only for a kiosk that may
    work offline.
    """
    if not may_work_offline(device, event):
        return None
    return {"tag": tag(device_key(device), TICKET, registration.ticket_code), "guest": _payload(registration)}


def manifest(device: KioskDevice, event: Event) -> dict:
    """What the kiosk keeps to recognise a confirmed guest offline; see the module's docstring."""
    key = device_key(device)
    guests = db.session.execute(
        select(Registration.ticket_code, Registration.confirmation_code, Registration.name_original,
               Registration.name_latin, Registration.honorific, Registration.category_id, Registration.language)
        .where(Registration.event_id == event.id, Registration.state == CONFIRMED).order_by(Registration.id)
    ).all()
    entries = {}
    for guest in guests:
        payload = _payload(guest)
        for kind, code in ((TICKET, guest.ticket_code), (CODE, guest.confirmation_code)):
            entries[tag(key, kind, code)] = seal(key, kind, code, payload)
    return {
        "offline": True, "device": device.id, "key": device.offline_key,
        "expires": _ms(expires_at(event)), "now": _ms(utcnow()), "zone": event.timezone,
        "categories": {str(c.id): {"en": c.name_en, "zh": c.name_zh, "colour": c.colour} for c in event.categories},
        "entries": entries,
    }


# -- Resync --------------------------------------------------------------------------------------

def scan_time(reported: datetime | None, device: KioskDevice, synced_at: datetime) -> datetime:
    """When the guest arrived: the kiosk's word, no earlier than its pairing and no later than the sync."""
    if reported is None:
        return synced_at
    return min(max(reported, device.paired_at or device.created_at), synced_at)


def _recorded(nonce: str) -> OfflineScan | None:
    return db.session.scalar(select(OfflineScan).where(OfflineScan.nonce == nonce))


def _guests_by_tag(event: Event, key: bytes) -> dict[str, int]:
    """Every registration of the event (in any state, so a refusal names the guest) by its two tags."""
    found = {}
    for registration_id, ticket_code, confirmation_code in db.session.execute(
            select(Registration.id, Registration.ticket_code, Registration.confirmation_code)
            .where(Registration.event_id == event.id)):
        found[tag(key, TICKET, ticket_code)] = registration_id
        found[tag(key, CODE, confirmation_code)] = registration_id
    return found


def _judge(arrival: services.Arrival, told: str) -> tuple[str, str]:
    """The outcome of a scan, and the conflict between it and what the guest was told, if any."""
    if arrival.outcome == services.CHECKED_IN:
        return "checked_in", "sent_to_desk" if told == HELP_DESK else ""
    if arrival.outcome == services.ALREADY_CHECKED_IN:
        existing = db.session.get(CheckIn, arrival.check_in_id)
        by_staff = existing is not None and existing.staff_id is not None
        return "duplicate", "staff" if by_staff and told == WELCOME else ""
    return "refused", "refused" if told == WELCOME else ""


def _apply(device: KioskDevice, event: Event, scan: QueuedScan,
           registration_id: int | None) -> tuple[OfflineScan, services.Arrival | None]:
    synced_at = utcnow()
    at = scan_time(scan.at, device, synced_at)
    arrival = services.check_in(event, registration_id, kiosk=device, nonce=scan.nonce, at=at)
    outcome, conflict = _judge(arrival, scan.told)
    record = OfflineScan(
        event_id=event.id, kiosk_id=device.id, nonce=scan.nonce,
        registration_id=arrival.registration.id if arrival.registration is not None else None,
        scanned_at=at, synced_at=synced_at, told=scan.told, outcome=outcome, conflict=conflict,
        check_in_id=arrival.check_in_id,
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        # The same scan sent twice at once (a retry racing its first sending): the other one recorded it.
        db.session.rollback()
        record = _recorded(scan.nonce)
        if record is None:
            raise
        return record, None
    return record, arrival if arrival.outcome == services.SEE_HELP_DESK else None


def apply_scans(device: KioskDevice, event: Event, scans: list[tuple[str, QueuedScan | None]],
                waiting: int) -> list[Synced]:
    """Apply a kiosk's queued scans in the order sent; each answered by its nonce. Commits.

    `scans` pairs each nonce as sent with the scan read from it (None when it
    was not a well-formed scan of this kiosk: rejected, so the kiosk drops it).
    `waiting` is how many scans the kiosk had queued, this batch included.
    """
    key = device_key(device)
    tags = None
    results = []
    for nonce, scan in scans:
        if scan is None or key is None:
            results.append(Synced(nonce, REJECTED))
            continue
        record, refusal = _recorded(scan.nonce), None
        if record is None:
            if tags is None:
                tags = _guests_by_tag(event, key)
            record, refusal = _apply(device, event, scan, tags.get(scan.tag))
        if record.kiosk_id != device.id:
            results.append(Synced(nonce, REJECTED))
            continue
        results.append(Synced(nonce, record.outcome, record.conflict, refusal))
    db.session.execute(update(KioskDevice).where(KioskDevice.id == device.id).values(
        offline_waiting=max(0, waiting - len(scans)), last_synced_at=utcnow()))
    db.session.commit()
    return results


# -- Badges printed offline ----------------------------------------------------------------------

LOGGED = "logged"


@dataclass(frozen=True)
class QueuedPrint:
    """One badge print from a kiosk's queue: the kiosk's id for it, the guest's keyed hash, when."""

    nonce: str
    tag: str
    at: datetime | None  # as the kiosk's clock said, like a scan's


def log_prints(device: KioskDevice, event: Event,
               prints: list[tuple[str, QueuedPrint | None]]) -> list[tuple[str, str]]:
    """Log the badges a kiosk printed offline, each once; answer each id with logged or rejected. Commits.

    A print is rejected when it was not well formed (None), or its hash names
    no guest of this event: the kiosk drops it either way.
    """
    key = device_key(device)
    tags = None
    answers = []
    for nonce, sent in prints:
        if sent is None or key is None:
            answers.append((nonce, REJECTED))
            continue
        printed = services.badge_print_of(sent.nonce)
        if printed is None:
            if tags is None:
                tags = _guests_by_tag(event, key)
            registration_id = tags.get(sent.tag)
            if registration_id is None:
                answers.append((nonce, REJECTED))
                continue
            # Whether it was the first print is the log's to say (the earliest is): the kiosk
            # cannot know of prints made elsewhere, online or at another kiosk.
            printed = services.record_badge_print(event.id, registration_id, kiosk=device, offline=True,
                                                  nonce=sent.nonce, at=scan_time(sent.at, device, utcnow()))
        answers.append((nonce, LOGGED if printed.kiosk_id == device.id and printed.event_id == event.id
                        else REJECTED))
    db.session.commit()
    return answers


# -- The check-in board --------------------------------------------------------------------------

@dataclass(frozen=True)
class KioskLine:
    """A kiosk on the check-in board: is it reaching the server, what waits on it, when it last synced."""

    name: str
    offline_allowed: bool
    unreachable: bool
    last_seen_at: datetime | None
    waiting: int
    last_synced_at: datetime | None
    synced: int


def _unreachable_after() -> timedelta:
    return timedelta(seconds=current_app.config["KIOSK_UNREACHABLE_SECONDS"])


def _paired(event: Event):
    return select(KioskDevice).where(KioskDevice.event_id == event.id, KioskDevice.revoked_at.is_(None),
                                     KioskDevice.credential_hash.is_not(None))


def kiosk_lines(event: Event) -> list[KioskLine]:
    """Each paired kiosk of the event. Every kiosk page polls every 10 s: a silent kiosk is cut off."""
    now, quiet = utcnow(), _unreachable_after()
    synced = dict(db.session.execute(
        select(OfflineScan.kiosk_id, func.count()).where(OfflineScan.event_id == event.id)
        .group_by(OfflineScan.kiosk_id)).all())
    return [KioskLine(device.name, device.offline_allowed,
                      device.last_seen_at is None or now - device.last_seen_at > quiet, device.last_seen_at,
                      device.offline_waiting, device.last_synced_at, synced.get(device.id, 0))
            for device in db.session.scalars(_paired(event).order_by(KioskDevice.name, KioskDevice.id))]


def board_state(event: Event) -> tuple:
    """What of the kiosks' part of the board can change, for the board's fingerprint."""
    now, quiet = utcnow(), _unreachable_after()
    kiosks = tuple(
        (device.id, device.last_seen_at is None or now - device.last_seen_at > quiet, device.offline_waiting,
         device.last_synced_at)
        for device in db.session.scalars(_paired(event).order_by(KioskDevice.id)))
    scans = db.session.execute(select(func.count(OfflineScan.id), func.max(OfflineScan.id))
                               .where(OfflineScan.event_id == event.id)).one()
    return kiosks, tuple(scans)


def conflicts(event: Event) -> tuple[list[OfflineScan], int]:
    """The latest offline scans whose outcome differs from what the guest was told, and how many there are."""
    where = (OfflineScan.event_id == event.id, OfflineScan.conflict != "")
    latest = db.session.scalars(
        select(OfflineScan).where(*where)
        .options(joinedload(OfflineScan.registration), joinedload(OfflineScan.kiosk),
                 joinedload(OfflineScan.check_in).joinedload(CheckIn.staff))
        .order_by(OfflineScan.scanned_at.desc(), OfflineScan.id.desc()).limit(CONFLICTS_SHOWN)).all()
    return list(latest), db.session.scalar(select(func.count()).select_from(OfflineScan).where(*where))
