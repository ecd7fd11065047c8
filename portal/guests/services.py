"""Registration: the capacity decision, state changes, the waitlist, and their mail.

Every change of a registration's state goes through `change_state`, which
checks the transition table in portal.models.registration and records the step.
Decisions that depend on how many places are taken run under a lock on the
event row (PostgreSQL) or the SQLite write lock taken at BEGIN IMMEDIATE, so
concurrent registrations can never take more places than there are.
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


def has_free_place(event: Event) -> bool:
    return event.capacity is None or confirmed_count(event.id) < event.capacity


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
             invitation: Invitation | None = None) -> Registration:
    """Register `user` for `event`: confirmed, waitlisted or pending approval. Commits."""
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

    if event.approval_required:
        target = PENDING
    else:
        target = CONFIRMED if has_free_place(event) else WAITLISTED
    change_state(registration, target, actor=user)
    db.session.add(registration)
    db.session.flush()
    _queue_state_mail(event, registration)
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


def cancel(registration: Registration, actor: User, reason: str = "") -> None:
    """Cancel a registration and give a freed place to the waitlist. Commits."""
    event = lock_event(registration.event_id)
    is_guest = actor.id == registration.user_id
    if is_guest and not event.changes_are_open():
        raise RegistrationError("changes-closed")
    db.session.refresh(registration)
    was_confirmed = registration.state == CONFIRMED
    change_state(registration, CANCELLED, actor=actor, reason=reason)
    _queue_state_mail(event, registration)
    if was_confirmed:
        promote_waitlist(event, actor)
    db.session.commit()


def decide(registration: Registration, approve: bool, actor: User, reason: str = "") -> None:
    """Staff approve (confirmed, or waitlisted when full) or decline with a reason. Commits."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if approve:
        target = CONFIRMED if has_free_place(event) else WAITLISTED
    else:
        target = DECLINED
    change_state(registration, target, actor=actor, reason=reason)
    registration.decision_reason = reason
    _queue_state_mail(event, registration)
    audit.record(event, actor, "registration.approve" if approve else "registration.decline",
                 subject=registration.confirmation_code, detail=reason)
    db.session.commit()


def promote_waitlist(event: Event, actor: User | None) -> list[Registration]:
    """Confirm waitlisted guests, oldest first, while places are free. Caller holds the lock."""
    promoted = []
    while has_free_place(event):
        nxt = db.session.scalar(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state == WAITLISTED)
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if nxt is None:
            break
        change_state(nxt, CONFIRMED, actor=actor, reason="waitlist")
        _queue_state_mail(event, nxt)
        promoted.append(nxt)
    return promoted


def change_state(registration: Registration, target: str, actor: User | None, reason: str = "") -> None:
    """Move to `target` if the transition table allows it, and record the step."""
    current = registration.state  # None for a registration being created
    if current is not None and target not in TRANSITIONS[current]:
        raise RegistrationError("transition-not-allowed")
    registration.state = target
    now = utcnow()
    if target == CONFIRMED:
        registration.confirmed_at = now
    elif target == WAITLISTED:
        registration.waitlisted_at = now
    registration.changes.append(RegistrationChange(
        from_state=current or "", to_state=target,
        actor_id=actor.id if actor else None, reason=reason,
    ))


def _queue_state_mail(event: Event, registration: Registration) -> None:
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
    )


def resend_confirmation(registration: Registration, actor: User) -> None:
    """Send the guest the mail for their current state again. Commits."""
    _queue_state_mail(registration.event, registration)
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
    outbox.queue(
        "invitation",
        invitation.email,
        "invitation",
        invitation.language,
        event=event,
        invitation=invitation,
        token=token,
    )


def find_invitation(event: Event, token: str) -> Invitation | None:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.expires_at <= utcnow():
        return None
    return invitation
