"""The free text an event's sensitive needs hide in, cleared when its sensitive data is purged.

Deleting the needs rows (portal/needs/services.py purge_event) is not enough: guests
write "wheelchair, please" in a lodging note, "insulin in the fridge" in a transport
note, raise medical or dietary help requests, and the desk's mails about those requests
repeat them. This clears each place, keeping the rows that the event's counts need.

A help request that was ever medical or dietary is cleared too, whatever its category now:
a request moved to "other", by mistake or on purpose, still holds what the guest wrote.
Its history (TicketChange, written in the same transaction as every change of category,
portal/helpdesk/services.py set_category) says what it ever was.
"""

import re

from sqlalchemy import func, or_, select, update

from portal import privacy
from portal.extensions import db
from portal.models import (
    Event, LodgingRequest, OutboundMail, Ticket, TicketChange, TicketMessage, TicketRating, TransportLeg,
)

# Help requests about needs; the archive treats the same categories as sensitive.
SENSITIVE_TICKET_CATEGORIES = ("medical", "dietary")
# The mails that repeat a help request's subject or thread.
TICKET_MAIL_KINDS = ("ticket_received", "ticket_reply", "ticket_resolved", "desk-alert")


def ever_sensitive(categories: tuple[str, ...] = SENSITIVE_TICKET_CATEGORIES):
    """Where-clause on Ticket: the request is medical or dietary (or in `categories`) now, or was at any
    time before. The desk's console asks it of "medical" alone (portal/privacy/discretion.py)."""
    moved = select(TicketChange.id).where(
        TicketChange.ticket_id == Ticket.id, TicketChange.what == "category",
        or_(TicketChange.old.in_(categories), TicketChange.new.in_(categories)))
    return or_(Ticket.category.in_(categories), moved.exists())


def clear_free_text(event: Event) -> dict[str, int]:
    """Clear notes, sensitive help requests and the mails that carried them; counts per kind. No commit."""
    counts = {
        "lodging notes": db.session.execute(
            update(LodgingRequest).where(LodgingRequest.event_id == event.id,
                                         (LodgingRequest.notes != "") | (LodgingRequest.decision_note != "")
                                         | LodgingRequest.accessible.is_(True))
            .values(notes="", decision_note="", accessible=False)).rowcount,
        "transport notes": db.session.execute(
            update(TransportLeg).where(TransportLeg.event_id == event.id, TransportLeg.notes != "")
            .values(notes="")).rowcount,
    }
    tickets = db.session.execute(select(Ticket.id, Ticket.number).where(
        Ticket.event_id == event.id, ever_sensitive())).all()
    ids = [ticket_id for ticket_id, _number in tickets]
    counts["help requests"] = len(ids)
    if ids:
        db.session.execute(update(Ticket).where(Ticket.id.in_(ids)).values(subject=privacy.ERASED_NAME))
        db.session.execute(update(TicketMessage).where(TicketMessage.ticket_id.in_(ids))
                           .values(body=privacy.ERASED_NAME))
        db.session.execute(update(TicketRating).where(TicketRating.ticket_id.in_(ids)).values(comment=""))
    counts["mails"] = _clear_mails(event, [number for _id, number in tickets])
    return counts


def count_free_text(event: Event) -> dict[str, int]:
    """What clear_free_text would clear, per kind, changing nothing."""
    tickets = db.session.execute(select(Ticket.number).where(
        Ticket.event_id == event.id, ever_sensitive())).scalars().all()
    return {
        "lodging notes": db.session.scalar(select(func.count(LodgingRequest.id)).where(
            LodgingRequest.event_id == event.id,
            (LodgingRequest.notes != "") | (LodgingRequest.decision_note != "")
            | LodgingRequest.accessible.is_(True))),
        "transport notes": db.session.scalar(select(func.count(TransportLeg.id)).where(
            TransportLeg.event_id == event.id, TransportLeg.notes != "")),
        "help requests": len(tickets),
        "mails": len(_mails_about(event, list(tickets))),
    }


def names_one_of(mail: OutboundMail, numbers) -> bool:
    """Whether `mail` is one of the desk's mails about one of these requests, named by its reference (H-042)."""
    if not numbers or mail.kind not in TICKET_MAIL_KINDS:
        return False
    # H-042 but not H-0420: a reference ends where the digits end.
    reference = re.compile(r"\bH-(?:%s)(?!\d)" % "|".join(f"{n:03d}" for n in sorted(numbers)))
    return any(reference.search(text) for text in (mail.subject, mail.body_text, mail.body_html))


def _mails_about(event: Event, numbers: list[int]) -> list[OutboundMail]:
    """The desk's mails that name one of these requests by its reference (H-042)."""
    if not numbers:
        return []
    return [mail for mail in db.session.scalars(select(OutboundMail).where(
                OutboundMail.event_id == event.id, OutboundMail.kind.in_(TICKET_MAIL_KINDS)))
            if names_one_of(mail, numbers)]


def _clear_mails(event: Event, numbers: list[int]) -> int:
    """Empty the mails about these requests, found by the reference each one names (H-042)."""
    mails = _mails_about(event, numbers)
    for mail in mails:
        mail.subject = mail.body_text = privacy.ERASED_NAME
        mail.body_html = ""
        if mail.state == "pending":
            # Never sent now: an erased mail would tell its reader nothing.
            mail.state, mail.last_error = "failed", "erased by the purge of sensitive data"
    return len(mails)
