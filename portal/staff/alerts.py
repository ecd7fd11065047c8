"""The desk's alert on every console page: urgent and medical requests nobody has taken yet.

/staff/e/<slug>/alerts    desk_alerts    organizer, help desk

Each console page renders the alerts as they stand, so a browser without
JavaScript sees them at the next page it loads; with htmx the strip asks this
route every few seconds, and gets 204 (nothing to swap) while nothing changed.
"""

from flask import Response, request

from portal import access
from portal.mailing import alerts
from portal.models import Event
from portal.rendering import render, wants_fragment
from portal.staff import bp
from portal.staff.routes import PERMISSIONS, can

DESK = PERMISSIONS["helpdesk"]


@bp.context_processor
def desk_alert_helpers():
    return {"desk_alerts": desk_alerts_for}


def desk_alerts_for(event: Event) -> dict | None:
    """The alerts a console page shows the signed-in person (None when they are not on the desk)."""
    if not can(event, "helpdesk"):
        return None
    found = alerts.waiting(event)
    return {"items": found, "seen": alerts.fingerprint(found)}


@bp.get("/e/<slug>/alerts")
@access.staff(*DESK)
def desk_alerts(event: Event):
    """The alert strip alone for the console's poll, or as a page of its own."""
    found = alerts.waiting(event)
    seen = alerts.fingerprint(found)
    if wants_fragment() and request.args.get("seen") == seen:
        return Response(status=204)
    shown = {"items": found, "seen": seen}
    return render("staff/alerts.html", fragment="staff/_desk_alerts.html", event=event, alerts=shown)
