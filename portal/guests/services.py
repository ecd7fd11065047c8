"""Registration: the capacity decision, state changes, the waitlist, and their mail.

Every change of a registration's state goes through `change_state`, which
checks the transition table in portal.models.registration and records the step.
Decisions that depend on how many places are taken run under a lock on the
event row (PostgreSQL) or the SQLite write lock taken at BEGIN IMMEDIATE, so
concurrent registrations can never take more places than there are.
Leaving (cancel, decline, erasure), reinstating and admitting over the capacity
are in portal/lifecycle.py, which decides with `places_of` and `promote_waitlist`.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from portal import audit
from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.extensions import db
from portal.guests import tickets
from portal import outbox
from portal.models import Category, Event, Invitation, Registration, RegistrationChange, User
from portal.models.registration import (
    CANCELLED, CONFIRMED, DECLINED, PENDING, TRANSITIONS, WAITLISTED,
)


class RegistrationError(Exception):
    """A change the rules do not allow; the message is shown to the person who asked."""


@dataclass
class Profile:
    name_original: str
    name_latin: str
    surname: str
    honorific: str
    organization: str
    job_title: str
    country: str
    phone: str
    language: str


def lock_event(event_id: int) -> Event:
    """The event row, locked until commit, so capacity decisions happen one at a time."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    )


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id, Registration.state == CONFIRMED
        )
    )


@dataclass
class Places:
    """The capacity's places: how many each category holds, and how many each keeps for itself.

    A guest admitted over the capacity holds no place of it. A category's reserved places
    that it has not used are closed to every other category.
    """

    capacity: int | None
    taken: dict[int | None, int]
    reserved: dict[int, int]

    def held_back_from(self, category_id: int | None) -> int:
        return sum(max(kept - self.taken.get(other, 0), 0)
                   for other, kept in self.reserved.items() if other != category_id)

    def fits(self, category_id: int | None) -> bool:
        if self.capacity is None:
            return True
        return sum(self.taken.values()) + self.held_back_from(category_id) < self.capacity

    def take(self, category_id: int | None) -> None:
        self.taken[category_id] = self.taken.get(category_id, 0) + 1

    @property
    def in_use(self) -> int:
        return sum(self.taken.values())


def places_of(event: Event) -> Places:
    """Two small grouped reads; the caller holds the event lock when it decides on them."""
    taken = dict(db.session.execute(
        select(Registration.category_id, func.count()).where(
            Registration.event_id == event.id, Registration.state == CONFIRMED,
            Registration.admitted_over_capacity.is_(False))
        .group_by(Registration.category_id)).all())
    reserved = dict(db.session.execute(
        select(Category.id, Category.reserved_places).where(Category.event_id == event.id,
                                                            Category.reserved_places > 0)).all())
    return Places(event.capacity, taken, reserved)


def has_free_place(event: Event, category_id: int | None = None) -> bool:
    return places_of(event).fits(category_id)


def find_or_create_user(email: str, name: str, language: str) -> User:
    email = User.normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, language=language)
        db.session.add(user)
        db.session.flush()
    return user


def _unique_confirmation_code(event_id: int) -> str:
    while True:
        code = tickets.new_confirmation_code()
        taken = db.session.scalar(
            select(Registration.id).where(
                Registration.event_id == event_id, Registration.confirmation_code == code
            )
        )
        if taken is None:
            return code


def register(event: Event, user: User, profile: Profile, category: Category | None,
             invitation: Invitation | None = None, actor: User | None = None, note: str = "",
             approved: bool = False) -> Registration:
    """Register `user` for `event`: confirmed, waitlisted or pending approval. Commits.

    `actor` and `note`: the staff member registering the guest on their behalf and how the
    details came; the history keeps both. `approved`: that staff member may approve and does so
    now (an organizer admitting a walk-in), so the registration skips "pending".
    """
    event = lock_event(event.id)
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )
    if existing is not None and existing.state != CANCELLED:
        raise RegistrationError("already-registered")

    registration = existing or Registration(
        event_id=event.id,
        user_id=user.id,
        ticket_code=tickets.new_ticket_code(),
        confirmation_code=_unique_confirmation_code(event.id),
    )
    _apply_profile(registration, profile)
    registration.email = user.email
    if not user.display_name:
        # An account made by an e-mailed link knows no name until its first registration.
        user.display_name = profile.name_original
    registration.category_id = category.id if category else None
    registration.consent_at = utcnow()
    if invitation is not None:
        registration.invitation_id = invitation.id
        invitation.accepted_at = utcnow()

    if event.approval_required and not approved:
        target = PENDING
    else:
        target = CONFIRMED if has_free_place(event, registration.category_id) else WAITLISTED
    change_state(registration, target, actor=actor or user, reason=note)
    db.session.add(registration)
    db.session.flush()
    queue_state_mail(event, registration)
    db.session.commit()
    return registration


