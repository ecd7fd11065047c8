"""What the rest of the desk builds on: the limits of a message, the refusal every rule raises,
ticket numbers, and the first-response clock."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Event, ResponseTarget, Ticket, TicketCounter, User
from portal.models.helpdesk import (
    CLOCK_STOPPED, CLOSED, DEFAULT_TARGET_MINUTES, NEW, OPEN, PENDING, PRIORITIES, RESOLVED,
)

MAX_MESSAGE = 5000
MAX_SUBJECT = 200
ACTIVE = (NEW, OPEN, PENDING)


class TicketError(Exception):
    """A change the rules refuse; str() is a code the views turn into a message."""

    def __init__(self, code: str, holder: User | None = None):
        super().__init__(code)
        self.holder = holder


# -- Numbers and the response clock --------------------------------------------------------------

def next_number(event_id: int) -> int:
    """The next ticket number of the event: the counter row is bumped in place, so it is locked
    until the caller commits and two requests never get the same number."""
    bumped = db.session.execute(
        update(TicketCounter).where(TicketCounter.event_id == event_id)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar()
    if bumped is not None:
        return bumped
    try:
        with db.session.begin_nested():
            db.session.add(TicketCounter(event_id=event_id, last_number=1))
        return 1
    except IntegrityError:
        # Another request made the event's first ticket at the same moment; its counter row exists now.
        return next_number(event_id)


def working_seconds(ticket: Ticket, at: datetime) -> int:
    """Seconds the desk has had the ticket by `at`, leaving out the times its clock was stopped."""
    total = (at - ticket.created_at).total_seconds() - ticket.pending_seconds
    if ticket.pending_since is not None:
        total -= (at - ticket.pending_since).total_seconds()
    return max(int(total), 0)


def targets_for(event: Event) -> dict[str, int]:
    """First-response minutes per priority: the organizer's, else the defaults."""
    chosen = dict(db.session.execute(
        select(ResponseTarget.priority, ResponseTarget.first_response_minutes)
        .where(ResponseTarget.event_id == event.id)).all())
    return {p: chosen.get(p, DEFAULT_TARGET_MINUTES[p]) for p in PRIORITIES}


@dataclass(frozen=True)
class Clock:
    """Where a ticket stands against its first-response target."""

    status: str  # answered, stopped, running, overdue, none
    seconds: int  # answered: time taken; stopped/running: time left (negative: overdue); overdue: how late
    # Whether the clock moves on with time. It follows from the ticket's state rather than being a
    # reading of the clock, so two readings compare equal without it.
    ticking: bool = field(default=False, compare=False)

    @property
    def minutes(self) -> int:
        return max(math.ceil(abs(self.seconds) / 60), 0)

    @property
    def left(self) -> int:
        """Seconds to the target: negative once it has passed."""
        return -self.seconds if self.status == "overdue" else self.seconds


def clock(ticket: Ticket, targets: dict[str, int], now: datetime | None = None) -> Clock:
    now = now or utcnow()
    if ticket.first_response_seconds is not None:
        return Clock("answered", ticket.first_response_seconds)
    if ticket.state in (RESOLVED, CLOSED):
        return Clock("none", 0)
    left = targets[ticket.priority] * 60 - working_seconds(ticket, now)
    ticking = ticket.state not in CLOCK_STOPPED
    if left < 0:
        return Clock("overdue", -left, ticking)
    return Clock("running" if ticking else "stopped", left, ticking)
