"""Routes of the guest's transport.

/e/<slug>/me/transport                               journeys   the guest (GET the page or, for htmx, the editor)
/e/<slug>/me/transport/card                          card       the guest (the My trip card, for htmx)
/e/<slug>/me/transport/<arrival|departure>           save       the guest (POST)
/e/<slug>/me/transport/<arrival|departure>/cancel    cancel     the guest (POST)
"""

from flask import flash, redirect, render_template, request, url_for

from portal import access
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Registration
from portal.models.transport import DIRECTIONS
from portal.rendering import INVALID, render, wants_fragment
from portal.rules import RuleRefused, refusal_on
from portal.transport import bp, places, services
from portal.transport.forms import DIRECTION_LABELS, MODE_LABELS, STATE_LABELS, ActionForm, LegForm
from portal.transport.messages import message


# Globals, not a context processor: mail templates are rendered without one.
bp.add_app_template_global(STATE_LABELS, "transport_state_labels")
bp.add_app_template_global(MODE_LABELS, "transport_mode_labels")
bp.add_app_template_global(DIRECTION_LABELS, "transport_direction_labels")
bp.add_app_template_global(services.local, "transport_local")


def _forms(event: Event, registration: Registration, posted: str | None = None) -> dict[str, LegForm]:
    legs = services.legs_of(registration)
    stations = places.stations_of(event)
    forms = {}
    for direction in DIRECTIONS:
        if direction == posted:
            forms[direction] = LegForm(request.form, prefix=direction, event=event, stations=stations)
            continue
        form = LegForm(formdata=None, prefix=direction, event=event, stations=stations)
        form.fill_from(legs[direction], event)
        forms[direction] = form
    return forms


def _editor(event: Event, registration: Registration, forms: dict, status: int = 200, problem: str = ""):
    return render("transport/journeys.html", fragment="transport/_editor.html", event=event,
                  registration=registration, legs=services.legs_of(registration), forms=forms, cancel_form=ActionForm(prefix="cancel"),
                  problem=problem, status=status)


def _card(event: Event, registration: Registration, status: int = 200, problem: str = ""):
    return render_template("transport/_my_trip_card.html", event=event, registration=registration,
                           legs=services.legs_of(registration), problem=problem), status


@bp.get("/e/<slug>/me/transport")
@access.guest
def journeys(event: Event, registration: Registration):
    """My arrival and departure; htmx gets the editor in place of the My trip card."""
    return _editor(event, registration, _forms(event, registration))


@bp.get("/e/<slug>/me/transport/card")
@access.guest
def card(event: Event, registration: Registration):
    """The transport card of My trip alone (htmx); without htmx, My trip itself."""
    if not wants_fragment():
        return redirect(url_for("guests.my_trip", slug=event.slug, _anchor="transport-card"), 303)
    return _card(event, registration)


@bp.post("/e/<slug>/me/transport/<any(arrival, departure):direction>")
@access.guest
def save(event: Event, registration: Registration, direction: str):
    """File or change my arrival or departure."""
    forms = _forms(event, registration, posted=direction)
    form, problem = forms[direction], ""
    if form.validate_on_submit():
        try:
            services.save_leg(event, registration, direction, form.journey())
        except RuleRefused as error:
            problem = refusal_on(form, error, message)
        else:
            if wants_fragment():
                return _card(event, registration)
            flash(_("Your travel details are saved."), "success")
            return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    return _editor(event, registration, forms, INVALID, problem)


@bp.post("/e/<slug>/me/transport/<any(arrival, departure):direction>/cancel")
@access.guest
def cancel(event: Event, registration: Registration, direction: str):
    """Cancel my arrival or departure, and any pickup arranged for it."""
    if not ActionForm(prefix="cancel").validate_on_submit():
        return redirect(url_for("transport.journeys", slug=event.slug), 303)
    try:
        services.cancel_leg(event, registration, direction)
    except RuleRefused as error:
        db.session.rollback()
        if wants_fragment():
            return _card(event, registration, INVALID, message(error))
        flash(message(error), "error")
        return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    if wants_fragment():
        return _card(event, registration)
    flash(_("Cancelled."), "success")
    return redirect(url_for("guests.my_trip", slug=event.slug), 303)
