"""Routes of the guest's agenda.

/e/<slug>/agenda                                 index          anyone (what they may see); ?tz= adds a zone
/e/<slug>/agenda/changes                         changes        anyone
/e/<slug>/agenda/<id>                            session        anyone who may see it
/e/<slug>/agenda/<id>.ics                        session_ics    anyone who may see it
/e/<slug>/calendar/<token>.ics                   feed           the holder of the secret token
/e/<slug>/announcements                          announcements  anyone (also polled by every page)
/e/<slug>/me/agenda                              mine           the guest; ?tz= as above
/e/<slug>/me/agenda/<id>/add, /remove            add, remove    the guest (POST)
/e/<slug>/me/agenda/feed, /feed/revoke           create_feed, revoke_feed  the guest (POST)
/e/<slug>/me/agenda/notices/read                 read_notices   the guest (POST)
"""

from flask import Response, abort, flash, redirect, render_template, request, session as cookie, url_for

from portal import access
from portal.agenda import announcements, bp, feeds, formatting, services, timezones
from portal.auth.services import safe_next
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Registration
from portal.models.agenda import KINDS
from portal.rendering import INVALID, render, wants_fragment
from portal.surveys.services import my_session_rating

formatting.register(bp)
timezones.register(bp)
announcements.register(bp)

ERRORS = {
    "not-found": lambda: _("This session is not in the programme."),
    "cancelled": lambda: _("This session is cancelled."),
    "full": lambda: _("This session is full."),
    "not-confirmed": lambda: _("Sign-up for this session opens once your registration is confirmed."),
    "not-active": lambda: _("Your registration is not active, so you cannot keep an agenda."),
}


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/e/<slug>/agenda")
@access.anonymous
def index(slug: str):
    """The programme, one day unless all are asked for, filtered by track, kind and a search; times also in the guest's zone."""
    event, registration = access.load_visible_event_and_registration(slug)
    zone_known = timezones.remember(request.args)
    wanted = services.AgendaFilter.from_args(request.args)
    sessions = services.find(event, registration, wanted)
    # The guest's entries, the places taken and their ratings in one query.
    state = services.guest_state(registration, [s.id for s in sessions if s.capacity is not None])
    return render(
        "agenda/index.html", fragment="agenda/_sessions.html", status=200 if zone_known else INVALID,
        zone_error=not zone_known, event=event, registration=registration, wanted=wanted,
        event_days=services.event_days(event), tracks=services.tracks_of(event), kinds=KINDS,
        days=services.by_day(event, sessions), held=state.held, taken=state.taken, ratings=state.ratings,
        guest_zone=_guest_zone(event), next_url=request.full_path.rstrip("?"),
    )


def _guest_zone(event: Event) -> str:
    """The guest's own time zone when it is not the event's, else ""."""
    zone = timezones.guest_zone_name()
    return "" if zone == event.timezone else zone


@bp.get("/e/<slug>/agenda/changes")
@access.anonymous
def changes(slug: str):
    """Every published change to the sessions this visitor may see."""
    event, registration = access.load_visible_event_and_registration(slug)
    return render("agenda/changes.html", event=event, changes=services.changes_of(event, registration))


@bp.get("/e/<slug>/agenda/<int:session_id>")
@access.anonymous
def session(slug: str, session_id: int):
    """One session: when, where, who speaks; invisible sessions do not exist."""
    event, registration = access.load_visible_event_and_registration(slug)
    found = services.visible_session(event, registration, session_id)
    if found is None:
        abort(404)
    return render("agenda/session.html", event=event, registration=registration, session=found,
                  held=services.held_ids(registration), taken=services.taken_places([found.id]),
                  rating=my_session_rating(registration, found.id) if registration else None)


@bp.get("/e/<slug>/agenda/<int:session_id>.ics")
@access.anonymous
def session_ics(slug: str, session_id: int):
    """One session as a calendar file."""
    event, registration = access.load_visible_event_and_registration(slug)
    found = services.visible_session(event, registration, session_id)
    if found is None:
        abort(404)
    return _ics(feeds.calendar(event, [found], found.title), f"session-{found.id}.ics")


@bp.get("/e/<slug>/calendar/<token>.ics")
@access.anonymous
def feed(slug: str, token: str):
    """The guest's private calendar feed; the secret token in the URL is the credential."""
    event = access.load_visible_event(slug)
    registration = feeds.registration_for_feed(event, token)
    if registration is None:
        abort(404)
    sessions = services.my_sessions(event, registration)
    return _ics(feeds.calendar(event, sessions, event.name), f"{event.slug}-agenda.ics")


