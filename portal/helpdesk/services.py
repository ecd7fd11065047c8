"""The help desk's rules, once, for the portal, the kiosk and the staff console.

Every function that changes a ticket takes `now` (default: the real clock) so
that tests can freeze time, records what changed and by whom, queues the
guest's mail in the same transaction, and commits, except `open_ticket` (and
`handoff.open_handoff`), which run inside a caller's transaction.

The kiosk's hand-off, ratings, canned replies and targets, the queue and the
report live in modules of their own beside this one.

Internal notes stay inside the desk: `public_thread` is the only way a guest
page reads a thread, and only public replies are mailed.
"""

from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload

from portal import audit, outbox
from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk.ratings import send_rating_link
from portal.helpdesk.tickets import ACTIVE, MAX_MESSAGE, MAX_SUBJECT, TicketError, next_number, working_seconds
from portal.mailing import alerts
from portal.models import Event, KioskDevice, Registration, StaffRole, Ticket, TicketChange, TicketMessage, User
from portal.models.helpdesk import (
    CATEGORIES, CLOCK_STOPPED, CLOSED, GUEST, GUEST_MAY_REPLY, INTERNAL, NEW, OPEN, PENDING, PRIORITIES, PUBLIC,
    RESOLVED,
)
from portal.privacy import discretion

# Staff who work the queue and may be given a ticket.
DESK_ROLES = ("organizer", "helpdesk")


# -- Raising -------------------------------------------------------------------------------------

def default_priority(category: str) -> str:
    """A medical request is urgent unless staff lower it."""
    return "urgent" if category == "medical" else "normal"


def _clean(body: str | None, limit: int, empty: str, too_long: str) -> str:
    text = (body or "").strip()
    if not text:
        raise TicketError(empty)
    if len(text) > limit:
        raise TicketError(too_long)
    return text


def open_ticket(event: Event, *, category: str, subject: str, body: str, source: str,
                registration: Registration | None = None, name: str = "", email: str = "", phone: str = "",
                language: str = "en", kiosk: KioskDevice | None = None, author: User | None = None,
                priority: str | None = None, now: datetime | None = None) -> Ticket:
    """Add a ticket with its first message to the current transaction; the caller commits."""
    now = now or utcnow()
    if category not in CATEGORIES:
        raise TicketError("bad-category")
    subject = _clean(subject, MAX_SUBJECT, "empty-subject", "subject-too-long")
    body = _clean(body, MAX_MESSAGE, "empty-message", "message-too-long")
    if registration is not None:
        name = name or registration.name_latin or registration.name_original
        email, phone, language = registration.email, registration.phone, registration.language
    # A hand-off may be for someone nobody knows yet: the desk meets them in person.
    if source != "handoff" and (not name.strip() or not (email.strip() or phone.strip())):
        raise TicketError("no-contact")
    ticket = Ticket(
        event_id=event.id, number=next_number(event.id), registration_id=registration.id if registration else None,
        contact_name=name.strip()[:200], contact_email=email.strip()[:254], contact_phone=phone.strip()[:40],
        language=language if language in ("en", "zh_Hans") else "en",
        category=category, priority=priority or default_priority(category), state=NEW, subject=subject,
        source=source, kiosk_id=kiosk.id if kiosk else None, created_at=now, updated_at=now,
    )
    ticket.messages.append(TicketMessage(kind=GUEST, body=body, author_id=author.id if author else None,
                                         author_name=name.strip()[:200], created_at=now))
    db.session.add(ticket)
    db.session.flush()
    if alerts.is_alarming(ticket):
        alerts.mail_desk(event, ticket)
    return ticket


def raise_ticket(event: Event, **values) -> Ticket:
    """Open a ticket for a guest (portal or kiosk) and tell them its number by mail. Commits."""
    ticket = open_ticket(event, **values)
    if ticket.recipient:
        outbox.queue("ticket_received", ticket.recipient, "ticket_received", ticket.language,
                     event=event, ticket=ticket, body=ticket.messages[0].body)
    db.session.commit()
    return ticket

# -- Working a ticket ----------------------------------------------------------------------------

def _change(ticket: Ticket, actor: User | None, what: str, old, new, now: datetime) -> None:
    ticket.changes.append(TicketChange(what=what, old=str(old or ""), new=str(new or ""),
                                       actor_id=actor.id if actor else None, at=now))


