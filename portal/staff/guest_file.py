"""Everything about one guest that a staff page shows beside the registration: lodging,
transport, sessions, help requests, check-in and every badge print."""

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.checkin.services import badge_prints_of, check_in_of
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import AgendaEntry, BadgePrint, CheckIn, LodgingRequest, Registration, Session, Ticket
from portal.transport import services as transport


@dataclass
class GuestFile:
    lodging: LodgingRequest | None = None
    legs: dict = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    check_in: CheckIn | None = None
    prints: list[BadgePrint] = field(default_factory=list)


def guest_file(registration: Registration, parts: set[str]) -> GuestFile:
    """The parts of a guest's file the reader's role may see ("lodging", "transport", "helpdesk"...)."""
    found = GuestFile()
    if "lodging" in parts:
        found.lodging = lodging.request_of(registration)
    if "transport" in parts:
        found.legs = transport.legs_of(registration)
    if "helpdesk" in parts:
        found.tickets = db.session.scalars(select(Ticket).where(Ticket.registration_id == registration.id)
                                           .order_by(Ticket.number.desc())).all()
    found.sessions = db.session.scalars(
        select(Session).join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(AgendaEntry.registration_id == registration.id).order_by(Session.starts_at)).all()
    found.check_in = check_in_of(registration.id)
    found.prints = badge_prints_of([registration.id])[registration.id]
    return found
