"""The transport coordinators' board: legs, vehicles, manifests, stations and buffers.

/staff/e/<slug>/transport                            transport_board          transport (?direction=&window=)
/staff/e/<slug>/transport/legs.<csv|xlsx>            export_transport         transport
/staff/e/<slug>/transport/assign                     assign_vehicle           transport (POST)
/staff/e/<slug>/transport/legs/<id>/unassign         unassign_leg             transport (POST)
/staff/e/<slug>/transport/legs/<id>/complete         complete_leg             transport (POST)
/staff/e/<slug>/transport/vehicles                   vehicles                 transport (list, add a vehicle)
/staff/e/<slug>/transport/vehicles/<id>              edit_vehicle             transport
/staff/e/<slug>/transport/vehicles/<id>/manifest[.<csv|xlsx>]  manifest, export_manifest  transport
/staff/e/<slug>/transport/stations                   stations                 transport (list, add a station)
/staff/e/<slug>/transport/stations/<id>              edit_station             transport
/staff/e/<slug>/transport/stations/<id>/delete       delete_station           transport (POST)
/staff/e/<slug>/transport/buffers                    save_buffers             transport (POST)
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from portal import access, audit, exports
from portal.extensions import db
from portal.i18n import gettext as _
from portal.lodging.forms import ActionForm
from portal.models import Event, Station, Vehicle
from portal.models.transport import DIRECTIONS
from portal.rendering import INVALID, render
from portal.rules import RuleRefused, refusal_on
from portal.staff import bp
from portal.staff.routes import PERMISSIONS
from portal.transport import messages as transport_messages, places as transport_places, services as transport
from portal.transport.forms import (
    DIRECTION_LABELS, MODE_LABELS, STATE_LABELS as TRANSPORT_STATES, STATION_KIND_LABELS, AssignForm, BufferForm,
    StationForm, VehicleForm,
)

TRANSPORT = PERMISSIONS["transport"]
# Any word reaches the view, which answers 404 for a format it does not make (after the access check).
FORMATS = "<fmt>"


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def _direction() -> str:
    direction = request.args.get("direction", "arrival")
    return direction if direction in DIRECTIONS else "arrival"


def _board(event: Event, form: AssignForm | None = None, status: int = 200, problem: str = ""):
    direction, window = _direction(), transport.window_from(request.args.get("window"))
    vehicles = transport.vehicles_of(event)
    days = transport.board(event, direction, window)
    legs = [leg for _day, groups in days for *_group, group in groups for leg in group]
    return render("staff/transport/board.html", event=event, direction=direction, window=window,
                  days=days, vehicles=vehicles, places=transport_places.places(event, legs),
                  stranded=transport.stranded(event),
                  seats={v.id: transport.seats_taken(v) for v in vehicles},
                  form=form or AssignForm(formdata=None, vehicles=vehicles), action_form=ActionForm(),
                  problem=problem, status=status)


@bp.get("/e/<slug>/transport")
@access.staff(*TRANSPORT)
def transport_board(event: Event):
    """Arrivals or departures by day, time window and station, to seat guests together."""
    return _board(event)


@bp.post("/e/<slug>/transport/assign")
@access.staff(*TRANSPORT)
def assign_vehicle(event: Event):
    """Seat the ticked guests in one vehicle, in one action; each guest is mailed."""
    form = AssignForm(vehicles=transport.vehicles_of(event))
    if form.validate_on_submit():
        try:
            legs = transport.assign(event, form.legs.data, form.vehicle.data, current_user)
        except RuleRefused as error:
            refusal_on(form, error, transport_messages.message, fallback="legs")
        else:
            flash(ngettext_seated(len(legs)), "success")
            return redirect(url_for("staff.transport_board", slug=event.slug, direction=_direction(),
                                    window=request.args.get("window")), 303)
    return _board(event, form, INVALID)


def ngettext_seated(count: int) -> str:
    return ngettext("%(num)d guest is seated and told by e-mail.", "%(num)d guests are seated and told by e-mail.",
                    count)


def _leg_action(event: Event, leg_id: int, change, done: str):
    if ActionForm().validate_on_submit():
        try:
            change(event, leg_id, current_user)
        except RuleRefused as error:
            db.session.rollback()
            if error.code == "unknown-leg":
                abort(404)
            flash(transport_messages.message(error), "error")
        else:
            flash(done, "success")
    back = request.form.get("back", "")
    if not back.startswith("/staff/") or back.startswith("//"):
        back = url_for("staff.transport_board", slug=event.slug)
    return redirect(back, 303)


@bp.post("/e/<slug>/transport/legs/<int:leg_id>/unassign")
@access.staff(*TRANSPORT)
def unassign_leg(event: Event, leg_id: int):
    """Take a guest out of their vehicle; they are told the pickup is being arranged again."""
    return _leg_action(event, leg_id, transport.unassign, _("The guest is out of the vehicle and told so."))


@bp.post("/e/<slug>/transport/legs/<int:leg_id>/complete")
@access.staff(*TRANSPORT)
def complete_leg(event: Event, leg_id: int):
    """Mark a journey done."""
    return _leg_action(event, leg_id, transport.complete, _("Marked as done."))


def _leg_columns(event: Event, legs) -> list[exports.Column]:
    def at(leg):
        return transport.local(event, leg.scheduled_at)

    places = transport_places.places(event, legs)
    return [
        exports.Column(_("Direction"), lambda leg: str(DIRECTION_LABELS[leg.direction])),
        exports.Column(_("Date and time"), at),
        exports.Column(_("Airport or station"), lambda leg: leg.place),
        exports.Column(_("Terminal"), lambda leg: leg.terminal),
        exports.Column(_("Travelling by"), lambda leg: str(MODE_LABELS[leg.mode])),
        exports.Column(_("Flight or train"), lambda leg: leg.service),
        exports.Column(_("Guest"), lambda leg: leg.registration.name_original),
        exports.Column(_("Name in Latin letters"), lambda leg: leg.registration.name_latin),
        exports.Column(_("Phone"), lambda leg: leg.registration.phone),
        exports.Column(_("Pick-up"), lambda leg: places[leg.id][0]),
        exports.Column(_("Drop-off"), lambda leg: places[leg.id][1]),
        exports.Column(_("Passengers"), lambda leg: leg.passengers),
        exports.Column(_("Luggage"), lambda leg: leg.luggage),
        exports.Column(_("Pickup wanted"), lambda leg: _yes(leg.pickup_wanted)),
        exports.Column(_("Status"), lambda leg: str(TRANSPORT_STATES[leg.state])),
        exports.Column(_("Vehicle"), lambda leg: leg.vehicle.label if leg.vehicle else ""),
        exports.Column(_("Driver"), lambda leg: leg.vehicle.driver_name if leg.vehicle else ""),
        exports.Column(_("Notes"), lambda leg: leg.notes),
    ]


@bp.get(f"/e/<slug>/transport/legs.{FORMATS}")
@access.staff(*TRANSPORT)
def export_transport(event: Event, fmt: str):
    """The arrivals or departures board as CSV or Excel."""
    direction = _direction()
    window = transport.window_from(request.args.get("window"))
    legs = [leg for _day, groups in transport.board(event, direction, window) for _start, _end, _station, group in groups
            for leg in group]
    title = _("Arrivals") if direction == "arrival" else _("Departures")
    # Guests write their needs into a journey's notes (a wheelchair, a cool box): audited like the needs exports.
    audit.record_read(event, current_user, "sensitive.export", subject=f"transport {direction}s",
                      detail=f"{fmt}, notes")
    return exports.download(fmt, f"{event.slug}-{direction}s", _leg_columns(event, legs), legs, title=title)


def _vehicle_page(event: Event, vehicle: Vehicle | None):
    form = VehicleForm(obj=vehicle, event=event)
    if vehicle is not None and not form.is_submitted():
        form.departs_at.data = transport.local(event, vehicle.departs_at)
        form.arrives_at.data = transport.local(event, vehicle.arrives_at)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() for name in (
            "label", "plate", "driver_name", "driver_phone", "meeting_point_en", "meeting_point_zh")}
        values["capacity"] = form.capacity.data
        values["rate"], values["currency"] = form.rate.data, (form.currency.data or "").strip().upper() or "CNY"
        for name in ("departs_at", "arrives_at"):
            typed = getattr(form, name).data
            values[name] = transport.to_utc(event, typed) if typed else None
        try:
            transport.save_vehicle(event, vehicle, values, current_user)
        except RuleRefused as error:
            refusal_on(form, error, transport_messages.message, fallback="capacity")
        else:
            flash(_("The vehicle is saved."), "success")
            return redirect(url_for("staff.vehicles", slug=event.slug), 303)
    vehicles = transport.vehicles_of(event)
    return render("staff/transport/vehicles.html", event=event, vehicles=vehicles, form=form, vehicle=vehicle,
                  seats={v.id: transport.seats_taken(v) for v in vehicles}, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/transport/vehicles", methods=["GET", "POST"])
@access.staff(*TRANSPORT)
def vehicles(event: Event):
    """The event's vehicles with their seats taken, and a form to add one."""
    return _vehicle_page(event, None)