def _move(ticket: Ticket, to: str, actor: User | None, now: datetime) -> None:
    """Change state along TRANSITIONS, keeping the response clock right."""
    if not ticket.can_become(to):
        raise TicketError("transition-not-allowed")
    old = ticket.state
    worked = working_seconds(ticket, now)
    if old in CLOCK_STOPPED and to not in CLOCK_STOPPED and ticket.pending_since is not None:
        ticket.pending_seconds += int((now - ticket.pending_since).total_seconds())
        ticket.pending_since = None
    if to in CLOCK_STOPPED and ticket.pending_since is None:
        ticket.pending_since = now
    if to == RESOLVED:
        ticket.resolved_at = now
        ticket.resolution_seconds = worked
    elif to == CLOSED:
        ticket.closed_at = now
    elif old == RESOLVED:
        # Reopened: the resolution that counts is the next one.
        ticket.resolved_at = None
        ticket.resolution_seconds = None
    ticket.state = to
    ticket.updated_at = now
    _change(ticket, actor, "state", old, to, now)
    if to == RESOLVED and ticket.recipient:
        send_rating_link(ticket, now)


def take(ticket: Ticket, staff: User, now: datetime | None = None) -> None:
    """Give an unassigned ticket to `staff`. Of two people taking it at once exactly one wins;
    the other gets TicketError("already-taken") naming who has it. Commits."""
    now = now or utcnow()
    taken = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None), Ticket.state.in_(ACTIVE))
        .values(assignee_id=staff.id, updated_at=now,
                state=case((Ticket.state == NEW, OPEN), else_=Ticket.state))
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        db.session.refresh(ticket)
        raise TicketError("already-taken" if ticket.assignee_id else "transition-not-allowed",
                          holder=ticket.assignee)
    before = ticket.state
    db.session.refresh(ticket)
    _change(ticket, staff, "assignee", "", staff.display_name or staff.email, now)
    if before == NEW and ticket.state == OPEN:
        _change(ticket, staff, "state", NEW, OPEN, now)
    db.session.commit()


def desk_staff(event: Event) -> list[User]:
    """Who may be given a ticket: the event's organizers and help-desk staff."""
    return list(db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id)
        .where(StaffRole.event_id == event.id, StaffRole.role.in_(DESK_ROLES))
        .distinct().order_by(User.display_name, User.email)))


def assign(ticket: Ticket, assignee: User | None, actor: User, now: datetime | None = None) -> None:
    """Give the ticket to someone on the desk, or to nobody. Commits."""
    now = now or utcnow()
    if ticket.state not in ACTIVE:
        raise TicketError("transition-not-allowed")
    if (assignee.id if assignee else None) == ticket.assignee_id:
        return
    old = ticket.assignee.display_name if ticket.assignee else ""
    ticket.assignee_id = assignee.id if assignee else None
    ticket.updated_at = now
    _change(ticket, actor, "assignee", old, assignee.display_name if assignee else "", now)
    if assignee is not None and ticket.state == NEW:
        _move(ticket, OPEN, actor, now)
    db.session.commit()


def set_priority(ticket: Ticket, priority: str, actor: User | None, now: datetime | None = None) -> None:
    """Raise or lower a ticket's priority (a medical ticket may be lowered here). Commits.

    A request that becomes urgent alerts the desk as a new urgent one does, in the same transaction.
    """
    now = now or utcnow()
    if priority not in PRIORITIES:
        raise TicketError("bad-priority")
    _reprioritise(ticket, priority, actor, now)
    db.session.commit()


def _reprioritise(ticket: Ticket, priority: str, actor: User | None, now: datetime) -> None:
    """Change the priority; a request that becomes alarming mails the desk (portal/mailing/alerts.py)."""
    if priority == ticket.priority:
        return
    was_alarming = alerts.is_alarming(ticket)
    _change(ticket, actor, "priority", ticket.priority, priority, now)
    ticket.priority = priority
    ticket.updated_at = now
    if not was_alarming and alerts.is_alarming(ticket) and ticket.state in ACTIVE:
        alerts.mail_desk(ticket.event, ticket, escalated=True)


def may_change_category(ticket: Ticket, user: User) -> bool:
    """Whether `user` may put `ticket` in another category: out of "medical", only the organizer
    and staff with the event's medical-data permission may."""
    return ticket.category != "medical" or discretion.may_read_medical(user, ticket.event)


