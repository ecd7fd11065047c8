"""Lodging rules, in one place for the guest pages, the coordinators' board and the kiosk.

Rooms are counted per night (RoomNight). Confirming a stay takes one room on
every night of it and returning a stay gives them back; both lock the request
row first, then the block's night rows in night order (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's write lock is taken at BEGIN IMMEDIATE), so a block is
never overbooked however many coordinators and guests act at once, and two
lockers never wait on each other in opposite orders. The database's check
constraint (taken <= total) stands behind the locks.

Every coordinator decision mails the guest through the outbox, in their
language, in the same transaction as the decision.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, outbox
from portal.database import utcnow
from portal.extensions import db
from portal.rules import RuleRefused
from portal.models import Event, Hotel, LodgingRequest, Registration, RoomBlock, RoomNight, StaffRole, User
from portal.models.lodging import (
    ACTIVE_STATES, CANCELLED, CONFIRMED, DECLINED, REQUESTED, ROOM_OFFERED, ROOMMATE_LEFT, WAITLISTED,
    nights_between,
)

# Guests whose registration is still alive may ask for a room.
LIVE_REGISTRATION_STATES = ("pending", "confirmed", "waitlisted")
# A block covers at most this many nights: a conference, not a residence.
MAX_BLOCK_NIGHTS = 60


@dataclass
class Stay:
    """What a guest asks for."""

    block_id: int
    check_in: date
    check_out: date
    occupancy: int = 1
    roommate_email: str = ""
    accessible: bool = False
    smoking: bool = False
    notes: str = ""


# ---------------------------------------------------------------- reading


def blocks_of(event: Event) -> list[RoomBlock]:
    """The event's room blocks with their hotel and nights, hotel by hotel."""
    return db.session.scalars(
        select(RoomBlock).join(Hotel).where(RoomBlock.event_id == event.id)
        .options(joinedload(RoomBlock.hotel), selectinload(RoomBlock.nights))
        .order_by(Hotel.name_en, RoomBlock.id)
    ).unique().all()


def hotels_of(event: Event) -> list[Hotel]:
    return db.session.scalars(
        select(Hotel).where(Hotel.event_id == event.id)
        .options(selectinload(Hotel.blocks).selectinload(RoomBlock.nights))
        .order_by(Hotel.name_en, Hotel.id)
    ).unique().all()


def _request_query():
    return select(LodgingRequest).options(
        joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel),
        joinedload(LodgingRequest.registration),
        joinedload(LodgingRequest.roommate),
    )


def request_of(registration: Registration) -> LodgingRequest | None:
    """The guest's active request, else their latest one (to show how it ended)."""
    return _current(db.session.scalars(
        _request_query().where(LodgingRequest.registration_id == registration.id)
        .order_by(LodgingRequest.id.desc()).limit(5)
    ).unique().all())


def _current(latest: list[LodgingRequest]) -> LodgingRequest | None:
    """Of a guest's latest requests, newest first: the active one, else the newest."""
    active = [r for r in latest if r.is_active]
    return active[0] if active else (latest[0] if latest else None)


@dataclass
class MyLodging:
    """What the My trip card and the editor show: my request, and requests that name me as roommate."""

    request: LodgingRequest | None = None
    shares: list[LodgingRequest] = field(default_factory=list)


def my_lodging(registration: Registration) -> MyLodging:
    return MyLodging(*mine_and_shared(registration))


def _asking(registration_id, event_id, email):
    """Active requests of other guests that share with this guest (accepted) or ask them to (by address)."""
    return LodgingRequest.state.in_(ACTIVE_STATES) & or_(
        LodgingRequest.roommate_id == registration_id,
        LodgingRequest.roommate_id.is_(None) & (LodgingRequest.event_id == event_id)
        & (LodgingRequest.roommate_email == email))


def _mine_or_shared(registration_id, event_id, email):
    return or_(LodgingRequest.registration_id == registration_id, _asking(registration_id, event_id, email))


def mine_and_shared(registration: Registration) -> tuple[LodgingRequest | None, list[LodgingRequest]]:
    """request_of, and the active requests in which another guest shares with this guest or asks
    them to, in one statement."""
    rid = registration.id
    rows = db.session.scalars(
        _request_query().where(_mine_or_shared(rid, registration.event_id, registration.email.lower()))
        .order_by(LodgingRequest.id.desc())
    ).unique().all()
    # What request_of reads: the guest's five latest requests.
    shares = [r for r in reversed(rows) if r.registration_id != rid]
    return _current([r for r in rows if r.registration_id == rid][:5]), shares


