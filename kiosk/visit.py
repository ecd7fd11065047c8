"""The visit at a kiosk: the guest of the moment, the help request made during it, and the device's limits.

The guest lives only in the session, as a reference to their check-in, from
identification until the visit ends; the help request made (or opened by a
refused check-in) is remembered the same way, so /kiosk/help can show its
number. Every kiosk module reads the visit from here.
"""

import time

from flask import current_app, request, session

from portal.checkin import credential
from portal.extensions import db
from portal.guests.addressing import CHINESE_PREFIX_ONLY  # noqa: F401  (the offline kiosk greets by it)
from portal.models import CheckIn, Event, Ticket

VISIT_KEY = "kiosk_visit"
HELP_KEY = "kiosk_help"
# A welcome or badge page outlives its visit by no more than this, whatever the browser does.
VISIT_SECONDS = 5 * 60
DEFAULT_LOOKUP_LIMIT = "10 per minute; 60 per hour"
DEFAULT_SCAN_LIMIT = "60 per minute"
DEFAULT_PAIR_LIMIT = "10 per minute"


def lookup_limit() -> str:
    return current_app.config.get("KIOSK_LOOKUP_RATE_LIMIT", DEFAULT_LOOKUP_LIMIT)


def scan_limit() -> str:
    return current_app.config.get("KIOSK_SCAN_RATE_LIMIT", DEFAULT_SCAN_LIMIT)


def pair_limit() -> str:
    return current_app.config.get("KIOSK_PAIR_RATE_LIMIT", DEFAULT_PAIR_LIMIT)


def device_key() -> str:
    """Kiosk limits count per device, not per network address: a venue's kiosks share one."""
    return credential.device_key(request)


def end() -> None:
    """Forget the guest and their help request."""
    session.pop(VISIT_KEY, None)
    session.pop(HELP_KEY, None)


def current_check_in(device, nonce: str) -> CheckIn | None:
    """The check-in of this kiosk's current visit, if `nonce` is that visit and it is recent."""
    visit = session.get(VISIT_KEY)
    if not isinstance(visit, dict) or visit.get("nonce") != nonce:
        return None
    if time.time() - visit.get("since", 0) > VISIT_SECONDS:
        session.pop(VISIT_KEY, None)
        return None
    check_in = db.session.get(CheckIn, visit.get("check_in"))
    if check_in is None or check_in.event_id != device.event_id:
        session.pop(VISIT_KEY, None)
        return None
    return check_in


def remember_ticket(ticket: Ticket) -> None:
    session[HELP_KEY] = {"ticket": ticket.id, "since": int(time.time())}


def forget_ticket() -> None:
    session.pop(HELP_KEY, None)


def remembered_ticket(event: Event) -> Ticket | None:
    """The request made at this kiosk in the current visit, if recent."""
    stash = session.get(HELP_KEY)
    if not isinstance(stash, dict) or time.time() - stash.get("since", 0) > VISIT_SECONDS:
        forget_ticket()
        return None
    ticket = db.session.get(Ticket, stash.get("ticket"))
    return ticket if ticket is not None and ticket.event_id == event.id else None
