"""Guest routes of the help desk.

/e/<slug>/me/help                 my_tickets (GET), raise_ticket (POST)   guest
/e/<slug>/me/help/<number>        ticket (GET), reply (POST)              guest (their own tickets only)
/e/<slug>/help/rate/<token>       rate (GET, POST)                        anyone holding the link

A guest reaches a ticket only through their own registration, so another
guest's number answers 404, and only the public thread is ever rendered here.
"""

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import force_locale
from flask_login import current_user

from portal import access, limits
from portal.helpdesk import bp, ratings, services
from portal.helpdesk.forms import (
    CATEGORY_LABELS, TICKET_STATE_LABELS, GuestReplyForm, RaiseTicketForm, RatingForm,
)
from portal.helpdesk.tickets import MAX_MESSAGE, MAX_SUBJECT, TicketError
from portal.i18n import LANGUAGES, gettext as _
from portal.models import Event, Registration
from portal.rendering import INVALID, render

ERRORS = {
    "empty-message": lambda: _("Write your message."),
    "message-too-long": lambda: _("At most %(max)d characters.", max=MAX_MESSAGE),
    "empty-subject": lambda: _("Give your request a short subject."),
    "subject-too-long": lambda: _("At most %(max)d characters.", max=MAX_SUBJECT),
    "closed": lambda: _("This request is closed. Please raise a new one if you still need help."),
    "no-contact": lambda: _("Enter a phone number or an e-mail address where we can reach you."),
    "bad-category": lambda: _("Choose what your request is about."),
    "transition-not-allowed": lambda: _("This request cannot be changed that way from its current state."),
    "already-taken": lambda: _("Someone else has just taken this request."),
    "already-rated": lambda: _("This request has already been rated. Thank you."),
    "bad-link": lambda: _("This rating link is not valid."),
    "bad-score": lambda: _("Choose a rating from 1 to 5."),
    "bad-priority": lambda: _("Choose a priority."),
    "leave-medical": lambda: _("Only the organizer or staff who may read medical notes can move a request "
                               "out of Medical."),
}


def error_message(error: TicketError) -> str:
    """The words for a refused change, in the reader's language."""
    return ERRORS.get(str(error), lambda: _("That change is not allowed."))()


@bp.app_template_global("ticket_labels")
def ticket_labels() -> dict:
    return {"category": CATEGORY_LABELS, "state": TICKET_STATE_LABELS}


# Each request and each reply mails the help desk: one guest may send only so many.
_help_limit = limits.by_guest("HELP_REQUEST_RATE_LIMIT", "help-request")


@bp.route("/e/<slug>/me/help", methods=["GET", "POST"])
@_help_limit
@access.guest
def my_tickets(event: Event, registration: Registration):
    """My help requests, and a form to raise a new one."""
    form = RaiseTicketForm()
    if form.validate_on_submit():
        try:
            ticket = services.raise_ticket(
                event, category=form.category.data, subject=form.subject.data, body=form.message.data,
                source="portal", registration=registration, author=current_user)
        except TicketError as error:
            form.message.errors.append(error_message(error))
        else:
            flash(_("Your request %(number)s is with the help desk. We will answer here and by e-mail.",
                    number=ticket.reference), "success")
            return redirect(url_for("helpdesk.ticket", slug=event.slug, number=ticket.number), 303)
    return render("helpdesk/index.html", event=event, registration=registration, form=form,
                  tickets=services.guest_tickets(registration), status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/me/help/<int:number>", methods=["GET", "POST"])
@_help_limit
@access.guest
def ticket(event: Event, registration: Registration, number: int):
    """One of my requests: the public thread and a reply box."""
    found = services.guest_ticket(registration, number)
    if found is None:
        abort(404)
    form = GuestReplyForm()
    if form.validate_on_submit():
        try:
            services.guest_reply(found, current_user, form.message.data, urgent=form.urgent.data)
        except TicketError as error:
            form.message.errors.append(error_message(error))
        else:
            flash(_("Your reply is sent to the help desk."), "success")
            return redirect(url_for("helpdesk.ticket", slug=event.slug, number=number), 303)
    return render("helpdesk/ticket.html", event=event, ticket=found, thread=services.public_thread(found),
                  form=form, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/help/rate/<token>", methods=["GET", "POST"])
@access.anonymous
def rate(slug: str, token: str):
    """Rate how the desk answered a request; the link from the mail is the credential, once.

    The mail links one rating each (?score=); this page, in the guest's language, sends it
    with one tap on a POST button, so a mail scanner that follows links rates nothing.
    """
    event = access.load_visible_event(slug)
    rating = ratings.rating_for(token)
    if rating is None or rating.ticket.event_id != event.id:
        return render("helpdesk/rate_invalid.html", event=event, status=404)
    # A language picked in this browser wins; otherwise the one the guest wrote to the desk in.
    chosen = session.get("lang")
    with force_locale(chosen if chosen in LANGUAGES else rating.ticket.language):
        return _rate(event, rating, token)


def _rate(event: Event, rating, token: str):
    if rating.rated_at is not None:
        return render("helpdesk/rated.html", event=event, rating=rating, already=request.method == "POST"
                      or not request.args.get("thanks"))
    form = RatingForm()
    picked = request.args.get("score", type=int) if request.method == "GET" else None
    if picked in range(1, 6):
        form.score.data = picked
    if form.validate_on_submit():
        try:
            ratings.rate(token, form.score.data, form.comment.data or "")
        except TicketError as error:
            if str(error) != "already-rated":
                form.score.errors.append(error_message(error))
            else:
                return render("helpdesk/rated.html", event=event, rating=ratings.rating_for(token), already=True)
        else:
            return redirect(url_for("helpdesk.rate", slug=event.slug, token=token, thanks=1), 303)
    return render("helpdesk/rate.html", event=event, rating=rating, form=form,
                  picked=next((choice.label for choice in form.score.choices if choice.value == picked), None),
                  status=INVALID if form.errors else 200)