def requests_of(event: Event, state: str = "", hotel_id: int | None = None) -> list[LodgingRequest]:
    """The coordinators' queue: requests of the event, oldest first, one query."""
    query = _request_query().where(LodgingRequest.event_id == event.id)
    if state:
        query = query.where(LodgingRequest.state == state)
    if hotel_id:
        query = query.join(RoomBlock, RoomBlock.id == LodgingRequest.block_id).where(RoomBlock.hotel_id == hotel_id)
    return db.session.scalars(query.order_by(LodgingRequest.created_at, LodgingRequest.id)).unique().all()


def rooming_list(event: Event, hotel_id: int | None = None) -> list[LodgingRequest]:
    """Confirmed stays, hotel by hotel, by check-in and guest: what the hotel's front desk needs."""
    query = (_request_query().join(RoomBlock, RoomBlock.id == LodgingRequest.block_id)
             .join(Hotel, Hotel.id == RoomBlock.hotel_id)
             .join(Registration, Registration.id == LodgingRequest.registration_id)
             .where(LodgingRequest.event_id == event.id, LodgingRequest.state == CONFIRMED))
    if hotel_id:
        query = query.where(Hotel.id == hotel_id)
    return db.session.scalars(
        query.order_by(Hotel.name_en, LodgingRequest.check_in, Registration.surname, Registration.name_latin)
    ).unique().all()


def state_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(LodgingRequest.state, func.count()).where(LodgingRequest.event_id == event.id)
        .group_by(LodgingRequest.state)
    ).all()
    return dict(rows)


# ---------------------------------------------------------------- the guest's side


def _check_open(event: Event, registration: Registration) -> None:
    if not event.changes_are_open():
        raise RuleRefused("changes-closed")
    if registration.state not in LIVE_REGISTRATION_STATES:
        raise RuleRefused("not-active")


def _lock_registration(registration: Registration) -> None:
    # One guest, two tabs: the lock makes the "only one active request" check hold.
    db.session.scalar(select(Registration.id).where(Registration.id == registration.id).with_for_update())


def _block(event: Event, block_id: int) -> RoomBlock:
    block = db.session.scalar(select(RoomBlock).where(RoomBlock.id == block_id, RoomBlock.event_id == event.id)
                              .options(joinedload(RoomBlock.hotel)))
    if block is None:
        raise RuleRefused("unknown-block", "block")
    return block


def _roommate_address(registration: Registration, stay: Stay) -> str:
    """The roommate's address as typed, checked only against the guest's own input.

    Whether anyone holds the address, and whether they could share, is never
    said here: the answer would tell a guest who else is coming. The other guest
    is asked, and says so themselves when they cannot.
    """
    email = (stay.roommate_email or "").strip().lower()
    if not email:
        return ""
    if stay.occupancy != 2:
        raise RuleRefused("roommate-needs-two", "occupancy")
    if email == registration.email.lower():
        raise RuleRefused("roommate-self", "roommate_email")
    return email


def _validate(event: Event, registration: Registration, stay: Stay) -> tuple[RoomBlock, str]:
    block = _block(event, stay.block_id)
    if stay.check_out <= stay.check_in:
        raise RuleRefused("check-out-before-check-in", "check_out")
    if not block.stay_fits(stay.check_in, stay.check_out):
        field = "check_in" if not block.arrival_from <= stay.check_in < block.departure_until else "check_out"
        raise RuleRefused("outside-window", field, start=block.arrival_from, end=block.departure_until)
    if stay.occupancy not in (1, 2):
        raise RuleRefused("occupancy", "occupancy")
    return block, _roommate_address(registration, stay)


def _sharing_someone_elses(registration: Registration, current: LodgingRequest | None) -> bool:
    return db.session.scalar(select(LodgingRequest.id).where(
        LodgingRequest.roommate_id == registration.id, LodgingRequest.state.in_(ACTIVE_STATES),
        LodgingRequest.roommate_confirmed_at.is_not(None),
        LodgingRequest.id != (current.id if current else -1),
    ).limit(1)) is not None


