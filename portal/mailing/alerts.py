"""Alerts for help requests that cannot wait: urgent ones and medical ones.

When such a request is raised, or an earlier one becomes urgent, everyone on the
event's desk (organizers and the help desk) gets a mail at once, and every console
page they have open shows it until someone takes the request. A medical request is named as such: its mail carries
the subject and the guest's name only to those with the medical-data permission, and
the console's strip, on every page, never shows them. A request once medical and since moved
to another category keeps its words just as well (portal/privacy/discretion.py).
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import or_, select

from portal import outbox
from portal.extensions import db
from portal.models import Event, StaffRole, Ticket, User
from portal.models.helpdesk import NEW, OPEN
from portal.privacy import discretion

# Who is alerted: the staff who work the desk (portal/helpdesk/services.py DESK_ROLES).
ALERTED_ROLES = ("organizer", "helpdesk")


def is_alarming(ticket: Ticket) -> bool:
    return ticket.priority == "urgent" or ticket.category == "medical"


def mail_desk(event: Event, ticket: Ticket, escalated: bool = False, reclassified: bool = False) -> int:
    """Queue the alert to each organizer and help-desk member of the event, in their language; returns how many.

    Runs inside the transaction that raises the ticket (or raises its priority: `escalated`; or makes
    it a medical one: `reclassified`), so the alert exists exactly when the alarming ticket does.
    """
    staff = db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id)
        .where(StaffRole.event_id == event.id, StaffRole.role.in_(ALERTED_ROLES))
        .distinct().order_by(User.id)).all()
    for user in staff:
        detailed = discretion.may_read(user, ticket)
        outbox.queue("desk-alert", user.email, "desk_alert", user.language or "en", event=event,
                     ticket=ticket, detailed=detailed, escalated=escalated, reclassified=reclassified)
    return len(staff)


@dataclass(frozen=True)
class Alert:
    """One waiting request as a console page shows it."""

    number: int
    reference: str
    medical: bool
    urgent: bool
    # Empty for a request that is or was medical.
    subject: str


def waiting(event: Event) -> list[Alert]:
    """Urgent and medical requests nobody has taken yet, oldest first.

    Open ones count too: a request made urgent after someone opened it, or given back to nobody.
    """
    tickets = db.session.execute(
        select(Ticket.number, Ticket.category, Ticket.priority, Ticket.subject,
               discretion.confidential().label("confidential"))
        .where(Ticket.event_id == event.id, Ticket.state.in_((NEW, OPEN)), Ticket.assignee_id.is_(None),
               or_(Ticket.priority == "urgent", Ticket.category == "medical"))
        .order_by(Ticket.created_at, Ticket.id)).all()
    if not tickets:
        return []
    # The subject of a request that is or was medical never shows here, whoever reads: the strip is
    # on every console page, printed ones and shared screens included. The ticket shows it to those allowed.
    return [Alert(number=t.number, reference=f"H-{t.number:03d}", medical=t.category == "medical",
                  urgent=t.priority == "urgent", subject="" if t.confidential else t.subject)
            for t in tickets]


def fingerprint(alerts: list[Alert]) -> str:
    """What the alerts show; the console's poll gets nothing new while it stays the same."""
    return hashlib.blake2b(repr(alerts).encode(), digest_size=8).hexdigest()
