"""Announcements an organizer posts to every page and kiosk of an event."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.account import User
from portal.models.event import Event

LEVELS = ("info", "important", "emergency")


class Announcement(db.Model):
    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_event_window", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(12), default="info")
    text_en: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: shown until ended by hand.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def text(self) -> str:
        return pick(self.text_en, self.text_zh)

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (self.ended_at is None and self.starts_at <= now
                and (self.ends_at is None or now < self.ends_at))