def _hotel_must_hold(wanted: LodgingRequest | Stay, roommate_email: str | None = None) -> tuple:
    """What the hotel must hold for a request or a stay: a change to any of it needs the hotel again."""
    return (wanted.block_id, wanted.check_in, wanted.check_out, wanted.occupancy,
            wanted.roommate_email if roommate_email is None else roommate_email)


def _apply(request: LodgingRequest, stay: Stay, roommate_email: str) -> bool:
    """Copy the stay onto the request; True when what the hotel must hold changed.

    Another address asks someone else: whoever had accepted is no longer the roommate.
    """
    held_before = _hotel_must_hold(request)
    if roommate_email != request.roommate_email:
        request.roommate_id, request.roommate_confirmed_at = None, None
    request.roommate_email = roommate_email
    request.block_id = stay.block_id
    request.check_in, request.check_out = stay.check_in, stay.check_out
    request.occupancy = stay.occupancy
    request.accessible, request.smoking = bool(stay.accessible), bool(stay.smoking)
    request.notes = (stay.notes or "").strip()
    return held_before != _hotel_must_hold(request)


def file_request(event: Event, registration: Registration, stay: Stay) -> LodgingRequest:
    """A new request for a room, or a change to the guest's active one; the guest's roommate is asked."""
    _check_open(event, registration)
    _lock_registration(registration)
    current = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.registration_id == registration.id,
                                     LodgingRequest.state.in_(ACTIVE_STATES))
        .with_for_update().execution_options(populate_existing=True))
    if _sharing_someone_elses(registration, current):
        raise RuleRefused("already-sharing")
    block, roommate_email = _validate(event, registration, stay)
    asked_before = current.roommate_email if current else ""
    if current is None:
        current = LodgingRequest(event_id=event.id, registration_id=registration.id, state=REQUESTED)
        db.session.add(current)
        _apply(current, stay, roommate_email)
    elif current.state != REQUESTED and _hotel_must_hold(current) != _hotel_must_hold(stay, roommate_email):
        # New dates or another block: the hotel has not agreed to those yet. The nights held
        # go back to the block they were taken from, before the request names the new ones.
        give_back(event, current, registration.user)
        current.state, current.confirmation_number, current.room_number = REQUESTED, "", ""
        _apply(current, stay, roommate_email)
    else:
        _apply(current, stay, roommate_email)
    db.session.flush()
    if roommate_email and roommate_email != asked_before:
        _ask_roommate(event, registration, current, block)
    db.session.commit()
    return current


def _ask_roommate(event: Event, registration: Registration, request: LodgingRequest, block: RoomBlock) -> None:
    """Mail the guest of this event who holds the address typed; if nobody does, nothing is sent
    (whoever registers with it later finds the question on their My trip)."""
    mate = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, func.lower(Registration.email) == request.roommate_email,
        Registration.state.in_(LIVE_REGISTRATION_STATES)).limit(1))
    if mate is not None:
        outbox.queue("lodging_roommate", mate.email, "lodging_roommate", mate.language, event=event,
                     registration=mate, request=request, requester=registration, block=block)


def cancel_request(event: Event, registration: Registration) -> LodgingRequest:
    """The guest cancels their active request; any nights it held go back to the block."""
    _check_open(event, registration)
    request = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.registration_id == registration.id,
                                     LodgingRequest.state.in_(ACTIVE_STATES))
        .with_for_update().execution_options(populate_existing=True))
    if request is None:
        raise RuleRefused("no-request")
    give_back(event, request, registration.user)
    request.state, request.review_reason = CANCELLED, ""
    db.session.commit()
    return request


def answer_roommate(event: Event, registration: Registration, request_id: int, accept: bool) -> LodgingRequest:
    """The guest asked to share agrees (and becomes the roommate), or says no (the request then
    stands without a roommate)."""
    _check_open(event, registration)
    _lock_registration(registration)
    request = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.id == request_id,
                                     _asking(registration.id, event.id, registration.email.lower()))
        .with_for_update().execution_options(populate_existing=True))
    if request is None:
        raise RuleRefused("no-request")
    if accept:
        # Sharing takes one room: the roommate must not hold a room of their own, nor share another.
        own = db.session.scalar(select(LodgingRequest.id).where(
            LodgingRequest.registration_id == registration.id, LodgingRequest.state.in_(ACTIVE_STATES)).limit(1))
        if own is not None or _sharing_someone_elses(registration, request):
            raise RuleRefused("roommate-has-room")
        request.roommate_id, request.roommate_confirmed_at = registration.id, utcnow()
    else:
        request.roommate_id, request.roommate_confirmed_at, request.roommate_email = None, None, ""
    db.session.commit()
    return request