def update_profile(registration: Registration, profile: Profile) -> None:
    if not registration.event.changes_are_open():
        raise RegistrationError("changes-closed")
    _apply_profile(registration, profile)
    db.session.commit()


def _apply_profile(registration: Registration, profile: Profile) -> None:
    for field, value in vars(profile).items():
        setattr(registration, field, value)


def promote_waitlist(event: Event, actor: User | None) -> list[Registration]:
    """Fill free places: first guests admitted over the capacity take them up, then the waiting list
    in order, each guest only where their category may take a place. Caller holds the event lock."""
    places = places_of(event)
    if event.capacity is None:
        candidates = []
    else:
        candidates = db.session.scalars(
            select(Registration).where(Registration.event_id == event.id, Registration.state == CONFIRMED,
                                       Registration.admitted_over_capacity.is_(True))
            .order_by(Registration.confirmed_at, Registration.id)).all()
    for admitted in candidates:
        if places.fits(admitted.category_id):
            admitted.admitted_over_capacity = False
            places.take(admitted.category_id)
    waiting = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.state == WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)).all()
    promoted = []
    for guest in waiting:
        if places.capacity is not None and places.in_use >= places.capacity:
            break
        if places.fits(guest.category_id):
            change_state(guest, CONFIRMED, actor=actor, reason="waitlist")
            queue_state_mail(event, guest)
            places.take(guest.category_id)
            promoted.append(guest)
    return promoted


def change_state(registration: Registration, target: str, actor: User | None, reason: str = "") -> None:
    """Move to `target` if the transition table allows it, and record the step."""
    current = registration.state  # None for a registration being created
    if current is not None and target not in TRANSITIONS[current]:
        raise RegistrationError("transition-not-allowed")
    registration.state = target
    if target != CONFIRMED:
        registration.admitted_over_capacity = False
    now = utcnow()
    if target == CONFIRMED:
        registration.confirmed_at = now
    elif target == WAITLISTED:
        registration.waitlisted_at = now
    registration.changes.append(RegistrationChange(
        from_state=current or "", to_state=target,
        actor_id=actor.id if actor else None, reason=reason,
    ))


def queue_state_mail(event: Event, registration: Registration, **context) -> None:
    """Tell the guest where their registration stands, in their language."""
    inline = []
    if registration.state == CONFIRMED:
        inline.append({
            "cid": "ticket-qr",
            "mimetype": "image/png",
            "filename": "ticket.png",
            "data": tickets.qr_png(registration.ticket_code),
        })
    outbox.queue(
        f"registration.{registration.state}",
        registration.email,
        f"registration_{registration.state}",
        registration.language,
        event=event,
        inline=inline,
        registration=registration,
        **context,
    )


def resend_confirmation(registration: Registration, actor: User) -> None:
    """Send the guest the mail for their current state again. Commits."""
    queue_state_mail(registration.event, registration)
    audit.record(registration.event, actor, "registration.resend", subject=registration.confirmation_code)
    db.session.commit()


def create_invitation(event: Event, email: str, name: str, category: Category | None,
                      language: str) -> tuple[Invitation, str]:
    """A new invitation and the token for its link (only the hash is kept). Does not commit."""
    token = new_token()
    invitation = Invitation(
        event_id=event.id,
        email=User.normalise_email(email),
        name=name,
        category_id=category.id if category else None,
        language=language,
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def send_invitation(event: Event, invitation: Invitation, token: str) -> None:
    outbox.add(invitation_mail(event, invitation, token))


def invitation_mail(event: Event, invitation: Invitation, token: str) -> dict:
    """The invitation's mail with its personal link, composed for the outbox."""
    return outbox.compose("invitation", invitation.email, "invitation", invitation.language,
                          event=event, invitation=invitation, token=token)


def find_invitation(event: Event, token: str) -> Invitation | None:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.expires_at <= utcnow():
        return None
    return invitation
