"""The help desk's part of the guest's data download and of account erasure.

The download holds the guest's tickets and the part of each thread the guest may
read (their own messages and the desk's public replies), never an internal note,
who on the desk holds the ticket, or the rating link's hash.

Erasure blanks what the guest wrote or gave (name, e-mail, phone, subject, their
messages, a rating comment) and keeps each ticket's category, priority, states,
times, message count and rating score, which the desk's metrics and the
post-event report count. A ticket with no e-mail left mails no one again.
"""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit, privacy
from portal.extensions import db
from portal.models import Ticket, TicketMessage, TicketRating
from portal.models.helpdesk import GUEST, INTERNAL

TICKET_FIELDS = ("number", "category", "priority", "state", "subject", "source", "contact_name", "contact_email",
                 "contact_phone", "language", "created_at", "updated_at", "first_response_at", "resolved_at",
                 "closed_at")


@privacy.data_provider("help_requests")
def help_requests(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return []
    slugs = {r.id: r.event.slug for r in registrations}
    tickets = db.session.scalars(select(Ticket).where(Ticket.registration_id.in_(ids))
                                 .options(selectinload(Ticket.messages)).order_by(Ticket.id)).all()
    ratings = db.session.scalars(select(TicketRating).where(
        TicketRating.ticket_id.in_([t.id for t in tickets]), TicketRating.rated_at.is_not(None))).all() if tickets else []
    result = []
    for ticket in tickets:
        values = {field: getattr(ticket, field) for field in TICKET_FIELDS}
        values["reference"], values["event"] = ticket.reference, slugs[ticket.registration_id]
        values["messages"] = [
            {"from": "me" if m.kind == GUEST else "help desk", "body": m.body, "at": m.created_at}
            for m in ticket.messages if m.kind != INTERNAL
        ]
        values["ratings"] = [{"score": r.score, "comment": r.comment, "rated_at": r.rated_at}
                             for r in ratings if r.ticket_id == ticket.id]
        result.append(values)
    return result


@privacy.erasure_step
def erase_help_requests(user, registrations):
    ids = [r.id for r in registrations]
    addresses = sorted({a.lower() for a in (user.email, *(r.email for r in registrations)) if a})
    # Also a walk-up ticket raised at a kiosk with the guest's e-mail but before they were identified.
    mine = [Ticket.registration_id.in_(ids)] if ids else []
    if addresses:
        mine.append(func.lower(Ticket.contact_email).in_(addresses))
    if not mine:
        return
    tickets = db.session.scalars(select(Ticket).where(or_(*mine)).order_by(Ticket.id)
                                 .with_for_update().execution_options(populate_existing=True)).all()
    if not tickets:
        return
    ticket_ids = [t.id for t in tickets]
    for ticket in tickets:
        ticket.contact_name, ticket.contact_email, ticket.contact_phone = privacy.ERASED_NAME, "", ""
        ticket.subject = privacy.ERASED_NAME
        audit.record(ticket.event, user, "helpdesk.erased", ticket.reference)
    for message in db.session.scalars(select(TicketMessage).where(
            TicketMessage.ticket_id.in_(ticket_ids), TicketMessage.kind == GUEST)):
        message.body, message.author_name = privacy.ERASED_NAME, ""
    for rating in db.session.scalars(select(TicketRating).where(TicketRating.ticket_id.in_(ticket_ids))):
        rating.comment = ""