# ---------------------------------------------------------------- rooms per night


def _locked_nights(block_id: int, nights: list[date]) -> list[RoomNight]:
    """The block's rows for `nights`, locked, always in night order (no deadlocks)."""
    if not nights:
        return []
    return db.session.scalars(
        select(RoomNight).where(RoomNight.block_id == block_id, RoomNight.night.in_(nights))
        .order_by(RoomNight.night).with_for_update().execution_options(populate_existing=True)
    ).all()


def _take(request: LodgingRequest) -> None:
    nights = request.nights
    rows = _locked_nights(request.block_id, nights)
    by_night = {row.night: row for row in rows}
    full = [night for night in nights if night not in by_night or by_night[night].free <= 0]
    if full:
        raise RuleRefused("block-full", nights=full)
    for row in rows:
        row.taken += 1
    request.holds_rooms = True


def release_nights(request: LodgingRequest) -> None:
    """Give back the room nights a stay holds, under the same night locks as taking them."""
    if not request.holds_rooms:
        return
    for row in _locked_nights(request.block_id, request.nights):
        # Never clamped: a stay given back twice breaks the nights' check (taken >= 0) and fails.
        row.taken -= 1
    request.holds_rooms = False


def free_rooms(block: RoomBlock, check_in: date, check_out: date) -> int:
    """The rooms free on every night of a stay (the fewest free on any one night)."""
    wanted = set(nights_between(check_in, check_out))
    rows = [n for n in block.nights if n.night in wanted]
    if len(rows) < len(wanted):
        return 0
    return min((n.free for n in rows), default=0)


# ---------------------------------------------------------------- nights that free up


def _waiting_in(block_id: int, exclude: list[int]) -> list[LodgingRequest]:
    """The block's waiting requests, locked, in the order they were put on the waiting list."""
    return db.session.scalars(
        select(LodgingRequest).where(LodgingRequest.block_id == block_id, LodgingRequest.state == WAITLISTED,
                                     LodgingRequest.id.not_in(exclude))
        .order_by(func.coalesce(LodgingRequest.decided_at, LodgingRequest.created_at), LodgingRequest.id)
        .with_for_update(of=LodgingRequest).execution_options(populate_existing=True)
    ).all()


def give_back(event: Event, request: LodgingRequest, actor) -> list[LodgingRequest]:
    """Return the nights a stay holds and offer them to the block's waiting requests that fit, in order:
    back to the coordinators' queue, or confirmed at once when the event says so (Event.freed_rooms).
    The coordinators are told. Does not commit; returns the requests offered or confirmed.

    Locks: the waiting requests, then every night of the block in night order, as _take does.
    """
    if not request.holds_rooms:
        return []
    waiting = _waiting_in(request.block_id, [request.id])
    db.session.scalars(select(RoomNight.id).where(RoomNight.block_id == request.block_id)
                       .order_by(RoomNight.night).with_for_update()).all()
    release_nights(request)
    freed = request.nights
    free = {row.night: row.free for row in _locked_nights(request.block_id,
                                                          sorted({n for w in waiting for n in w.nights}))}
    confirming = event.freed_rooms == "confirm"
    chosen = []
    for candidate in waiting:
        if any(free.get(night, 0) <= 0 for night in candidate.nights):
            continue
        if confirming and candidate.roommate_pending:
            continue
        for night in candidate.nights:
            free[night] -= 1
        candidate.decided_at = utcnow()
        if confirming:
            _take(candidate)
            candidate.state, candidate.decision_note, candidate.review_reason = CONFIRMED, "", ""
            audit.record(event, actor, "lodging.confirm", f"lodging_request:{candidate.id}", "freed nights")
            _mail(event, candidate, "lodging_confirmed")
        else:
            candidate.state, candidate.review_reason = REQUESTED, ROOM_OFFERED
            audit.record(event, actor, "lodging.offer", f"lodging_request:{candidate.id}")
            _mail(event, candidate, "lodging_offered")
        chosen.append(candidate)
    _tell_coordinators(event, request.block, freed, chosen, confirming)
    return chosen


