"""The help desk at the kiosk: ask for help, see where one's own request stands, and the hand-off.

/kiosk/ask                      ask (GET, POST)         someone the kiosk does not know: a name and a phone or e-mail
/kiosk/welcome/<nonce>/help     guest_help (GET, POST)  the guest who identified here: ask, or a request's status
                                                        by its number (their own requests only)

The request just made (or the one a refused check-in opened) is remembered in
the session only until the visit ends, so /kiosk/help can show its number.
"""

import time

from flask import current_app, redirect, request, session, url_for

from kiosk import bp
from kiosk.routes import VISIT_SECONDS, _device_key, _lookup_limit, _visit
from portal import access
from portal.extensions import db, limiter
from portal.helpdesk import services
from portal.helpdesk.forms import CATEGORY_LABELS, TICKET_STATE_LABELS, KioskHelpForm, KioskStatusForm, KioskWalkUpForm
from portal.helpdesk.routes import error_message
from portal.i18n import current_language, gettext as _
from portal.models import Event, Ticket
from portal.rendering import INVALID, render

HELP_KEY = "kiosk_help"
SUBJECT_LENGTH = 80


def remember(ticket: Ticket) -> None:
    session[HELP_KEY] = {"ticket": ticket.id, "since": int(time.time())}


def forget() -> None:
    session.pop(HELP_KEY, None)


def remember_handoff(ticket_id: int | None) -> None:
    """After a refused check-in: keep the ticket the check-in service opened, for the help screen."""
    ticket = db.session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is not None:
        remember(ticket)
    else:
        forget()


def remembered_ticket(event: Event) -> Ticket | None:
    """The request made at this kiosk in the current visit, if recent."""
    stash = session.get(HELP_KEY)
    if not isinstance(stash, dict) or time.time() - stash.get("since", 0) > VISIT_SECONDS:
        forget()
        return None
    ticket = db.session.get(Ticket, stash.get("ticket"))
    return ticket if ticket is not None and ticket.event_id == event.id else None


def _subject(form) -> str:
    first_line = form.message.data.strip().splitlines()[0]
    return first_line if len(first_line) <= SUBJECT_LENGTH else first_line[:SUBJECT_LENGTH - 1] + "…"


@bp.context_processor
def help_labels():
    return {"ticket_category_labels": CATEGORY_LABELS, "ticket_state_labels": TICKET_STATE_LABELS}


@bp.route("/ask", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, key_func=_device_key, methods=["POST"])
@access.kiosk_device
def ask(device, event):
    """Ask the help desk for help without checking in: a name and a phone or e-mail."""
    form = KioskWalkUpForm()
    if form.validate_on_submit():
        contact = form.contact.data.strip()
        email, phone = (contact, "") if "@" in contact else ("", contact)
        try:
            ticket = services.raise_ticket(
                event, category=form.category.data, subject=_subject(form), body=form.message.data,
                source="kiosk", name=form.name.data, email=email, phone=phone, language=current_language(),
                kiosk=device)
        except services.TicketError as error:
            form.message.errors.append(error_message(error))
        else:
            remember(ticket)
            return redirect(url_for("kiosk.help_desk"), 303)
    return render("kiosk/ask.html", event=event, form=form, status=INVALID if form.errors else 200)


@bp.route("/welcome/<nonce>/help", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["HELP_REQUEST_RATE_LIMIT"], key_func=_device_key, methods=["POST"])
@access.kiosk_device
def guest_help(device, event, nonce: str):
    """The identified guest asks for help, or looks up one of their own requests by its number."""
    check_in = _visit(device, nonce)
    if check_in is None:
        return redirect(url_for("kiosk.start"), 303)
    registration = check_in.registration
    form = KioskHelpForm()
    if form.validate_on_submit():
        try:
            ticket = services.raise_ticket(
                event, category=form.category.data, subject=_subject(form), body=form.message.data,
                source="kiosk", registration=registration, kiosk=device)
        except services.TicketError as error:
            form.message.errors.append(error_message(error))
        else:
            remember(ticket)
            return redirect(url_for("kiosk.help_desk"), 303)

    status_form = KioskStatusForm(request.args)
    looked_up, not_found = None, False
    if "number" in request.args and status_form.validate():
        number = services.parse_reference(status_form.number.data)
        # Another guest's number, or one of another event, is simply not found.
        looked_up = services.guest_ticket(registration, number) if number else None
        not_found = looked_up is None
        if not_found:
            status_form.number.errors.append(_("We could not find a request of yours with this number."))
    return render("kiosk/guest_help.html", event=event, nonce=nonce, form=form, status_form=status_form,
                  tickets=services.guest_tickets(registration)[:5], looked_up=looked_up,
                  status=INVALID if form.errors or status_form.errors else 200)
