"""Routes of the venue kiosk. Every one but /kiosk/pair needs an enrolled, unrevoked device.

/kiosk/                   start (GET), scan (POST)
/kiosk/find               find by confirmation code, or by family name and phone (GET, POST)
/kiosk/language           switch 中文 / English
/kiosk/reset              end the visit: the idle timer and "Done" come here
/kiosk/welcome/<nonce>    the welcome screen of the guest who just identified
/kiosk/badge/<nonce>      print (POST) and show (GET) their badge
/kiosk/help               "please see the help desk", with the number of the ticket opened for them
/kiosk/ask, /kiosk/welcome/<nonce>/help   asking the help desk (kiosk/helpdesk.py)
/kiosk/announcements      the strip and emergency watch every kiosk page polls (kiosk/live.py)
/kiosk/refresh            the no-script stand-in for that poll and for the idle timer (kiosk/live.py)
/kiosk/pair               trade a pairing code for the device credential (anonymous)

The guest of the moment lives only in the session, as a reference to their
check-in, from identification until the visit ends; nothing of them is kept
in the browser's history or cache.
"""

import time

from flask import current_app, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError

from kiosk import bp, visit
from kiosk.forms import ActionForm, CodeLookupForm, NameLookupForm, PairForm, PrintForm, ScanForm, new_nonce
from portal import access, dates
from portal.auth import sessions
from portal.checkin import credential, devices, offline, services
from portal.checkin.welcome import cards_for
from portal.database import utcnow
from portal.extensions import limiter
from portal.guests import tickets
from portal.helpdesk import handoff
from portal.i18n import LANGUAGES, gettext as _
from portal.rendering import INVALID, render, wants_fragment

# What the kiosk's scripts fetch rather than a screen a person opens: never redirected to pairing.
NOT_SCREENS = frozenset({"kiosk.offline_worker", "kiosk.offline_manifest", "kiosk.offline_shell",
                         "kiosk.announcements_now"})


