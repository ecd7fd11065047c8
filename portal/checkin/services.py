"""Check-in: finding a guest at the venue, checking them in once, badges, and undo.

The kiosk and the staff console both come here, so they cannot disagree.
`check_in` is idempotent: one CheckIn per registration however many kiosks
scan at once. The common case, a confirmed guest's first scan, is one
statement: an INSERT ... SELECT that takes the registration only while it is
confirmed (its row locked on PostgreSQL) and does nothing when the guest is
already in (the unique constraint on check_in.registration_id). A guest
already in (a second scan, a retry) is answered from the kiosk's read, with no
write at all. Anything else locks the registration row first and looks closer.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from portal import audit
from portal.database import UTCDateTime, commit_keeping_loaded, utcnow
from portal.extensions import db
from portal.guests.tickets import normalise_confirmation_code
from portal.models import BadgePrint, CheckIn, Event, KioskDevice, Registration, User
from portal.models.registration import CONFIRMED

CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
SEE_HELP_DESK = "see_help_desk"

# A ticket code is 22 characters; a scan far longer than that is not one.
MAX_SCAN_LENGTH = 64
TICKET_CODE = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


@dataclass(frozen=True)
class Arrival:
    """What a check-in attempt came to, and what the guest is told."""

    outcome: str
    registration: Registration | None = None
    check_in_id: int | None = None
    # The help-desk ticket a refused kiosk check-in opened (or found) for the guest.
    ticket_id: int | None = None

    @property
    def is_checked_in(self) -> bool:
        return self.outcome in (CHECKED_IN, ALREADY_CHECKED_IN)


class CheckInError(Exception):
    """A staff action the rules do not allow; the message names which."""


# -- Finding the guest ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Scanned:
    """The guest a ticket names, and their check-in if they have one (read without the write lock)."""

    registration: Registration
    check_in_id: int | None
    check_in_nonce: str


def find_by_ticket(event: Event, scanned: str) -> Scanned | None:
    """The registration of this event whose ticket code was scanned, if any, with its check-in."""
    code = (scanned or "").strip()
    if len(code) > MAX_SCAN_LENGTH or not TICKET_CODE.match(code):
        return None
    found = db.session.execute(_BY_TICKET, {"event_id": event.id, "code": code}).first()
    return Scanned(found[0], found[1], found[2] or "") if found else None


# Every scan asks this, so the statement is built once. A scan reads the guest's id, then the
# check-in's audit line their code and the welcome their language: only those columns load here
# (anything else loads when first read; the slow path reloads the whole row locked).
_BY_TICKET = select(Registration, CheckIn.id, CheckIn.nonce).outerjoin(
    CheckIn, CheckIn.registration_id == Registration.id,
).where(
    Registration.event_id == bindparam("event_id"), Registration.ticket_code == bindparam("code"),
).options(load_only(Registration.id, Registration.event_id, Registration.state, Registration.confirmation_code,
                    Registration.language))


def answer_without_writing(scanned: Scanned, nonce: str) -> Arrival | None:
    """A confirmed guest who is already in needs no write: a second scan, or the same scan sent again.

    None when there is something to write (or to refuse): `check_in` decides.
    """
    if scanned.check_in_id is None or scanned.registration.state != CONFIRMED:
        return None
    return _answer(scanned.registration, scanned.check_in_id, scanned.check_in_nonce, nonce)


def find_by_confirmation_code(event: Event, typed: str) -> Registration | None:
    code = normalise_confirmation_code((typed or "")[:MAX_SCAN_LENGTH])
    if not code:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.confirmation_code == code)
    )


def phone_digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def find_by_surname_and_phone(event: Event, surname: str, last_four: str) -> Registration | None:
    """The one registration whose surname and last four phone digits both match.

    No match, a wrong second factor and an ambiguous match all give None, so a
    caller cannot tell them apart. The surname matches the Latin family name in
    any case, or the start of the name in its original script (王 for 王小明).
    """
    surname = (surname or "").strip()[:100]
    last_four = (last_four or "").strip()
    if not surname or not re.fullmatch(r"\d{4}", last_four):
        return None
    same_name = [func.lower(Registration.surname) == surname.lower()]
    if not surname.isascii():
        same_name.append(Registration.name_original.startswith(surname, autoescape=True))
    candidates = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, or_(*same_name)).limit(50)
    ).all()
    matches = [r for r in candidates if hmac.compare_digest(phone_digits(r.phone)[-4:], last_four)]
    return matches[0] if len(matches) == 1 else None


# -- Checking in ---------------------------------------------------------------------------------

def _lock_registration(event_id: int, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id, Registration.event_id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def check_in_of(registration_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration_id))


def _answer_for(existing: CheckIn, nonce: str) -> Arrival:
    return _answer(existing.registration, existing.id, existing.nonce, nonce)


def _answer(registration: Registration, check_in_id: int, made_with: str, nonce: str) -> Arrival:
    # The request that made the check-in, sent again, gets the first answer again.
    first = bool(nonce) and hmac.compare_digest(made_with, nonce)
    return Arrival(CHECKED_IN if first else ALREADY_CHECKED_IN, registration, check_in_id)


def _first_check_in_statement(dialect_name: str):
    """INSERT the check-in of a confirmed registration not yet checked in; RETURNING its id. Built once."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    source = (
        select(
            Registration.id, Registration.event_id, bindparam("kiosk_id", type_=Integer),
            bindparam("staff_id", type_=Integer), bindparam("at", type_=UTCDateTime),
            bindparam("nonce", type_=String),
        )
        .where(Registration.id == bindparam("registration_id"), Registration.event_id == bindparam("event_id"),
               Registration.state == CONFIRMED)
        .with_for_update()
    )
    return (
        dialect.insert(CheckIn)
        .from_select(["registration_id", "event_id", "kiosk_id", "staff_id", "at", "nonce"], source)
        .on_conflict_do_nothing(index_elements=["registration_id"])
        .returning(CheckIn.id)
    )


