"""The lodging and transport coordinators' boards, under /staff/e/<slug>/.

/staff/e/<slug>/lodging                              lodging_requests         lodging (queue; ?state=)
/staff/e/<slug>/lodging/requests.<csv|xlsx>          export_lodging_requests  lodging
/staff/e/<slug>/lodging/requests/<id>/decide         decide_lodging           lodging (POST: confirm, waitlist, decline)
/staff/e/<slug>/lodging/inventory[.<csv|xlsx>]       inventory, export_inventory  lodging
/staff/e/<slug>/lodging/blocks/<id>/inventory        set_inventory            lodging (POST)
/staff/e/<slug>/lodging/rooming[.<csv|xlsx>]         rooming_list, export_rooming_list  lodging (?hotel=)
/staff/e/<slug>/lodging/hotels                       hotels                   lodging (list, add a hotel)
/staff/e/<slug>/lodging/hotels/<id>                  edit_hotel               lodging
/staff/e/<slug>/lodging/blocks/new, /blocks/<id>     new_block, edit_block    lodging
/staff/e/<slug>/transport                            transport_board          transport (?direction=&window=)
/staff/e/<slug>/transport/legs.<csv|xlsx>            export_transport         transport
/staff/e/<slug>/transport/assign                     assign_vehicle           transport (POST)
/staff/e/<slug>/transport/legs/<id>/unassign         unassign_leg             transport (POST)
/staff/e/<slug>/transport/legs/<id>/complete         complete_leg             transport (POST)
/staff/e/<slug>/transport/vehicles                   vehicles                 transport (list, add a vehicle)
/staff/e/<slug>/transport/vehicles/<id>              edit_vehicle             transport
/staff/e/<slug>/transport/vehicles/<id>/manifest[.<csv|xlsx>]  manifest, export_manifest  transport
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import access, exports
from portal.extensions import db
from portal.i18n import gettext as _
from portal.lodging import messages as lodging_messages, services as lodging
from portal.lodging.forms import PAYER_LABELS, STATE_LABELS as LODGING_STATES, ActionForm, BlockForm, DecisionForm, HotelForm
from portal.models import Event, Hotel, RoomBlock, Vehicle
from portal.models.lodging import STATES as LODGING_STATE_NAMES
from portal.models.transport import DIRECTIONS
from portal.rendering import INVALID, render
from portal.rules import RuleRefused, refusal_on
from portal.web import query_int
from portal.staff import bp
from portal.staff.routes import PERMISSIONS
from portal.transport import messages as transport_messages, services as transport
from portal.transport.forms import (
    DIRECTION_LABELS, MODE_LABELS, STATE_LABELS as TRANSPORT_STATES, AssignForm, VehicleForm,
)

LODGING = PERMISSIONS["lodging"]
TRANSPORT = PERMISSIONS["transport"]
# Any word reaches the view, which answers 404 for a format it does not make (after the access check).
FORMATS = "<fmt>"


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def _hotel_filter() -> int | None:
    return query_int("hotel")


# -- Lodging: the queue -------------------------------------------------------------------------

def _state_filter() -> str:
    state = request.args.get("state", "")
    return state if state in LODGING_STATE_NAMES else ""


def _queue(event: Event, failed_id: int | None = None, failed_form=None, status: int = 200):
    requests = lodging.requests_of(event, _state_filter())
    forms = {r.id: DecisionForm(formdata=None, prefix=f"r{r.id}", obj=r) for r in requests}
    if failed_id in forms:
        forms[failed_id] = failed_form
    return render("staff/lodging/requests.html", event=event, requests=requests, forms=forms,
                  state=_state_filter(), counts=lodging.state_counts(event), state_labels=LODGING_STATES,
                  status=status)


@bp.get("/e/<slug>/lodging")
@access.staff(*LODGING)
def lodging_requests(event: Event):
    """The lodging queue: every request, its roommate, and the buttons to answer it."""
    return _queue(event)


@bp.post("/e/<slug>/lodging/requests/<int:request_id>/decide")
@access.staff(*LODGING)
def decide_lodging(event: Event, request_id: int):
    """Confirm (with the hotel's numbers), waitlist or decline a request; the guest is mailed."""
    form = DecisionForm(prefix=f"r{request_id}")
    action = request.form.get("action", "")
    if form.validate_on_submit() and action in ("confirm", "waitlist", "decline"):
        if action == "confirm" and not (form.confirmation_number.data or "").strip():
            form.confirmation_number.errors = [_("Enter the hotel's confirmation number.")]
            return _queue(event, request_id, form, INVALID)
        try:
            if action == "confirm":
                lodging.confirm(event, request_id, current_user, form.confirmation_number.data or "",
                                form.room_number.data or "", form.note.data or "")
            elif action == "waitlist":
                lodging.waitlist(event, request_id, current_user, form.note.data or "")
            else:
                lodging.decline(event, request_id, current_user, form.note.data or "")
        except RuleRefused as error:
            if error.code == "no-request":
                abort(404)
            refusal_on(form, error, lodging_messages.message, fallback="confirmation_number")
            return _queue(event, request_id, form, INVALID)
        flash(_("Saved, and the guest is told by e-mail."), "success")
        return redirect(url_for("staff.lodging_requests", slug=event.slug, state=_state_filter() or None,
                                _anchor=f"request-{request_id}"), 303)
    if form.errors:
        return _queue(event, request_id, form, INVALID)
    return redirect(url_for("staff.lodging_requests", slug=event.slug), 303)


def _request_columns(event: Event) -> list[exports.Column]:
    return [
        exports.Column(_("Guest"), lambda r: r.registration.name_original),
        exports.Column(_("Name in Latin letters"), lambda r: r.registration.name_latin),
        exports.Column(_("E-mail"), lambda r: r.registration.email),
        exports.Column(_("Phone"), lambda r: r.registration.phone),
        exports.Column(_("Hotel"), lambda r: r.block.hotel.name),
        exports.Column(_("Room type"), lambda r: r.block.room_type),
        exports.Column(_("Check-in date"), lambda r: r.check_in),
        exports.Column(_("Check-out date"), lambda r: r.check_out),
        exports.Column(_("Nights"), lambda r: len(r.nights)),
        exports.Column(_("Guests in the room"), lambda r: r.occupancy),
        exports.Column(_("Sharing with"), lambda r: r.roommate.name_original if r.roommate else r.roommate_email),
        exports.Column(_("Roommate agreed"), lambda r: _yes(bool(r.roommate_confirmed_at)) if r.roommate_email else ""),
        exports.Column(_("Accessible room"), lambda r: _yes(r.accessible)),
        exports.Column(_("Smoking"), lambda r: _yes(r.smoking)),
        exports.Column(_("Status"), lambda r: str(LODGING_STATES[r.state])),
        exports.Column(_("Hotel confirmation number"), lambda r: r.confirmation_number),
        exports.Column(_("Room number"), lambda r: r.room_number),
        exports.Column(_("Who pays"), lambda r: str(PAYER_LABELS[r.block.payer])),
        exports.Column(_("Nightly rate"), lambda r: r.block.nightly_rate),
        exports.Column(_("Currency"), lambda r: r.block.currency),
        exports.Column(_("Notes"), lambda r: r.notes),
    ]


@bp.get(f"/e/<slug>/lodging/requests.{FORMATS}")
@access.staff(*LODGING)
def export_lodging_requests(event: Event, fmt: str):
    """The lodging queue as CSV or Excel."""
    return exports.download(fmt, f"{event.slug}-lodging-requests", _request_columns(event),
                            lodging.requests_of(event, _state_filter()), title=_("Lodging requests"))


# -- Lodging: inventory and rooming list ----------------------------------------------------------

@bp.get("/e/<slug>/lodging/inventory")
@access.staff(*LODGING)
def inventory(event: Event):
    """Rooms per block per night: held, taken and free, with the totals to edit."""
    return render("staff/lodging/inventory.html", event=event, blocks=lodging.blocks_of(event),
                  form=ActionForm(), refused={})


def _inventory_rows(event: Event):
    return [(block, night) for block in lodging.blocks_of(event) for night in block.nights]


@bp.get(f"/e/<slug>/lodging/inventory.{FORMATS}")
@access.staff(*LODGING)
def export_inventory(event: Event, fmt: str):
    """The inventory per block per night as CSV or Excel."""
    columns = [
        exports.Column(_("Hotel"), lambda row: row[0].hotel.name),
        exports.Column(_("Room type"), lambda row: row[0].room_type),
        exports.Column(_("Night"), lambda row: row[1].night),
        exports.Column(_("Rooms"), lambda row: row[1].total),
        exports.Column(_("Taken"), lambda row: row[1].taken),
        exports.Column(_("Free"), lambda row: row[1].free),
    ]
    return exports.download(fmt, f"{event.slug}-room-inventory", columns, _inventory_rows(event),
                            title=_("Rooms per night"))


@bp.post("/e/<slug>/lodging/blocks/<int:block_id>/inventory")
@access.staff(*LODGING)
def set_inventory(event: Event, block_id: int):
    """Set the rooms a block holds on each of its nights."""
    block = access.in_event(RoomBlock, block_id, event)
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("staff.inventory", slug=event.slug), 303)
    totals, bad = {}, []
    for night in block.nights:
        raw = request.form.get(f"night-{night.night.isoformat()}", "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 10000:
            bad.append(night.night)
            continue
        totals[night.night] = int(raw)
    refused = bad or lodging.set_inventory(event, block.id, totals, current_user)
    if refused:
        db.session.rollback()
        return render("staff/lodging/inventory.html", event=event, blocks=lodging.blocks_of(event), form=form,
                      refused={block.id: set(refused)}, typed=request.form, status=INVALID)
    flash(_("The rooms per night are saved."), "success")
    return redirect(url_for("staff.inventory", slug=event.slug, _anchor=f"block-{block.id}"), 303)


def _hotels(event: Event) -> list[Hotel]:
    return lodging.hotels_of(event)


@bp.get("/e/<slug>/lodging/rooming")
@access.staff(*LODGING)
def rooming_list(event: Event):
    """Confirmed stays hotel by hotel: the list a hotel's front desk works from."""
    hotel_id = _hotel_filter()
    return render("staff/lodging/rooming.html", event=event, hotels=_hotels(event), hotel_id=hotel_id,
                  stays=lodging.rooming_list(event, hotel_id))


@bp.get(f"/e/<slug>/lodging/rooming.{FORMATS}")
@access.staff(*LODGING)
def export_rooming_list(event: Event, fmt: str):
    """The rooming list as CSV or Excel, for one hotel or all."""
    return exports.download(fmt, f"{event.slug}-rooming-list", _request_columns(event),
                            lodging.rooming_list(event, _hotel_filter()), title=_("Rooming list"))


# -- Lodging: hotels and blocks -------------------------------------------------------------------

def _hotel_page(event: Event, hotel: Hotel | None):
    form = HotelForm(obj=hotel)
    if form.validate_on_submit():
        lodging.save_hotel(event, hotel, form.values(), current_user)
        flash(_("The hotel is saved."), "success")
        return redirect(url_for("staff.hotels", slug=event.slug), 303)
    return render("staff/lodging/hotels.html", event=event, hotels=_hotels(event), form=form, hotel=hotel,
                  payer_labels=PAYER_LABELS, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/lodging/hotels", methods=["GET", "POST"])
@access.staff(*LODGING)
def hotels(event: Event):
    """The event's hotels and their room blocks, and a form to add a hotel."""
    return _hotel_page(event, None)


@bp.route("/e/<slug>/lodging/hotels/<int:hotel_id>", methods=["GET", "POST"])
@access.staff(*LODGING)
def edit_hotel(event: Event, hotel_id: int):
    """Change a hotel's name, address or contact."""
    return _hotel_page(event, access.in_event(Hotel, hotel_id, event))


def _block_page(event: Event, block: RoomBlock | None):
    form = BlockForm(obj=block, hotels=_hotels(event), event=event)
    if block is not None and not form.is_submitted():
        form.hotel.data = block.hotel_id
        form.rooms.data = None
    if form.validate_on_submit():
        try:
            saved = lodging.save_block(event, block, form.values(), form.rooms.data, current_user)
        except RuleRefused as error:
            refusal_on(form, error, lodging_messages.message, fallback="hotel")
        else:
            flash(_("The room block is saved."), "success")
            return redirect(url_for("staff.inventory", slug=event.slug, _anchor=f"block-{saved.id}"), 303)
    return render("staff/lodging/block_form.html", event=event, form=form, block=block,
                  status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/lodging/blocks/new", methods=["GET", "POST"])
@access.staff(*LODGING)
def new_block(event: Event):
    """Add a room block: a room type at a hotel, its rate, its window and rooms per night."""
    return _block_page(event, None)


@bp.route("/e/<slug>/lodging/blocks/<int:block_id>", methods=["GET", "POST"])
@access.staff(*LODGING)
def edit_block(event: Event, block_id: int):
    """Change a room block; nights leaving its window must be free."""
    return _block_page(event, access.in_event(RoomBlock, block_id, event))


# -- Transport: boards, assignment, vehicles, manifests ------------------------------------------

def _direction() -> str:
    direction = request.args.get("direction", "arrival")
    return direction if direction in DIRECTIONS else "arrival"


def _board(event: Event, form: AssignForm | None = None, status: int = 200, problem: str = ""):
    direction, window = _direction(), transport.window_from(request.args.get("window"))
    vehicles = transport.vehicles_of(event)
    return render("staff/transport/board.html", event=event, direction=direction, window=window,
                  days=transport.board(event, direction, window), vehicles=vehicles,
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
    from flask_babel import ngettext

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


def _leg_columns(event: Event) -> list[exports.Column]:
    def at(leg):
        return transport.local(event, leg.scheduled_at)

    return [
        exports.Column(_("Direction"), lambda leg: str(DIRECTION_LABELS[leg.direction])),
        exports.Column(_("Date and time"), at),
        exports.Column(_("Airport or station"), lambda leg: leg.station),
        exports.Column(_("Terminal"), lambda leg: leg.terminal),
        exports.Column(_("Travelling by"), lambda leg: str(MODE_LABELS[leg.mode])),
        exports.Column(_("Flight or train"), lambda leg: leg.service),
        exports.Column(_("Guest"), lambda leg: leg.registration.name_original),
        exports.Column(_("Name in Latin letters"), lambda leg: leg.registration.name_latin),
        exports.Column(_("Phone"), lambda leg: leg.registration.phone),
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
    return exports.download(fmt, f"{event.slug}-{direction}s", _leg_columns(event), legs, title=title)


def _vehicle_page(event: Event, vehicle: Vehicle | None):
    form = VehicleForm(obj=vehicle, event=event)
    if vehicle is not None and not form.is_submitted():
        form.departs_at.data = transport.local(event, vehicle.departs_at)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() for name in (
            "label", "plate", "driver_name", "driver_phone", "meeting_point")}
        values["capacity"] = form.capacity.data
        values["departs_at"] = transport.to_utc(event, form.departs_at.data) if form.departs_at.data else None
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
                  action_form=ActionForm())


@bp.get(f"/e/<slug>/transport/vehicles/<int:vehicle_id>/manifest.{FORMATS}")
@access.staff(*TRANSPORT)
def export_manifest(event: Event, vehicle_id: int, fmt: str):
    """A vehicle's manifest as CSV or Excel."""
    vehicle, legs = _manifest(event, vehicle_id)
    return exports.download(fmt, f"{event.slug}-manifest-{vehicle.id}", _leg_columns(event), legs,
                            title=vehicle.label)

