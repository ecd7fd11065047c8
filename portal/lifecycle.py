"""A registration's life across every feature: leaving, coming back, and being let in.

Whatever ends a registration (the guest cancelling, staff cancelling or declining,
the account being erased) goes through `leave`, which in one transaction gives back
everything the guest held: their room nights (the roommate is told and keeps the
room alone, flagged for the coordinators), their session places, their car seats,
their pending requests; it records the step and queues the mails. `reinstate` and
`admit` are the ways back in. The portal, the staff console, the check-in desk and
erasure all call this module, so no two of them can disagree about what a guest holds.

Locks, always in this order: the event row, the guest's requests and the block's
waiting requests, the block's nights (portal/lodging/services.py), the vehicles'
legs. Every public function here except `leave` commits.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.database import utcnow
from portal.extensions import db
from portal.guests.services import (
    RegistrationError, change_state, lock_event, places_of, promote_waitlist, queue_state_mail,
)
from portal.lodging import services as lodging
from portal.models import (
    AgendaEntry, Category, Event, Invitation, LodgingRequest, Registration, Session, TransportLeg, User,
)
from portal.models.lodging import ACTIVE_STATES as LODGING_ACTIVE
from portal.models.registration import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED
from portal.models.transport import ACTIVE_STATES as TRANSPORT_ACTIVE, CANCELLED as LEG_CANCELLED


@dataclass
class Holdings:
    """What a guest holds that leaving gives up: shown before they confirm, listed in the mail."""

    stay: LodgingRequest | None = None
    shares: list[LodgingRequest] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    legs: list[TransportLeg] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stay or self.shares or self.sessions or self.legs)


def holdings_of(registration: Registration) -> Holdings:
    """The guest's active stay, the stays they share, their sessions and their pickups."""
    stay = db.session.scalar(
        select(LodgingRequest).where(LodgingRequest.registration_id == registration.id,
                                     LodgingRequest.state.in_(LODGING_ACTIVE))
        .options(joinedload(LodgingRequest.block), joinedload(LodgingRequest.roommate)))
    shares = db.session.scalars(
        select(LodgingRequest).where(LodgingRequest.roommate_id == registration.id,
                                     LodgingRequest.state.in_(LODGING_ACTIVE))
        .options(joinedload(LodgingRequest.block), joinedload(LodgingRequest.registration))
        .order_by(LodgingRequest.id)).all()
    sessions = db.session.scalars(
        select(Session).join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(AgendaEntry.registration_id == registration.id)
        .order_by(Session.starts_at, Session.id)).all()
    legs = db.session.scalars(
        select(TransportLeg).where(TransportLeg.registration_id == registration.id,
                                   TransportLeg.state.in_(TRANSPORT_ACTIVE))
        .order_by(TransportLeg.scheduled_at, TransportLeg.id)).all()
    return Holdings(stay, list(shares), list(sessions), list(legs))


# ---------------------------------------------------------------- leaving

LEAVING_ACTIONS = {CANCELLED: "registration.cancel", DECLINED: "registration.decline"}


def leave(event: Event, registration: Registration, target: str, actor: User | None, reason: str = "") -> Holdings:
    """End a registration (`target`: cancelled or declined) and give back all it holds. Does not commit.

    The caller holds the event lock (lock_event). Returns what was given back.
    """
    held = holdings_of(registration)
    was_in_capacity = registration.state == CONFIRMED and not registration.admitted_over_capacity
    change_state(registration, target, actor=actor, reason=reason)
    # Written first: the mail lists what the guest held as it was (a roommate keeping the room, say).
    queue_state_mail(event, registration, released=held)
    lodging.withdraw_for(event, registration, actor)
    if held.sessions:
        # Sessions keep no waiting list: a freed place is simply free for the next guest to take.
        db.session.execute(delete(AgendaEntry).where(AgendaEntry.registration_id == registration.id))
    for leg in db.session.scalars(
            select(TransportLeg).where(TransportLeg.registration_id == registration.id,
                                       TransportLeg.state.in_(TRANSPORT_ACTIVE))
            .order_by(TransportLeg.id).with_for_update().execution_options(populate_existing=True)):
        leg.state, leg.vehicle_id, leg.vehicle = LEG_CANCELLED, None, None
    audit.record(event, actor, LEAVING_ACTIONS[target], subject=registration.confirmation_code,
                 detail=_released_detail(held, reason))
    if was_in_capacity:
        promote_waitlist(event, actor)
    return held


def _released_detail(held: Holdings, reason: str) -> str:
    parts = [reason] if reason else []
    if held.stay is not None:
        parts.append(f"lodging_request:{held.stay.id}")
    parts += [f"shared lodging_request:{share.id}" for share in held.shares]
    parts += [f"session:{session.id}" for session in held.sessions]
    parts += [f"transport_leg:{leg.id}" for leg in held.legs]
    return "; ".join(parts)


