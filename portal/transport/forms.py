"""Forms for transport: the guest's arrival and departure, and the coordinators' vehicles and assignments."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, DecimalField, IntegerField, SelectChoice, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.forms import EventForm, near_event
from portal.i18n import lazy_gettext as _l
from portal.lodging.forms import IdSelectField
from portal.models.transport import MODES, STATION_KINDS
from portal.transport.services import Journey, local

NOTES_MAX = 1000
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

STATE_LABELS = {
    "requested": _l("Requested"),
    "scheduled": _l("Scheduled"),
    "completed": _l("Done"),
    "cancelled": _l("Cancelled"),
}
MODE_LABELS = {"flight": _l("Flight"), "train": _l("Train"), "car": _l("Car")}
DIRECTION_LABELS = {"arrival": _l("Arrival"), "departure": _l("Departure")}
STATION_KIND_LABELS = {"airport": _l("Airport"), "station": _l("Railway station")}
OTHER_STATION = "other"


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class LegForm(EventForm):
    """One journey to or from the event; used twice on a page, with the direction as prefix."""

    mode = SelectField(_l("Travelling by"), default="flight")
    carrier = StringField(_l("Airline or railway"), validators=[Optional(), _max(60)])
    number = StringField(_l("Flight or train number"), validators=[Optional(), _max(20)])
    local_time = DateTimeLocalField(_l("Date and time (event's local time)"), format=LOCAL_FORMATS, validators=[
        InputRequired(_l("Enter the date and time.")), near_event])
    # The event's list; "other" (or no list at all) takes the guest's own words in `station`.
    station_choice = SelectField(_l("Airport or station"), validate_choice=False)
    station = StringField(_l("Airport or station"), validators=[Optional(), _max(120)])
    terminal = StringField(_l("Terminal"), validators=[Optional(), _max(40)])
    passengers = IntegerField(_l("Passengers"), default=1, validators=[
        InputRequired(_l("Enter the number of passengers.")),
        NumberRange(min=1, max=20, message=_l("Enter from 1 to 20 passengers."))])
    luggage = IntegerField(_l("Pieces of luggage"), default=1, validators=[
        Optional(), NumberRange(min=0, max=40, message=_l("Enter from 0 to 40 pieces."))])
    pickup_wanted = BooleanField(_l("Please pick me up / take me there"), default=True)
    notes = TextAreaField(_l("Notes for the driver"), validators=[Optional(), _max(NOTES_MAX)])

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [SelectChoice(m, str(MODE_LABELS[m])) for m in MODES]
        self.stations = list(stations) if stations is not None else []
        self.station_choice.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(str(s.id), s.label) for s in self.stations] + [
            SelectChoice(OTHER_STATION, str(_l("Other (write it below)")))]
        if self.stations:
            self.station.label.text = str(_l("Other airport or station"))

    def validate_station_choice(self, field):
        if not self.stations:
            return
        if field.data != OTHER_STATION and field.data not in {str(s.id) for s in self.stations}:
            raise ValidationError(str(_l("Choose an airport or station from the list, or “Other”.")))

    def validate_station(self, field):
        if (not self.stations or self.station_choice.data == OTHER_STATION) and not (field.data or "").strip():
            raise ValidationError(str(_l("Enter the airport or station.")))

    @property
    def chosen_station_id(self) -> int | None:
        """The listed station chosen, or None for the guest's own words."""
        value = self.station_choice.data or ""
        return int(value) if self.stations and value.isdigit() else None

    def fill_from(self, leg, event) -> None:
        """Show `leg` as filed, if it still stands: its time on the event's clock, its station from the list."""
        if leg is None or not leg.is_active:
            return
        self.process(formdata=None, obj=leg)
        self.local_time.data = local(event, leg.scheduled_at)
        if leg.station_id is not None:
            self.station_choice.data, self.station.data = str(leg.station_id), ""
        elif self.stations:
            self.station_choice.data = OTHER_STATION

    def journey(self) -> Journey:
        """The journey as the form tells it."""
        return Journey(
            mode=self.mode.data, carrier=self.carrier.data or "", number=self.number.data or "",
            local_time=self.local_time.data, terminal=self.terminal.data or "",
            station="" if self.chosen_station_id else self.station.data or "", station_id=self.chosen_station_id,
            passengers=self.passengers.data, luggage=self.luggage.data or 0,
            pickup_wanted=self.pickup_wanted.data, notes=self.notes.data or "")


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class IdListField(SelectMultipleField):
    """Ids ticked on a board; anything that is not an id is a message beside the field."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist if len(v) < 12]
        except ValueError:
            self.data = []
            raise ValueError(str(_l("Tick guests on the board."))) from None

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(str(_l("Tick at least one guest to seat.")))


class AssignForm(FlaskForm):
    legs = IdListField(_l("Guests"), choices=[])
    vehicle = IdSelectField(_l("Vehicle"), unknown_message=_l("Choose a vehicle from the list."))

    def __init__(self, *args, vehicles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.vehicle.choices = [SelectChoice(v.id, v.label) for v in vehicles]


class VehicleForm(EventForm):
    label = StringField(_l("Name (e.g. Van 3)"), validators=[InputRequired(_l("Enter a name for the vehicle.")),
                                                              _max(100)])
    plate = StringField(_l("Number plate"), validators=[Optional(), _max(20)])
    driver_name = StringField(_l("Driver's name"), validators=[Optional(), _max(200)])
    driver_phone = StringField(_l("Driver's phone"), validators=[Optional(), _max(40)])
    capacity = IntegerField(_l("Seats for guests"), default=4, validators=[
        InputRequired(_l("Enter the number of seats.")),
        NumberRange(min=1, max=100, message=_l("Enter from 1 to 100 seats."))])
    meeting_point_en = StringField(_l("Meeting point in English"), validators=[Optional(), _max(300)])
    # Left empty, Chinese readers see the English one.
    meeting_point_zh = StringField(_l("Meeting point in Chinese"), validators=[Optional(), _max(300)])
    departs_at = DateTimeLocalField(_l("Leaves at (event's local time)"), format=LOCAL_FORMATS,
                                    validators=[Optional(), near_event])
    arrives_at = DateTimeLocalField(_l("Reaches the airport or station at (drop-offs)"), format=LOCAL_FORMATS,
                                    validators=[Optional(), near_event])
    # For the organizer's cost view; empty while the hire price is not known.
    rate = DecimalField(_l("Hire rate for this run (with driver)"), places=2, validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message=_l("Enter a rate from 0 to 10,000,000."))])
    # Left empty, the rate is in CNY.
    currency = StringField(_l("Currency (three letters)"), default="CNY", validators=[
        Optional(),
        Regexp(r"^\s*[A-Za-z]{3}\s*$", message=_l("Enter a three-letter currency code such as CNY."))])


class StationForm(FlaskForm):
    """An airport or station on the event's list."""

    name_en = StringField(_l("Name in English (e.g. Shanghai Pudong International Airport)"), validators=[
        InputRequired(_l("Enter the airport or station.")), _max(120)])
    # Left empty, Chinese readers see the English name.
    name_zh = StringField(_l("Name in Chinese (e.g. 上海浦东国际机场)"), validators=[Optional(), _max(120)])
    code = StringField(_l("Code (e.g. PVG)"), validators=[Optional(), _max(10)])
    kind = SelectField(_l("Kind"), default="airport")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, str(STATION_KIND_LABELS[k])) for k in STATION_KINDS]


class BufferForm(FlaskForm):
    """The two margins that keep cars from stranding guests."""

    pickup_buffer_minutes = IntegerField(_l("Minutes after landing before a pickup may leave"), validators=[
        InputRequired(_l("Enter the number of minutes.")),
        NumberRange(min=0, max=720, message=_l("Enter from 0 to 720 minutes."))])
    dropoff_buffer_minutes = IntegerField(
        _l("Minutes before departure a drop-off must reach the airport or station"), validators=[
            InputRequired(_l("Enter the number of minutes.")),
            NumberRange(min=0, max=720, message=_l("Enter from 0 to 720 minutes."))])
