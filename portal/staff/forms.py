"""Forms of the staff console."""

import re
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal import look
from portal.forms import EventForm, near_event, one_line, sane_date
from portal.guests.forms import ProfileForm
from portal.i18n import lazy_gettext as _l
from portal.models import Event
from portal.models.registration import STATES

# The browser's datetime-local value first, so a stored time is shown back in a form it accepts.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")

STATUS_LABELS = {
    "draft": _l("Draft (visible to staff only)"),
    "published": _l("Published"),
    "closed": _l("Closed"),
    "archived": _l("Archived"),
}

STATE_LABELS = {
    "pending": _l("Awaiting approval"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
    "declined": _l("Declined"),
}


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _valid_timezone(form, field):
    try:
        ZoneInfo(field.data.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        raise ValidationError(_l("Enter a time zone such as Asia/Shanghai or Europe/Paris."))


class EventSettingsForm(EventForm):
    """Everything an organizer sets for an event, except its slug, which is fixed once guests hold links."""

    # The event's name is in the subject of most mails.
    name_en = StringField(_l("Name in English"), filters=[one_line], validators=[
        DataRequired(_l("Enter the English name.")), _max(200)])
    name_zh = StringField(_l("Name in Chinese"), filters=[one_line], validators=[
        DataRequired(_l("Enter the Chinese name.")), _max(200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Enter the first day.")), sane_date])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day.")), sane_date])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai", validators=[
        InputRequired(_l("Enter the event's time zone.")), _max(64), _valid_timezone])
    venue_en = StringField(_l("Venue in English"), validators=[Optional(), _max(300)])
    venue_zh = StringField(_l("Venue in Chinese"), validators=[Optional(), _max(300)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), _max(5000)])
    description_zh = TextAreaField(_l("Description in Chinese"), validators=[Optional(), _max(5000)])
    capacity = IntegerField(_l("Capacity"), validators=[
        Optional(), NumberRange(min=1, max=1_000_000, message=_l("Enter a whole number of places, or leave empty."))])
    approval_required = BooleanField(_l("Staff approve each registration"))
    public_registration = BooleanField(_l("Open to public registration (without an invitation)"))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL_FORMATS,
                                               validators=[Optional(), near_event])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format=LOCAL_FORMATS,
                                                validators=[Optional(), near_event])
    changes_close_at = DateTimeLocalField(_l("Guests may edit or cancel until"), format=LOCAL_FORMATS,
                                          validators=[Optional(), near_event])
    reply_by = DateField(_l("Invitations ask for an answer by"), validators=[Optional(), near_event])
    freed_rooms = SelectField(_l("When hotel nights free up"), default="offer")
    status = SelectField(_l("Status"))
    privacy_notice_en = TextAreaField(_l("Privacy notice in English"), validators=[
        DataRequired(_l("Guests consent to this notice; enter it.")), _max(20000)])
    privacy_notice_zh = TextAreaField(_l("Privacy notice in Chinese"), validators=[
        DataRequired(_l("Guests consent to this notice; enter it.")), _max(20000)])

    # Local times in these fields are read in the event's time zone and stored in UTC.
    LOCAL_TIMES = ("registration_opens_at", "registration_closes_at", "changes_close_at")

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        self.status.choices = [SelectChoice(s, str(STATUS_LABELS[s])) for s in Event.STATUSES]
        self.freed_rooms.choices = [
            SelectChoice("offer", str(_l("Offer them to the waiting requests; the coordinators confirm"))),
            SelectChoice("confirm", str(_l("Confirm the waiting requests that fit at once")))]
        if event is not None and not self.is_submitted():
            for name in self.LOCAL_TIMES:
                value = getattr(event, name)
                self[name].data = value.astimezone(event.zone).replace(tzinfo=None) if value else None

    def event_days(self):
        """The days as typed, once both are good dates: registration opens and closes around them."""
        first, last = self.starts_on.data, self.ends_on.data
        if first is None or last is None or self.starts_on.errors or self.ends_on.errors:
            return None
        return first, last

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_reply_by(self, field):
        if field.data and self.ends_on.data and field.data > self.ends_on.data:
            raise ValidationError(_l("Ask for an answer by the last day of the event at the latest."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))

    def values(self) -> dict:
        """The form's data as Event attributes, with local times turned into UTC."""
        zone = ZoneInfo(self.timezone.data.strip())
        values = {
            name: field.data for name, field in self._fields.items()
            if name not in {"csrf_token", *self.LOCAL_TIMES}
        }
        for key, value in values.items():
            if isinstance(value, str):
                values[key] = value.strip()
        for name in self.LOCAL_TIMES:
            local = self[name].data
            if local is not None and local.tzinfo is None:
                local = local.replace(tzinfo=zone)
            # An aware value is the stored one, kept when a request left the field out.
            values[name] = local.astimezone(UTC) if local else None
        return values


class NewEventForm(EventSettingsForm):
    slug = StringField(_l("Short name for addresses"), validators=[
        InputRequired(_l("Enter a short name.")), _max(60),
        Regexp(SLUG, message=_l("Use lower-case letters, digits and hyphens, such as summit-2026."))])


