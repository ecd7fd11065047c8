"""Routes: /e/<slug>/register, the invitation link, and /e/<slug>/me ("My trip").

Public registration proves the address first: a visitor who is not signed in gives
only an e-mail address and gets a link; the link signs them in (making the account
if there is none) and brings them back to the form. Nothing else is stored before.
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal import access, lifecycle, limits
from portal.auth import sessions
from portal.auth.forms import EmailForm
from portal.auth.services import send_registration_link
from portal.extensions import db
from portal.i18n import current_language, gettext as _
from portal.guests import addressing, bp, services, tickets
from portal.guests.trip import trip_of
from portal.guests.forms import CancelForm, ProfileForm, RegistrationForm
from portal.models import Category, Event, Registration
from portal.rendering import INVALID, render

addressing.register(bp)


@bp.app_template_global("event_has_begun")
def event_has_begun(event) -> bool:
    """Mails and pages word themselves by where the event stands when they are written."""
    return event.has_begun()


@bp.app_template_global("event_has_ended")
def event_has_ended(event) -> bool:
    return event.has_ended()


ERRORS = {
    "already-registered": lambda: _("You are already registered for this event."),
    "changes-closed": lambda: _("Changes are closed for this event. Please contact the organizers."),
    "transition-not-allowed": lambda: _("This registration cannot be changed that way."),
}


def _registration_of(event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def _public_categories(event: Event) -> list[Category]:
    return [c for c in event.categories if c.open_to_public]


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@access.anonymous
def register(slug: str):
    """Register for an event that is open to the public."""
    event = access.load_visible_event(slug)
    existing = _registration_of(event, current_user)
    if existing is not None and existing.state != "cancelled":
        return redirect(url_for("guests.my_trip", slug=slug), 303)
    if not event.registration_is_open() or not event.public_registration:
        return render("guests/register_closed.html", event=event, status=403)
    if not current_user.is_authenticated:
        if request.method == "POST":
            # A form from before the address was proved: nothing of it is stored.
            return redirect(url_for("guests.register", slug=slug), 303)
        return render("guests/register_email.html", event=event, form=EmailForm())

    form = RegistrationForm()
    form.category.choices = [SelectChoice(c.id, c.name) for c in _public_categories(event)]
    form.email.data = current_user.email
    if not form.is_submitted():
        form.language.data = current_user.language or current_language()
    if form.validate_on_submit():
        category = db.session.get(Category, form.category.data)
        return _complete(event, current_user._get_current_object(), form, category)
    return _registration_page(event, form, None, INVALID if form.errors else 200)


@bp.post("/e/<slug>/register/link")
@limits.by_ip
@limits.by_address
@access.anonymous
def request_registration_link(slug: str):
    """Mail the link that proves an address and leads back to the registration form."""
    event = access.load_visible_event(slug)
    if not event.registration_is_open() or not event.public_registration:
        return render("guests/register_closed.html", event=event, status=403)
    form = EmailForm()
    if not form.validate_on_submit():
        return render("guests/register_email.html", event=event, form=form, status=INVALID)
    send_registration_link(event, form.email.data, current_language(), url_for("guests.register", slug=slug))
    # The same answer whether or not the address has an account.
    return redirect(url_for("guests.registration_link_sent", slug=slug), 303)


@bp.get("/e/<slug>/register/sent")
@access.anonymous
def registration_link_sent(slug: str):
    """Say that the link is on its way."""
    event = access.load_visible_event(slug)
    return render("guests/register_sent.html", event=event)


@bp.route("/e/<slug>/register/<token>", methods=["GET", "POST"])
@access.anonymous
def accept_invitation(slug: str, token: str):
    """Register through a personal invitation link; the link proves the e-mail address."""
    event = access.load_visible_event(slug)
    invitation = services.find_invitation(event, token)
    if invitation is None:
        return render("guests/invitation_invalid.html", event=event, status=404)
    if invitation.accepted_at is not None:
        existing = _registration_of(event, current_user)
        if existing is not None:
            return redirect(url_for("guests.my_trip", slug=slug), 303)
        return render("guests/invitation_used.html", event=event, status=410)
    if not event.registration_is_open():
        return render("guests/register_closed.html", event=event, status=403)

    form = RegistrationForm()
    category = invitation.category
    form.category.choices = [SelectChoice(category.id, category.name)] if category else [SelectChoice(0, "")]
    form.category.data = category.id if category else 0
    form.email.data = invitation.email
    if not form.is_submitted():
        form.name_original.data = invitation.name
        form.language.data = invitation.language
    if form.validate_on_submit():
        # The personal link was mailed to this address: using it proves the address.
        user = services.find_or_create_user(invitation.email, form.name_original.data, form.language.data)
        return _complete(event, user, form, category, invitation)
    return _registration_page(event, form, invitation, INVALID if form.errors else 200)


def _complete(event, user, form, category, invitation=None):
    try:
        services.register(event, user, form.profile(), category, invitation)
    except services.RegistrationError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
        return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    if not current_user.is_authenticated or current_user.id != user.id:
        sessions.sign_in(user, proved=True)
    return redirect(url_for("guests.my_trip", slug=event.slug), 303)


def _registration_page(event, form, invitation, status):
    return render("guests/register.html", event=event, form=form, invitation=invitation, status=status)


@bp.get("/e/<slug>/me")
@access.guest
def my_trip(event: Event, registration: Registration):
    """My trip: where my registration stands, my ticket, and my requests."""
    ticket_qr = None
    if registration.holds_ticket:
        ticket_qr = tickets.qr_svg(registration.ticket_code, _("Ticket QR code"))
    trip = trip_of(registration)
    return render("guests/my_trip.html", event=event, registration=registration, ticket_qr=ticket_qr,
                  waitlist_position=lifecycle.waitlist_position(registration), lodging=trip.lodging,
                  legs=trip.legs, notices=trip.notices, needs=trip.needs, my_requests=trip.tickets,
                  card=trip.survey)


@bp.route("/e/<slug>/me/profile", methods=["GET", "POST"])
@access.guest
def edit_profile(event: Event, registration: Registration):
    """Edit my profile until changes close."""
    if registration.state == "cancelled":
        abort(404)
    form = ProfileForm(obj=registration)
    if not event.changes_are_open():
        return render("guests/profile.html", event=event, form=form, registration=registration,
                      closed=True, status=403)
    if form.validate_on_submit():
        services.update_profile(registration, form.profile())
        flash(_("Your details are saved."), "success")
        return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    return render("guests/profile.html", event=event, form=form, registration=registration,
                  closed=False, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/me/cancel", methods=["GET", "POST"])
@access.guest
def cancel(event: Event, registration: Registration):
    """Cancel my registration, after a confirmation step."""
    form = CancelForm()
    allowed = registration.can_become("cancelled") and event.changes_are_open()
    if form.validate_on_submit() and allowed:
        try:
            lifecycle.cancel(registration, actor=current_user)
        except services.RegistrationError as error:  # cancelled meanwhile in another tab, or changes closed
            db.session.rollback()
            flash(ERRORS[str(error)](), "error")
        else:
            flash(_("Your registration is cancelled. We are sorry not to see you."), "info")
        return redirect(url_for("guests.my_trip", slug=event.slug), 303)
    held = lifecycle.holdings_of(registration) if allowed else None
    return render("guests/cancel.html", event=event, registration=registration, form=form,
                  allowed=allowed, held=held, status=200 if allowed else 403)


@bp.route("/e/<slug>/register/<token>/decline", methods=["GET", "POST"])
@access.anonymous
def decline_invitation(slug: str, token: str):
    """Say no to a personal invitation; the link still accepts later while registration is open."""
    event = access.load_visible_event(slug)
    invitation = services.find_invitation(event, token)
    if invitation is None:
        return render("guests/invitation_invalid.html", event=event, status=404)
    if invitation.accepted_at is not None:
        return redirect(url_for("guests.accept_invitation", slug=slug, token=token), 303)
    form = CancelForm()
    if form.validate_on_submit():
        lifecycle.decline_invitation(invitation)
        return redirect(url_for("guests.decline_invitation", slug=slug, token=token), 303)
    return render("guests/invitation_decline.html", event=event, invitation=invitation, token=token, form=form)
