"""Kiosks at the venue, the check-ins they (or staff) record, and the badges they print."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, text
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
    # Offline check-in (portal/checkin/offline.py): off until an organizer allows it. The key
    # (32 random bytes, base64url) keys the kiosk's manifest; it is kept once made, so scans
    # queued under it can still be read after offline mode is switched off.
    offline_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    offline_key: Mapped[str | None] = mapped_column(String(64))
    # What the kiosk said at its last sync: scans still queued on it, and when that was.
    offline_waiting: Mapped[int] = mapped_column(default=0, server_default="0")
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    # Exactly one of kiosk and staff says who checked the guest in. Neither a kiosk nor an account
    # is ever deleted, so their SET NULL below never breaks this; if one were, the delete would fail.
    __table_args__ = (
        CheckConstraint("(kiosk_id IS NULL) <> (staff_id IS NULL)", name="kiosk_or_staff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    # Denormalised from the registration so the live board counts one table.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The kiosk that checked the guest in, or the staff member who did.
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The request that made it; a retry of that request is answered as the first was.
    nonce: Mapped[str] = mapped_column(String(43), default="")

    registration: Mapped[Registration] = relationship()
    kiosk: Mapped[KioskDevice | None] = relationship()
    staff: Mapped[User | None] = relationship()


class BadgePrint(db.Model):
    """Each time a badge page is printed: the guest's earliest print is the first print, any other a reprint."""

    __tablename__ = "badge_print"
    __table_args__ = (
        # Only a kiosk prints offline, and every offline print carries the kiosk's id for it.
        CheckConstraint("NOT offline OR (nonce IS NOT NULL AND staff_id IS NULL)", name="offline_by_kiosk"),
        # One first print per guest, however late an offline print arrives (checkin.services.record_badge_print).
        Index("uq_badge_print_one_first", "registration_id", unique=True,
              sqlite_where=text("NOT reprint"), postgresql_where=text("NOT reprint")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reprint: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A print a kiosk made without the server and sent at its next sync (portal/checkin/offline.py):
    # `at` is then the kiosk's clock, bounded. `nonce` is the id the kiosk gave the print (online too),
    # unique, so a print sent twice is logged once.
    offline: Mapped[bool] = mapped_column(default=False, server_default=false())
    nonce: Mapped[str | None] = mapped_column(String(43), unique=True)

    registration: Mapped[Registration] = relationship()
    kiosk: Mapped[KioskDevice | None] = relationship()
    staff: Mapped[User | None] = relationship()


OFFLINE_OUTCOMES = ("checked_in", "duplicate", "refused")
OFFLINE_TOLD = ("welcome", "help_desk")


class OfflineScan(db.Model):
    """A scan a kiosk made without the server, as applied when the kiosk synced.

    One row per scan: the nonce the kiosk gave it is unique, so a scan sent
    twice is applied once and answered from here the second time. `conflict`
    names what the kiosk could not know when it answered the guest.
    """

    __tablename__ = "offline_scan"
    __table_args__ = (
        CheckConstraint("outcome IN ('checked_in', 'duplicate', 'refused')", name="outcome"),
        CheckConstraint("told IN ('welcome', 'help_desk')", name="told"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    nonce: Mapped[str] = mapped_column(String(43), unique=True)
    # The guest the scanned code named (None for a code that names no one).
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    # The scan's time as the kiosk reported it, bounded (portal/checkin/offline.py), and the sync's.
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the kiosk told the guest, and what the server made of the scan.
    told: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(12))
    # "" when all agree; else "refused" (welcomed, but not a confirmed guest now), "staff" (welcomed,
    # but staff had checked them in) or "sent_to_desk" (sent to the desk, yet their ticket was good).
    conflict: Mapped[str] = mapped_column(String(16), default="")
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))

    kiosk: Mapped[KioskDevice | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
    check_in: Mapped[CheckIn | None] = relationship()
