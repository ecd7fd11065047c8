"""What "My trip" shows, read in a few statements whatever the guest has.

Each card of the page can load its own part (the cards are also sent alone to
htmx); on the whole page that was one statement or more per card. Here one
statement reads the guest's category and needs and asks whether they have any
lodging, transport or help requests, and only the parts that exist are loaded.
"""

from dataclasses import dataclass, field

from sqlalchemy import exists, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.helpdesk.services import guest_tickets
from portal.lodging.services import MyLodging, has_lodging, my_lodging
from portal.models import Category, Registration, Ticket, TransportLeg
from portal.models.transport import DIRECTIONS
from portal.needs.services import GuestNeeds, needs_from, with_needs
from portal.transport.services import legs_of


@dataclass
class Trip:
    """The parts of My trip, each as its card's own loader returns it."""

    needs: GuestNeeds
    lodging: MyLodging = field(default_factory=MyLodging)
    legs: dict = field(default_factory=lambda: dict.fromkeys(DIRECTIONS))
    tickets: list[Ticket] = field(default_factory=list)


def trip_of(registration: Registration) -> Trip:
    rid = registration.id
    query = with_needs(
        select(Category, has_lodging(rid), exists().where(TransportLeg.registration_id == rid),
               exists().where(Ticket.event_id == registration.event_id, Ticket.registration_id == rid))
        .select_from(Registration)
        .outerjoin(Category, Category.id == Registration.category_id)
        .where(Registration.id == rid)
    )
    rows = db.session.execute(query).all()
    trip = Trip(needs=needs_from(rows))
    if not rows:
        return trip
    category, any_lodging, any_transport, any_tickets = rows[0][:4]
    if "category" in inspect(registration).unloaded:
        set_committed_value(registration, "category", category)
    if any_lodging:
        trip.lodging = my_lodging(registration)
    if any_transport:
        trip.legs = legs_of(registration)
    if any_tickets:
        trip.tickets = guest_tickets(registration, limit=3)
    return trip
