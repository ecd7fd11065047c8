"""The kiosk welcome screen's shuttle card: the guest's next car today.

A pickup counts when a coordinator has seated the guest's journey in a vehicle
(scheduled). Its time is when the car leaves, or the journey's own time when the
car has none. Pickups that left more than GRACE ago are over and not shown. Only
the vehicle's label, meeting point and time reach the public screen: never the
driver's phone, the flight number or who else rides along.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import dates
from portal.checkin.welcome import TodayCard, today_card
from portal.database import utcnow
from portal.extensions import db
from portal.models import Registration, TransportLeg
from portal.models.transport import SCHEDULED

# A guest a few minutes late may still find the car at the meeting point.
GRACE = timedelta(minutes=15)


def pickup_time(leg: TransportLeg) -> datetime:
    return leg.vehicle.departs_at or leg.scheduled_at


def next_pickup(registration: Registration, today: date) -> TransportLeg | None:
    """The guest's next scheduled pickup on `today` (event time zone), arrival or departure."""
    zone = registration.event.zone
    day_starts = datetime.combine(today, time.min, tzinfo=zone).astimezone(UTC)
    day_ends = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    earliest = max(day_starts, utcnow() - GRACE)
    # A guest has at most one active leg per direction: two rows at most, sorted here.
    legs = db.session.scalars(
        select(TransportLeg).where(TransportLeg.registration_id == registration.id,
                                   TransportLeg.state == SCHEDULED, TransportLeg.pickup_wanted.is_(True),
                                   TransportLeg.vehicle_id.is_not(None))
        .options(joinedload(TransportLeg.vehicle))).all()
    today_legs = [leg for leg in legs if earliest <= pickup_time(leg) < day_ends]
    return min(today_legs, key=pickup_time, default=None)


@today_card
def shuttle_today(registration: Registration, today: date) -> TodayCard | None:
    """Your car today: which vehicle, where to meet it, and when."""
    leg = next_pickup(registration, today)
    if leg is None:
        return None
    return TodayCard("kiosk/_card_shuttle.html", {
        "departure": leg.direction == "departure", "vehicle": leg.vehicle.label,
        "meeting_point": leg.vehicle.meeting_point,
        "at": dates.clock(pickup_time(leg), registration.event),
    })
