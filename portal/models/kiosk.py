"""Kiosks at the venue, the check-ins they (or staff) record, and the badges they print."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.models.account import User
from portal.models.event import Event
from portal.models.registration import Registration


class KioskDevice(db.Model):
    """A touch screen enrolled for one event.

    Staff create it and get a one-time pairing code; the device trades the code
    for a long-lived credential kept in a cookie. Only hashes of both are stored.
    """

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Cleared once used, so a code pairs one device once.
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credential_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def status(self) -> str:
        """revoked, paired, waiting (a live pairing code) or unpaired (the code lapsed)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.credential_hash is not None:
            return "paired"
        if self.pairing_expires_at is not None and utcnow() < self.pairing_expires_at:
            return "waiting"
        return "unpaired"


class CheckIn(db.Model):
    """A guest's arrival: at most one per registration, however many kiosks scan at once."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    # Denormalised from the registration so the live board counts one table.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Exactly one of these: the kiosk that checked the guest in, or the staff member who did.
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The request that made it; a retry of that request is answered as the first was.
    nonce: Mapped[str] = mapped_column(String(43), default="")

    registration: Mapped[Registration] = relationship()
    kiosk: Mapped[KioskDevice | None] = relationship()
    staff: Mapped[User | None] = relationship()


class BadgePrint(db.Model):
    """Each time a badge page is printed, first print or reprint."""

    __tablename__ = "badge_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reprint: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
