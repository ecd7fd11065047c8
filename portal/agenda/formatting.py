"""Times on agenda pages and mails, in the named formats of portal/dates.py, on the event's clock."""

from datetime import date, datetime

from portal import dates
from portal.i18n import gettext as _
from portal.i18n import colon, pick

# Babel's names for the forms the agenda's templates ask for, as named in portal/dates.py.
FORMS = {"full": "weekday", "medium": "short", "long": "day"}


def agenda_time(value: datetime, event) -> str:
    return dates.clock(value, event)


def agenda_date(value: date | datetime, event=None, form: str = "full") -> str:
    return dates.day(value, FORMS.get(form, form), event)


def agenda_span(starts_at: datetime, ends_at: datetime, event) -> str:
    """"Tuesday, June 3, 2025, 09:00–10:30" or "2025年6月3日星期二 09:00–10:30", in the event's zone."""
    times = f"{agenda_time(starts_at, event)}–{agenda_time(ends_at, event)}"
    return dates.joined(agenda_date(starts_at, event), times, "full")


def agenda_moment(value: datetime, event) -> str:
    return dates.moment(value, event)


def pick_pair(pair) -> str:
    """A bilingual [English, Chinese] pair stored in a change record, in the reader's language."""
    return pick(pair[0], pair[1]) if pair else ""


def toggle_labels() -> dict[str, str]:
    """The add/remove button's words, translated once for a page that shows many of them."""
    return {"held": _("In my agenda"), "remove": _("Remove from my agenda"), "sign_up": _("Sign up"),
            "add": _("Add to my agenda"), "full": _("Full"), "colon": colon("")}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def register(bp) -> None:
    bp.add_app_template_filter(agenda_time, "agenda_time")
    bp.add_app_template_filter(agenda_date, "agenda_date")
    bp.add_app_template_filter(agenda_moment, "agenda_moment")
    bp.add_app_template_filter(instant, "instant")
    bp.add_app_template_filter(pick_pair, "pick_pair")
    bp.add_app_template_global(pick_pair, "pick_pair")
    bp.add_app_template_global(agenda_span, "agenda_span")
    bp.add_app_template_global(toggle_labels, "agenda_toggle_labels")