@bp.route("/e/<slug>/transport/vehicles/<int:vehicle_id>", methods=["GET", "POST"])
@access.staff(*TRANSPORT)
def edit_vehicle(event: Event, vehicle_id: int):
    """Change a vehicle; guests seated in it are told what changed."""
    return _vehicle_page(event, access.in_event(Vehicle, vehicle_id, event))


def _manifest(event: Event, vehicle_id: int):
    access.in_event(Vehicle, vehicle_id, event)
    return transport.manifest(event, vehicle_id)


@bp.get("/e/<slug>/transport/vehicles/<int:vehicle_id>/manifest")
@access.staff(*TRANSPORT)
def manifest(event: Event, vehicle_id: int):
    """Who rides in a vehicle: the driver's list."""
    vehicle, legs = _manifest(event, vehicle_id)
    return render("staff/transport/manifest.html", event=event, vehicle=vehicle, legs=legs,
                  places=transport_places.places(event, legs), action_form=ActionForm())


@bp.get(f"/e/<slug>/transport/vehicles/<int:vehicle_id>/manifest.{FORMATS}")
@access.staff(*TRANSPORT)
def export_manifest(event: Event, vehicle_id: int, fmt: str):
    """A vehicle's manifest as CSV or Excel."""
    vehicle, legs = _manifest(event, vehicle_id)
    audit.record_read(event, current_user, "sensitive.export", subject=f"manifest vehicle:{vehicle.id}",
                      detail=f"{fmt}, notes")
    return exports.download(fmt, f"{event.slug}-manifest-{vehicle.id}", _leg_columns(event, legs), legs,
                            title=vehicle.label)



