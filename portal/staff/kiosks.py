"""Staff routes for kiosks and the check-in desk.

/staff/e/<slug>/kiosks                       kiosks (GET), create_kiosk (POST)   organizer
/staff/e/<slug>/kiosks/<id>/pairing          kiosk_pairing (GET), renew (POST)   organizer
/staff/e/<slug>/kiosks/<id>/revoke           revoke_kiosk (POST)                 organizer
/staff/e/<slug>/kiosks/<id>/offline          kiosk_offline (POST)                organizer
/staff/e/<slug>/check-in                     check_in_desk                       organizer, helpdesk
/staff/e/<slug>/check-in/<id>                check_in_guest (POST)               organizer, helpdesk
/staff/e/<slug>/check-in/<id>/undo           undo_check_in (POST)                organizer, helpdesk
/staff/e/<slug>/check-in/board               check_in_board                      any role
"""

import time

from flask import Response, flash, make_response, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import access
from portal.checkin import board, devices, offline, services
from portal.checkin.forms import ButtonForm, KioskForm, UndoCheckInForm
from portal.extensions import db
from portal.guests import tickets
from portal.i18n import gettext as _
from portal.models import CheckIn, Event, KioskDevice, Registration
from portal.rendering import INVALID, render, wants_fragment
from portal.staff import bp
from portal.staff import services as staff_services
from portal.staff.routes import PERMISSIONS

KIOSK_ROLES = PERMISSIONS["kiosks"]
DESK_ROLES = PERMISSIONS["check_in"]
# The staff member who made a pairing code sees it until it lapses; nobody else ever does.
PAIRING_KEY = "kiosk_pairing"


def _device(event: Event, device_id: int) -> KioskDevice:
    return access.in_event(KioskDevice, device_id, event)


def _remember_code(device: KioskDevice, code: str) -> None:
    session[PAIRING_KEY] = {"device": device.id, "code": code,
                            "until": int(time.time()) + devices.PAIRING_MINUTES * 60}


def _remembered_code(device: KioskDevice) -> str | None:
    stash = session.get(PAIRING_KEY)
    if not isinstance(stash, dict) or stash.get("device") != device.id or device.status != "waiting":
        return None
    if time.time() > stash.get("until", 0):
        session.pop(PAIRING_KEY, None)
        return None
    return stash.get("code")


# -- Kiosks --------------------------------------------------------------------------------------

@bp.get("/e/<slug>/kiosks")
@access.staff(*KIOSK_ROLES)
def kiosks(event: Event):
    """The event's kiosks, their last contact, and a form to add one."""
    return _kiosks_page(event, KioskForm(formdata=None))


def _kiosks_page(event: Event, form: KioskForm, status: int = 200):
    return render("staff/kiosks/index.html", event=event, form=form, kiosks=devices.devices_of(event),
                  button=ButtonForm(), status=status)


@bp.post("/e/<slug>/kiosks")
@access.staff(*KIOSK_ROLES)
def create_kiosk(event: Event):
    """Create a kiosk and show its one-time pairing code."""
    form = KioskForm()
    if not form.validate_on_submit():
        return _kiosks_page(event, form, status=INVALID)
    device, code = devices.create_device(event, form.name.data, form.location.data or "", current_user)
    _remember_code(device, code)
    return redirect(url_for("staff.kiosk_pairing", slug=event.slug, device_id=device.id), 303)


@bp.route("/e/<slug>/kiosks/<int:device_id>/pairing", methods=["GET", "POST"])
@access.staff(*KIOSK_ROLES)
def kiosk_pairing(event: Event, device_id: int):
    """Show a kiosk's pairing code as text and QR; POST issues a fresh code."""
    device = _device(event, device_id)
    if request.method == "POST":
        if ButtonForm().validate_on_submit():
            code = devices.renew_pairing_code(device, current_user)
            if code is None:
                flash(_("This kiosk is already paired or revoked; it needs no code."), "error")
            else:
                _remember_code(device, code)
        return redirect(url_for("staff.kiosk_pairing", slug=event.slug, device_id=device.id), 303)
    code = _remembered_code(device)
    shown = devices.format_pairing_code(code) if code else None
    return render("staff/kiosks/pairing.html", event=event, device=device, code=shown, button=ButtonForm(),
                  qr=tickets.qr_svg(code, label=_("Pairing code %(code)s", code=shown)) if code else None)


