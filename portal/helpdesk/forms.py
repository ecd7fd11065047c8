"""Forms of the help desk: the guest's (portal and kiosk), the rating, and the staff console's."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import one_line
from portal.helpdesk.tickets import MAX_MESSAGE, MAX_SUBJECT
from portal.i18n import lazy_gettext as _l
from portal.models.helpdesk import CATEGORIES, PRIORITIES, STATES

CATEGORY_LABELS = {
    "lodging": _l("Lodging"),
    "transport": _l("Transport"),
    "dietary": _l("Food and diet"),
    "medical": _l("Medical"),
    "lost_found": _l("Lost and found"),
    "technical": _l("Technical"),
    "other": _l("Something else"),
}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
TICKET_STATE_LABELS = {
    "new": _l("New"),
    "open": _l("Being handled"),
    "pending": _l("Waiting for your answer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
# Staff read the states as the desk names them.
STAFF_STATE_LABELS = {
    "new": _l("New"), "open": _l("Open"), "pending": _l("Pending (waiting on the guest)"),
    "resolved": _l("Resolved"), "closed": _l("Closed"),
}


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _message_field(label):
    return TextAreaField(label, validators=[
        InputRequired(_l("Write your message.")), _max(MAX_MESSAGE), _not_blank])


def _not_blank(form, field):
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("Write your message."))


def category_choices():
    return [SelectChoice(code, CATEGORY_LABELS[code]) for code in CATEGORIES]


class RaiseTicketForm(FlaskForm):
    """A guest asks for help from "My trip"."""

    category = SelectField(_l("What is it about?"), choices=category_choices,
                           validators=[InputRequired(_l("Choose what your request is about."))])
    # The subject is in the subject of the mails about the request: one line.
    subject = StringField(_l("Subject"), filters=[one_line], validators=[
        InputRequired(_l("Give your request a short subject.")), _max(MAX_SUBJECT), _not_blank])
    message = _message_field(_l("How can we help?"))


class GuestReplyForm(FlaskForm):
    message = _message_field(_l("Your reply"))
    urgent = BooleanField(_l("It has become urgent: it cannot wait"))


class KioskHelpForm(FlaskForm):
    """Help at a kiosk for a guest it knows: what about, and what is wrong."""

    category = SelectField(_l("What is it about?"), choices=category_choices,
                           validators=[InputRequired(_l("Choose what your request is about."))])
    message = _message_field(_l("How can we help?"))


def _phone_or_email(form, field):
    value = (field.data or "").strip()
    if "@" in value:
        Email(_l("Enter a valid e-mail address, or a phone number."))(form, field)
    elif sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError(_l("Enter a phone number or an e-mail address where we can reach you."))


class KioskWalkUpForm(KioskHelpForm):
    """Help at a kiosk for someone it does not know: a name and a way to be reached."""

    name = StringField(_l("Your name"), filters=[one_line], validators=[
        InputRequired(_l("Enter your name.")), _max(200), _not_blank])
    contact = StringField(_l("Phone or e-mail"), filters=[one_line], validators=[
        InputRequired(_l("Enter a phone number or an e-mail address where we can reach you.")), _max(254),
        _phone_or_email])


class KioskStatusForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET

    number = StringField(_l("Request number"), validators=[
        InputRequired(_l("Enter the number of your request, for example H-042.")), _max(12)])


class RatingForm(FlaskForm):
    score = RadioField(_l("How well did we help you?"), coerce=int, choices=[
        SelectChoice(5, _l("5 – excellent")), SelectChoice(4, _l("4 – good")), SelectChoice(3, _l("3 – fair")),
        SelectChoice(2, _l("2 – poor")), SelectChoice(1, _l("1 – very poor"))],
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("Anything you would like to tell us? (optional)"), validators=[
        Optional(), _max(MAX_MESSAGE)])


# -- Staff ---------------------------------------------------------------------------------------

class StaffReplyForm(FlaskForm):
    """A public reply or an internal note, with an optional canned reply and a next state."""

    message = TextAreaField(_l("Message"), validators=[Optional(), _max(MAX_MESSAGE)])
    canned = SelectField(_l("Canned reply"), coerce=int, validators=[Optional()])
    then = SelectField(_l("Then"), choices=[
        SelectChoice("", _l("Leave the state as it is")),
        SelectChoice("pending", _l("Set pending (waiting on the guest)")),
        SelectChoice("resolved", _l("Resolve"))], validators=[Optional()])

    def __init__(self, *args, canned_replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.canned.choices = [SelectChoice(0, _l("None"))] + [SelectChoice(c.id, c.title) for c in canned_replies]


class StateForm(FlaskForm):
    state = SelectField(_l("State"), choices=[SelectChoice(s, STAFF_STATE_LABELS[s]) for s in STATES])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p, PRIORITY_LABELS[p]) for p in PRIORITIES])


class CategoryForm(FlaskForm):
    """Staff put a request in another category; one that becomes medical alerts the desk."""

    category = SelectField(_l("Category"), choices=category_choices)


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assigned to"), coerce=int)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [SelectChoice(0, _l("Nobody"))] + [
            SelectChoice(u.id, u.display_name or u.email) for u in staff]


class CannedReplyForm(FlaskForm):
    title_en = StringField(_l("Title in English"), validators=[InputRequired(_l("Enter a title.")), _max(200), _not_blank])
    title_zh = StringField(_l("Title in Chinese"), validators=[Optional(), _max(200)])
    body_en = TextAreaField(_l("Text in English"), validators=[
        InputRequired(_l("Enter the text.")), _max(MAX_MESSAGE), _not_blank])
    body_zh = TextAreaField(_l("Text in Chinese"), validators=[Optional(), _max(MAX_MESSAGE)])

    def values(self) -> dict:
        return {name: (self[name].data or "").strip() for name in ("title_en", "title_zh", "body_en", "body_zh")}


class TargetsForm(FlaskForm):
    urgent = IntegerField(_l("Urgent"), validators=[InputRequired(_l("Enter minutes.")), NumberRange(1, 10080)])
    high = IntegerField(_l("High"), validators=[InputRequired(_l("Enter minutes.")), NumberRange(1, 10080)])
    normal = IntegerField(_l("Normal"), validators=[InputRequired(_l("Enter minutes.")), NumberRange(1, 10080)])
    low = IntegerField(_l("Low"), validators=[InputRequired(_l("Enter minutes.")), NumberRange(1, 10080)])

    def minutes(self) -> dict[str, int]:
        return {p: self[p].data for p in PRIORITIES}
