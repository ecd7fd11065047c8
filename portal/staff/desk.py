"""Staff acting on a guest's behalf.

/staff/e/<slug>/guests/new                walk_in          organizer, helpdesk (register; check in and badge)
/staff/e/<slug>/guests/<id>/badge         badge            organizer, helpdesk (GET shows it; POST logs a print)
/staff/e/<slug>/guests/<id>/lodging       lodging_for      organizer, lodging coordinator (enter, change or move a request)
/staff/e/<slug>/guests/<id>/transport/<direction>  transport_for  organizer, transport coordinator (arrival or departure)
/staff/e/<slug>/guests/<id>/needs         needs_for        organizer, and coordinators who may read every part of the needs
"""

import secrets

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import access, audit
from portal.checkin import services as checkin
from portal.extensions import db
from portal.guests import tickets
from portal.guests.services import RegistrationError
from portal.i18n import current_language, gettext as _
from portal.lodging import services as lodging
from portal.lodging.messages import message as lodging_message
from portal.transport import places as transport_places, services as transport
from portal.transport.messages import message as transport_message
from portal.models import Event, Registration
from portal.rendering import INVALID, render
from portal.rules import RuleRefused, refusal_on
from portal.staff import bp, on_behalf
from portal.needs import services as needs
from portal.needs.forms import NeedsForm
from portal.staff.desk_forms import SOURCE_HINT, BehalfForm, PrintForm, StaffLegForm, StaffStayForm, WalkInForm
from portal.staff.forms import STATE_LABELS
from portal.staff.routes import PERMISSIONS, can

REGISTER_ROLES = PERMISSIONS["register_for"]
DESK_ROLES = PERMISSIONS["check_in"]
LODGING_ROLES = PERMISSIONS["lodging"]
TRANSPORT_ROLES = PERMISSIONS["transport"]


def _registration(event: Event, registration_id: int) -> Registration:
    return access.in_event(Registration, registration_id, event)


def _for_staff(message, registration: Registration):
    """A refusal as staff acting for the guest read it: "your registration" names the guest instead."""
    def staff_message(error: RuleRefused) -> str:
        if error.code == "not-active":
            return _("The registration of %(name)s is not active: nothing was saved.", name=registration.name_latin)
        return message(error)
    return staff_message