def cancel(registration: Registration, actor: User, reason: str = "") -> Holdings:
    """Cancel a registration, for the guest or by staff; all it holds is given back. Commits.

    A guest may cancel only while the event's changes are open."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if actor.id == registration.user_id and not event.changes_are_open():
        raise RegistrationError("changes-closed")
    if not registration.can_become(CANCELLED):
        raise RegistrationError("transition-not-allowed")
    held = leave(event, registration, CANCELLED, actor, reason)
    db.session.commit()
    return held


def decide(registration: Registration, approve: bool, actor: User, reason: str = "") -> None:
    """Staff approve (confirmed, or waitlisted when full) or decline with a reason. Commits."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    registration.decision_reason = reason
    if not approve:
        if not registration.can_become(DECLINED):
            raise RegistrationError("transition-not-allowed")
        leave(event, registration, DECLINED, actor, reason)
    else:
        if registration.state not in (PENDING, WAITLISTED):  # a cancelled or declined guest is reinstated
            raise RegistrationError("transition-not-allowed")
        target = CONFIRMED if places_of(event).fits(registration.category_id) else WAITLISTED
        change_state(registration, target, actor=actor, reason=reason)
        queue_state_mail(event, registration)
        audit.record(event, actor, "registration.approve", subject=registration.confirmation_code, detail=reason)
    db.session.commit()


# ---------------------------------------------------------------- coming back, and being let in


def reinstate(registration: Registration, actor: User, reason: str) -> str:
    """Undo a cancellation or a decline: confirmed if a place is free, else the waiting list. Commits.

    Returns the new state. Rooms, seats and sessions given up stay given up: the guest asks again."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.state not in (CANCELLED, DECLINED):
        raise RegistrationError("transition-not-allowed")
    target = CONFIRMED if places_of(event).fits(registration.category_id) else WAITLISTED
    change_state(registration, target, actor=actor, reason=reason)
    registration.decision_reason = ""
    audit.record(event, actor, "registration.reinstate", subject=registration.confirmation_code,
                 detail=f"{target}: {reason}")
    queue_state_mail(event, registration)
    db.session.commit()
    return target


def admit(registration: Registration, actor: User, reason: str, at_door: bool = False) -> bool:
    """Confirm a chosen pending or waitlisted guest, over the capacity when it is full. Commits.

    Returns True when the guest took a place beyond the capacity (such places show in the report)."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.state not in (PENDING, WAITLISTED):
        raise RegistrationError("transition-not-allowed")
    over = not places_of(event).fits(registration.category_id)
    change_state(registration, CONFIRMED, actor=actor, reason=reason)
    registration.admitted_over_capacity = over
    action = "registration.admit_over_capacity" if over else "registration.admit"
    audit.record(event, actor, action, subject=registration.confirmation_code,
                 detail=("at the door: " if at_door else "") + reason)
    queue_state_mail(event, registration)
    db.session.commit()
    return over


def admitted_over_capacity(event: Event) -> list[Registration]:
    """Guests confirmed beyond the capacity, as the report lists them."""
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.state == CONFIRMED,
                                   Registration.admitted_over_capacity.is_(True))
        .order_by(Registration.confirmed_at, Registration.id)).all()


def waitlist_position(registration: Registration) -> int | None:
    """The guest's place in the waiting list's order (1 is next), or None when not on it."""
    if registration.state != WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id, Registration.state == WAITLISTED,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | ((Registration.waitlisted_at == registration.waitlisted_at) & (Registration.id < registration.id))))
    return ahead + 1


# ---------------------------------------------------------------- capacity and reserved places


class CapacityError(Exception):
    """A capacity or reservation the confirmed guests do not fit; `code` names the message."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code, self.detail = code, detail


def check_capacity(event: Event, capacity: int | None) -> None:
    """A capacity must hold the guests already in it and the places reserved. Caller holds the lock."""
    if capacity is None:
        return
    places = places_of(event)
    if capacity < places.in_use:
        raise CapacityError("below-confirmed", confirmed=places.in_use)
    # Places kept for a category and not yet used must stay possible to fill.
    if capacity < places.in_use + places.held_back_from(None):
        raise CapacityError("below-reserved", reserved=places.in_use + places.held_back_from(None))


def reserve(event: Event, category: Category, places: int, actor: User) -> None:
    """Keep `places` of the capacity for `category`; fewer releases the rest to everyone. Does not commit.

    Freed places go to the waiting list at once."""
    event = lock_event(event.id)
    category = db.session.get(Category, category.id, populate_existing=True)
    current = places_of(event)
    others = sum(kept for cid, kept in current.reserved.items() if cid != category.id)
    if event.capacity is not None and places + others > event.capacity:
        raise CapacityError("reserved-over-capacity", capacity=event.capacity)
    before = category.reserved_places
    category.reserved_places = places
    audit.record(event, actor, "category.reserve", subject=category.code, detail=f"{before} -> {places}")
    if places < before:
        promote_waitlist(event, actor)
    db.session.commit()


def release_unused(event: Event, category: Category, actor: User) -> int:
    """Give the category's reserved places it has not used back to everyone. Commits; returns how many."""
    used = places_of(event).taken.get(category.id, 0)
    unused = max(category.reserved_places - used, 0)
    reserve(event, category, min(category.reserved_places, used), actor)
    db.session.commit()
    return unused


# ---------------------------------------------------------------- the invitee who says no


def decline_invitation(invitation: Invitation) -> None:
    """The invitee answers no from their personal link; they may still accept later. Commits."""
    if invitation.declined_at is None:
        invitation.declined_at = utcnow()
        audit.record(invitation.event, None, "invitation.decline", subject=invitation.email)
    db.session.commit()
