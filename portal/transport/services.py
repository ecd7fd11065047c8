"""Transport rules, in one place for the guest pages, the coordinators' board and the kiosk.

A guest has at most one active arrival and one active departure. Times are
stored in UTC and entered and shown on the event's clock. Assigning legs to a
vehicle locks the vehicle row first, then the legs in id order, so two
coordinators filling the same car at once never seat more passengers than it
has seats. Every coordinator change mails the guest through the outbox.

No car strands a guest: a pickup leaves no sooner than the event's pickup buffer
after the guest lands, and a drop-off reaches the airport or station no later
than the drop-off buffer before they leave (when the coordinator gave no arrival
time, the time it leaves stands in: it cannot arrive earlier than that). Both are
checked when guests are seated and when a car's times change.

Airports and stations come from the event's list (portal/transport/places.py).
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, outbox
from portal.extensions import db
from portal.models import Event, Registration, TransportLeg, Vehicle
from portal.models.transport import ACTIVE_STATES, CANCELLED, COMPLETED, DIRECTIONS, MODES, REQUESTED, SCHEDULED
from portal.rules import RuleRefused
from portal.transport import places

LIVE_REGISTRATION_STATES = ("pending", "confirmed", "waitlisted")
# Legs more than this far from the event's days are typing mistakes, not travel plans.
TRAVEL_MARGIN_DAYS = 14
DEFAULT_WINDOW_MINUTES = 30
MIN_WINDOW_MINUTES, MAX_WINDOW_MINUTES = 5, 240
MAX_BUFFER_MINUTES = 720


@dataclass
class Journey:
    """What a guest tells us about one leg; `local_time` is naive, on the event's clock."""

    mode: str
    carrier: str
    number: str
    local_time: datetime
    station: str
    terminal: str = ""
    passengers: int = 1
    luggage: int = 1
    pickup_wanted: bool = True
    notes: str = ""
    # One of the event's stations; None for "other", when `station` holds the guest's words.
    station_id: int | None = None


def to_utc(event: Event, wall_clock: datetime) -> datetime:
    """A naive time on the event's clock as a UTC instant."""
    return wall_clock.replace(tzinfo=event.zone).astimezone(UTC)


def local(event: Event, instant: datetime | None) -> datetime | None:
    """A UTC instant on the event's clock, as a naive datetime (for forms and spreadsheets)."""
    return instant.astimezone(event.zone).replace(tzinfo=None) if instant else None


# ---------------------------------------------------------------- reading


def _leg_query():
    return select(TransportLeg).options(joinedload(TransportLeg.registration), joinedload(TransportLeg.vehicle),
                                        joinedload(TransportLeg.listed_station))


def legs_of(registration: Registration) -> dict[str, TransportLeg | None]:
    """The guest's current arrival and departure: the active one, else the latest one."""
    legs = db.session.scalars(
        _leg_query().where(TransportLeg.registration_id == registration.id).order_by(TransportLeg.id.desc())
    ).unique().all()
    found: dict[str, TransportLeg | None] = {}
    for direction in DIRECTIONS:
        mine = [leg for leg in legs if leg.direction == direction]
        active = [leg for leg in mine if leg.is_active]
        found[direction] = active[0] if active else (mine[0] if mine else None)
    return found


def board(event: Event, direction: str, window_minutes: int, states=(REQUESTED, SCHEDULED, COMPLETED)):
    """Legs by day, then time window, then station: guests in one group can share a car.

    Returns [(day, [(window_start, window_end, station, [legs])])], all times on the event's clock.
    """
    legs = db.session.scalars(
        _leg_query().where(TransportLeg.event_id == event.id, TransportLeg.direction == direction,
                           TransportLeg.state.in_(states))
        .order_by(TransportLeg.scheduled_at, TransportLeg.station, TransportLeg.id)
    ).unique().all()
    days: OrderedDict = OrderedDict()
    for leg in legs:
        at = local(event, leg.scheduled_at)
        minutes = (at.hour * 60 + at.minute) // window_minutes * window_minutes
        start = datetime.combine(at.date(), time()) + timedelta(minutes=minutes)
        groups = days.setdefault(at.date(), OrderedDict())
        place = leg.place.strip()
        # By the listed station when there is one: its name reads differently in each language.
        key = (start, leg.station_id or place.casefold())
        groups.setdefault(key, (start, start + timedelta(minutes=window_minutes), place, []))[3].append(leg)
    return [(day, list(groups.values())) for day, groups in days.items()]