@bp.route("/e/<slug>/guests/new", methods=["GET", "POST"])
@access.staff(*REGISTER_ROLES)
def walk_in(event: Event):
    """Register a guest for them: at the desk, check them in and print the badge in the same step."""
    form = WalkInForm(categories=event.categories)
    if request.method == "GET":
        form.language.data = current_language()
        form.source.data = _("At the registration desk")
    if form.validate_on_submit():
        category = next(c for c in event.categories if c.id == form.category.data)
        try:
            registration, arrived = on_behalf.walk_in(
                event, form.email.data, form.profile(), category, form.source.data.strip(), current_user,
                check_in=form.check_in.data, may_approve=can(event, "decide"))
        except RegistrationError:
            db.session.rollback()
            form.email.errors.append(_("This address is already registered for the event; find the guest in "
                                       "the list."))
        else:
            if arrived:
                flash(_("%(name)s is registered and checked in. Print the badge now.",
                        name=registration.name_latin), "success")
                return redirect(url_for("staff.badge", slug=event.slug, registration_id=registration.id), 303)
            flash(_("%(name)s is registered: %(state)s.", name=registration.name_latin,
                    state=STATE_LABELS[registration.state]), "success")
            if form.check_in.data:
                # The desk asked for a check-in and a badge: say plainly that neither happened.
                flash(_("Not checked in: only a confirmed guest can be checked in."), "error")
            return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)
    return render("staff/desk/walk_in.html", event=event, form=form, source_hint=SOURCE_HINT,
                  status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/guests/<int:registration_id>/badge", methods=["GET", "POST"])
@access.staff(*DESK_ROLES)
def badge(event: Event, registration_id: int):
    """A checked-in guest's badge; each press of Print is logged once, the earliest a print, any other a reprint."""
    registration = _registration(event, registration_id)
    arrival = checkin.check_in_of(registration.id)
    if request.method == "POST":
        form = PrintForm()
        if arrival is not None and form.validate_on_submit():
            printed = checkin.record_badge_print(arrival.event_id, arrival.registration_id, staff=current_user,
                                                 nonce=form.nonce.data or None)
            flash(_("Reprint logged. Print the page now.") if printed.reprint else
                  _("Print logged. Print the page now."), "success")
        return redirect(url_for("staff.badge", slug=event.slug, registration_id=registration.id), 303)
    log = checkin.badge_prints_of([registration.id])[registration.id]
    return render("staff/desk/badge.html", event=event, registration=registration, arrival=arrival,
                  prints=len(log), log=log, form=PrintForm(formdata=None, nonce=secrets.token_urlsafe(16)),
                  qr=tickets.qr_svg(registration.ticket_code, label=registration.name_latin))


def _stay_form(event: Event, registration: Registration, formdata=None) -> StaffStayForm:
    blocks = lodging.blocks_of(event)
    if formdata is not None:
        return StaffStayForm(formdata, blocks=blocks, event=event)
    form = StaffStayForm(formdata=None, blocks=blocks, event=event)
    form.fill_from(lodging.request_of(registration))
    return form


@bp.route("/e/<slug>/guests/<int:registration_id>/lodging", methods=["GET", "POST"])
@access.staff(*LODGING_ROLES)
def lodging_for(event: Event, registration_id: int):
    """Enter a guest's lodging request for them, or move it to another block or other dates."""
    registration = _registration(event, registration_id)
    current = lodging.request_of(registration)
    form = _stay_form(event, registration, request.form if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            on_behalf.save_lodging(event, registration, form.stay(), form.source.data.strip(), current_user)
        except RuleRefused as error:
            problem = refusal_on(form, error, _for_staff(lodging_message, registration))
        else:
            flash(_("The lodging request of %(name)s is saved.", name=registration.name_latin), "success")
            return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)
    return render("staff/desk/lodging.html", event=event, registration=registration, form=form,
                  current=current if current is not None and current.is_active else None, problem=problem,
                  source_hint=SOURCE_HINT, status=INVALID if form.errors or problem else 200)


@bp.route("/e/<slug>/guests/<int:registration_id>/transport/<any(arrival, departure):direction>",
          methods=["GET", "POST"])
@access.staff(*TRANSPORT_ROLES)
def transport_for(event: Event, registration_id: int, direction: str):
    """Enter or change a guest's arrival or departure for them."""
    registration = _registration(event, registration_id)
    # The coordinator's own list, as the guest's form offers it; "other" takes free text.
    stations = transport_places.stations_of(event)
    if request.method == "POST":
        form = StaffLegForm(request.form, event=event, stations=stations)
    else:
        form = StaffLegForm(formdata=None, event=event, stations=stations)
        form.fill_from(transport.legs_of(registration)[direction], event)
    problem = ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            on_behalf.save_leg(event, registration, direction, form.journey(), form.source.data.strip(), current_user)
        except RuleRefused as error:
            problem = refusal_on(form, error, _for_staff(transport_message, registration))
        else:
            flash(_("The travel details of %(name)s are saved.", name=registration.name_latin), "success")
            return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)
    return render("staff/desk/transport.html", event=event, registration=registration, form=form,
                  direction=direction, problem=problem, source_hint=SOURCE_HINT,
                  status=INVALID if form.errors or problem else 200)


NEEDS_ROLES = ("organizer", "lodging", "transport", "catering")

NEEDS_ERRORS = {
    "changes-closed": lambda: _("Changes are closed for this event."),
}


@bp.route("/e/<slug>/guests/<int:registration_id>/needs", methods=["GET", "POST"])
@access.staff(*NEEDS_ROLES)
def needs_for(event: Event, registration_id: int):
    """Enter a guest's diet, allergies, accessibility and medical needs for them, with their consent."""
    registration = _registration(event, registration_id)
    # The form shows and replaces every part, medical notes too: only someone who may read them all.
    if needs.reader_scope(current_user, event) != {needs.DIET, needs.ACCESSIBILITY, needs.MEDICAL}:
        abort(403)
    stored = needs.needs_of(registration)
    if request.method == "GET" and stored.anything:
        audit.record_read(event, current_user, "sensitive.view", subject=f"guest {registration.id}", detail="needs form")
    form = NeedsForm.for_needs(stored.as_input() if stored.has_consent else None)
    behalf = BehalfForm(prefix="behalf")
    message = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        if behalf.validate() and valid:
            try:
                on_behalf.save_needs(event, registration, form.needs(), behalf.source.data.strip(), current_user)
            except needs.NeedsError as error:
                db.session.rollback()
                message = NEEDS_ERRORS.get(str(error), lambda: _("That change is not allowed."))()
            else:
                flash(_("The needs of %(name)s are saved.", name=registration.name_latin), "success")
                return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)
    return render("staff/desk/needs.html", event=event, registration=registration, form=form, behalf=behalf,
                  message=message, source_hint=SOURCE_HINT, has_consent=stored.has_consent,
                  status=INVALID if form.errors or behalf.errors or message else 200)