def _tell_coordinators(event: Event, block: RoomBlock, nights: list[date], chosen: list[LodgingRequest],
                       confirming: bool) -> None:
    coordinators = db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id)
        .where(StaffRole.event_id == event.id, StaffRole.role == "lodging").order_by(User.id)).all()
    for person in coordinators:
        outbox.queue("lodging_nights_freed", person.email, "lodging_nights_freed", person.language or "en",
                     event=event, block=block, nights=nights, chosen=chosen, confirming=confirming)


def withdraw_for(event: Event, leaver: Registration, actor) -> list[LodgingRequest]:
    """Everything lodging holds for a guest who leaves the event. Does not commit.

    Their own stay is cancelled and its nights given back, unless a roommate had agreed to share it:
    then the roommate keeps the room alone and the coordinators are asked to tell the hotel. A stay
    they were to share goes on as a single room for its guest, flagged the same way. Each guest left
    behind is mailed. Returns the requests that changed.
    """
    own = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.registration_id == leaver.id,
                                     LodgingRequest.state.in_(ACTIVE_STATES))
        .with_for_update(of=LodgingRequest).execution_options(populate_existing=True))
    shares = db.session.scalars(
        select(LodgingRequest).where(LodgingRequest.roommate_id == leaver.id,
                                     LodgingRequest.state.in_(ACTIVE_STATES))
        .order_by(LodgingRequest.id).with_for_update(of=LodgingRequest)
        .execution_options(populate_existing=True)).all()
    changed = []
    if own is not None:
        mate = own.roommate if own.roommate_confirmed_at is not None else None
        if mate is not None and mate.state in LIVE_REGISTRATION_STATES:
            own.registration_id, own.registration = mate.id, mate
            _alone(event, own, leaver)
        else:
            give_back(event, own, actor)
            own.state, own.review_reason = CANCELLED, ""
            audit.record(event, actor, "lodging.cancel", f"lodging_request:{own.id}", "registration ended")
        changed.append(own)
    for share in shares:
        _alone(event, share, leaver)
        changed.append(share)
    return changed


def _alone(event: Event, request: LodgingRequest, leaver: Registration) -> None:
    """The stay goes on without `leaver`: one guest, the same room, flagged for the coordinators."""
    request.roommate_id, request.roommate, request.roommate_confirmed_at = None, None, None
    request.roommate_email = ""
    request.occupancy, request.review_reason = 1, ROOMMATE_LEFT
    guest = request.registration
    outbox.queue("lodging_roommate_left", guest.email, "lodging_roommate_left", guest.language, event=event,
                 registration=guest, request=request, block=request.block, leaver=leaver)


# ---------------------------------------------------------------- the coordinator's side


def _locked_request(event: Event, request_id: int) -> LodgingRequest:
    request = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.id == request_id, LodgingRequest.event_id == event.id)
        .with_for_update(of=LodgingRequest).execution_options(populate_existing=True))
    if request is None:
        raise RuleRefused("no-request")
    return request


def _mail(event: Event, request: LodgingRequest, template: str) -> None:
    guest = request.registration
    outbox.queue(template, guest.email, template, guest.language, event=event,
                 registration=guest, request=request, block=request.block)


def confirm(event: Event, request_id: int, actor, confirmation_number: str, room_number: str = "",
            note: str = "") -> LodgingRequest:
    """Confirm a stay, taking a room on every night of it; on a confirmed stay, change its numbers.

    The coordinator's note reaches the guest's mail and My trip."""
    request = _locked_request(event, request_id)
    if not request.can_become(CONFIRMED):
        raise RuleRefused("transition")
    if request.roommate_pending:
        raise RuleRefused("roommate-unconfirmed")
    changed = request.state == CONFIRMED
    if not request.holds_rooms:
        _take(request)
    request.state = CONFIRMED
    request.confirmation_number = confirmation_number.strip()
    request.room_number = room_number.strip()
    request.decision_note, request.decided_at = note.strip(), utcnow()
    request.review_reason = ""
    audit.record(event, actor, "lodging.change" if changed else "lodging.confirm", f"lodging_request:{request.id}",
                 f"{request.confirmation_number} {request.room_number}".strip())
    _mail(event, request, "lodging_changed" if changed else "lodging_confirmed")
    db.session.commit()
    return request


