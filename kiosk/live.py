"""What a kiosk shows without being asked: announcements, emergencies, and the idle reset without script.

/kiosk/announcements   polled by every kiosk page every 10 s (htmx): the notice strip of
                       the start screen (204 while it is current), and a watch on emergencies
/kiosk/refresh         the same watch, and the idle reset, for a page without JavaScript:
                       its <meta http-equiv="refresh"> comes here every 15 s

An emergency takes over every kiosk page of its event (templates/kiosk/base.html).
A page knows which emergencies it shows (`shown`, the screen's key); when that
changes, whether an emergency began or ended, the visit ends and the start
screen returns, with the takeover on it while an emergency lasts.
"""

import re
import time

from flask import current_app, g, redirect, request, session, url_for

from kiosk import bp
from kiosk.visit import VISIT_KEY
from portal import access
from portal.agenda import announcements
from portal.rendering import render

# Within 15 s of posting, as the brief asks: htmx polls every 10 s; without script the page reloads.
POLL_SECONDS = 10
FALLBACK_SECONDS = 15
# Only a kiosk path goes back into a redirect: no scheme, no host, no dots.
KIOSK_PATH = re.compile(r"^/kiosk/[A-Za-z0-9_\-/]{0,100}$")


def kiosk_screen(event) -> announcements.KioskScreen | None:
    """The event's announcements as a kiosk shows them, read once per request."""
    if event is None:
        return None
    if getattr(g, "kiosk_screen", None) is None:
        g.kiosk_screen = announcements.for_kiosk(event.id)
    return g.kiosk_screen


def page_since() -> int:
    """When this page was first shown: carried through the no-script refreshes, else now."""
    now = int(time.time())
    since = request.args.get("since", "")
    if since.isascii() and since.isdigit() and len(since) <= 12 and now - 24 * 3600 < int(since) <= now:
        return int(since)
    return now


@bp.app_context_processor
def live_helpers():
    return {"kiosk_screen": kiosk_screen, "kiosk_page_since": page_since,
            "kiosk_poll_seconds": POLL_SECONDS, "kiosk_fallback_seconds": FALLBACK_SECONDS}


def _start_over():
    # End the visit: whoever stood here when the emergency began or ended is not shown again.
    session.pop(VISIT_KEY, None)
    session.pop("lang", None)


@bp.get("/announcements")
@access.kiosk_device
def announcements_now(device, event):
    """The strip and the emergency watch a kiosk page polls; a change of emergency starts over."""
    screen = kiosk_screen(event)
    if request.args.get("shown", "") != screen.key:
        _start_over()
        if request.htmx:
            response = current_app.response_class(status=204)
            # htmx follows this before any swap, even of a 204.
            response.headers["HX-Redirect"] = url_for("kiosk.start")
            return response
        return redirect(url_for("kiosk.start"), 303)
    if not request.htmx:
        return redirect(url_for("kiosk.start"), 303)
    # Only the start screen shows notices; its polite region is refilled only when they changed.
    if request.args.get("strip") != "1" or request.args.get("notices") == screen.notices_key:
        return "", 204
    if "notices" not in request.args:
        # A start screen made before the strip was a live region, still open across an upgrade:
        # it has nowhere to put a refill, so it loads anew.
        return "", 204, {"HX-Refresh": "true"}
    return render("kiosk/_announcements.html", screen=screen, with_strip=True, kiosk_answer=True)


@bp.get("/refresh")
@access.kiosk_device
def refresh(device, event):
    """A page without JavaScript reloads through here: starts over on an emergency change or when idle."""
    screen = kiosk_screen(event)
    since = page_since()
    back = request.args.get("next", "")
    idle_for = current_app.config["KIOSK_IDLE_SECONDS"] + current_app.config["KIOSK_COUNTDOWN_SECONDS"]
    if (request.args.get("shown", "") != screen.key or time.time() - since >= idle_for
            or not KIOSK_PATH.match(back)):
        _start_over()
        return redirect(url_for("kiosk.start"), 303)
    return redirect(f"{back}?since={since}", 303)