def window_from(value) -> int:
    """The board's window in minutes from a GET parameter; anything odd gives the default."""
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WINDOW_MINUTES
    return minutes if MIN_WINDOW_MINUTES <= minutes <= MAX_WINDOW_MINUTES else DEFAULT_WINDOW_MINUTES


def vehicles_of(event: Event) -> list[Vehicle]:
    return db.session.scalars(
        select(Vehicle).where(Vehicle.event_id == event.id)
        .options(selectinload(Vehicle.legs).joinedload(TransportLeg.registration))
        .order_by(Vehicle.departs_at, Vehicle.label, Vehicle.id)
    ).all()


def seats_taken(vehicle: Vehicle) -> int:
    return sum(leg.passengers for leg in vehicle.legs if leg.state == SCHEDULED)


def manifest(event: Event, vehicle_id: int) -> tuple[Vehicle, list[TransportLeg]]:
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.event_id == event.id))
    if vehicle is None:
        raise RuleRefused("unknown-vehicle", "vehicle")
    legs = db.session.scalars(
        _leg_query().where(TransportLeg.vehicle_id == vehicle.id, TransportLeg.state.in_((SCHEDULED, COMPLETED)))
        .join(Registration, Registration.id == TransportLeg.registration_id)
        .order_by(TransportLeg.scheduled_at, Registration.surname, TransportLeg.id)
    ).unique().all()
    return vehicle, legs


def state_counts(event: Event) -> dict[str, int]:
    return dict(db.session.execute(
        select(TransportLeg.state, func.count()).where(TransportLeg.event_id == event.id)
        .group_by(TransportLeg.state)).all())


# ---------------------------------------------------------------- the guest's side


def _check_open(event: Event, registration: Registration) -> None:
    if not event.changes_are_open():
        raise RuleRefused("changes-closed")
    if registration.state not in LIVE_REGISTRATION_STATES:
        raise RuleRefused("not-active")


def _active_legs(registration: Registration, lock: bool = False) -> dict[str, TransportLeg]:
    query = select(TransportLeg).where(TransportLeg.registration_id == registration.id,
                                       TransportLeg.state.in_(ACTIVE_STATES))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return {leg.direction: leg for leg in db.session.scalars(query.order_by(TransportLeg.id))}


def _validate(event: Event, direction: str, journey: Journey, others: dict[str, TransportLeg]) -> datetime:
    if direction not in DIRECTIONS:
        raise RuleRefused("unknown-direction")
    if journey.mode not in MODES:
        raise RuleRefused("unknown-mode", "mode")
    if not 1 <= journey.passengers <= 20:
        raise RuleRefused("passengers", "passengers")
    if not 0 <= journey.luggage <= 40:
        raise RuleRefused("luggage", "luggage")
    at = to_utc(event, journey.local_time)
    day = journey.local_time.date()
    earliest = event.starts_on - timedelta(days=TRAVEL_MARGIN_DAYS)
    latest = event.ends_on + timedelta(days=TRAVEL_MARGIN_DAYS)
    if not earliest <= day <= latest:
        raise RuleRefused("far-from-event", "local_time", earliest=earliest, latest=latest)
    arrival, departure = others.get("arrival"), others.get("departure")
    if direction == "departure" and arrival is not None and at <= arrival.scheduled_at:
        raise RuleRefused("departure-before-arrival", "local_time")
    if direction == "arrival" and departure is not None and at >= departure.scheduled_at:
        raise RuleRefused("arrival-after-departure", "local_time")
    return at


def save_leg(event: Event, registration: Registration, direction: str, journey: Journey) -> TransportLeg:
    """File the guest's arrival or departure, or change it; a changed pickup must be scheduled again."""
    _check_open(event, registration)
    db.session.scalar(select(Registration.id).where(Registration.id == registration.id).with_for_update())
    active = _active_legs(registration, lock=True)
    leg = active.get(direction)
    at = _validate(event, direction, journey, active)
    station, station_name = places.station_for(event, journey.station_id, journey.station)
    if leg is None:
        leg = TransportLeg(event_id=event.id, registration_id=registration.id, direction=direction,
                           state=REQUESTED)
        db.session.add(leg)
    before = (leg.scheduled_at, leg.station, leg.passengers, leg.luggage, leg.pickup_wanted, leg.terminal)
    leg.mode, leg.carrier, leg.number = journey.mode, journey.carrier.strip(), journey.number.strip()
    leg.scheduled_at, leg.station, leg.terminal = at, station_name, journey.terminal.strip()
    leg.station_id = station.id if station else None
    leg.passengers, leg.luggage, leg.pickup_wanted = journey.passengers, journey.luggage, bool(journey.pickup_wanted)
    leg.notes = (journey.notes or "").strip()
    after = (leg.scheduled_at, leg.station, leg.passengers, leg.luggage, leg.pickup_wanted, leg.terminal)
    if leg.state == SCHEDULED and before != after:
        # The driver was told another time or place: the coordinator must look again.
        leg.state, leg.vehicle_id = REQUESTED, None
    db.session.commit()
    return leg