def _set_aside(event: Event, request_id: int, actor, state: str, note: str) -> LodgingRequest:
    request = _locked_request(event, request_id)
    if not request.can_become(state) or request.state == state:
        raise RuleRefused("transition")
    give_back(event, request, actor)
    request.state, request.decision_note, request.decided_at = state, note.strip(), utcnow()
    request.review_reason = ""
    request.confirmation_number = request.room_number = ""
    audit.record(event, actor, f"lodging.{state}", f"lodging_request:{request.id}", request.decision_note)
    _mail(event, request, f"lodging_{state}")
    db.session.commit()
    return request


def decline(event: Event, request_id: int, actor, note: str = "") -> LodgingRequest:
    """Decline a request, with a word to the guest; any nights it held go back."""
    return _set_aside(event, request_id, actor, DECLINED, note)


def waitlist(event: Event, request_id: int, actor, note: str = "") -> LodgingRequest:
    """Put a request on the waiting list; any nights it held go back."""
    return _set_aside(event, request_id, actor, WAITLISTED, note)


# ---------------------------------------------------------------- hotels and blocks (organizer set-up)


def save_hotel(event: Event, hotel: Hotel | None, values: dict, actor) -> Hotel:
    hotel = hotel or Hotel(event_id=event.id)
    for name, value in values.items():
        setattr(hotel, name, value)
    db.session.add(hotel)
    db.session.flush()
    audit.record(event, actor, "lodging.hotel", f"hotel:{hotel.id}", hotel.name_en)
    db.session.commit()
    return hotel


def save_block(event: Event, block: RoomBlock | None, values: dict, rooms: int | None, actor) -> RoomBlock:
    """Create or change a block; its nights follow its window, each new night with `rooms` rooms.

    Nights that leave the window must hold no confirmed stay.
    """
    hotel = db.session.scalar(select(Hotel).where(Hotel.id == values["hotel_id"], Hotel.event_id == event.id))
    if hotel is None:
        raise RuleRefused("unknown-hotel", "hotel")
    start, end = values["arrival_from"], values["departure_until"]
    if end <= start:
        raise RuleRefused("window-backwards", "departure_until")
    if (end - start).days > MAX_BLOCK_NIGHTS:
        raise RuleRefused("window-too-long", "departure_until", most=MAX_BLOCK_NIGHTS)
    if block is None:
        block = RoomBlock(event_id=event.id)
        db.session.add(block)
        existing = {}
    else:
        existing = {row.night: row for row in _locked_nights(block.id, [n.night for n in block.nights])}
    for name, value in values.items():
        setattr(block, name, value)
    wanted = nights_between(start, end)
    leaving = [row for night, row in existing.items() if night not in wanted]
    if any(row.taken for row in leaving):
        raise RuleRefused("nights-in-use", "arrival_from")
    for row in leaving:
        db.session.delete(row)
    for night in wanted:
        if night not in existing:
            block.nights.append(RoomNight(night=night, total=rooms or 0, taken=0))
    db.session.flush()
    audit.record(event, actor, "lodging.block", f"room_block:{block.id}", block.room_type_en)
    db.session.commit()
    return block


def set_inventory(event: Event, block_id: int, totals: dict[date, int], actor) -> list[date]:
    """Set the rooms held on each night; a night cannot hold fewer rooms than are taken.

    Returns the nights refused (nothing is changed when any is).
    """
    block = _block(event, block_id)
    rows = _locked_nights(block.id, sorted(totals))
    refused = [row.night for row in rows if totals[row.night] < row.taken]
    if refused:
        db.session.rollback()
        return refused
    for row in rows:
        row.total = totals[row.night]
    audit.record(event, actor, "lodging.inventory", f"room_block:{block.id}",
                 ", ".join(f"{row.night.isoformat()}={row.total}" for row in rows))
    db.session.commit()
    return []


def rate_text(block: RoomBlock) -> str:
    rate = block.nightly_rate if isinstance(block.nightly_rate, Decimal) else Decimal(str(block.nightly_rate))
    return f"{rate:,.2f} {block.currency}"
