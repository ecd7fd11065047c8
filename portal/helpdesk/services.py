"""The help desk's rules, once, for the portal, the kiosk and the staff console.

Every function that changes a ticket takes `now` (default: the real clock) so
that tests can freeze time, records what changed and by whom, queues the
guest's mail in the same transaction, and commits, except `open_ticket` and
`open_handoff`, which run inside a caller's transaction.

Internal notes stay inside the desk: `public_thread` is the only way a guest
page reads a thread, and only public replies are mailed.
"""

import math
import secrets
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import audit, outbox
from portal.auth.tokens import token_hash
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import current_language, gettext as _
from portal.mailing import alerts
from portal.models import (
    CannedReply, Event, KioskDevice, Registration, ResponseTarget, StaffRole, Ticket, TicketChange, TicketCounter,
    TicketMessage, TicketRating, User,
)
from portal.models.helpdesk import (
    CATEGORIES, CLOCK_STOPPED, CLOSED, DEFAULT_TARGET_MINUTES, GUEST, GUEST_MAY_REPLY, INTERNAL, NEW, OPEN,
    PENDING, PRIORITIES, PUBLIC, RESOLVED,
)

MAX_MESSAGE = 5000
MAX_SUBJECT = 200
# Staff who work the queue and may be given a ticket.
DESK_ROLES = ("organizer", "helpdesk")
# A kiosk that cannot check someone in again within this time adds to the ticket it already opened.
HANDOFF_WINDOW = timedelta(minutes=10)
RATING_SALT = "ticket-rating"
ACTIVE = (NEW, OPEN, PENDING)


class TicketError(Exception):
    """A change the rules refuse; str() is a code the views turn into a message."""

    def __init__(self, code: str, holder: User | None = None):
        super().__init__(code)
        self.holder = holder


# -- Numbers and the response clock --------------------------------------------------------------

