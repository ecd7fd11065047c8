"""The day's dashboard, under /staff/e/<slug>/today (any role for the event).

/staff/e/<slug>/today    today    ?day=YYYY-MM-DD (default: today on the event's clock)

The page polls itself (htmx, every TODAY_POLL_SECONDS: 30 s) and swaps its figures in
place; without JavaScript, reloading the page shows the same figures fresh.
"""

from datetime import date, timedelta

from flask import current_app, request

from portal import access
from portal.models import Event
from portal.reporting import today as figures
from portal.rendering import render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS


def _day(event: Event) -> date:
    """The day asked for, if it is one near the event; today on the event's clock otherwise."""
    asked = request.args.get("day", "")
    try:
        day = date.fromisoformat(asked) if len(asked) == 10 else None
    except ValueError:
        day = None
    if day is None or not event.starts_on - timedelta(days=7) <= day <= event.ends_on + timedelta(days=7):
        return figures.today_for(event)
    return day


@bp.get("/e/<slug>/today")
@access.staff(*PERMISSIONS["view_guests"])
def today(event: Event):
    """Registrations, check-ins against arrivals, open help requests, pending requests and mail, live."""
    day = _day(event)
    board = figures.build(event, day)
    days = [event.starts_on + timedelta(days=n) for n in range(-1, (event.ends_on - event.starts_on).days + 1)]
    return render("staff/today.html", fragment="staff/_today_figures.html", event=event, board=board,
                  days=days, age_limits=figures.AGE_LIMITS,
                  poll_seconds=current_app.config["TODAY_POLL_SECONDS"],
                  day_param=request.args.get("day") if day != figures.today_for(event) else None)
