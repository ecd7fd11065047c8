"""What many forms share: text that must stay on one line, and dates in a window that makes sense.

A name or a subject ends up in a mail header, where a line break would start
a new header: `one_line` turns every line break into a space as the form reads
it. A date typed as 0001-01-01 or 9999-12-31 cannot be turned into UTC (nor is it
meant): `sane_date` keeps every date within EARLIEST_YEAR..LATEST_YEAR, and
`near_event` keeps an event's own things (sessions, transport, announcements,
surveys, registration dates) within EVENT_DATE_MARGIN_DAYS of its days.
"""

import re
from datetime import date, datetime, timedelta

from flask import current_app
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from portal.i18n import lazy_gettext as _l

# \r, \n and every other character that some reader takes for the end of a line.
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(value):
    """A WTForms filter: line breaks become one space, so the text stays a single line."""
    if isinstance(value, str):
        return LINE_BREAKS.sub(" ", value)
    return value


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def sane_date(form, field) -> None:
    """A date or time within EARLIEST_YEAR..LATEST_YEAR (settings); an empty field is left to other checks."""
    if not isinstance(field.data, date):
        return
    first, last = current_app.config["EARLIEST_YEAR"], current_app.config["LATEST_YEAR"]
    if not first <= field.data.year <= last:
        raise ValidationError(_l("Enter a date between the years %(first)d and %(last)d.", first=first, last=last))


def near_event(form, field) -> None:
    """sane_date, and within EVENT_DATE_MARGIN_DAYS of the event's first and last days."""
    sane_date(form, field)
    days = form.event_days() if isinstance(form, EventForm) else None
    if not isinstance(field.data, date) or days is None:
        return
    margin = timedelta(days=current_app.config["EVENT_DATE_MARGIN_DAYS"])
    first, last = days[0] - margin, days[1] + margin
    if not first <= _day(field.data) <= last:
        raise ValidationError(_l("Enter a date from %(first)s to %(last)s: this belongs to the event's days.",
                                 first=first.isoformat(), last=last.isoformat()))


class EventForm(FlaskForm):
    """A form for something of one event; its date fields are checked against the event's days."""

    def __init__(self, *args, event=None, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)

    def event_days(self) -> tuple[date, date] | None:
        """The event's first and last days, when the form knows its event."""
        if self.event is None:
            return None
        return self.event.starts_on, self.event.ends_on
