"""What each refusal of the lodging rules says, in the reader's language."""

from portal import dates
from portal.i18n import gettext as _

MESSAGES = {
    "changes-closed": lambda d: _("Changes to lodging are closed for this event. Please contact the organizers."),
    "not-active": lambda d: _("Your registration is not active, so you cannot ask for a room."),
    "unknown-block": lambda d: _("Choose a hotel and room type from the list; that one is not offered."),
    "check-out-before-check-in": lambda d: _("The check-out date must be after the check-in date."),
    "outside-window": lambda d: _("This room block takes guests from %(start)s to %(end)s; choose dates within it.",
                                  start=dates.day(d["start"], "short"), end=dates.day(d["end"], "short")),
    "occupancy": lambda d: _("Choose one or two guests."),
    "roommate-needs-two": lambda d: _("Choose two guests sharing to name a roommate."),
    "roommate-self": lambda d: _("Enter the other guest's address, not your own."),
    "already-sharing": lambda d: _("You already share another guest's room; ask them to change the request."),
    "roommate-has-room": lambda d: _("You already have a room of your own or share one; cancel it before sharing this one."),
    "no-request": lambda d: _("There is no such lodging request."),
    "transition": lambda d: _("This request cannot be changed that way from its current state."),
    "roommate-unconfirmed": lambda d: _("The roommate has not agreed to share yet; the room cannot be confirmed."),
    "block-full": lambda d: _("The block has no room left on %(nights)s.",
                              nights=", ".join(dates.day(n, "short") for n in d["nights"])),
    "unknown-hotel": lambda d: _("Choose a hotel from the list."),
    "window-backwards": lambda d: _("The last check-out date must be after the first check-in date."),
    "window-too-long": lambda d: _("A block covers at most %(most)d nights.", most=d["most"]),
    "nights-in-use": lambda d: _("Confirmed stays use nights outside this window; move or cancel them first."),
}


def message(error) -> str:
    return MESSAGES.get(error.code, lambda d: _("That change is not allowed."))(error.detail)
