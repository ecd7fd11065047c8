"""The lodging coordinators' board: requests, inventory, rooming list, hotels and blocks.

/staff/e/<slug>/lodging                              lodging_requests         lodging (queue; ?state=)
/staff/e/<slug>/lodging/requests.<csv|xlsx>          export_lodging_requests  lodging
/staff/e/<slug>/lodging/requests/<id>/decide         decide_lodging           lodging (POST: confirm, waitlist, decline)
/staff/e/<slug>/lodging/inventory[.<csv|xlsx>]       inventory, export_inventory  lodging
/staff/e/<slug>/lodging/blocks/<id>/inventory        set_inventory            lodging (POST)
/staff/e/<slug>/lodging/rooming[.<csv|xlsx>]         rooming_list, export_rooming_list  lodging (?hotel=)
/staff/e/<slug>/lodging/hotels                       hotels                   lodging (list, add a hotel)
/staff/e/<slug>/lodging/hotels/<id>                  edit_hotel               lodging
/staff/e/<slug>/lodging/blocks/new, /blocks/<id>     new_block, edit_block    lodging
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import access, audit, exports
from portal.extensions import db
from portal.i18n import gettext as _, pgettext
from portal.lodging import messages as lodging_messages, services as lodging
from portal.lodging.forms import PAYER_LABELS, STATE_LABELS as LODGING_STATES, ActionForm, BlockForm, DecisionForm, HotelForm
from portal.models import Event, Hotel, RoomBlock
from portal.models.lodging import STATES as LODGING_STATE_NAMES
from portal.rendering import INVALID, render
from portal.rules import RuleRefused, refusal_on
from portal.web import query_int
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

LODGING = PERMISSIONS["lodging"]
# Any word reaches the view, which answers 404 for a format it does not make (after the access check).
FORMATS = "<fmt>"


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def _hotel_filter() -> int | None:
    return query_int("hotel")


# -- the queue -------------------------------------------------------------------------

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


# What makes a lodging export sensitive: who needs an accessible room, and notes where needs are written.
SENSITIVE_COLUMNS = "accessibility, notes"


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
    """The lodging queue as CSV or Excel (accessible rooms and notes: audited like the needs exports)."""
    audit.record_read(event, current_user, "sensitive.export", subject="lodging requests",
                      detail=f"{fmt}, {SENSITIVE_COLUMNS}")
    return exports.download(fmt, f"{event.slug}-lodging-requests", _request_columns(event),
                            lodging.requests_of(event, _state_filter()), title=_("Lodging requests"))


# -- inventory and rooming list ----------------------------------------------------------

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
        exports.Column(pgettext("hotel rooms", "Rooms"), lambda row: row[1].total),
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
    """The rooming list as CSV or Excel, for one hotel or all (audited: it flags accessible rooms)."""
    audit.record_read(event, current_user, "sensitive.export", subject="rooming list",
                      detail=f"{fmt}, {SENSITIVE_COLUMNS}")
    return exports.download(fmt, f"{event.slug}-rooming-list", _request_columns(event),
                            lodging.rooming_list(event, _hotel_filter()), title=_("Rooming list"))


# -- hotels and blocks -------------------------------------------------------------------

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
