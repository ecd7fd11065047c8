"""Invitations and registrations, with the registration state machine."""

import re
import unicodedata
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

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

# What a name is written with but not searched by: spaces, hyphens and dashes, apostrophes, dots,
# commas and the middle dots of transcribed names ("阿卜杜拉·扎耶德"). "Al-Zoubi", "al zoubi" and
# "AlZoubi" all come to "alzoubi".
_IGNORED_IN_SEARCH = re.compile(r"[\s\-\u2010-\u2015\u2212'\u2018\u2019\u02bc.,\u00b7\u30fb\u2027]+")
_PHONE = re.compile(r"\+?[\d\s().\-]*\d[\d\s().\-]*")
# The fields the staff search looks in, in this order (portal/staff/search.py).
SEARCHED_FIELDS = ("name_original", "name_latin", "surname", "email", "organization", "confirmation_code", "phone")


def search_form(text: str) -> str:
    """`text` as the search compares it: case, accents, width and the marks above ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _IGNORED_IN_SEARCH.sub("", unicodedata.normalize("NFKC", bare).casefold())


def phone_digits(text: str) -> str:
    """A phone number as its digits alone: "+971 50-123 4567" is 971501234567."""
    return "".join(c for c in text or "" if c.isdigit())


def looks_like_phone(text: str) -> bool:
    """Typed as a phone number: digits with spaces, dashes, dots, brackets or a leading +."""
    return bool(_PHONE.fullmatch(text.strip()))


def search_key(fields: dict) -> str:
    """One line of every searched field but the phone in its search form, a space between them (a search
    never holds one)."""
    return " ".join(search_form(fields.get(name) or "") for name in SEARCHED_FIELDS if name != "phone")


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
    # The searched fields in their search form (search_key), kept by _keep_search_key on every write;
    # the staff search reads this column alone, from a trigram index (portal/staff/search.py).
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The phone's digits, kept apart: a name searched with a number ("Guest 1") is not a phone search.
    search_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    category: Mapped[Category | None] = relationship()
    changes: Mapped[list["RegistrationChange"]] = relationship(
        back_populates="registration", order_by="RegistrationChange.at", cascade="all, delete-orphan"
    )

    @validates(*SEARCHED_FIELDS)
    def _keep_search_key(self, name: str, value):
        fields = {field: getattr(self, field) for field in SEARCHED_FIELDS}
        fields[name] = value
        self.search_key = search_key(fields)
        self.search_phone = phone_digits(fields["phone"])[:40]
        return value

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