@bp.post("/e/<slug>/kiosks/<int:device_id>/revoke")
@access.staff(*KIOSK_ROLES)
def revoke_kiosk(event: Event, device_id: int):
    """Revoke a kiosk: its next request is refused."""
    device = _device(event, device_id)
    if ButtonForm().validate_on_submit():
        devices.revoke(device, current_user)
        flash(_("Kiosk “%(name)s” is revoked.", name=device.name), "success")
    return redirect(url_for("staff.kiosks", slug=event.slug), 303)


@bp.post("/e/<slug>/kiosks/<int:device_id>/offline")
@access.staff(*KIOSK_ROLES)
def kiosk_offline(event: Event, device_id: int):
    """Let a kiosk check guests in when it cannot reach the server, or stop it (it then forgets its list)."""
    device = _device(event, device_id)
    allowed = request.form.get("allow") == "1"
    if ButtonForm().validate_on_submit() and offline.allow(device, allowed, current_user):
        if allowed:
            flash(_("Kiosk “%(name)s” may now check guests in offline.", name=device.name), "success")
        else:
            flash(_("Kiosk “%(name)s” no longer checks guests in offline; it forgets its guest list at its "
                    "next contact.", name=device.name), "success")
    return redirect(url_for("staff.kiosks", slug=event.slug), 303)


# -- The check-in desk ---------------------------------------------------------------------------

def _registration(event: Event, registration_id: int) -> Registration:
    return access.in_event(Registration, registration_id, event)


@bp.get("/e/<slug>/check-in")
@access.staff(*DESK_ROLES)
def check_in_desk(event: Event):
    """Find a guest at the desk and check them in by hand, or undo a wrong check-in."""
    return _desk_page(event)


def _desk_page(event: Event, undo_form: UndoCheckInForm | None = None, undo_for: int | None = None,
               status: int = 200):
    search = (request.values.get("q") or "").strip()[:100]
    guests, arrivals = [], {}
    if search:
        guests = db.session.scalars(staff_services.guest_query(event, search).limit(20)).all()
        arrivals = {c.registration_id: c for c in db.session.scalars(
            select(CheckIn).where(CheckIn.registration_id.in_([g.id for g in guests]))
            .options(joinedload(CheckIn.kiosk), joinedload(CheckIn.staff)))}
    return render("staff/kiosks/check_in.html", event=event, search=search, guests=guests, arrivals=arrivals,
                  button=ButtonForm(), undo_form=undo_form or UndoCheckInForm(formdata=None), undo_for=undo_for,
                  status=status)


@bp.post("/e/<slug>/check-in/<int:registration_id>")
@access.staff(*DESK_ROLES)
def check_in_guest(event: Event, registration_id: int):
    """Check a guest in by hand."""
    registration = _registration(event, registration_id)
    if ButtonForm().validate_on_submit():
        arrival = services.check_in(event, registration.id, staff=current_user)
        if arrival.outcome == services.CHECKED_IN:
            flash(_("%(name)s is checked in.", name=registration.name_latin), "success")
        elif arrival.outcome == services.ALREADY_CHECKED_IN:
            flash(_("%(name)s was already checked in.", name=registration.name_latin), "success")
        else:
            flash(_("Only a confirmed registration can check in."), "error")
    return redirect(url_for("staff.check_in_desk", slug=event.slug, q=request.form.get("q", "")), 303)


@bp.post("/e/<slug>/check-in/<int:registration_id>/undo")
@access.staff(*DESK_ROLES)
def undo_check_in(event: Event, registration_id: int):
    """Undo a wrong check-in, with a reason for the audit log."""
    registration = _registration(event, registration_id)
    form = UndoCheckInForm()
    if not form.validate_on_submit():
        return _desk_page(event, undo_form=form, undo_for=registration.id, status=INVALID)
    if services.undo_check_in(event, registration.id, current_user, form.reason.data.strip()):
        flash(_("The check-in of %(name)s is undone.", name=registration.name_latin), "success")
    return redirect(url_for("staff.check_in_desk", slug=event.slug, q=request.form.get("q", "")), 303)


# -- The live board ------------------------------------------------------------------------------

BOARD_ROLES = PERMISSIONS["arrivals"]


@bp.get("/e/<slug>/check-in/board")
@access.staff(*BOARD_ROLES)
def check_in_board(event: Event):
    """Arrivals live: htmx polls the board, which answers 304 while nothing changed."""
    etag = f"{board.fingerprint(event)}-{get_locale()}-{int(wants_fragment())}"
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    body, status = render("staff/kiosks/board.html", fragment="staff/kiosks/_board.html",
                          event=event, board=board.board(event))
    response = make_response(body, status)
    response.set_etag(etag)
    return response