@bp.get("/e/<slug>/me/agenda")
@access.guest
def mine(event: Event, registration: Registration):
    """My agenda: the sessions I hold, conflicts flagged, and my calendar feed; times also in my zone on request."""
    zone_known = timezones.remember(request.args)
    sessions = services.my_sessions(event, registration)
    state = services.guest_state(registration, [s.id for s in sessions if s.capacity is not None])
    return render(
        "agenda/mine.html", status=200 if zone_known else INVALID, zone_error=not zone_known,
        event=event, registration=registration, days=services.by_day(event, sessions), kinds=KINDS,
        conflicts=services.conflicts(sessions), held={s.id for s in sessions}, taken=state.taken,
        ratings=state.ratings, guest_zone=_guest_zone(event), next_url=request.full_path.rstrip("?"),
        has_feed=feeds.has_feed(registration), feed_token=cookie.pop("agenda_feed_token", None),
    )


def _toggled(event: Event, registration: Registration, change):
    """Answer an add or remove: the button itself for htmx, else back where the guest was."""
    back = safe_next(request.form.get("next")) or url_for("agenda.mine", slug=event.slug)
    try:
        result = change()
    except services.AgendaError as error:
        db.session.rollback()
        message = ERRORS[str(error)]()
        if not wants_fragment():
            flash(message, "error")
            return redirect(back, 303)
        found = services.visible_session(event, registration, request.view_args["session_id"])
        if found is None:
            abort(404)
        return render_template(
            "agenda/_toggle.html", event=event, session=found, held=found.id in services.held_ids(registration),
            taken=services.taken_places([found.id]), message=message, next_url=back,
        ), INVALID
    if not wants_fragment():
        if result.clashes:
            flash(_("Added. It overlaps with: %(titles)s", titles=", ".join(s.title for s in result.clashes)),
                  "info")
        return redirect(back, 303)
    return render_template("agenda/_toggle.html", event=event, session=result.session, held=result.held,
                           taken={result.session.id: (result.session.capacity or 0) - (result.places_left or 0)},
                           clashes=result.clashes, next_url=back)


@bp.post("/e/<slug>/me/agenda/<int:session_id>/add")
@access.guest
def add(event: Event, registration: Registration, session_id: int):
    """Add a session to my agenda (a place is taken when it has a capacity)."""
    return _toggled(event, registration, lambda: services.add_to_agenda(event, registration, session_id))


@bp.post("/e/<slug>/me/agenda/<int:session_id>/remove")
@access.guest
def remove(event: Event, registration: Registration, session_id: int):
    """Remove a session from my agenda."""
    return _toggled(event, registration, lambda: services.remove_from_agenda(event, registration, session_id))


@bp.post("/e/<slug>/me/agenda/feed")
@access.guest
def create_feed(event: Event, registration: Registration):
    """Make (or renew) my private calendar feed; the URL is shown to me once."""
    cookie["agenda_feed_token"] = feeds.create_feed(registration)
    return redirect(url_for("agenda.mine", slug=event.slug, _anchor="calendar"), 303)


@bp.post("/e/<slug>/me/agenda/feed/revoke")
@access.guest
def revoke_feed(event: Event, registration: Registration):
    """Stop my calendar feed: its URL answers 404 from now on."""
    feeds.revoke_feed(registration)
    flash(_("Your calendar feed is switched off. Calendars subscribed to it no longer update."), "info")
    return redirect(url_for("agenda.mine", slug=event.slug, _anchor="calendar"), 303)


@bp.post("/e/<slug>/me/agenda/notices/read")
@access.guest
def read_notices(event: Event, registration: Registration):
    """Mark the schedule-change notices on My trip as read."""
    services.mark_notices_read(registration)
    return redirect(safe_next(request.form.get("next")) or url_for("guests.my_trip", slug=event.slug), 303)


@bp.get("/e/<slug>/announcements")
@access.anonymous
def announcements_now(slug: str):
    """The event's current announcements: a page, or the strip every page polls."""
    event = access.load_visible_event(slug)
    current = announcements.showing(slug=event.slug)
    shown = request.args.get("shown")
    if wants_fragment() and announcements.is_key_of_one_region(shown):
        if shown == announcements.key_of_one_region(current):
            return "", 204
        return "", 204, {"HX-Refresh": "true"}
    # The strip's poll: only the live region that changed is refilled, none while both are current
    # (see agenda/_announcements.html).
    refill = announcements.changed_regions(shown, current) if wants_fragment() else None
    if refill == (False, False):
        return "", 204
    return render("agenda/announcements.html", fragment="agenda/_announcements_now.html", event=event,
                  current_announcements=current, announcement_refill=refill)
