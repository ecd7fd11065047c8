"""The help desk: tickets, their threads and history, canned replies, response targets, ratings.

A ticket's state changes only along TRANSITIONS. Its response clock runs from
creation and stops while the desk waits on the guest (pending) and while the
ticket is resolved, so a ticket the guest reopens is measured on the time the
desk actually had it: `pending_seconds` holds the stopped time so far and
`pending_since` the start of the current stop.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.account import User
from portal.models.event import Event
from portal.models.kiosk import KioskDevice
from portal.models.registration import Registration

NEW = "new"
OPEN = "open"
PENDING = "pending"
RESOLVED = "resolved"
CLOSED = "closed"

# Every allowed change of state, in one place. Services refuse anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING, RESOLVED, CLOSED}),
    OPEN: frozenset({PENDING, RESOLVED, CLOSED}),
    # The guest answered, or the desk takes it up again.
    PENDING: frozenset({OPEN, RESOLVED, CLOSED}),
    # Reopened when the guest replies or staff take it up again.
    RESOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset(),
}
STATES = tuple(TRANSITIONS)
# States in which the response clock does not run.
CLOCK_STOPPED = frozenset({PENDING, RESOLVED, CLOSED})
# States a guest may still write in.
GUEST_MAY_REPLY = frozenset({NEW, OPEN, PENDING, RESOLVED})

CATEGORIES = ("lodging", "transport", "dietary", "medical", "lost_found", "technical", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
# First response within this many minutes, unless the organizer set other targets.
DEFAULT_TARGET_MINUTES = {"urgent": 5, "high": 15, "normal": 60, "low": 240}

PUBLIC = "public"      # staff to guest: shown and mailed to the guest
INTERNAL = "internal"  # staff to staff: never shown, mailed or exported to the guest
GUEST = "guest"        # guest to staff
MESSAGE_KINDS = (PUBLIC, INTERNAL, GUEST)


class TicketCounter(db.Model):
    """The last ticket number given out in an event; its row is the lock that keeps numbers unique."""

    __tablename__ = "ticket_counter"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Ticket(db.Model):
    """A guest's request for help, from the portal, a kiosk or the desk."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        # One hand-off ticket per kiosk visit (NULLs, every other ticket, are distinct).
        UniqueConstraint("kiosk_id", "kiosk_nonce", name="uq_ticket_kiosk_nonce"),
        Index("ix_ticket_event_state", "event_id", "state"),
        Index("ix_ticket_event_updated", "event_id", "updated_at"),
        CheckConstraint(one_of("state", STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    number: Mapped[int]
    # None for a walk-up at a kiosk who gave only a name and a way to be reached.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    # Who to answer, as given when the ticket was raised; the desk needs nothing more of the guest.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    category: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=NEW)
    subject: Mapped[str] = mapped_column(String(200))
    # portal, kiosk (the guest asked there), handoff (a kiosk could not check them in), desk
    source: Mapped[str] = mapped_column(String(10), default="portal")
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    # The visit (the start screen's nonce) a hand-off ticket was opened for: a retry finds it again.
    kiosk_nonce: Mapped[str | None] = mapped_column(String(43))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_seconds: Mapped[int] = mapped_column(default=0)
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working time (stopped periods excluded), stored when reached, for the report.
    first_response_seconds: Mapped[int | None]
    resolution_seconds: Mapped[int | None]

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration | None] = relationship()
    kiosk: Mapped[KioskDevice | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    messages: Mapped[list["TicketMessage"]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id", cascade="all, delete-orphan")
    changes: Mapped[list["TicketChange"]] = relationship(
        back_populates="ticket", order_by="TicketChange.id", cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        """The number the guest says aloud: H-042."""
        return f"H-{self.number:03d}"

    @property
    def recipient(self) -> str:
        return self.contact_email

    def can_become(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]


class TicketMessage(db.Model):
    """One message in a ticket's thread: a public reply, an internal note, or the guest's words."""

    __tablename__ = "ticket_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # A walk-up at a kiosk has no account; their name is kept here.
    author_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class TicketChange(db.Model):
    """One change to a ticket: what, from, to, who and when."""

    __tablename__ = "ticket_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(20))  # state, assignee, priority, category
    old: Mapped[str] = mapped_column(String(200), default="")
    new: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()


class CannedReply(db.Model):
    """A reply the organizer keeps ready, in both languages; the guest's language is sent."""

    __tablename__ = "canned_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    body_en: Mapped[str] = mapped_column(Text)
    body_zh: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_zh)

    def body_in(self, language: str) -> str:
        if language == "zh_Hans":
            return self.body_zh or self.body_en
        return self.body_en or self.body_zh


class ResponseTarget(db.Model):
    """How fast the first response to a ticket of a priority should come, set by the organizer."""

    __tablename__ = "response_target"
    __table_args__ = (UniqueConstraint("event_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(10))
    first_response_minutes: Mapped[int]


class TicketRating(db.Model):
    """The guest's rating of a resolution, through a signed single-use link; only its hash is kept."""

    __tablename__ = "ticket_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship()
