"""Forms of the agenda editor and of announcements (staff console)."""

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import EventForm, near_event, one_line
from portal.i18n import lazy_gettext as _l, lazy_pgettext
from portal.models.agenda import KINDS, SESSION_STATUSES, VISIBILITIES
from portal.models.announcement import LEVELS

KIND_LABELS = {
    "keynote": _l("Keynote"), "panel": _l("Panel"), "workshop": _l("Workshop"),
    "roundtable": _l("Roundtable"), "break": _l("Break"), "meal": _l("Meal"),
}
VISIBILITY_LABELS = {
    "public": _l("Everyone"), "categories": _l("Only the chosen guest categories"),
    "invitation": _l("By invitation only (the guests listed below)"),
}
STATUS_LABELS = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")}
LEVEL_LABELS = {"info": _l("Information"), "important": _l("Important"),
                "emergency": _l("Emergency (tops every page and kiosk)")}
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _required(message):
    return InputRequired(message)


class RoomForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[_required(_l("Enter the English name.")), _max(200)])
    name_zh = StringField(_l("Name in Chinese"), validators=[_required(_l("Enter the Chinese name.")), _max(200)])
    capacity = IntegerField(_l("Seats"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("Enter a number of seats from 1 to 100000."))])
    floor = StringField(_l("Floor"), default="", validators=[Optional(), _max(40)])
    directions_en = TextAreaField(_l("Directions in English"), default="", validators=[Optional(), _max(2000)])
    directions_zh = TextAreaField(_l("Directions in Chinese"), default="", validators=[Optional(), _max(2000)])


class TrackForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[_required(_l("Enter the English name.")), _max(200)])
    name_zh = StringField(_l("Name in Chinese"), validators=[_required(_l("Enter the Chinese name.")), _max(200)])
    position = IntegerField(_l("Order"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000."))])


class SpeakerForm(FlaskForm):
    # default="": a post that leaves out an optional field stores an empty text, not NULL (a 500).
    name_en = StringField(_l("Name in English"), validators=[_required(_l("Enter the English name.")), _max(200)])
    name_zh = StringField(_l("Name in Chinese"), default="", validators=[Optional(), _max(200)])
    title_en = StringField(_l("Position in English"), default="", validators=[Optional(), _max(200)])
    title_zh = StringField(_l("Position in Chinese"), default="", validators=[Optional(), _max(200)])
    organization_en = StringField(_l("Organization in English"), default="", validators=[Optional(), _max(200)])
    organization_zh = StringField(_l("Organization in Chinese"), default="", validators=[Optional(), _max(200)])
    bio_en = TextAreaField(_l("Biography in English"), default="", validators=[Optional(), _max(5000)])
    bio_zh = TextAreaField(_l("Biography in Chinese"), default="", validators=[Optional(), _max(5000)])


class IdSelectMultipleField(SelectMultipleField):
    """Ids chosen from a list; an id not on the list is an error beside the field, never a 500."""

    def __init__(self, label=None, validators=None, unknown_message=None, **kwargs):
        # The data holds integer ids; WTForms compares coerce(choice value) with it to pre-select the saved ones.
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)
        self.unknown_message = unknown_message or _l("Choose from the list; one choice is unknown.")

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        unknown = [value for value in (self.data or []) if value not in known]
        if unknown:
            raise ValidationError(str(self.unknown_message))

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(str(self.unknown_message)) from None


class SessionForm(EventForm):
    # A session's title is in the subject of the mail that tells its holders of a change.
    title_en = StringField(_l("Title in English"), filters=[one_line], validators=[
        _required(_l("Enter the English title.")), _max(300)])
    title_zh = StringField(_l("Title in Chinese"), filters=[one_line], validators=[
        _required(_l("Enter the Chinese title.")), _max(300)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), _max(5000)])
    description_zh = TextAreaField(_l("Description in Chinese"), validators=[Optional(), _max(5000)])
    starts_at = DateTimeLocalField(_l("Starts (event time)"), format=TIME_FORMAT, validators=[
        _required(_l("Enter when the session starts.")), near_event])
    ends_at = DateTimeLocalField(_l("Ends (event time)"), format=TIME_FORMAT, validators=[
        _required(_l("Enter when the session ends.")), near_event])
    kind = SelectField(_l("Kind"), default="panel")
    room = SelectField(lazy_pgettext("meeting room", "Room"), coerce=int, default=0)
    track = SelectField(_l("Track"), coerce=int, default=0)
    speakers = IdSelectMultipleField(_l("Speakers"), validators=[Optional()], unknown_message=_l(
        "Choose speakers from the list; one of them is unknown."))
    visibility = SelectField(_l("Who may see it"), default="public")
    categories = IdSelectMultipleField(_l("Guest categories (for category-only sessions)"), validators=[Optional()],
                                       unknown_message=_l("Choose categories from the list; one of them is unknown."))
    invitees = TextAreaField(_l("Invited guests (one e-mail address per line)"),
                             validators=[Optional(), _max(20000)])
    capacity = IntegerField(_l("Places (leave empty when no sign-up is needed)"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("Enter a number of places from 1 to 100000."))])
    status = SelectField(_l("Status"), default="scheduled")
    confirm_overlap = BooleanField(_l("Save even though the room or a speaker is booked twice"))

    def __init__(self, *args, rooms=(), tracks=(), speakers=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, str(KIND_LABELS[k])) for k in KINDS]
        self.visibility.choices = [SelectChoice(v, str(VISIBILITY_LABELS[v])) for v in VISIBILITIES]
        self.status.choices = [SelectChoice(s, str(STATUS_LABELS[s])) for s in SESSION_STATUSES]
        self.room.choices = [SelectChoice(0, str(_l("No room")))] + [SelectChoice(r.id, r.name) for r in rooms]
        self.track.choices = [SelectChoice(0, str(_l("No track")))] + [SelectChoice(t.id, t.name) for t in tracks]
        self.speakers.choices = [SelectChoice(s.id, s.name) for s in speakers]
        self.categories.choices = [SelectChoice(c.id, c.name) for c in categories]

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_visibility(self, field):
        if field.data == "categories" and not self.categories.data:
            raise ValidationError(_l("Choose at least one category, or make the session visible to everyone."))

    def invitee_emails(self) -> list[str]:
        return sorted({line.strip().lower() for line in (self.invitees.data or "").split() if line.strip()})


class AnnouncementForm(EventForm):
    level = SelectField(_l("Level"), default="info")
    text_en = TextAreaField(_l("Text in English"), validators=[_required(_l("Enter the English text.")), _max(2000)])
    text_zh = TextAreaField(_l("Text in Chinese"), validators=[_required(_l("Enter the Chinese text.")), _max(2000)])
    starts_at = DateTimeLocalField(_l("Shown from (event time; empty: now)"), format=TIME_FORMAT,
                                   validators=[Optional(), near_event])
    ends_at = DateTimeLocalField(_l("Shown until (event time; empty: until ended)"), format=TIME_FORMAT,
                                 validators=[Optional(), near_event])
    email_guests = BooleanField(_l("Also e-mail every confirmed guest now (emergencies only)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [SelectChoice(level, str(LEVEL_LABELS[level])) for level in LEVELS]

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_email_guests(self, field):
        if field.data and self.level.data != "emergency":
            raise ValidationError(_l("Only an emergency is e-mailed to every guest."))


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


def localise(value: datetime | None, zone) -> datetime | None:
    """A time typed in the event's zone, as an aware instant."""
    return value.replace(tzinfo=zone) if value is not None else None
