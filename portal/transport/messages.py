"""What each refusal of the transport rules says, in the reader's language."""

from portal import dates
from portal.i18n import gettext as _

MESSAGES = {
    "changes-closed": lambda d: _("Changes to transport are closed for this event. Please contact the organizers."),
    "not-active": lambda d: _("Your registration is not active, so you cannot ask for transport."),
    "unknown-direction": lambda d: _("There is no such journey."),
    "unknown-mode": lambda d: _("Choose flight, train or car."),
    "passengers": lambda d: _("Enter from 1 to 20 passengers."),
    "luggage": lambda d: _("Enter from 0 to 40 pieces."),
    "far-from-event": lambda d: _("Enter a date from %(earliest)s to %(latest)s.",
                                  earliest=dates.day(d["earliest"], "short"), latest=dates.day(d["latest"], "short")),
    "departure-before-arrival": lambda d: _("Your departure must be after your arrival."),
    "arrival-after-departure": lambda d: _("Your arrival must be before your departure."),
    "no-leg": lambda d: _("There is nothing to cancel."),
    "no-legs": lambda d: _("Tick at least one guest to seat."),
    "unknown-vehicle": lambda d: _("Choose a vehicle from the list."),
    "unknown-leg": lambda d: _("One of the ticked guests is not on this board any more; reload the board."),
    "leg-not-active": lambda d: _("One of the ticked journeys is cancelled or done."),
    "vehicle-full": lambda d: _("The vehicle has %(free)d free seats; the ticked guests need %(wanted)d.", **d),
    "below-seated": lambda d: _("%(seated)d guests are seated in it; it cannot have fewer seats.", **d),
    "transition": lambda d: _("This journey cannot be changed that way from its current state."),
    "leaves-before-landing": lambda d: _(
        "%(guest)s lands at %(journey)s: their car may leave at %(limit)s at the earliest.",
        guest=d["guest"], journey=_when(d["journey"]), limit=_when(d["limit"])),
    "arrives-after-departure": lambda d: _(
        "%(guest)s leaves at %(journey)s: their car must reach the airport or station by %(limit)s.",
        guest=d["guest"], journey=_when(d["journey"]), limit=_when(d["limit"])),
    "unknown-station": lambda d: _("Choose an airport or station from the list, or “Other”."),
    "no-station": lambda d: _("Enter the airport or station."),
    "station-exists": lambda d: _("That airport or station is already on the list."),
    "unknown-station-kind": lambda d: _("Choose airport or railway station."),
    "buffer-range": lambda d: _("Enter from 0 to 720 minutes."),
}


def _when(value) -> str:
    # On the event's clock already (naive): no conversion to the reader's zone.
    return dates.moment(value)


def message(error) -> str:
    return MESSAGES.get(error.code, lambda d: _("That change is not allowed."))(error.detail)