class GuestSearchForm(FlaskForm):
    """The guest list's search and filters; a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), _max(100)])
    state = SelectField(_l("State"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [SelectChoice("", str(_l("Any state")))] + [
            SelectChoice(s, str(STATE_LABELS[s])) for s in STATES]
        self.category.choices = [SelectChoice("", str(_l("Any category")))] + [
            SelectChoice(c.code, c.name) for c in categories]

    def filters(self) -> tuple[str, str, str]:
        """The search, state and category to apply, once validated: a filter that fails validation (a
        hand-edited URL) is ignored rather than refused, and a search too long is cut."""
        search = self.q.data if not self.q.errors else (self.q.data or "")[:100]
        state = self.state.data if not self.state.errors else ""
        category = self.category.data if not self.category.errors else ""
        return search or "", state or "", category or ""


class GuestEditForm(ProfileForm):
    """A guest's profile and category, as staff correct them."""

    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(c.id, c.name) for c in categories]
        # The guest-facing labels say "your"; staff edit someone else's details.
        self.name_original.label.text = _l("Full name, in the original script")
        self.name_latin.label.text = _l("Full name in Latin letters")
        self.language.label.text = _l("Preferred language")


class ReasonForm(FlaskForm):
    """A staff decision with an optional reason.

    CSRFProtect checks every POST; the templates put the token in, so these
    small forms need no token field of their own (and can share a page with prefixes).
    """

    class Meta:
        csrf = False

    reason = TextAreaField(_l("Note (optional, kept in the history)"), validators=[Optional(), _max(500)])


class RequiredReasonForm(ReasonForm):
    reason = TextAreaField(_l("Reason (the guest sees it)"), validators=[
        DataRequired(_l("Give a reason.")), _max(500)])


class CancelByStaffForm(ReasonForm):
    reason = TextAreaField(_l("Reason (kept in the history)"), validators=[
        DataRequired(_l("Give a reason for cancelling.")), _max(500)])


class ReinstateForm(ReasonForm):
    reason = TextAreaField(_l("Reason for reinstating (kept in the history)"), validators=[
        DataRequired(_l("Give a reason for reinstating.")), _max(500)])


class AdmitForm(ReasonForm):
    reason = TextAreaField(_l("Reason for letting this guest in (kept in the history and the report)"), validators=[
        DataRequired(_l("Give a reason for letting this guest in.")), _max(500)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))


class ActionForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


CATEGORY_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class CategoryForm(FlaskForm):
    """A kind of guest: its code (used in CSV imports), names, badge colour and who may choose it."""

    code = StringField(_l("Code (used in CSV imports)"), validators=[
        DataRequired(_l("Enter a code.")), _max(40),
        Regexp(CATEGORY_CODE, message=_l("Use lower-case letters, digits, hyphens and underscores, such as sponsor."))])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the English name.")), _max(100)])
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(_l("Enter the Chinese name.")), _max(100)])
    colour = StringField(_l("Badge colour"), default="#444444", validators=[
        DataRequired(_l("Choose a colour.")),
        Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Enter a colour such as #1d4e89."))])
    position = IntegerField(_l("Order"), default=0, validators=[
        InputRequired(_l("Enter a number from 0 to 1000.")),
        NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000."))])
    open_to_public = BooleanField(_l("Guests registering without an invitation may choose it"))
    reserved_places = IntegerField(_l("Places reserved for this category"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1_000_000, message=_l("Enter a number of places, 0 for none."))])


def _accent_colour(form, field):
    """A #rrggbb colour that white text on it, and it as text on white, read at AA contrast."""
    value = (field.data or "").strip()
    if not value:
        return
    if not look.COLOUR.match(value):
        raise ValidationError(_l("Enter a colour as # and six hexadecimal digits, such as #1d3f6e."))
    ratio = look.contrast_with_white(value)
    if ratio < look.AA_CONTRAST:
        raise ValidationError(_l(
            "White text on this colour has a contrast of only %(ratio)s:1; guests need at least 4.5:1. "
            "Choose a darker colour.", ratio=f"{ratio:.1f}"))


class LookForm(FlaskForm):
    """An event's look and the practical information its home page gives guests."""

    accent_colour = StringField(_l("Accent colour"), filters=[one_line], validators=[Optional(), _accent_colour])
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the logo"))
    cover = FileField(_l("Cover image"))
    remove_cover = BooleanField(_l("Remove the cover image"))
    map = FileField(_l("Map of the venue"))
    remove_map = BooleanField(_l("Remove the map"))
    getting_there_en = TextAreaField(_l("Getting there, in English"), validators=[Optional(), _max(5000)])
    getting_there_zh = TextAreaField(_l("Getting there, in Chinese"), validators=[Optional(), _max(5000)])
    wifi = StringField(_l("Wi-Fi"), filters=[one_line], validators=[Optional(), _max(200)])
    dress_code_en = StringField(_l("Dress code in English"), filters=[one_line], validators=[Optional(), _max(300)])
    dress_code_zh = StringField(_l("Dress code in Chinese"), filters=[one_line], validators=[Optional(), _max(300)])
    contacts_en = TextAreaField(_l("Contacts in English"), validators=[Optional(), _max(5000)])
    contacts_zh = TextAreaField(_l("Contacts in Chinese"), validators=[Optional(), _max(5000)])

    IMAGES = ("logo", "cover", "map")
    TEXTS = ("accent_colour", "getting_there_en", "getting_there_zh", "wifi", "dress_code_en", "dress_code_zh",
             "contacts_en", "contacts_zh")

    def texts(self) -> dict[str, str]:
        values = {name: (self[name].data or "").strip() for name in self.TEXTS}
        values["accent_colour"] = values["accent_colour"].lower()
        return values
