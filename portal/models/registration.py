"""Invitations and registrations, with the registration state machine."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.models.account import User
from portal.models.event import Category, Event

PENDING = "pending"
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
DECLINED = "declined"

# Every allowed change of state, in one place. Services refuse anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({CONFIRMED, WAITLISTED, DECLINED, CANCELLED}),
    WAITLISTED: frozenset({CONFIRMED, DECLINED, CANCELLED}),
    CONFIRMED: frozenset({CANCELLED}),
    # A cancelled guest may register again; the capacity decision is taken afresh.
    CANCELLED: frozenset({PENDING, CONFIRMED, WAITLISTED}),
    # Only staff reinstating a mistaken decline (portal/lifecycle.py).
    DECLINED: frozenset({CONFIRMED, WAITLISTED}),
}
# The states in which a registration holds (or may yet hold) a place, a room, a seat or a session.
ACTIVE_STATES = (PENDING, CONFIRMED, WAITLISTED)
STATES = tuple(TRANSITIONS)


class Invitation(db.Model):
    """A personal invitation to one event; the link carries a token whose hash is stored."""

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        Index("ix_invitation_mail_pending", "mail_pending"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(10), default="en")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The invitee said no from their personal link.
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Imported, its mail not written yet (the sender writes it; portal/staff/services.py):
    # until then the link exists nowhere, and token_hash is that of a token nobody holds.
    mail_pending: Mapped[bool] = mapped_column(default=False, server_default=false())

    event: Mapped[Event] = relationship()
    category: Mapped[Category | None] = relationship()


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        UniqueConstraint("event_id", "confirmation_code"),
        Index("ix_registration_event_state", "event_id", "state"),
        # Only a confirmed guest can be in over the capacity; leaving gives the extra place up.
        CheckConstraint("NOT admitted_over_capacity OR state = 'confirmed'", name="admitted_confirmed"),
        CheckConstraint(one_of("state", STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12))

    name_original: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str] = mapped_column(String(200))
    # Latin family name, for look-ups and for sorting lists.
    surname: Mapped[str] = mapped_column(String(100), default="", index=True)
    honorific: Mapped[str] = mapped_column(String(40), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10), default="en")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # At least 128 random bits, URL-safe; never derived from the id.
    ticket_code: Mapped[str] = mapped_column(String(43), unique=True)
    # Short, typed by hand at a kiosk or read out to the help desk.
    confirmation_code: Mapped[str] = mapped_column(String(12))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the guest entered the waitlist; the waitlist is served in this order.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Confirmed by an organizer beyond the capacity; such a place is not one of the capacity's.
    admitted_over_capacity: Mapped[bool] = mapped_column(default=False, server_default=false())

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    category: Mapped[Category | None] = relationship()
    changes: Mapped[list["RegistrationChange"]] = relationship(
        back_populates="registration", order_by="RegistrationChange.at", cascade="all, delete-orphan"
    )

    def can_become(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]

    @property
    def holds_ticket(self) -> bool:
        return self.state == CONFIRMED

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class RegistrationChange(db.Model):
    """One step in a registration's history: from, to, who and why."""

    __tablename__ = "registration_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str] = mapped_column(String(12), default="")
    to_state: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()
