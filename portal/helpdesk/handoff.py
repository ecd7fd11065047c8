"""The kiosk's hand-off: a ticket for a guest it could not check in, so the desk knows why they come."""

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk.services import open_ticket
from portal.helpdesk.tickets import ACTIVE
from portal.i18n import current_language, gettext as _
from portal.models import Event, KioskDevice, Registration, Ticket, TicketMessage
from portal.models.helpdesk import INTERNAL

# A kiosk that cannot check someone in again within this time adds to the ticket it already opened.
HANDOFF_WINDOW = timedelta(minutes=10)
# What a guest typed into the kiosk, as the desk sees it in the ticket.
MAX_TYPED = 100

HANDOFF_REASONS = {
    "unknown-ticket": lambda: _("The kiosk could not find this ticket or registration."),
    "registration-cancelled": lambda: _("The registration is cancelled."),
    "registration-waitlisted": lambda: _("The guest is on the waiting list."),
    "registration-pending": lambda: _("The registration is awaiting approval."),
    "registration-declined": lambda: _("The registration was declined."),
}


def hand_off(event: Event, registration: Registration | None, kiosk: KioskDevice, reason: str, *,
             nonce: str = "", typed: str = "") -> Ticket:
    """The kiosk sends a guest it could not check in to the desk: `open_handoff`, committed."""
    ticket = open_handoff(event, registration, kiosk, reason, nonce=nonce, typed=typed)
    db.session.commit()
    return ticket


def find_handoff(event: Event, registration: Registration | None, kiosk: KioskDevice | None,
                 now: datetime | None = None) -> Ticket | None:
    """The kiosk hand-off ticket still waiting for this guest (or, for an unknown scan, from this kiosk)."""
    now = now or utcnow()
    query = select(Ticket).where(Ticket.event_id == event.id, Ticket.source == "handoff",
                                 Ticket.state.in_(ACTIVE))
    if registration is not None:
        query = query.where(Ticket.registration_id == registration.id)
    elif kiosk is not None:
        query = query.where(Ticket.registration_id.is_(None), Ticket.kiosk_id == kiosk.id,
                            Ticket.created_at >= now - HANDOFF_WINDOW)
    else:
        return None
    return db.session.scalar(query.order_by(Ticket.id.desc()).limit(1))


def open_handoff(event: Event, registration: Registration | None, kiosk: KioskDevice | None, reason: str,
                 now: datetime | None = None, *, nonce: str = "", typed: str = "") -> Ticket:
    """A ticket for a guest the kiosk could not check in, so the desk knows why they are coming.

    A known guest who scans again adds a note to their ticket already open. Someone
    the kiosk does not know gets a ticket of their own per visit (`nonce`), with what
    they typed or scanned; the same request sent again finds that ticket. The caller commits.
    """
    now = now or utcnow()
    explained = HANDOFF_REASONS.get(reason, lambda: reason)()
    where = kiosk.name if kiosk else _("the desk")
    if registration is None and kiosk is not None and nonce:
        existing = db.session.scalar(select(Ticket).where(Ticket.kiosk_id == kiosk.id, Ticket.kiosk_nonce == nonce))
        if existing is not None:
            return existing
    elif registration is not None:
        existing = find_handoff(event, registration, kiosk, now)
        if existing is not None:
            existing.messages.append(TicketMessage(
                kind=INTERNAL, body=_("Scanned again at %(kiosk)s: %(reason)s", kiosk=where, reason=explained),
                author_name=where, created_at=now))
            existing.updated_at = now
            return existing
    body = explained
    shown = " ".join((typed or "").split())[:MAX_TYPED]
    if registration is None and shown:
        body += "\n" + _("Typed or scanned: %(typed)s", typed=shown)
    ticket = open_ticket(
        event, category="other", priority="high", source="handoff", registration=registration, kiosk=kiosk,
        name="" if registration else _("Unknown guest at %(kiosk)s", kiosk=where),
        subject=_("Could not check in at %(kiosk)s", kiosk=where), body=body, now=now,
        language=current_language())  # the screen's, as its words are; a known guest's own prevails
    if registration is None and kiosk is not None and nonce:
        ticket.kiosk_nonce = nonce[:43]
    return ticket
