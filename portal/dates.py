"""Dates and times on every page and mail: one named format per purpose, in the reader's language.

| name      | for                                   | English              | Chinese            |
|-----------|---------------------------------------|----------------------|--------------------|
| `day`     | a date in a sentence or heading       | June 3, 2025         | 2025年6月3日        |
| `short`   | a date in a table, list or range      | Jun 3, 2025          | 2025年6月3日        |
| `weekday` | a day that heads a programme or board | Tuesday, June 3, 2025 | 2025年6月3日星期二  |
| `tab`     | a day on a tab or button              | Tue, Jun 3           | 6月3日周二          |
| `clock`   | a time of day                         | 14:05                | 14:05              |
| `moment`  | an instant                            | Jun 3, 2025, 14:05   | 2025年6月3日 14:05  |

Instants are stored in UTC and always shown on the event's clock (the venue's): a guest arriving
and a driver waiting read the same time. The clock is 24-hour in both languages, as on tickets and
timetables. Flask-Babel's own helpers convert to one zone for the whole app; an event has its own,
so instants go through Babel with the event's zone, and dates (which have no zone) through
Flask-Babel's `format_date`. Where a staff member may be elsewhere (a transport board, a pairing
code's expiry), `moment(..., zone=True)` names the zone ("China (Shanghai) Time").
"""

from datetime import date, datetime

from babel import Locale, dates as babel_dates
from flask_babel import format_date, get_locale, gettext

DATE_PATTERNS = {"day": "long", "short": "medium", "weekday": "full"}
SKELETONS = {"tab": "MMMEd"}
CLOCK = "HH:mm"


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def _on_event_clock(value, event) -> datetime:
    """`event` is an Event, or a time zone where a template has only that."""
    if event is None or value.tzinfo is None:
        return value  # naive: already on the event's clock
    return value.astimezone(getattr(event, "zone", event))


def day(value: date | datetime | None, form: str = "day", event=None) -> str:
    """A date in one of the named forms; an instant is first put on the event's clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _on_event_clock(value, event).date()
    if form in SKELETONS:
        return babel_dates.format_skeleton(SKELETONS[form], value, locale=_locale())
    return format_date(value, DATE_PATTERNS[form])


def clock(value: datetime | None, event=None) -> str:
    """A time of day on the event's clock ("14:05"). A naive value is already on it."""
    if value is None:
        return ""
    # CLOCK is the same 24-hour "14:05" in every language: no locale to look up (the agenda asks ~200 times).
    return _on_event_clock(value, event).strftime("%H:%M")


def zone_name(event) -> str:
    """The event's time zone as a reader knows it: "China (Shanghai) Time", "中国（上海）时间"."""
    return babel_dates.get_timezone_location(event.zone, locale=_locale())


def joined(day_text: str, time_text: str, width: str = "medium") -> str:
    """A date and a time joined as the language joins them: "Jun 3, 2025, 20:00", "2025年6月3日 20:00"."""
    pattern = str(_locale().datetime_formats[width])
    return pattern.replace("{1}", day_text).replace("{0}", time_text)


def moment(value: datetime | None, event=None, zone: bool = False) -> str:
    """An instant on the event's clock: its date (`short`) and time, joined as the language joins them."""
    if value is None:
        return ""
    text = joined(day(value, "short", event), clock(value, event))
    if zone and event is not None:
        text = gettext("%(moment)s (%(zone)s)", moment=text, zone=zone_name(event))
    return text


def register(app) -> None:
    app.add_template_filter(day, "day")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(moment, "moment")
    app.add_template_global(moment, "moment")
    app.add_template_global(zone_name, "zone_name")