def cancel_leg(event: Event, registration: Registration, direction: str) -> TransportLeg:
    """The guest cancels their arrival or departure; their seat in a car is freed."""
    _check_open(event, registration)
    leg = _active_legs(registration, lock=True).get(direction)
    if leg is None:
        raise RuleRefused("no-leg")
    leg.state, leg.vehicle_id = CANCELLED, None
    db.session.commit()
    return leg


# ---------------------------------------------------------------- the coordinator's side


def _mail(event: Event, leg: TransportLeg, template: str) -> None:
    guest = leg.registration
    outbox.queue(template, guest.email, template, guest.language, event=event,
                 registration=guest, leg=leg, vehicle=leg.vehicle)


def assign(event: Event, leg_ids: list[int], vehicle_id: int, actor) -> list[TransportLeg]:
    """Seat several guests' legs in one vehicle in one action; all or none, within its seats."""
    if not leg_ids:
        raise RuleRefused("no-legs", "legs")
    vehicle = db.session.scalar(
        select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.event_id == event.id)
        .with_for_update().execution_options(populate_existing=True))
    if vehicle is None:
        raise RuleRefused("unknown-vehicle", "vehicle")
    legs = db.session.scalars(
        select(TransportLeg).where(TransportLeg.id.in_(leg_ids), TransportLeg.event_id == event.id)
        .order_by(TransportLeg.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    if len(legs) != len(set(leg_ids)):
        raise RuleRefused("unknown-leg", "legs")
    if any(not leg.is_active for leg in legs):
        raise RuleRefused("leg-not-active", "legs")
    seated = db.session.scalar(
        select(func.coalesce(func.sum(TransportLeg.passengers), 0)).where(
            TransportLeg.vehicle_id == vehicle.id, TransportLeg.state == SCHEDULED,
            TransportLeg.id.not_in([leg.id for leg in legs])))
    wanted = sum(leg.passengers for leg in legs)
    if seated + wanted > vehicle.capacity:
        raise RuleRefused("vehicle-full", "vehicle", free=max(vehicle.capacity - seated, 0), wanted=wanted)
    for leg in legs:
        _check_on_time(event, leg, vehicle.departs_at, vehicle.arrives_at, "vehicle")
    for leg in legs:
        moved = leg.state == SCHEDULED
        if moved and leg.vehicle_id == vehicle.id:
            continue
        leg.state, leg.vehicle_id = SCHEDULED, vehicle.id
        leg.vehicle = vehicle
        audit.record(event, actor, "transport.schedule", f"transport_leg:{leg.id}", vehicle.label)
        _mail(event, leg, "transport_changed" if moved else "transport_scheduled")
    db.session.commit()
    return legs


def stranding(event: Event, leg: TransportLeg, departs_at: datetime | None,
              arrives_at: datetime | None) -> tuple[str, datetime] | None:
    """Why a car leaving at `departs_at` (reaching the station at `arrives_at`) would strand this guest.

    None when it would not: the code of the refusal and the time the car must keep to, when it would.
    A car with no time of its own meets the journey and strands no one.
    """
    if leg.direction == "arrival":
        earliest = leg.scheduled_at + timedelta(minutes=event.pickup_buffer_minutes)
        if departs_at is not None and departs_at < earliest:
            return "leaves-before-landing", earliest
        return None
    latest = leg.scheduled_at - timedelta(minutes=event.dropoff_buffer_minutes)
    reaches = arrives_at or departs_at
    if reaches is not None and reaches > latest:
        return "arrives-after-departure", latest
    return None


def _check_on_time(event: Event, leg: TransportLeg, departs_at, arrives_at, field: str) -> None:
    problem = stranding(event, leg, departs_at, arrives_at)
    if problem is not None:
        code, limit = problem
        raise RuleRefused(code, field, guest=leg.registration.name_latin or leg.registration.name_original,
                             journey=local(event, leg.scheduled_at), limit=local(event, limit))


def _locked_leg(event: Event, leg_id: int) -> TransportLeg:
    leg = db.session.scalar(select(TransportLeg).where(TransportLeg.id == leg_id, TransportLeg.event_id == event.id)
                            .with_for_update().execution_options(populate_existing=True))
    if leg is None:
        raise RuleRefused("unknown-leg")
    return leg


def unassign(event: Event, leg_id: int, actor) -> TransportLeg:
    """Take a leg out of its vehicle; the guest is told their pickup is being arranged again."""
    leg = _locked_leg(event, leg_id)
    if leg.state != SCHEDULED:
        raise RuleRefused("transition")
    leg.state, leg.vehicle_id, leg.vehicle = REQUESTED, None, None
    audit.record(event, actor, "transport.unschedule", f"transport_leg:{leg.id}")
    _mail(event, leg, "transport_changed")
    db.session.commit()
    return leg


def complete(event: Event, leg_id: int, actor) -> TransportLeg:
    """Mark a leg done: the guest was picked up or dropped off."""
    leg = _locked_leg(event, leg_id)
    if not leg.can_become(COMPLETED):
        raise RuleRefused("transition")
    leg.state = COMPLETED
    audit.record(event, actor, "transport.complete", f"transport_leg:{leg.id}")
    db.session.commit()
    return leg


def save_vehicle(event: Event, vehicle: Vehicle | None, values: dict, actor) -> Vehicle:
    """Add or change a vehicle; guests already seated in it are told what changed for them."""
    if vehicle is not None:
        vehicle = db.session.scalar(select(Vehicle).where(Vehicle.id == vehicle.id).with_for_update()
                                    .execution_options(populate_existing=True))
        seated = db.session.scalar(select(func.coalesce(func.sum(TransportLeg.passengers), 0)).where(
            TransportLeg.vehicle_id == vehicle.id, TransportLeg.state == SCHEDULED))
        if values["capacity"] < seated:
            raise RuleRefused("below-seated", "capacity", seated=seated)
        for leg in db.session.scalars(_leg_query().where(TransportLeg.vehicle_id == vehicle.id,
                                                         TransportLeg.state == SCHEDULED)).unique():
            field = "departs_at" if leg.direction == "arrival" or not values.get("arrives_at") else "arrives_at"
            _check_on_time(event, leg, values.get("departs_at"), values.get("arrives_at"), field)
    told = ("driver_name", "driver_phone", "meeting_point_en", "meeting_point_zh", "departs_at", "arrives_at",
            "plate", "label")
    before = {name: getattr(vehicle, name) for name in told} if vehicle else None
    vehicle = vehicle or Vehicle(event_id=event.id)
    for name, value in values.items():
        setattr(vehicle, name, value)
    db.session.add(vehicle)
    db.session.flush()
    audit.record(event, actor, "transport.vehicle", f"vehicle:{vehicle.id}", vehicle.label)
    if before is not None and before != {name: getattr(vehicle, name) for name in told}:
        for leg in db.session.scalars(_leg_query().where(TransportLeg.vehicle_id == vehicle.id,
                                                         TransportLeg.state == SCHEDULED)).unique():
            _mail(event, leg, "transport_changed")
    db.session.commit()
    return vehicle


def day_of(event: Event, instant: datetime) -> date:
    return instant.astimezone(event.zone).date()


# ---------------------------------------------------------------- the event's buffers


def save_buffers(event: Event, pickup_minutes: int, dropoff_minutes: int, actor) -> None:
    """Change the event's two buffers; cars already seated are not moved, and are named if they now strand."""
    for value, field in ((pickup_minutes, "pickup_buffer_minutes"), (dropoff_minutes, "dropoff_buffer_minutes")):
        if not 0 <= value <= MAX_BUFFER_MINUTES:
            raise RuleRefused("buffer-range", field)
    event.pickup_buffer_minutes, event.dropoff_buffer_minutes = pickup_minutes, dropoff_minutes
    audit.record(event, actor, "transport.buffers", f"event:{event.id}", f"{pickup_minutes} {dropoff_minutes}")
    db.session.commit()


def stranded(event: Event) -> list[TransportLeg]:
    """Seated journeys whose car no longer keeps to the buffers (they were changed after seating)."""
    legs = db.session.scalars(_leg_query().where(TransportLeg.event_id == event.id, TransportLeg.state == SCHEDULED)
                              .order_by(TransportLeg.scheduled_at, TransportLeg.id)).unique().all()
    return [leg for leg in legs if leg.vehicle and stranding(event, leg, leg.vehicle.departs_at, leg.vehicle.arrives_at)]
