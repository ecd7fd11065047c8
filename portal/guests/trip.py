"""What "My trip" shows: each card's part, loaded by that card's own service.

The cards are also sent alone to htmx, through the same loaders, so the page
and a single card cannot disagree.
"""

from dataclasses import dataclass, field

from portal.agenda.services import unread_notices
from portal.helpdesk.services import guest_tickets
from portal.lodging.services import MyLodging, my_lodging
from portal.models import Registration, ScheduleNotice, Ticket
from portal.models.transport import DIRECTIONS
from portal.needs.services import GuestNeeds, needs_of
from portal.surveys.services import asked_survey_id, survey_card
from portal.transport.services import legs_of

# The help card shows the guest's newest requests, this many.
RECENT_TICKETS = 3


@dataclass
class Trip:
    """The parts of My trip, each as its card's own loader returns it."""

    needs: GuestNeeds
    lodging: MyLodging = field(default_factory=MyLodging)
    legs: dict = field(default_factory=lambda: dict.fromkeys(DIRECTIONS))
    tickets: list[Ticket] = field(default_factory=list)
    notices: list[ScheduleNotice] = field(default_factory=list)
    survey: dict | None = None


def trip_of(registration: Registration) -> Trip:
    survey_id = asked_survey_id(registration.event, registration)
    return Trip(
        needs=needs_of(registration),
        lodging=my_lodging(registration),
        legs=legs_of(registration),
        tickets=guest_tickets(registration, RECENT_TICKETS),
        notices=unread_notices(registration),
        survey=survey_card(survey_id, registration) if survey_id is not None else None,
    )