def _station_page(event: Event, station: Station | None, buffer_form: BufferForm | None = None):
    form = StationForm(obj=station)
    if form.validate_on_submit():
        try:
            transport_places.save_station(event, station, form.name_en.data or "", form.name_zh.data or "",
                                   form.code.data or "", form.kind.data, current_user)
        except RuleRefused as error:
            refusal_on(form, error, transport_messages.message)
        else:
            flash(_("The airport or station is saved."), "success")
            return redirect(url_for("staff.stations", slug=event.slug), 303)
    return _stations(event, form, buffer_form or BufferForm(formdata=None, obj=event), station)


def _stations(event: Event, form: StationForm, buffer_form: BufferForm, station: Station | None = None):
    failed = bool(form.errors or buffer_form.errors)
    return render("staff/transport/stations.html", event=event, stations=transport_places.stations_of(event), form=form,
                  buffer_form=buffer_form, station=station, kind_labels=STATION_KIND_LABELS, action_form=ActionForm(),
                  status=INVALID if failed else 200)


@bp.route("/e/<slug>/transport/stations", methods=["GET", "POST"])
@access.staff(*TRANSPORT)
def stations(event: Event):
    """The airports and stations guests choose from, the buffers, and a form to add a station."""
    return _station_page(event, None)


@bp.route("/e/<slug>/transport/stations/<int:station_id>", methods=["GET", "POST"])
@access.staff(*TRANSPORT)
def edit_station(event: Event, station_id: int):
    """Change a listed airport or station; journeys keep pointing at it."""
    return _station_page(event, access.in_event(Station, station_id, event))


@bp.post("/e/<slug>/transport/stations/<int:station_id>/delete")
@access.staff(*TRANSPORT)
def delete_station(event: Event, station_id: int):
    """Take an airport or station off the list; journeys keep its name."""
    station = access.in_event(Station, station_id, event)
    if ActionForm().validate_on_submit():
        transport_places.remove_station(event, station, current_user)
        flash(_("The airport or station is taken off the list."), "success")
    return redirect(url_for("staff.stations", slug=event.slug), 303)


@bp.post("/e/<slug>/transport/buffers")
@access.staff(*TRANSPORT)
def save_buffers(event: Event):
    """Set how long after landing a pickup leaves, and how long before departure a drop-off arrives."""
    form = BufferForm()
    if form.validate_on_submit():
        try:
            transport.save_buffers(event, form.pickup_buffer_minutes.data, form.dropoff_buffer_minutes.data,
                                   current_user)
        except RuleRefused as error:
            refusal_on(form, error, transport_messages.message)
        else:
            flash(_("The buffers are saved."), "success")
            return redirect(url_for("staff.stations", slug=event.slug), 303)
    return _stations(event, StationForm(formdata=None), form)
