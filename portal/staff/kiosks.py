"""Staff routes for kiosks: add, pair, revoke, and allow offline check-in.

/staff/e/<slug>/kiosks                       kiosks (GET), create_kiosk (POST)   organizer
/staff/e/<slug>/kiosks/<id>/pairing          kiosk_pairing (GET), renew (POST)   organizer
/staff/e/<slug>/kiosks/<id>/revoke           revoke_kiosk (POST)                 organizer
/staff/e/<slug>/kiosks/<id>/offline          kiosk_offline (POST)                organizer
"""

import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user

from portal import access
from portal.checkin import devices, offline
from portal.checkin.forms import ButtonForm, KioskForm
from portal.guests import tickets
from portal.i18n import gettext as _
from portal.models import Event, KioskDevice
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

KIOSK_ROLES = PERMISSIONS["kiosks"]
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
