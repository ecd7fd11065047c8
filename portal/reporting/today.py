"""The day's dashboard: what an operations desk watches during the event, read fresh on every request.

Plain queries, each a GROUP BY or a narrow read of one day; times are grouped by
the hour of the event's clock in Python, which SQLite and PostgreSQL then agree on.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import CheckIn, Event, LodgingRequest, OutboundMail, Registration, Ticket, TransportLeg
from portal.models import lodging as lodging_states, transport as transport_states
from portal.models.helpdesk import NEW, OPEN, PENDING, PRIORITIES
from portal.models.registration import CONFIRMED, STATES

# How old an open help request is, in minutes: under 15, under 60, under 240, older.
AGE_LIMITS = (15, 60, 240)
OPEN_TICKET_STATES = (NEW, OPEN, PENDING)


@dataclass
class Hour:
    """One hour of the day on the event's clock: check-ins and expected arrivals per category id."""

    start: time
    checked_in: Counter
    expected: Counter


@dataclass
class Dashboard:
    day: date
    as_of: datetime
    # (category id or None, state) -> count
    registrations: Counter
    hours: list[Hour]
    checked_in_today: Counter
    expected_today: Counter
    checked_in_total: int
    confirmed_total: int
    # priority -> [count per age bucket], and the oldest open request's age in minutes
    tickets: dict[str, list[int]]
    oldest_ticket_minutes: int | None
    lodging_requested: int
    lodging_waitlisted: int
    transport_requested: int
    mails_pending: int
    mails_failed: int

    def registrations_in(self, category_id, state: str) -> int:
        return self.registrations.get((category_id, state), 0)

    def state_total(self, state: str) -> int:
        return sum(n for (_category, s), n in self.registrations.items() if s == state)

    def category_total(self, category_id) -> int:
        return sum(n for (c, _state), n in self.registrations.items() if c == category_id)

    @property
    def open_tickets(self) -> int:
        return sum(sum(row) for row in self.tickets.values())


def today_for(event: Event, now: datetime | None = None) -> date:
    """The event's day today, on its clock."""
    return (now or utcnow()).astimezone(event.zone).date()


def _bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=event.zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=event.zone)


def _age_bucket(minutes: float) -> int:
    return next((i for i, limit in enumerate(AGE_LIMITS) if minutes < limit), len(AGE_LIMITS))


def build(event: Event, day: date, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    registrations = Counter({(c, s): n for c, s, n in db.session.execute(
        select(Registration.category_id, Registration.state, func.count(Registration.id))
        .where(Registration.event_id == event.id).group_by(Registration.category_id, Registration.state))})

    start, end = _bounds(event, day)
    checked = db.session.execute(
        select(CheckIn.at, Registration.category_id).join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event.id, CheckIn.at >= start, CheckIn.at < end)).all()
    expected = db.session.execute(
        select(TransportLeg.scheduled_at, Registration.category_id)
        .join(Registration, Registration.id == TransportLeg.registration_id)
        .where(TransportLeg.event_id == event.id, TransportLeg.direction == "arrival",
               TransportLeg.state.in_(transport_states.ACTIVE_STATES + (transport_states.COMPLETED,)),
               Registration.state == CONFIRMED,
               TransportLeg.scheduled_at >= start, TransportLeg.scheduled_at < end)).all()
    by_hour: dict[int, Hour] = {}
    for rows, kind in ((checked, "checked_in"), (expected, "expected")):
        for at, category_id in rows:
            hour = at.astimezone(event.zone).hour
            slot = by_hour.setdefault(hour, Hour(time(hour), Counter(), Counter()))
            getattr(slot, kind)[category_id] += 1
    hours = [by_hour[h] for h in sorted(by_hour)]

    tickets = {priority: [0] * (len(AGE_LIMITS) + 1) for priority in reversed(PRIORITIES)}
    oldest = None
    for priority, created_at in db.session.execute(
            select(Ticket.priority, Ticket.created_at)
            .where(Ticket.event_id == event.id, Ticket.state.in_(OPEN_TICKET_STATES))):
        minutes = max((now - created_at).total_seconds() / 60, 0)
        tickets.setdefault(priority, [0] * (len(AGE_LIMITS) + 1))[_age_bucket(minutes)] += 1
        oldest = max(oldest or 0, int(minutes))

    lodging = dict(db.session.execute(
        select(LodgingRequest.state, func.count(LodgingRequest.id))
        .where(LodgingRequest.event_id == event.id,
               LodgingRequest.state.in_((lodging_states.REQUESTED, lodging_states.WAITLISTED)))
        .group_by(LodgingRequest.state)).all())
    transport_requested = db.session.scalar(
        select(func.count(TransportLeg.id)).where(
            TransportLeg.event_id == event.id, TransportLeg.state == transport_states.REQUESTED,
            TransportLeg.pickup_wanted.is_(True))) or 0
    mails = dict(db.session.execute(
        select(OutboundMail.state, func.count(OutboundMail.id))
        .where(OutboundMail.event_id == event.id, OutboundMail.state.in_(("pending", "failed")))
        .group_by(OutboundMail.state)).all())
    checked_in_total = db.session.scalar(
        select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id)) or 0

    return Dashboard(
        day=day, as_of=now, registrations=registrations, hours=hours,
        checked_in_today=Counter(c for _at, c in checked), expected_today=Counter(c for _at, c in expected),
        checked_in_total=checked_in_total, confirmed_total=registrations_total(registrations, CONFIRMED),
        tickets=tickets, oldest_ticket_minutes=oldest,
        lodging_requested=lodging.get(lodging_states.REQUESTED, 0),
        lodging_waitlisted=lodging.get(lodging_states.WAITLISTED, 0),
        transport_requested=transport_requested,
        mails_pending=mails.get("pending", 0), mails_failed=mails.get("failed", 0),
    )


def registrations_total(registrations: Counter, state: str) -> int:
    return sum(n for (_category, s), n in registrations.items() if s == state)


__all__ = ["AGE_LIMITS", "Dashboard", "STATES", "build", "today_for"]
