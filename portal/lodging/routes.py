"""Routes of the guest's lodging.

/e/<slug>/me/lodging                   stay            the guest (GET the page or, for htmx, the editor; POST saves)
/e/<slug>/me/lodging/card              card            the guest (the My trip card, for htmx)
/e/<slug>/me/lodging/cancel            cancel          the guest (POST)
/e/<slug>/me/lodging/shares/<id>       answer_share    the guest named as roommate (POST)
"""

from flask import flash, redirect, render_template, request, url_for

from portal import access, limits
from portal.extensions import db
from portal.i18n import gettext as _
from portal.lodging import bp, services
from portal.lodging.forms import STATE_LABELS, ActionForm, StayForm
from portal.lodging.messages import message
from portal.models import Event, Registration
from portal.rendering import INVALID, render, wants_fragment
from portal.rules import RuleRefused, refusal_on


# A global, not a context processor: mail templates are rendered without one.
bp.add_app_template_global(STATE_LABELS, "lodging_state_labels")


def _form(event: Event, registration: Registration, formdata=None) -> StayForm:
    current = services.request_of(registration)
    blocks = services.blocks_of(event)
    form = StayForm(formdata, blocks=blocks, event=event) if formdata is not None else StayForm(
        blocks=blocks, event=event)
    if formdata is None:
        form.fill_from(current)
    return form


def _card(event: Event, registration: Registration, status: int = 200):
    return render_template("lodging/_my_trip_card.html", event=event, registration=registration,
                           lodging=services.my_lodging(registration)), status


def _editor(event: Event, registration: Registration, form: StayForm, status: int = 200, problem: str = ""):
    return render("lodging/stay.html", fragment="lodging/_editor.html", event=event, registration=registration,
                  lodging=services.my_lodging(registration), form=form, cancel_form=ActionForm(prefix="cancel"), problem=problem, status=status)


@bp.route("/e/<slug>/me/lodging", methods=["GET", "POST"])
# Naming a roommate mails them: one guest may do so only so often.
@limits.by_guest("ROOMMATE_RATE_LIMIT", "roommate", when=lambda: bool(request.form.get("roommate_email", "").strip()))
@access.guest
def stay(event: Event, registration: Registration):
    """Ask for a room or change my request; htmx gets the editor in place of the My trip card."""
    if request.method == "GET":
        return _editor(event, registration, _form(event, registration))
    form = _form(event, registration, request.form)
    problem = ""
    if form.validate_on_submit():
        try:
            services.file_request(event, registration, form.stay())
        except RuleRefused as error:
            problem = refusal_on(form, error, message)
        else:
            if wants_fragment():
                return _card(event, registration)
            flash(_("Your lodging request is saved. We will e-mail you when the hotel confirms."), "success")
            return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    return _editor(event, registration, form, INVALID, problem)


@bp.get("/e/<slug>/me/lodging/card")
@access.guest
def card(event: Event, registration: Registration):
    """The lodging card of My trip alone (htmx); without htmx, My trip itself."""
    if not wants_fragment():
        return redirect(url_for("guests.my_trip", slug=event.slug, _anchor="lodging-card"), 303)
    return _card(event, registration)


def _after(event: Event, registration: Registration, done: str):
    if wants_fragment():
        return _card(event, registration)
    flash(done, "success")
    return redirect(url_for("guests.my_trip", slug=event.slug), 303)


def _refused(event: Event, registration: Registration, error: RuleRefused):
    db.session.rollback()
    if wants_fragment():
        return render_template("lodging/_my_trip_card.html", event=event, registration=registration,
                               lodging=services.my_lodging(registration), problem=message(error)), INVALID
    flash(message(error), "error")
    return redirect(url_for("guests.my_trip", slug=event.slug), 303)


@bp.post("/e/<slug>/me/lodging/cancel")
@access.guest
def cancel(event: Event, registration: Registration):
    """Cancel my lodging request; the room goes back to the block."""
    if not ActionForm(prefix="cancel").validate_on_submit():
        return redirect(url_for("lodging.stay", slug=event.slug), 303)
    try:
        services.cancel_request(event, registration)
    except RuleRefused as error:
        return _refused(event, registration, error)
    return _after(event, registration, _("Your lodging request is cancelled."))


@bp.post("/e/<slug>/me/lodging/shares/<int:request_id>")
@access.guest
def answer_share(event: Event, registration: Registration, request_id: int):
    """Agree to share another guest's room, or say no."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    accept = request.form.get("answer") == "accept"
    try:
        services.answer_roommate(event, registration, request_id, accept)
    except RuleRefused as error:
        return _refused(event, registration, error)
    return _after(event, registration, _("You share the room.") if accept else _("You said no to sharing the room."))