_FIRST_CHECK_IN = {name: _first_check_in_statement(name) for name in ("sqlite", "postgresql")}


def _first_check_in(event: Event, registration_id: int, kiosk: KioskDevice | None, staff: User | None,
                    nonce: str, at: datetime) -> int | None:
    """The common case in one statement: the new check-in's id, or None when there is more to look at."""
    connection = db.session.connection()
    return connection.execute(_FIRST_CHECK_IN[connection.dialect.name], {
        "registration_id": registration_id, "event_id": event.id, "kiosk_id": kiosk.id if kiosk else None,
        "staff_id": staff.id if staff else None, "at": at, "nonce": nonce or "",
    }).scalar()


def check_in(event: Event, registration_id: int | None, *, kiosk: KioskDevice | None = None,
             staff: User | None = None, nonce: str = "", at: datetime | None = None, typed: str = "") -> Arrival:
    """Check a guest in once; confirmed registrations only. Commits.

    Safe to call from many kiosks at once and to retry with the same `nonce`.
    `at` is when the guest arrived, if not now: a scan a kiosk made offline.
    `typed` is what the guest scanned or typed, for the help desk when it finds no one.
    """
    at = at or utcnow()
    if registration_id:
        made = _first_check_in(event, registration_id, kiosk, staff, nonce, at)
        if made is not None:
            registration = db.session.get(Registration, registration_id)
            audit.record_now(event, staff, "checkin.create", subject=registration.confirmation_code,
                             detail=f"kiosk: {kiosk.name}" if kiosk else "staff")
            # The caller reads the guest's language next: no second transaction for it.
            commit_keeping_loaded()
            return Arrival(CHECKED_IN, registration, made)

    # Not a first scan of a confirmed guest: look closer, with the registration locked.
    registration = _lock_registration(event.id, registration_id) if registration_id else None
    if registration is None or registration.state != CONFIRMED:
        reason = "unknown-ticket" if registration is None else f"registration-{registration.state}"
        ticket = send_to_help_desk(event, registration, kiosk=kiosk, reason=reason, nonce=nonce, typed=typed)
        ticket_id = ticket.id if ticket is not None else None
        db.session.commit()
        return Arrival(SEE_HELP_DESK, registration, ticket_id=ticket_id)

    existing = check_in_of(registration.id)
    if existing is not None:
        db.session.commit()  # release the lock
        return _answer_for(existing, nonce)

    arrival = CheckIn(
        registration_id=registration.id, event_id=event.id,
        kiosk_id=kiosk.id if kiosk else None, staff_id=staff.id if staff else None,
        at=at, nonce=nonce or "",
    )
    db.session.add(arrival)
    audit.record(event, staff, "checkin.create", subject=registration.confirmation_code,
                 detail=f"kiosk: {kiosk.name}" if kiosk else "staff")
    # The caller reads the check-in's id and the guest's language next: no second transaction for them.
    try:
        commit_keeping_loaded()
    except IntegrityError:
        # Another kiosk checked this guest in between our read and our write.
        db.session.rollback()
        existing = check_in_of(registration_id)
        if existing is None:
            raise
        return _answer_for(existing, nonce)
    return Arrival(CHECKED_IN, registration, arrival.id)


def send_to_help_desk(event: Event, registration: Registration | None, *, kiosk: KioskDevice | None,
                      reason: str, nonce: str = "", typed: str = ""):
    """Open a help-desk ticket for a guest a kiosk could not check in, so the desk knows why they come.

    Runs inside check_in's transaction, which commits after it. Only a kiosk
    hands off: at the staff desk the guest is already standing there.
    """
    from portal.helpdesk.services import open_handoff  # the help desk sits above check-in

    audit.record(event, None, "checkin.refused",
                 subject=registration.confirmation_code if registration else "",
                 detail=f"{reason}; kiosk: {kiosk.name}" if kiosk else reason)
    if kiosk is not None:
        return open_handoff(event, registration, kiosk, reason, nonce=nonce, typed=typed)
    return None


def undo_check_in(event: Event, registration_id: int, staff: User, reason: str) -> bool:
    """Remove a wrong check-in, with the reason, audited. False when there was none. Commits."""
    registration = _lock_registration(event.id, registration_id)
    existing = check_in_of(registration_id) if registration is not None else None
    if existing is None:
        db.session.commit()
        return False
    db.session.delete(existing)
    audit.record(event, staff, "checkin.undo", subject=registration.confirmation_code, detail=reason)
    db.session.commit()
    return True


# -- Badges ----------------------------------------------------------------------------------

def record_badge_print(check_in: CheckIn, *, kiosk: KioskDevice | None = None,
                       staff: User | None = None) -> BadgePrint:
    """Log one print of a guest's badge; every print after the first is a reprint. Commits."""
    earlier = db.session.scalar(
        select(func.count()).select_from(BadgePrint).where(BadgePrint.registration_id == check_in.registration_id)
    )
    printed = BadgePrint(
        event_id=check_in.event_id, registration_id=check_in.registration_id,
        kiosk_id=kiosk.id if kiosk else None, staff_id=staff.id if staff else None,
        reprint=bool(earlier),
    )
    db.session.add(printed)
    db.session.commit()
    return printed
