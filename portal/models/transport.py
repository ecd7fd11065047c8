"""Transport: the guests' arrival and departure legs, and the cars that pick them up."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.event import Event
from portal.models.registration import Registration

DIRECTIONS = ("arrival", "departure")
MODES = ("flight", "train", "car")
STATION_KINDS = ("airport", "station")

REQUESTED = "requested"
SCHEDULED = "scheduled"
COMPLETED = "completed"
CANCELLED = "cancelled"

# Every allowed change of state, in one place; the services refuse anything else.
# scheduled → scheduled is a coordinator moving the leg to another car;
# scheduled → requested is the car taken away, or the guest changing the leg.
TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({SCHEDULED, CANCELLED, REQUESTED, COMPLETED}),
    SCHEDULED: frozenset({SCHEDULED, REQUESTED, COMPLETED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
STATES = tuple(TRANSITIONS)
# A guest has at most one leg per direction in these states.
ACTIVE_STATES = (REQUESTED, SCHEDULED)


class Station(db.Model):
    """An airport or railway station on the event's list: guests choose from it, so one place is one group."""

    __tablename__ = "station"
    __table_args__ = (
        UniqueConstraint("event_id", "name_en"),
        CheckConstraint("kind IN ('airport', 'station')", name="station_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(120))
    # Empty when the coordinator gave none: Chinese readers then see the English name.
    name_zh: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The IATA or railway code guests also write ("PVG"); empty when it has none.
    code: Mapped[str] = mapped_column(String(10), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(10), default="airport", server_default="airport")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class Vehicle(db.Model):
    """A car, van or coach with its driver, leaving from a meeting point."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    plate: Mapped[str] = mapped_column(String(20), default="")
    driver_name: Mapped[str] = mapped_column(String(200), default="")
    driver_phone: Mapped[str] = mapped_column(String(40), default="")
    # Seats for guests, the driver not counted.
    capacity: Mapped[int] = mapped_column(default=4)
    meeting_point_en: Mapped[str] = mapped_column(String(300), default="")
    meeting_point_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    departs_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it reaches the airport or station on a drop-off run, if the coordinator knows.
    arrives_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the run costs the organizer (hire with driver), for the cost view; None when not known.
    rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    legs: Mapped[list["TransportLeg"]] = relationship(back_populates="vehicle", order_by="TransportLeg.scheduled_at")

    @property
    def meeting_point(self) -> str:
        return pick(self.meeting_point_en, self.meeting_point_zh)


class TransportLeg(db.Model):
    """One journey of a guest to or from the event, and the pickup they want for it."""

    __tablename__ = "transport_leg"
    __table_args__ = (
        Index("ix_transport_leg_event_direction_time", "event_id", "direction", "scheduled_at"),
        CheckConstraint(one_of("state", STATES), name="state"),
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        # A guest has one active leg per direction at most; a change changes that leg.
        Index("uq_transport_leg_one_active", "registration_id", "direction", unique=True,
              sqlite_where=text(one_of("state", ACTIVE_STATES)),
              postgresql_where=text(one_of("state", ACTIVE_STATES))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(10))
    carrier: Mapped[str] = mapped_column(String(60), default="")
    number: Mapped[str] = mapped_column(String(20), default="")
    # UTC; guests and staff enter and read it in the event's time zone.
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The name as the guest chose or typed it; station_id when it is one on the event's list.
    station: Mapped[str] = mapped_column(String(120), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"), index=True)
    terminal: Mapped[str] = mapped_column(String(40), default="")
    passengers: Mapped[int] = mapped_column(default=1)
    luggage: Mapped[int] = mapped_column(default=1)
    pickup_wanted: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=REQUESTED)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    vehicle: Mapped[Vehicle | None] = relationship(back_populates="legs")
    listed_station: Mapped[Station | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def place(self) -> str:
        """Where the journey starts or ends: the listed station in the reader's language, else the guest's words."""
        return self.listed_station.name if self.listed_station else self.station

    @property
    def service(self) -> str:
        """The flight or train as a traveller writes it: "CA 1234"."""
        return " ".join(part for part in (self.carrier, self.number) if part)

    def can_become(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]