def next_number(event_id: int) -> int:
    """The next ticket number of the event: the counter row is bumped in place, so it is locked
    until the caller commits and two requests never get the same number."""
    bumped = db.session.execute(
        update(TicketCounter).where(TicketCounter.event_id == event_id)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar()
    if bumped is not None:
        return bumped
    try:
        with db.session.begin_nested():
            db.session.add(TicketCounter(event_id=event_id, last_number=1))
        return 1
    except IntegrityError:
        # Another request made the event's first ticket at the same moment; its counter row exists now.
        return next_number(event_id)


def working_seconds(ticket: Ticket, at: datetime) -> int:
    """Seconds the desk has had the ticket by `at`, leaving out the times its clock was stopped."""
    total = (at - ticket.created_at).total_seconds() - ticket.pending_seconds
    if ticket.pending_since is not None:
        total -= (at - ticket.pending_since).total_seconds()
    return max(int(total), 0)


def targets_for(event: Event) -> dict[str, int]:
    """First-response minutes per priority: the organizer's, else the defaults."""
    chosen = dict(db.session.execute(
        select(ResponseTarget.priority, ResponseTarget.first_response_minutes)
        .where(ResponseTarget.event_id == event.id)).all())
    return {p: chosen.get(p, DEFAULT_TARGET_MINUTES[p]) for p in PRIORITIES}


@dataclass(frozen=True)
class Clock:
    """Where a ticket stands against its first-response target."""

    status: str  # answered, stopped, running, overdue, none
    seconds: int  # answered: time taken; stopped/running: time left (negative: overdue); overdue: how late
    # Whether the clock moves on with time. It follows from the ticket's state rather than being a
    # reading of the clock, so two readings compare equal without it.
    ticking: bool = field(default=False, compare=False)

    @property
    def minutes(self) -> int:
        return max(math.ceil(abs(self.seconds) / 60), 0)

    @property
    def left(self) -> int:
        """Seconds to the target: negative once it has passed."""
        return -self.seconds if self.status == "overdue" else self.seconds


def clock(ticket: Ticket, targets: dict[str, int], now: datetime | None = None) -> Clock:
    now = now or utcnow()
    if ticket.first_response_seconds is not None:
        return Clock("answered", ticket.first_response_seconds)
    if ticket.state in (RESOLVED, CLOSED):
        return Clock("none", 0)
    left = targets[ticket.priority] * 60 - working_seconds(ticket, now)
    ticking = ticket.state not in CLOCK_STOPPED
    if left < 0:
        return Clock("overdue", -left, ticking)
    return Clock("running" if ticking else "stopped", left, ticking)


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
        _send_rating_link(ticket, now)


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
    return ticket.category != "medical" or alerts.may_read_medical(user, ticket.event)


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


# -- Ratings -------------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=RATING_SALT)


def _send_rating_link(ticket: Ticket, now: datetime) -> None:
    # The link is signed, so a made-up one is refused before the database is asked,
    # and only its hash is stored, so the database alone cannot rate for anyone.
    token = _serializer().dumps(secrets.token_urlsafe(24))
    ticket_rating = TicketRating(token_hash=token_hash(token), created_at=now)
    ticket_rating.ticket = ticket
    db.session.add(ticket_rating)
    outbox.queue("ticket_resolved", ticket.recipient, "ticket_resolved", ticket.language,
                 event=ticket.event, ticket=ticket, token=token)


def rating_for(token: str) -> TicketRating | None:
    """The rating a link is for, if the link is genuine."""
    try:
        _serializer().loads(token or "")
    except BadSignature:
        return None
    return db.session.scalar(select(TicketRating).where(TicketRating.token_hash == token_hash(token))
                             .options(joinedload(TicketRating.ticket)))


def rate(token: str, score: int, comment: str = "", now: datetime | None = None) -> TicketRating:
    """Record the guest's rating once; a second use raises TicketError("already-rated"). Commits."""
    now = now or utcnow()
    found = rating_for(token)
    if found is None:
        raise TicketError("bad-link")
    if not 1 <= int(score) <= 5:
        raise TicketError("bad-score")
    used = db.session.execute(
        update(TicketRating).where(TicketRating.id == found.id, TicketRating.rated_at.is_(None))
        .values(score=int(score), comment=(comment or "").strip()[:MAX_MESSAGE], rated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        db.session.rollback()
        raise TicketError("already-rated")
    db.session.commit()
    db.session.refresh(found)
    return found


# -- Canned replies and targets ------------------------------------------------------------------

def canned_replies(event: Event) -> list[CannedReply]:
    return list(db.session.scalars(
        select(CannedReply).where(CannedReply.event_id == event.id).order_by(CannedReply.title_en)))


def save_canned_reply(event: Event, canned: CannedReply | None, values: dict, actor: User) -> CannedReply:
    """Create or update a canned reply. Commits."""
    if canned is None:
        canned = CannedReply(event_id=event.id)
        db.session.add(canned)
    for name, value in values.items():
        setattr(canned, name, value)
    canned.updated_at = utcnow()
    audit.record(event, actor, "helpdesk.canned_reply", subject=values.get("title_en", ""))
    db.session.commit()
    return canned


def delete_canned_reply(event: Event, canned: CannedReply, actor: User) -> None:
    audit.record(event, actor, "helpdesk.canned_reply_deleted", subject=canned.title_en)
    db.session.delete(canned)
    db.session.commit()


def save_targets(event: Event, minutes: dict[str, int], actor: User) -> None:
    """Set the first-response target of each priority. Commits."""
    existing = {t.priority: t for t in db.session.scalars(
        select(ResponseTarget).where(ResponseTarget.event_id == event.id))}
    for priority, value in minutes.items():
        row = existing.get(priority) or ResponseTarget(event_id=event.id, priority=priority)
        row.first_response_minutes = value
        db.session.add(row)
    audit.record(event, actor, "helpdesk.targets",
                 detail=", ".join(f"{p}: {minutes[p]}" for p in PRIORITIES if p in minutes))
    db.session.commit()


# -- The queue -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    state: str = "active"  # active, all, or one state
    category: str = ""
    priority: str = ""
    assignee: str = ""  # "", "me", "none", or a user id


PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4)
QUEUE_LIMIT = 200


def queue(event: Event, filters: Filters, me: User) -> list[Ticket]:
    """The tickets the filters pick, most urgent first; one query whatever their number."""
    query = select(Ticket).where(Ticket.event_id == event.id).options(joinedload(Ticket.assignee))
    if filters.state == "active":
        query = query.where(Ticket.state.in_(ACTIVE))
    elif filters.state != "all":
        query = query.where(Ticket.state == filters.state)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.assignee == "me":
        query = query.where(Ticket.assignee_id == me.id)
    elif filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        query = query.where(Ticket.assignee_id == int(filters.assignee))
    return list(db.session.scalars(query.order_by(PRIORITY_RANK, Ticket.created_at, Ticket.id).limit(QUEUE_LIMIT)))


def open_counts(event: Event) -> dict[str, int]:
    """Active tickets per priority, for the console's overview."""
    return dict(db.session.execute(
        select(Ticket.priority, func.count()).where(Ticket.event_id == event.id, Ticket.state.in_(ACTIVE))
        .group_by(Ticket.priority)).all())


# -- Metrics -------------------------------------------------------------------------------------

def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile: the smallest value with `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass
class ReportLine:
    """Figures for one category or one staff member."""

    key: str
    label: str
    tickets: int = 0
    first_responses: list[int] = field(default_factory=list)
    resolutions: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    @property
    def first_response_median(self):
        return int(statistics.median(self.first_responses)) if self.first_responses else None

    @property
    def first_response_p90(self):
        return percentile(self.first_responses, 0.9)

    @property
    def resolution_median(self):
        return int(statistics.median(self.resolutions)) if self.resolutions else None

    @property
    def resolution_p90(self):
        return percentile(self.resolutions, 0.9)

    @property
    def satisfaction(self):
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None


@dataclass
class Report:
    total: ReportLine
    by_category: list[ReportLine]
    by_staff: list[ReportLine]


def report(event: Event, category_labels: dict[str, str]) -> Report:
    """Volume, median and 90th-percentile first-response and resolution times (stopped periods
    excluded), and satisfaction, by category and by the staff member holding the ticket."""
    rows = db.session.execute(
        select(Ticket.id, Ticket.category, Ticket.assignee_id, Ticket.first_response_seconds,
               Ticket.resolution_seconds).where(Ticket.event_id == event.id)).all()
    scores: dict[int, list[int]] = {}
    for ticket_id, score in db.session.execute(
            select(TicketRating.ticket_id, TicketRating.score).join(Ticket, Ticket.id == TicketRating.ticket_id)
            .where(Ticket.event_id == event.id, TicketRating.score.is_not(None))).all():
        scores.setdefault(ticket_id, []).append(score)
    names = {u.id: u.display_name or u.email for u in db.session.scalars(
        select(User).where(User.id.in_({r.assignee_id for r in rows if r.assignee_id})))}

    total = ReportLine("all", _("All requests"))
    categories = {c: ReportLine(c, category_labels.get(c, c)) for c in CATEGORIES}
    staff: dict[int | None, ReportLine] = {}
    for row in rows:
        person = staff.setdefault(row.assignee_id, ReportLine(
            str(row.assignee_id or ""), names.get(row.assignee_id, _("Not assigned"))))
        for line in (total, categories[row.category], person):
            line.tickets += 1
            if row.first_response_seconds is not None:
                line.first_responses.append(row.first_response_seconds)
            if row.resolution_seconds is not None:
                line.resolutions.append(row.resolution_seconds)
            line.scores.extend(scores.get(row.id, []))
    return Report(total=total, by_category=[line for line in categories.values() if line.tickets],
                  by_staff=sorted(staff.values(), key=lambda line: (line.key == "", line.label.lower())))

