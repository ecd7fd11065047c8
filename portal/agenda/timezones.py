"""The guest's own time zone beside the event's, on request.

Agenda times are always in the event's time zone, the one on the venue's clocks.
A guest who plans from home may ask to see their own time as well: `?tz=Europe/Paris`
on the agenda or "My agenda" (a small select offers common zones) sets it, checked
against the zoneinfo database, and the session remembers it; `?tz=event` forgets it.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_time, get_timezone_location
from flask import session
from flask_babel import get_locale

from portal import dates
from portal.i18n import current_language

SESSION_KEY = "agenda_tz"
EVENT_ZONE = "event"
MAX_LENGTH = 64
# Where the guests of a conference in China mostly come from; any zoneinfo name works in the URL.
COMMON_ZONES = (
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul", "Asia/Kolkata",
    "Asia/Dubai", "Europe/Moscow", "Europe/Istanbul", "Europe/Berlin", "Europe/Paris", "Europe/London",
    "Africa/Johannesburg", "America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "Australia/Sydney", "Pacific/Auckland", "UTC",
)


@cache
def _known() -> frozenset[str]:
    # Reading the zoneinfo tree is slow; it does not change while the app runs.
    return frozenset(available_timezones())


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone of a zoneinfo name, or None for anything that is not one."""
    if not isinstance(name, str) or not name or len(name) > MAX_LENGTH or name not in _known():
        return None
    return ZoneInfo(name)


def remember(args) -> bool:
    """Apply a `tz` in the query string to the session. False when it names no time zone."""
    if "tz" not in args:
        return True
    wanted = args.get("tz", "").strip()
    if wanted in ("", EVENT_ZONE):
        session.pop(SESSION_KEY, None)
        return True
    if zone_named(wanted) is None:
        return False
    session[SESSION_KEY] = wanted
    return True


def guest_zone_name() -> str:
    """The zone the guest asked for, or '' for the event's only."""
    name = session.get(SESSION_KEY, "")
    return name if zone_named(name) is not None else ""


def zone_choices(chosen: str) -> list[str]:
    """The select's zones: the common ones, and the guest's own if it is not among them."""
    return list(COMMON_ZONES) if not chosen or chosen in COMMON_ZONES else [chosen, *COMMON_ZONES]


def zone_label(name: str) -> str:
    """A zone as a guest reads it: "Asia/Hong Kong" in English, "中国香港特别行政区时间" in Chinese."""
    if current_language() == "zh_Hans" and name != "UTC":
        return get_timezone_location(name, locale=get_locale())
    return name.replace("_", " ")


def local_span(starts_at: datetime, ends_at: datetime, event) -> str:
    """The session's time in the guest's zone ("02:00–03:30", with the date when it is another day
    there), or '' when the guest asked for none or it is the event's own."""
    name = guest_zone_name()
    if not name or name == event.timezone:
        return ""
    zone, locale = ZoneInfo(name), get_locale() or "en"
    local_start = starts_at.astimezone(zone)
    span = (f"{format_time(starts_at, 'HH:mm', tzinfo=zone, locale=locale)}"
            f"–{format_time(ends_at, 'HH:mm', tzinfo=zone, locale=locale)}")
    if local_start.date() != starts_at.astimezone(event.zone).date():
        span = dates.joined(format_date(local_start.date(), "medium", locale=locale), span)
    return span


def register(bp) -> None:
    bp.add_app_template_global(guest_zone_name, "agenda_guest_zone")
    bp.add_app_template_global(local_span, "agenda_local_span")
    bp.add_app_template_global(zone_choices, "agenda_zone_choices")
    bp.add_app_template_global(zone_label, "agenda_zone_label")
