"""The help desk at the kiosk: ask for help, see where one's own request stands, and the hand-off.

/kiosk/ask                      ask (GET, POST)         someone the kiosk does not know: a name and a phone or e-mail
/kiosk/welcome/<nonce>/help     guest_help (GET, POST)  the guest who identified here: ask, or a request's status
                                                        by its number (their own requests only)

The request just made is remembered with the visit (kiosk/visit.py), so /kiosk/help can show its number.
"""

from flask import current_app, redirect, request, url_for

from kiosk import bp, visit
from portal import access
from portal.extensions import limiter
from portal.helpdesk import services
from portal.helpdesk.forms import CATEGORY_LABELS, TICKET_STATE_LABELS, KioskHelpForm, KioskStatusForm, KioskWalkUpForm
from portal.helpdesk.routes import error_message
from portal.helpdesk.tickets import TicketError
from portal.i18n import current_language, gettext as _
from portal.privacy import discretion
from portal.rendering import INVALID, render

SUBJECT_LENGTH = 80


def _subject(form) -> str:
    first_line = form.message.data.strip().splitlines()[0]
    return first_line if len(first_line) <= SUBJECT_LENGTH else first_line[:SUBJECT_LENGTH - 1] + "…"


def _hand_off(form, event, device, **asker):
    """Raise the form's request from this kiosk and show its number; None if refused, the reason beside the message."""
    try:
        ticket = services.raise_ticket(event, category=form.category.data, subject=_subject(form),
                                       body=form.message.data, source="kiosk", kiosk=device, **asker)
    except TicketError as error:
        form.message.errors.append(error_message(error))
        return None
    visit.remember_ticket(ticket)
    return redirect(url_for("kiosk.help_desk"), 303)


@bp.context_processor
def help_labels():
    return {"ticket_category_labels": CATEGORY_LABELS, "ticket_state_labels": TICKET_STATE_LABELS}


@bp.route("/ask", methods=["GET", "POST"])
@limiter.limit(visit.lookup_limit, key_func=visit.device_key, methods=["POST"])
@access.kiosk_device
def ask(device, event):
    """Ask the help desk for help without checking in: a name and a phone or e-mail."""
    form = KioskWalkUpForm()
    if form.validate_on_submit():
        contact = form.contact.data.strip()
        email, phone = (contact, "") if "@" in contact else ("", contact)
        handed_off = _hand_off(form, event, device, name=form.name.data, email=email, phone=phone,
                               language=current_language())
        if handed_off is not None:
            return handed_off
    return render("kiosk/ask.html", event=event, form=form, status=INVALID if form.errors else 200)


@bp.route("/welcome/<nonce>/help", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["HELP_REQUEST_RATE_LIMIT"], key_func=visit.device_key, methods=["POST"])
@access.kiosk_device
def guest_help(device, event, nonce: str):
    """The identified guest asks for help, or looks up one of their own requests by its number."""
    check_in = visit.current_check_in(device, nonce)
    if check_in is None:
        return redirect(url_for("kiosk.start"), 303)
    registration = check_in.registration
    form = KioskHelpForm()
    if form.validate_on_submit():
        handed_off = _hand_off(form, event, device, registration=registration)
        if handed_off is not None:
            return handed_off

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
                  # A lobby screen others read: a request once medical shows its number, never its subject.
                  looked_up_confidential=looked_up is not None and not discretion.may_read(None, looked_up),
                  status=INVALID if form.errors or status_form.errors else 200)
