"""Who may read what a help request says: its subject, the guest's messages, replies and notes.

A request that is medical now, or was at any time before (its category history, the same
rule the purge of sensitive data follows: portal/privacy/purge.py ever_sensitive), shows its
words only to the organizer and to staff holding the event's medical-data permission. Everyone
else (the rest of the desk, coordinators on a guest's page, a kiosk's lobby screen, the mail
that alerts the desk) sees that it is a medical request and its number, never what it says.
Moving a request out of "medical" does not move its words out of reach.

Dietary requests are for the whole desk to handle; like medical ones they are kept out of
the archive unless the organizer asks for sensitive data, and purged after the event.
"""

from collections.abc import Iterable

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, OutboundMail, Ticket, User
from portal.needs import services as needs
from portal.privacy import purge

# The categories whose words stay with those who may read medical notes, once a request was in one.
CONFIDENTIAL = ("medical",)


def may_read_medical(user: User | None, event: Event) -> bool:
    """The organizer, and staff with the event's medical-data permission (portal/needs/services.py)."""
    return user is not None and needs.MEDICAL in needs.reader_scope(user, event)


def confidential():
    """Where-clause on Ticket: its words are for those who may read medical notes."""
    return purge.ever_sensitive(CONFIDENTIAL)


def hidden_from(reader: User | None, event: Event, numbers: Iterable[int] | None = None) -> set[int]:
    """The numbers of `event`'s requests (of `numbers`, when given) whose words `reader` may not read.

    `reader` None is a screen nobody signed in to (a kiosk), or one everybody may read.
    """
    if reader is not None and may_read_medical(reader, event):
        return set()
    query = select(Ticket.number).where(Ticket.event_id == event.id, confidential())
    if numbers is not None:
        numbers = list(numbers)
        if not numbers:
            return set()
        query = query.where(Ticket.number.in_(numbers))
    return set(db.session.scalars(query))


def may_read(reader: User | None, ticket: Ticket) -> bool:
    """Whether `reader` may read what `ticket` says."""
    return not hidden_from(reader, ticket.event, [ticket.number])


def hidden_mails(reader: User | None, event: Event, mails: Iterable[OutboundMail], on_desk: bool = True) -> set[int]:
    """The ids of these mails that carry the words of a request `reader` may not read.

    Someone not on the desk (a coordinator reading a guest's page) reads no request at all,
    so none of the desk's mails either.
    """
    mails = list(mails)
    if not on_desk:
        return {mail.id for mail in mails if mail.kind in purge.TICKET_MAIL_KINDS}
    hidden = hidden_from(reader, event) if any(m.kind in purge.TICKET_MAIL_KINDS for m in mails) else set()
    return {mail.id for mail in mails if purge.names_one_of(mail, hidden)}
