"""What "My trip" shows: one statement, and one more for each card with lodging, transport,
schedule changes or a survey to show.

Each card of the page can load its own part (the cards are also sent alone to
htmx); on the whole page that was one statement or more per card. Here one
statement reads the guest's category, needs and three newest help requests,
asks whether they have any lodging, transport or unread schedule changes, and
finds the survey they are asked; only the parts that exist are loaded. The
statement is built once, at import: building it on every request took about a
third of the loader's time.
"""

from dataclasses import dataclass, field

from sqlalchemy import bindparam, exists, inspect, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from portal.agenda.services import unread_notices
from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.lodging.services import MyLodging, has_lodging, my_lodging
from portal.models import Category, Registration, ScheduleNotice, Ticket, TransportLeg
from portal.models.transport import DIRECTIONS
from portal.needs.services import GuestNeeds, needs_from, with_needs
from portal.surveys.services import asked_surveys, survey_card
from portal.transport.services import legs_of


@dataclass
class Trip:
    """The parts of My trip, each as its card's own loader returns it."""

    needs: GuestNeeds
    lodging: MyLodging = field(default_factory=MyLodging)
    legs: dict = field(default_factory=lambda: dict.fromkeys(DIRECTIONS))
    tickets: list[Ticket] = field(default_factory=list)
    notices: list[ScheduleNotice] = field(default_factory=list)
    survey: dict | None = None


_RID = bindparam("rid")
# The help card's three newest requests, as guest_tickets(limit=3) reads them. Joined to every row of
# the statement (one per allergy), so each ticket comes back once per allergy; trip_of keeps one of each.
_RECENT = aliased(Ticket, select(Ticket).where(Ticket.event_id == bindparam("event_id"), Ticket.registration_id == _RID)
                  .order_by(Ticket.id.desc()).limit(3).subquery("recent_ticket"))
_TRIP = with_needs(
    select(
        Category,
        has_lodging(_RID),
        exists().where(TransportLeg.registration_id == _RID),
        exists().where(ScheduleNotice.registration_id == _RID, ScheduleNotice.read_at.is_(None)),
        asked_surveys(bindparam("now", type_=UTCDateTime)).limit(1).scalar_subquery(),
        _RECENT,
    )
    .select_from(Registration)
    .outerjoin(Category, Category.id == Registration.category_id)
    .outerjoin(_RECENT, _RECENT.registration_id == Registration.id)
    .where(Registration.id == _RID)
)


def trip_of(registration: Registration) -> Trip:
    rows = db.session.execute(_TRIP, {"rid": registration.id, "event_id": registration.event_id,
                                      "now": utcnow()}).all()
    trip = Trip(needs=needs_from(rows))
    if not rows:
        return trip
    category, any_lodging, any_transport, any_notices, survey_id = rows[0][:5]
    if "category" in inspect(registration).unloaded:
        set_committed_value(registration, "category", category)
    tickets = {row[5].id: row[5] for row in rows if row[5] is not None}
    trip.tickets = sorted(tickets.values(), key=lambda ticket: ticket.id, reverse=True)
    if any_lodging:
        trip.lodging = my_lodging(registration)
    if any_transport:
        trip.legs = legs_of(registration)
    if any_notices:
        trip.notices = unread_notices(registration)
    if survey_id is not None:
        trip.survey = survey_card(survey_id, registration)
    return trip
