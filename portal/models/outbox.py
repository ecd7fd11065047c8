"""The durable outbox: every mail is a row written with the change it reports."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db


class OutboundMail(db.Model):
    __tablename__ = "outbound_mail"
    STATES = ("pending", "sent", "failed")
    __table_args__ = (
        Index("ix_outbound_mail_due", "state", "next_attempt_at"),
        CheckConstraint(one_of("state", STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # JSON list of {"cid", "mimetype", "filename", "data" (base64)} shown inline in the HTML part.
    inline_parts: Mapped[str] = mapped_column(Text, default="[]")
    # Stable across retries, so a receiving server can recognise a resend.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender claims a row until this instant; another sender leaves it alone meanwhile.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
