"""The agenda: rooms, tracks, speakers, sessions, each guest's own agenda, and schedule changes."""

import json
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.account import User
from portal.models.event import Category, Event
from portal.models.registration import Registration

KINDS = ("keynote", "panel", "workshop", "roundtable", "break", "meal")
VISIBILITIES = ("public", "categories", "invitation")
SCHEDULED = "scheduled"
CANCELLED = "cancelled"
SESSION_STATUSES = (SCHEDULED, CANCELLED)

session_speaker = Table(
    "agenda_session_speaker",
    db.metadata,
    Column("session_id", ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("agenda_speaker.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Categories that may see a session whose visibility is "categories".
session_category = Table(
    "agenda_session_category",
    db.metadata,
    Column("session_id", ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Guests invited to a session whose visibility is "invitation" (a closed-door roundtable).
session_invitee = Table(
    "agenda_session_invitee",
    db.metadata,
    Column("session_id", ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True),
    Column("registration_id", ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Room(db.Model):
    __tablename__ = "agenda_room"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]
    floor: Mapped[str] = mapped_column(String(40), default="")
    directions_en: Mapped[str] = mapped_column(Text, default="")
    directions_zh: Mapped[str] = mapped_column(Text, default="")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def directions(self) -> str:
        return pick(self.directions_en, self.directions_zh)


class Track(db.Model):
    __tablename__ = "agenda_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)


class Speaker(db.Model):
    __tablename__ = "agenda_speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    organization_en: Mapped[str] = mapped_column(String(200), default="")
    organization_zh: Mapped[str] = mapped_column(String(200), default="")
    bio_en: Mapped[str] = mapped_column(Text, default="")
    bio_zh: Mapped[str] = mapped_column(Text, default="")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_zh)

    @property
    def organization(self) -> str:
        return pick(self.organization_en, self.organization_zh)

    @property
    def bio(self) -> str:
        return pick(self.bio_en, self.bio_zh)


class Session(db.Model):
    """One slot of the programme: a keynote, a panel, a closed-door roundtable, a lunch."""

    __tablename__ = "agenda_session"
    __table_args__ = (Index("ix_agenda_session_event_start", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    title_en: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_room.id", ondelete="SET NULL"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_track.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="panel")
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    # None: no sign-up needed; otherwise the number of places, never exceeded.
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speakers: Mapped[list[Speaker]] = relationship(secondary=session_speaker, order_by=Speaker.name_en)
    categories: Mapped[list[Category]] = relationship(secondary=session_category)
    invitees: Mapped[list[Registration]] = relationship(secondary=session_invitee)

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_zh)

    @property
    def description(self) -> str:
        return pick(self.description_en, self.description_zh)

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    def overlaps(self, other: "Session") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class AgendaEntry(db.Model):
    """A session in a guest's own agenda; for a session with a capacity, a place taken."""

    __tablename__ = "agenda_entry"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[Session] = relationship()


class AgendaFeed(db.Model):
    """A guest's private calendar feed; only a hash of its secret token is stored."""

    __tablename__ = "agenda_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()


class SessionChange(db.Model):
    """One published batch of changes to a session: what was, what is now.

    `changes` is JSON: {"time": {"old": [start, end], "new": [...]}, "room": {"old": [en, zh], ...},
    "speakers": {"old": [[en, zh], ...], ...}, "status": {"old": ..., "new": ...}}, instants in UTC ISO form.
    """

    __tablename__ = "agenda_session_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changes: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[Session] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def fields(self) -> dict:
        return json.loads(self.changes or "{}")


class ScheduleNotice(db.Model):
    """A change to a session the guest holds, shown on "My trip" until they mark it read."""

    __tablename__ = "agenda_schedule_notice"
    __table_args__ = (UniqueConstraint("registration_id", "change_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    change_id: Mapped[int] = mapped_column(ForeignKey("agenda_session_change.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    change: Mapped[SessionChange] = relationship()
