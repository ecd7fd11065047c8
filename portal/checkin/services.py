"""Check-in: finding a guest at the venue, checking them in once, badges, and undo.

The kiosk and the staff console both come here, so they cannot disagree.
`check_in` is the one way in for the kiosk, the staff desk and the offline
resync, and it is idempotent: one CheckIn per registration (a unique
constraint) however many kiosks scan at once.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import audit
from portal.database import utcnow
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
    # Why a check-in was refused ("unknown-ticket", "registration-cancelled", ...): a kiosk hands the
    # guest to the help desk with it (helpdesk.handoff.hand_off).
    reason: str = ""

    @property
    def is_checked_in(self) -> bool:
        return self.outcome in (CHECKED_IN, ALREADY_CHECKED_IN)


class CheckInError(Exception):
    """A staff action the rules do not allow; the message names which."""


# -- Finding the guest ---------------------------------------------------------------------------

def find_by_ticket(event: Event, scanned: str) -> Registration | None:
    """The registration of this event whose ticket code was scanned, if any."""
    code = (scanned or "").strip()
    if len(code) > MAX_SCAN_LENGTH or not TICKET_CODE.match(code):
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.ticket_code == code)
    )


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

def _lock_registration(event_id: int, registration_id: int) -> tuple[Registration | None, CheckIn | None]:
    """Lock the registration and read its check-in, if any, in one round trip."""
    row = db.session.execute(
        select(Registration, CheckIn)
        .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
        .where(Registration.id == registration_id, Registration.event_id == event_id)
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def check_in_of(registration_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration_id))


def _answer(existing: CheckIn, nonce: str) -> Arrival:
    # The request that made the check-in, sent again, gets the first answer again.
    first = bool(nonce) and hmac.compare_digest(existing.nonce, nonce)
    return Arrival(CHECKED_IN if first else ALREADY_CHECKED_IN, existing.registration, existing.id)


def check_in(event: Event, registration_id: int | None, *, kiosk: KioskDevice | None = None,
             staff: User | None = None, nonce: str = "", at: datetime | None = None) -> Arrival:
    """Check a guest in once, at a kiosk or by a member of staff; confirmed registrations only. Commits.

    Safe to call from many kiosks at once and to retry with the same `nonce`:
    the registration is locked, then looked at; a check-in made by another
    request in between breaks the unique constraint and is answered as
    "already checked in". `at` is when the guest arrived, if not now: a scan a
    kiosk made offline. A refusal is audited and answered with its reason;
    the kiosk, not this service, sends the guest to the help desk.
    """
    registration, existing = _lock_registration(event.id, registration_id) if registration_id else (None, None)
    if registration is None or registration.state != CONFIRMED:
        reason = "unknown-ticket" if registration is None else f"registration-{registration.state}"
        audit.record(event, None, "checkin.refused",
                     subject=registration.confirmation_code if registration else "",
                     detail=f"{reason}; kiosk: {kiosk.name}" if kiosk else reason)
        db.session.commit()
        return Arrival(SEE_HELP_DESK, registration, reason=reason)

    if existing is not None:
        db.session.commit()  # release the lock
        return _answer(existing, nonce)

    arrival = CheckIn(
        registration_id=registration.id, event_id=event.id,
        kiosk_id=kiosk.id if kiosk else None, staff_id=staff.id if staff else None,
        at=at or utcnow(), nonce=nonce or "",
    )
    db.session.add(arrival)
    audit.record(event, staff, "checkin.create", subject=registration.confirmation_code,
                 detail=f"kiosk: {kiosk.name}" if kiosk else "staff")
    try:
        db.session.flush()
    except IntegrityError:
        # Another kiosk checked this guest in between our read and our write.
        db.session.rollback()
        existing = check_in_of(registration_id)
        if existing is None:
            raise
        return _answer(existing, nonce)
    made = Arrival(CHECKED_IN, registration, arrival.id)
    db.session.commit()
    return made


def undo_check_in(event: Event, registration_id: int, staff: User, reason: str) -> bool:
    """Remove a wrong check-in, with the reason, audited. False when there was none. Commits."""
    registration, existing = _lock_registration(event.id, registration_id)
    if existing is None:
        db.session.commit()
        return False
    db.session.delete(existing)
    audit.record(event, staff, "checkin.undo", subject=registration.confirmation_code, detail=reason)
    db.session.commit()
    return True


# -- Badges ----------------------------------------------------------------------------------

def badge_print_of(nonce: str) -> BadgePrint | None:
    """The print logged under this id (a kiosk's, offline or online), if any."""
    return db.session.scalar(select(BadgePrint).where(BadgePrint.nonce == nonce))


def record_badge_print(event_id: int, registration_id: int, *, kiosk: KioskDevice | None = None,
                       staff: User | None = None, at: datetime | None = None, nonce: str | None = None,
                       offline: bool = False) -> BadgePrint:
    """Log one print of a guest's badge, once per `nonce`; the earliest print is the first, any other a reprint.

    The one way into the badge log: the kiosk and the desk online, and the
    offline resync, whose prints arrive late and may be older than prints
    already logged. The guest's registration is locked (SQLite serialises every
    writer anyway), so two prints logged at once cannot both be the first; a
    print older than the logged first print takes its place, and the database
    keeps at most one first print per guest (uq_badge_print_one_first).
    `at` is when it was printed, if not now. Commits.
    """
    db.session.execute(select(Registration.id).where(Registration.id == registration_id).with_for_update())
    if nonce and (printed := badge_print_of(nonce)) is not None:
        db.session.commit()  # release the lock
        return printed
    at = at or utcnow()
    oldest = db.session.scalar(select(func.min(BadgePrint.at)).where(BadgePrint.registration_id == registration_id))
    earliest = oldest is None or at < oldest
    if earliest:
        # Before the new first print goes in, so the log never holds two.
        db.session.execute(update(BadgePrint).where(BadgePrint.registration_id == registration_id, ~BadgePrint.reprint)
                           .values(reprint=True))
    printed = BadgePrint(
        event_id=event_id, registration_id=registration_id,
        kiosk_id=kiosk.id if kiosk else None, staff_id=staff.id if staff else None,
        reprint=not earliest, at=at, offline=offline, nonce=nonce or None,
    )
    db.session.add(printed)
    try:
        db.session.commit()
    except IntegrityError:
        # The same nonce logged by another request for another guest: a print is logged once.
        db.session.rollback()
        printed = badge_print_of(nonce) if nonce else None
        if printed is None:
            raise
    return printed


def badge_prints_of(registration_ids) -> dict[int, list[BadgePrint]]:
    """Every badge print of these registrations, oldest first, with the kiosk or staff member who printed it."""
    ids = list(registration_ids)
    found: dict[int, list[BadgePrint]] = {registration_id: [] for registration_id in ids}
    if not ids:
        return found
    for printed in db.session.scalars(
            select(BadgePrint).where(BadgePrint.registration_id.in_(ids))
            .options(joinedload(BadgePrint.kiosk), joinedload(BadgePrint.staff))
            .order_by(BadgePrint.at, BadgePrint.id)):
        found[printed.registration_id].append(printed)
    return found