@bp.after_request
def never_store(response):
    """No kiosk page may be kept by the browser: Back must not bring the last guest back."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.context_processor
def kiosk_helpers():
    # Settings, so a test (or a quiet venue) can shorten them; see portal/config.py.
    return {"idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
            "warning_seconds": current_app.config["KIOSK_COUNTDOWN_SECONDS"],
            "pairing_code_length": devices.PAIRING_CODE_LENGTH}


@bp.errorhandler(CSRFError)
def form_expired(error):
    """A form left open too long: start again calmly rather than show an error."""
    if request.endpoint == "kiosk.pair":
        return redirect(url_for("kiosk.pair"), 303)
    return redirect(url_for("kiosk.start", expired=1), 303)


@bp.errorhandler(403)
def not_a_kiosk(error):
    """A revoked kiosk says it is out of service and shows nothing else; an unpaired browser is led to pair.

    The kiosk's htmx swaps no 403: a scan or poll refused in place makes kiosk-offline.js
    forget what it kept and reload, and the reload gets this screen whole.
    """
    revoked = credential.is_revoked(request)
    if not revoked and request.method == "GET" and not wants_fragment() and request.endpoint not in NOT_SCREENS:
        return redirect(url_for("kiosk.pair"), 303)
    return render("kiosk/out_of_service.html", revoked=revoked, status=403)


@bp.errorhandler(429)
def too_many(error):
    """Past a limit: the same calm screen for everyone; pairing says so beside the code.

    The kiosk's htmx config swaps a 429 like a 200, so this replaces the screen it answers.
    """
    if request.endpoint == "kiosk.pair":
        form = PairForm()
        form.code.errors = [_("Too many pairing attempts from here. Wait a minute, then type the code again.")]
        return render("kiosk/pair.html", form=form, status=429)
    return render("kiosk/too_many.html", status=429)


# -- Start, scan and find ------------------------------------------------------------------------

@bp.get("/")
@access.kiosk_device
def start(device, event):
    """The start screen: scan a ticket, or find yourself without one."""
    visit.end()
    form = ScanForm(formdata=None, nonce=new_nonce())
    return render("kiosk/start.html", event=event, form=form, expired=bool(request.args.get("expired")))


@bp.post("/")
@limiter.limit(visit.scan_limit, key_func=visit.device_key)
@access.kiosk_device
def scan(device, event):
    """Check in the guest whose ticket QR was scanned (a scanner types it and presses Enter)."""
    form = ScanForm()
    nonce = form.attempt_nonce()
    if not form.validate_on_submit():
        return render("kiosk/start.html", event=event, form=form, expired=False, status=INVALID)
    typed = form.ticket.data
    # A guest may type the confirmation code from their e-mail into the big field.
    registration = services.find_by_ticket(event, typed) or services.find_by_confirmation_code(event, typed)
    return _after_identifying(device, event, registration, nonce, typed)


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit(visit.lookup_limit, key_func=visit.device_key, methods=["POST"])
@access.kiosk_device
def find(device, event):
    """Find a guest without their QR: by confirmation code, or by family name and phone."""
    posted = request.method == "POST"
    by_name = posted and request.form.get("by") == "name"
    code_form = CodeLookupForm(formdata=request.form if posted and not by_name else None)
    name_form = NameLookupForm(formdata=request.form if by_name else None)
    if request.method == "GET":
        code_form.nonce.data = name_form.nonce.data = new_nonce()
        return render("kiosk/find.html", event=event, code_form=code_form, name_form=name_form)

    form = name_form if by_name else code_form
    nonce = form.attempt_nonce()
    if form.validate_on_submit():
        if by_name:
            registration = services.find_by_surname_and_phone(event, form.surname.data, form.phone_last4.data)
        else:
            registration = services.find_by_confirmation_code(event, form.code.data)
        if registration is not None:
            return _after_identifying(device, event, registration, nonce)
        # One message for "no such guest" and "wrong second factor": a kiosk never tells them apart.
        form.form_errors.append(_("We could not find you with these details. Please check them, "
                                  "or ask at the help desk."))
    # Keep the other form's nonce in step, so the page differs only where the guest typed.
    (code_form if by_name else name_form).nonce.data = nonce
    return render("kiosk/find.html", event=event, code_form=code_form, name_form=name_form,
                  failed="name" if by_name else "code", status=INVALID)


def _after_identifying(device, event, registration, nonce: str, typed: str = ""):
    arrival = services.check_in(event, registration.id if registration else None, kiosk=device, nonce=nonce)
    if not arrival.is_checked_in:
        ticket = handoff.hand_off(event, arrival.registration, device, arrival.reason, nonce=nonce, typed=typed)
        visit.remember_ticket(ticket)
        return redirect(url_for("kiosk.help_desk"), 303)
    return _welcome(arrival, nonce)


def _welcome(arrival: services.Arrival, nonce: str):
    """The guest is in: remember the visit for the welcome screen and go there."""
    session[visit.VISIT_KEY] = {
        "nonce": nonce, "check_in": arrival.check_in_id,
        "first": arrival.outcome == services.CHECKED_IN, "since": int(time.time()),
    }
    # A guest who did not pick a language here is greeted in the one they chose when registering.
    if "lang" not in session and arrival.registration.language in LANGUAGES:
        session["lang"] = arrival.registration.language
    return redirect(url_for("kiosk.welcome", nonce=nonce), 303)


@bp.route("/language", methods=["GET", "POST"])
@access.kiosk_device
def switch_language(device, event):
    """Switch the kiosk to 中文 or English for this guest (GET shows the choice on its own)."""
    if request.method == "GET":
        return render("kiosk/language.html", event=event)
    chosen = request.form.get("lang")
    if ActionForm().validate_on_submit() and chosen in LANGUAGES:
        session["lang"] = chosen
    target = "kiosk.find" if request.form.get("next") == "find" else "kiosk.start"
    return redirect(url_for(target), 303)


@bp.get("/reset")
@access.kiosk_device
def reset(device, event):
    """End the visit: forget the guest and their language choice, back to the start screen."""
    visit.end()
    session.pop("lang", None)
    return redirect(url_for("kiosk.start"), 303)


@bp.get("/help")
@access.kiosk_device
def help_desk(device, event):
    """A calm screen that sends the guest to the help desk with their ticket number; it names no one."""
    session.pop(visit.VISIT_KEY, None)
    return render("kiosk/help.html", event=event, ticket=visit.remembered_ticket(event))


# -- The identified guest ------------------------------------------------------------------------

@bp.get("/welcome/<nonce>")
@access.kiosk_device
def welcome(device, event, nonce: str):
    """Greet the guest who just checked in, and show what they have today."""
    check_in = visit.current_check_in(device, nonce)
    if check_in is None:
        return redirect(url_for("kiosk.start"), 303)
    registration = check_in.registration
    first = session[visit.VISIT_KEY]["first"]
    today = utcnow().astimezone(event.zone).date()
    return render("kiosk/welcome.html", event=event, registration=registration, check_in=check_in,
                  first=first, nonce=nonce, print_id=new_nonce(),
                  printable=offline.printable(device, event, registration),
                  checked_in_at=dates.clock(check_in.at, event),
                  cards=cards_for(registration, today))


@bp.route("/badge/<nonce>", methods=["GET", "POST"])
@access.kiosk_device
def badge(device, event, nonce: str):
    """POST logs a print of the guest's badge; GET shows the badge page, which prints itself."""
    check_in = visit.current_check_in(device, nonce)
    if check_in is None:
        return redirect(url_for("kiosk.start"), 303)
    if request.method == "POST":
        form = PrintForm()
        if form.validate_on_submit():
            # Sent again, or printed by the kiosk itself when this request's answer was lost: logged once.
            services.record_badge_print(check_in.event_id, check_in.registration_id, kiosk=device,
                                        nonce=form.attempt_nonce())
            session[visit.VISIT_KEY] = {**session[visit.VISIT_KEY], "print": True}
        return redirect(url_for("kiosk.badge", nonce=nonce), 303)
    # Print once per tap: a reload shows the badge without printing it again.
    stash = session[visit.VISIT_KEY]
    autoprint = stash.pop("print", False)
    session[visit.VISIT_KEY] = stash
    registration = check_in.registration
    return render("kiosk/badge.html", event=event, registration=registration, nonce=nonce,
                  autoprint=autoprint, print_id=new_nonce(),
                  printable=offline.printable(device, event, registration),
                  qr=tickets.qr_svg(registration.ticket_code, label=registration.name_latin))


# -- Pairing -------------------------------------------------------------------------------------

@bp.route("/pair", methods=["GET", "POST"])
@limiter.limit(visit.pair_limit, methods=["POST"])
@access.anonymous
def pair():
    """Enrol this browser as a kiosk with the one-time code from the staff console."""
    form = PairForm()
    if not form.validate_on_submit():
        return render("kiosk/pair.html", form=form, status=INVALID if form.errors else 200)
    paired = devices.pair(form.code.data)
    if paired is None:
        form.code.errors.append(_("This code is not valid, or it has expired or been used. "
                                  "Ask the staff console for a new one."))
        return render("kiosk/pair.html", form=form, status=INVALID)
    device, token = paired
    # A kiosk is nobody: whoever was signed in on this browser is signed out, on the server too.
    sessions.end_current()
    session.clear()
    response = redirect(url_for("kiosk.start"), 303)
    response.set_cookie(
        credential.COOKIE_NAME, token, max_age=credential.COOKIE_MAX_AGE, path=url_for("kiosk.start"),
        httponly=True, samesite="Strict",
        secure=request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response
