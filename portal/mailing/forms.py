"""The bulk mail form: the group, then the text in both languages."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import EventForm, near_event, one_line
from portal.i18n import lazy_gettext as _l, pick
from portal.mailing import bulk
from portal.models.registration import STATES


def _known_placeholders(form, field):
    unknown = bulk.unknown_placeholders(field.data or "")
    if unknown:
        raise ValidationError(_l("Unknown placeholder: %(found)s. Use {name}, {code} or {link}.",
                                 found=", ".join("{" + u + "}" for u in unknown)))


def _as_id(value: str) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


class BulkMailForm(EventForm):
    """Who gets the mail and what it says; the preview and the send post the same fields."""

    category = SelectField(_l("Category"), validators=[Optional()])
    state = SelectField(_l("Registration state"), validators=[Optional()])
    hotel = SelectField(_l("Hotel"), validators=[Optional()])
    arrival_day = DateField(_l("Arrival day"), validators=[Optional(), near_event])
    session = SelectField(_l("Session"), validators=[Optional()])
    subject_en = StringField(_l("Subject in English"), filters=[one_line], validators=[
        DataRequired(_l("Enter the English subject.")), Length(max=200), _known_placeholders])
    subject_zh = StringField(_l("Subject in Chinese"), filters=[one_line], validators=[
        DataRequired(_l("Enter the Chinese subject.")), Length(max=200), _known_placeholders])
    body_en = TextAreaField(_l("Message in English"), validators=[
        DataRequired(_l("Write the English message.")), Length(max=20000), _known_placeholders])
    body_zh = TextAreaField(_l("Message in Chinese"), validators=[
        DataRequired(_l("Write the Chinese message.")), Length(max=20000), _known_placeholders])
    # Set by the preview: what it showed, and to how many guests.
    previewed = HiddenField()
    confirmed = IntegerField(validators=[Optional()])

    def __init__(self, *args, event=None, categories=(), hotels=(), sessions=(), state_labels=None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        anyone = [("", _l("Any"))]
        self.category.choices = anyone + [(str(c.id), c.name) for c in categories]
        self.state.choices = anyone + [(code, (state_labels or {}).get(code, code)) for code in STATES]
        self.hotel.choices = anyone + [(str(h.id), pick(h.name_en, h.name_zh)) for h in hotels]
        self.session.choices = anyone + [(str(s.id), pick(s.title_en, s.title_zh)) for s in sessions]

    def group(self) -> bulk.Group:
        return bulk.Group(
            category_id=_as_id(self.category.data), state=self.state.data or "", hotel_id=_as_id(self.hotel.data),
            arrival_day=self.arrival_day.data, session_id=_as_id(self.session.data))

    def text(self) -> bulk.Text:
        return bulk.Text(subject_en=self.subject_en.data.strip(), subject_zh=self.subject_zh.data.strip(),
                         body_en=self.body_en.data.strip(), body_zh=self.body_zh.data.strip())


class ReminderForm(FlaskForm):
    """A survey reminder as the organizer confirmed it: for this many guests, after that many reminders."""

    expected = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    after = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