def set_category(ticket: Ticket, category: str, actor: User, now: datetime | None = None) -> None:
    """Put a ticket in another category. Commits.

    A request that becomes medical is treated as a new medical one: it turns urgent (unless it
    already is) and the desk is alerted at once, in the same transaction. Anyone on the desk may
    make a request medical; only those who may read medical notes take one out of "medical"
    ("leave-medical"). The change is recorded in the ticket's history, which is what keeps a
    request once medical or dietary in the purge of sensitive data (portal/privacy/purge.py).
    """
    now = now or utcnow()
    if category not in CATEGORIES:
        raise TicketError("bad-category")
    if category == ticket.category:
        return
    if not may_change_category(ticket, actor):
        raise TicketError("leave-medical")
    was_alarming = alerts.is_alarming(ticket)
    _change(ticket, actor, "category", ticket.category, category, now)
    ticket.category = category
    ticket.updated_at = now
    if category == "medical" and ticket.priority != default_priority(category):
        _change(ticket, actor, "priority", ticket.priority, default_priority(category), now)
        ticket.priority = default_priority(category)
    audit.record(ticket.event, actor, "ticket.category", subject=ticket.reference, detail=category)
    if category == "medical" and ticket.state in ACTIVE:
        alerts.mail_desk(ticket.event, ticket, reclassified=True)
    elif not was_alarming and alerts.is_alarming(ticket) and ticket.state in ACTIVE:
        alerts.mail_desk(ticket.event, ticket, escalated=True)
    db.session.commit()


def change_state(ticket: Ticket, to: str, actor: User, now: datetime | None = None) -> None:
    """Move a ticket along its lifecycle; resolving it mails the guest a rating link. Commits."""
    _move(ticket, to, actor, now or utcnow())
    db.session.commit()


def reply(ticket: Ticket, author: User, body: str, *, internal: bool = False, then: str | None = None,
          now: datetime | None = None) -> TicketMessage:
    """A public reply (the guest sees it and is mailed) or an internal note (the guest never
    sees it); `then` moves the ticket on at the same time (pending, resolved). Commits."""
    now = now or utcnow()
    body = _clean(body, MAX_MESSAGE, "empty-message", "message-too-long")
    if ticket.state == CLOSED:
        raise TicketError("closed")
    message = TicketMessage(kind=INTERNAL if internal else PUBLIC, body=body, author_id=author.id,
                            author_name=author.display_name, created_at=now)
    ticket.messages.append(message)
    ticket.updated_at = now
    if not internal:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            ticket.first_response_seconds = working_seconds(ticket, now)
        if ticket.state == NEW:
            _move(ticket, OPEN, author, now)
        if ticket.recipient:
            outbox.queue("ticket_reply", ticket.recipient, "ticket_reply", ticket.language,
                         event=ticket.event, ticket=ticket, body=body)
    if then and then != ticket.state:
        _move(ticket, then, author, now)
    db.session.commit()
    return message


def guest_reply(ticket: Ticket, user: User | None, body: str, now: datetime | None = None,
                urgent: bool = False) -> TicketMessage:
    """The guest writes in their ticket; a pending or resolved ticket opens again. Commits.

    `urgent`: the guest says it cannot wait any more; the desk is alerted as for a new urgent request.
    """
    now = now or utcnow()
    body = _clean(body, MAX_MESSAGE, "empty-message", "message-too-long")
    if ticket.state not in GUEST_MAY_REPLY:
        raise TicketError("closed")
    message = TicketMessage(kind=GUEST, body=body, author_id=user.id if user else None,
                            author_name=ticket.contact_name, created_at=now)
    ticket.messages.append(message)
    ticket.updated_at = now
    if ticket.state in (PENDING, RESOLVED):
        _move(ticket, OPEN, user, now)
    if urgent:
        _reprioritise(ticket, "urgent", user, now)
    db.session.commit()
    return message


def public_thread(ticket: Ticket) -> list[TicketMessage]:
    """What the guest may read of a thread: their messages and the desk's public replies."""
    return list(db.session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id, TicketMessage.kind != INTERNAL)
        .order_by(TicketMessage.id)))


def guest_tickets(registration: Registration, limit: int | None = None) -> list[Ticket]:
    """The guest's tickets, newest first; the `limit` newest when given."""
    return list(db.session.scalars(
        select(Ticket).where(Ticket.event_id == registration.event_id, Ticket.registration_id == registration.id)
        .order_by(Ticket.id.desc()).limit(limit)))


def guest_ticket(registration: Registration, number: int) -> Ticket | None:
    """One of the guest's own tickets by its number; anyone else's is None."""
    return db.session.scalar(select(Ticket).where(
        Ticket.event_id == registration.event_id, Ticket.registration_id == registration.id,
        Ticket.number == number))


def event_ticket(event: Event, number: int) -> Ticket | None:
    return db.session.scalar(
        select(Ticket).where(Ticket.event_id == event.id, Ticket.number == number)
        .options(joinedload(Ticket.assignee)))


def parse_reference(typed: str) -> int | None:
    """42 from "H-042", "h42", " 042 "; None for anything else."""
    text = (typed or "").strip().upper()[:12]
    if text.startswith("H"):
        text = text[1:].lstrip("-– ")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 10**9 else None
