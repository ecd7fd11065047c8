"""Routes that let a guest back in: reinstate, admit (over the capacity), admit at the door, and
releasing a category's unused reserved places. The rules are in portal/lifecycle.py.

/staff/e/<slug>/guests/<id>/reinstate          reinstate         organizer
/staff/e/<slug>/guests/<id>/admit              admit             organizer
/staff/e/<slug>/check-in/<id>/admit            admit_at_door     organizer, helpdesk
/staff/e/<slug>/categories/<id>/release        release_reserved  organizer
"""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal import access, lifecycle
from portal.checkin import services as checkin
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Category, Event
from portal.rendering import INVALID
from portal.staff import bp
from portal.staff.forms import STATE_LABELS, ActionForm, AdmitForm, ReinstateForm
from portal.staff.routes import PERMISSIONS, error_message, _guest_page, _registration

REINSTATE = ("organizer",)
ADMIT = ("organizer",)


@bp.post("/e/<slug>/guests/<int:registration_id>/reinstate")
@access.staff(*REINSTATE)
def reinstate(event: Event, registration_id: int):
    """Undo a cancellation or a decline: confirmed if a place is free, else the waiting list."""
    return _decide(event, registration_id, ReinstateForm(prefix="reinstate"), "reinstate_form",
                   lambda registration, reason: _("The registration is reinstated: %(state)s.", state=STATE_LABELS[
                       lifecycle.reinstate(registration, current_user, reason)]))


@bp.post("/e/<slug>/guests/<int:registration_id>/admit")
@access.staff(*ADMIT)
def admit(event: Event, registration_id: int):
    """Confirm a chosen pending or waitlisted guest, beyond the capacity when it is full."""
    return _decide(event, registration_id, AdmitForm(prefix="admit"), "admit_form",
                   lambda registration, reason: _("The guest is confirmed over the capacity.")
                   if lifecycle.admit(registration, current_user, reason) else _("The guest is confirmed."))


def _decide(event: Event, registration_id: int, form, form_name: str, act):
    """Check the reason, act, and say how it went on the guest's page."""
    registration = _registration(event, registration_id)
    if not form.validate():
        return _guest_page(event, registration, status=INVALID, **{form_name: form})
    try:
        message = act(registration, form.reason.data.strip())
    except lifecycle.RegistrationError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        flash(message, "success")
    return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration_id), 303)


@bp.post("/e/<slug>/check-in/<int:registration_id>/admit")
@access.staff(*PERMISSIONS["check_in"])
def admit_at_door(event: Event, registration_id: int):
    """Let a waiting or pending guest in at the desk: confirmed (over the capacity if full), then checked in."""
    registration = _registration(event, registration_id)
    form = AdmitForm()
    search = request.form.get("q", "")
    if not form.validate_on_submit():
        flash(_("Give a reason for letting this guest in."), "error")
        return redirect(url_for("staff.check_in_desk", slug=event.slug, q=search), 303)
    try:
        lifecycle.admit(registration, current_user, form.reason.data.strip(), at_door=True)
    except lifecycle.RegistrationError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        checkin.check_in(event, registration.id, staff=current_user)
        flash(_("%(name)s is let in and checked in.", name=registration.name_latin), "success")
    return redirect(url_for("staff.check_in_desk", slug=event.slug, q=search), 303)


@bp.post("/e/<slug>/categories/<int:category_id>/release")
@access.staff(*PERMISSIONS["settings"])
def release_reserved(event: Event, category_id: int):
    """Give a category's reserved places it has not used back to every guest; the waiting list moves up."""
    category = access.in_event(Category, category_id, event)
    if ActionForm().validate_on_submit():
        freed = lifecycle.release_unused(event, category, current_user)
        flash(_("%(count)d reserved places are released.", count=freed), "success")
    return redirect(url_for("staff.categories", slug=event.slug), 303)
