"""Erasing an account: the registered steps of each feature, then the account, its registrations, links and mail.

What must stay for the event's counts (a registration's state, category, country
and history of states, its check-in, its agenda places) stays, with nothing left
that names the person. A registration for an event still to come is cancelled
first, so its place goes to the waiting list.
"""

from sqlalchemy import delete, select

from portal import audit, lifecycle, privacy
from portal.auth.tokens import new_token
from portal.extensions import db
from portal.guests import tickets
from portal.guests.services import lock_event
from portal.models import (
    AgendaFeed, Invitation, OutboundMail, Registration, RegistrationChange, SignInLink, SignInSession, User,
)
from portal.models.registration import CANCELLED

class ErasureRefused(Exception):
    """The account cannot be erased online; the message code says why."""


def erase_account(user: User) -> list[Registration]:
    """Erase the person behind `user`: personal data gone, what counts keep only anonymous rows. Commits.

    Staff accounts are refused: their names stand in other people's audit trails
    and the organizer must hand their work over first.
    """
    if user.is_admin or user.roles:
        raise ErasureRefused("staff-account")
    registrations = privacy.registrations_of(user)
    subject = f"user {user.id}"
    for registration in registrations:
        audit.record(registration.event, user, "privacy.erase", subject=subject,
                     detail=f"registration {registration.id}")
    if not registrations:
        audit.record(None, user, "privacy.erase", subject=subject)
    leave_events(user, registrations)
    privacy.run_erasure_steps(user, registrations)
    anonymise_account(user, registrations)
    db.session.commit()
    return registrations


def erased_address(kind: str, row_id: int) -> str:
    # .invalid never resolves (RFC 2606): nothing can ever be mailed to it.
    return f"erased-{kind}-{row_id}@erased.invalid"


def leave_events(user: User, registrations: list[Registration]) -> None:
    """Cancel the registrations for events still to come through the one release path, before any
    erasure step deletes what they held: rooms, seats and places go back, roommates are told."""
    for registration in registrations:
        _leave_event(registration, user)


def anonymise_account(user: User, registrations: list[Registration]) -> None:
    addresses = {user.email, *(r.email for r in registrations)}
    for registration in registrations:
        _anonymise_registration(registration)
    db.session.execute(delete(OutboundMail).where(OutboundMail.recipient.in_(addresses)))
    db.session.execute(delete(SignInLink).where(SignInLink.user_id == user.id))
    # Every session of the account ends, wherever its cookie was copied.
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))
    user.email = erased_address("user", user.id)
    user.display_name = ""
    user.password_hash = None
    user.last_sign_in_at = None


def _leave_event(registration: Registration, user: User) -> None:
    event = registration.event
    if event.has_ended() or not registration.can_become(CANCELLED):
        return
    event = lock_event(event.id)
    db.session.refresh(registration)
    lifecycle.leave(event, registration, CANCELLED, user)


def _anonymise_registration(registration: Registration) -> None:
    for field in ("surname", "honorific", "organization", "job_title", "phone", "decision_reason"):
        setattr(registration, field, "")
    registration.name_original = registration.name_latin = privacy.ERASED_NAME
    registration.email = erased_address("registration", registration.id)
    # A printed or mailed ticket must stop working.
    registration.ticket_code = tickets.new_ticket_code()
    for change in db.session.scalars(
            select(RegistrationChange).where(RegistrationChange.registration_id == registration.id)):
        change.reason = ""
    if registration.invitation_id is not None:
        invitation = db.session.get(Invitation, registration.invitation_id)
        if invitation is not None:
            invitation.email = erased_address("invitation", invitation.id)
            invitation.name = privacy.ERASED_NAME
            invitation.token_hash = new_token()  # no link can match a random non-hash
    db.session.execute(delete(AgendaFeed).where(AgendaFeed.registration_id == registration.id))
