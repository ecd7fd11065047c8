"""Lodging: the organizer's hotels and room blocks, rooms per night, and the guests' requests.

A block's inventory is kept per night (RoomNight: total and taken), because a
hotel sells nights, not stays: a block may have 10 rooms on the first night and
4 on the last. Confirming a stay takes one room on every night of it.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.event import Event
from portal.models.registration import Registration

PAYERS = ("organizer", "guest")

REQUESTED = "requested"
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
DECLINED = "declined"
CANCELLED = "cancelled"

# Every allowed change of state, in one place; the services refuse anything else.
# confirmed → confirmed is a coordinator changing the confirmation or room number;
# confirmed/waitlisted → requested is the guest changing their dates or block; a confirmed stay
# may still be declined or waitlisted when the hotel takes the room back.
TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({CONFIRMED, WAITLISTED, DECLINED, CANCELLED, REQUESTED}),
    WAITLISTED: frozenset({CONFIRMED, DECLINED, CANCELLED, REQUESTED}),
    CONFIRMED: frozenset({CONFIRMED, CANCELLED, REQUESTED, WAITLISTED, DECLINED}),
    DECLINED: frozenset(),
    CANCELLED: frozenset(),
}
STATES = tuple(TRANSITIONS)
# A guest has at most one request in these states at a time.
ACTIVE_STATES = (REQUESTED, CONFIRMED, WAITLISTED)
# Why a request is flagged for the coordinators: the roommate it was shared with left the event,
# or nights freed in its block were offered to it (portal/lodging/services.py).
ROOMMATE_LEFT = "roommate-left"
ROOM_OFFERED = "room-offered"
REVIEW_REASONS = (ROOMMATE_LEFT, ROOM_OFFERED)


def nights_between(check_in: date, check_out: date) -> list[date]:
    """The nights of a stay: check-in day up to the day before check-out."""
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


class Hotel(db.Model):
    __tablename__ = "hotel"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    address_en: Mapped[str] = mapped_column(String(300), default="")
    address_zh: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    blocks: Mapped[list["RoomBlock"]] = relationship(back_populates="hotel", order_by="RoomBlock.id")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def address(self) -> str:
        return pick(self.address_en, self.address_zh)


class RoomBlock(db.Model):
    """Rooms of one type the organizer holds at a hotel, for a window of nights."""

    __tablename__ = "room_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotel.id", ondelete="CASCADE"), index=True)
    room_type_en: Mapped[str] = mapped_column(String(200))
    room_type_zh: Mapped[str] = mapped_column(String(200))
    nightly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payer: Mapped[str] = mapped_column(String(10), default="organizer")
    # Guests may check in from `arrival_from` and must check out by `departure_until`.
    arrival_from: Mapped[date]
    departure_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hotel: Mapped[Hotel] = relationship(back_populates="blocks")
    nights: Mapped[list["RoomNight"]] = relationship(
        back_populates="block", order_by="RoomNight.night", cascade="all, delete-orphan"
    )

    @property
    def room_type(self) -> str:
        return pick(self.room_type_en, self.room_type_zh)

    @property
    def label(self) -> str:
        return f"{self.hotel.name} · {self.room_type}"

    def stay_fits(self, check_in: date, check_out: date) -> bool:
        return self.arrival_from <= check_in < check_out <= self.departure_until


class RoomNight(db.Model):
    """One night of a block: how many rooms it holds and how many are taken.

    The check constraint is the database's own refusal to overbook, behind the
    row locks the services take.
    """

    __tablename__ = "room_night"
    __table_args__ = (
        UniqueConstraint("block_id", "night"),
        CheckConstraint("taken >= 0 AND taken <= total", name="within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("room_block.id", ondelete="CASCADE"))
    night: Mapped[date]
    total: Mapped[int] = mapped_column(default=0)
    taken: Mapped[int] = mapped_column(default=0)

    block: Mapped[RoomBlock] = relationship(back_populates="nights")

    @property
    def free(self) -> int:
        return self.total - self.taken


class LodgingRequest(db.Model):
    """A guest's request for a room; sharing with a roommate takes one room for both."""

    __tablename__ = "lodging_request"
    __table_args__ = (
        CheckConstraint(one_of("state", STATES), name="state"),
        # A guest has one active request at most; a change of dates or block changes that request.
        Index("uq_lodging_request_one_active", "registration_id", unique=True,
              sqlite_where=text(one_of("state", ACTIVE_STATES)),
              postgresql_where=text(one_of("state", ACTIVE_STATES))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("room_block.id", ondelete="RESTRICT"), index=True)
    check_in: Mapped[date]
    check_out: Mapped[date]
    occupancy: Mapped[int] = mapped_column(default=1)
    roommate_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    roommate_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The address the guest typed for their roommate, in lower case. That guest is asked
    # by it, and becomes roommate_id only when they accept: nobody learns who holds an address.
    roommate_email: Mapped[str] = mapped_column(String(254), default="", server_default="", index=True)
    accessible: Mapped[bool] = mapped_column(default=False)
    smoking: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=REQUESTED)
    confirmation_number: Mapped[str] = mapped_column(String(60), default="")
    room_number: Mapped[str] = mapped_column(String(20), default="")
    # The coordinator's word to the guest on a decline or waitlist.
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    # True while the stay holds a room on each of its nights (confirmed).
    holds_rooms: Mapped[bool] = mapped_column(default=False)
    # Why the coordinators must look at this request again (REVIEW_REASONS); empty when they need not.
    review_reason: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
    roommate: Mapped[Registration | None] = relationship(foreign_keys=[roommate_id])
    block: Mapped[RoomBlock] = relationship()

    @property
    def nights(self) -> list[date]:
        return nights_between(self.check_in, self.check_out)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def roommate_pending(self) -> bool:
        return bool(self.roommate_email) and self.roommate_confirmed_at is None

    def can_become(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]
