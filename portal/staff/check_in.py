"""Staff routes for check-in: the desk where staff check guests in by hand, and the live arrivals board.

/staff/e/<slug>/check-in                     check_in_desk                       organizer, helpdesk
/staff/e/<slug>/check-in/<id>                check_in_guest (POST)               organizer, helpdesk
/staff/e/<slug>/check-in/<id>/undo           undo_check_in (POST)                organizer, helpdesk
/staff/e/<slug>/check-in/board               check_in_board                      any role

Letting a waiting guest in at the desk (admit_at_door) is a registration change and lives in lifecycle.py.
"""

from flask import Response, flash, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import access
from portal.checkin import board, services
from portal.checkin.forms import ButtonForm, UndoCheckInForm
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import CheckIn, Event, Registration
from portal.rendering import INVALID, render, wants_fragment
from portal.staff import bp
from portal.staff import services as staff_services
from portal.staff.routes import PERMISSIONS

DESK_ROLES = PERMISSIONS["check_in"]


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
    prints = services.badge_prints_of(g.id for g in guests)
    return render("staff/check_in/desk.html", event=event, search=search, guests=guests, arrivals=arrivals,
                  prints=prints,
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
    body, status = render("staff/check_in/board.html", fragment="staff/check_in/_board.html",
                          event=event, board=board.board(event))
    response = make_response(body, status)
    response.set_etag(etag)
    return response
