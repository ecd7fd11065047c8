"""Forms for lodging: the guest's request, and the coordinators' hotels, blocks and decisions."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, EmailField, IntegerField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal import dates
from portal.forms import EventForm, near_event
from portal.i18n import lazy_gettext as _l
from portal.lodging.services import Stay, rate_text
from portal.models.lodging import PAYERS

NOTES_MAX = 1000

STATE_LABELS = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
PAYER_LABELS = {"organizer": _l("The organizer pays"), "guest": _l("The guest pays")}


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class IdSelectField(SelectField):
    """An id chosen from a list; an id not on it (a stale page, a hand-made post) is a message, never a 500."""

    def __init__(self, label=None, validators=None, unknown_message=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)
        self.unknown_message = unknown_message or _l("Choose from the list.")

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = int(valuelist[0]) if len(valuelist[0]) < 12 else None
            except ValueError:
                self.data = None

    def pre_validate(self, form):
        if self.data is None or self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(str(self.unknown_message))


class StayForm(EventForm):
    """A guest's request for a room."""

    block = IdSelectField(_l("Hotel and room type"), unknown_message=_l(
        "Choose a hotel and room type from the list; that one is not offered."))
    check_in = DateField(_l("Check-in date"), validators=[InputRequired(_l("Enter your check-in date.")), near_event])
    check_out = DateField(_l("Check-out date"), validators=[InputRequired(_l("Enter your check-out date.")), near_event])
    occupancy = SelectField(_l("Guests in the room"), coerce=int, default=1)
    roommate_email = EmailField(_l("Sharing with (the other guest's e-mail address)"), validators=[
        Optional(), _max(254), Email(_l("Enter an e-mail address such as name@example.org."))])
    accessible = BooleanField(_l("I need an accessible room"))
    smoking = BooleanField(_l("A smoking room"))
    notes = TextAreaField(_l("Notes for the hotel"), validators=[Optional(), _max(NOTES_MAX)])

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.block.choices = [SelectChoice(b.id, _block_label(b)) for b in blocks]
        self.occupancy.choices = [SelectChoice(1, str(_l("Just me"))), SelectChoice(2, str(_l("Two guests sharing")))]

    def validate_occupancy(self, field):
        if field.data not in (1, 2):
            raise ValidationError(_l("Choose one or two guests."))

    def fill_from(self, current) -> None:
        """Show the request as filed, if it still stands."""
        if current is None or not current.is_active:
            return
        self.block.data, self.check_in.data, self.check_out.data = current.block_id, current.check_in, current.check_out
        self.occupancy.data, self.roommate_email.data = current.occupancy, current.roommate_email
        self.accessible.data, self.smoking.data, self.notes.data = current.accessible, current.smoking, current.notes

    def stay(self) -> Stay:
        """The stay as the form asks for it."""
        return Stay(
            block_id=self.block.data, check_in=self.check_in.data, check_out=self.check_out.data,
            occupancy=self.occupancy.data, roommate_email=self.roommate_email.data or "",
            accessible=self.accessible.data, smoking=self.smoking.data, notes=self.notes.data or "")


def _block_label(block) -> str:
    return str(_l("%(hotel)s · %(room)s · %(rate)s a night (%(payer)s) · %(start)s to %(end)s",
                  hotel=block.hotel.name, room=block.room_type, rate=rate_text(block),
                  payer=PAYER_LABELS[block.payer], start=dates.day(block.arrival_from, "short"),
                  end=dates.day(block.departure_until, "short")))


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class DecisionForm(FlaskForm):
    """The coordinator's answer to one request."""

    confirmation_number = StringField(_l("Hotel confirmation number"), validators=[Optional(), _max(60)])
    room_number = StringField(_l("Room number"), validators=[Optional(), _max(20)])
    note = StringField(_l("Note to the guest"), validators=[Optional(), _max(500)])


class HotelForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[InputRequired(_l("Enter the English name.")), _max(200)])
    name_zh = StringField(_l("Name in Chinese"), validators=[InputRequired(_l("Enter the Chinese name.")), _max(200)])
    address_en = StringField(_l("Address in English"), validators=[Optional(), _max(300)])
    address_zh = StringField(_l("Address in Chinese"), validators=[Optional(), _max(300)])
    contact_name = StringField(_l("Contact at the hotel"), validators=[Optional(), _max(200)])
    contact_phone = StringField(_l("Contact's phone"), validators=[Optional(), _max(40)])
    contact_email = EmailField(_l("Contact's e-mail"), validators=[
        Optional(), _max(254), Email(_l("Enter an e-mail address such as name@example.org."))])

    def values(self) -> dict:
        return {name: (getattr(self, name).data or "").strip() for name in (
            "name_en", "name_zh", "address_en", "address_zh", "contact_name", "contact_phone", "contact_email")}


class BlockForm(EventForm):
    hotel = IdSelectField(_l("Hotel"), unknown_message=_l("Choose a hotel from the list."))
    room_type_en = StringField(_l("Room type in English"), validators=[
        InputRequired(_l("Enter the room type in English.")), _max(200)])
    room_type_zh = StringField(_l("Room type in Chinese"), validators=[
        InputRequired(_l("Enter the room type in Chinese.")), _max(200)])
    nightly_rate = DecimalField(_l("Nightly rate"), places=2, validators=[
        InputRequired(_l("Enter the nightly rate.")),
        NumberRange(min=0, max=10_000_000, message=_l("Enter a rate from 0 to 10,000,000."))])
    currency = StringField(_l("Currency (three letters)"), default="CNY", validators=[
        InputRequired(_l("Enter a currency such as CNY.")),
        Regexp(r"^[A-Za-z]{3}$", message=_l("Enter a three-letter currency code such as CNY."))])
    payer = SelectField(_l("Who pays"), default="organizer")
    arrival_from = DateField(_l("First check-in date"), validators=[
        InputRequired(_l("Enter the first check-in date.")), near_event])
    departure_until = DateField(_l("Last check-out date"), validators=[
        InputRequired(_l("Enter the last check-out date.")), near_event])
    rooms = IntegerField(_l("Rooms each night (for nights added now)"), default=0, validators=[
        Optional(), NumberRange(min=0, max=10000, message=_l("Enter a number of rooms from 0 to 10000."))])

    def __init__(self, *args, hotels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hotel.choices = [SelectChoice(h.id, h.name) for h in hotels]
        self.payer.choices = [SelectChoice(p, str(PAYER_LABELS[p])) for p in PAYERS]

    def values(self) -> dict:
        return {
            "hotel_id": self.hotel.data, "room_type_en": self.room_type_en.data.strip(),
            "room_type_zh": self.room_type_zh.data.strip(), "nightly_rate": self.nightly_rate.data,
            "currency": self.currency.data.strip().upper(), "payer": self.payer.data,
            "arrival_from": self.arrival_from.data, "departure_until": self.departure_until.data,
        }
