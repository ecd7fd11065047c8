"""Routes: /, /e/<slug>/, /e/<slug>/look.css, /e/<slug>/images/<name>, /language, /healthz."""

from flask import abort, make_response, redirect, render_template, request, send_from_directory, session, url_for
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from portal import access, look
from portal.agenda import services as agenda
from portal.auth.services import safe_next
from portal.events import bp
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.models import Event
from portal.rendering import render


@bp.get("/")
@access.anonymous
def index():
    """List the events open to the public."""
    events = db.session.scalars(
        select(Event).where(Event.status == "published").order_by(Event.starts_on)
    ).all()
    return render("events/index.html", events=events)


@bp.get("/e/<slug>/")
@access.anonymous
def home(slug: str):
    """An event's home page: when, where, and how to take part."""
    event, registration = access.load_visible_event_and_registration(slug)
    highlights = agenda.highlights(event)
    return render("events/home.html", event=event, registration=registration, highlights=highlights,
                  speakers=agenda.featured_speakers(highlights))


# A year: both URLs change with what they serve (the colour in the query, the content's hash in the name).
YEAR = 365 * 24 * 3600


@bp.get("/e/<slug>/look.css")
@access.anonymous
def look_css(slug: str):
    """The event's accent colour as a style sheet (the pages allow no inline style)."""
    event = access.load_visible_event(slug)
    response = make_response(render_template(
        "events/look.css", event=event, colour=event.accent_colour if look.COLOUR.match(event.accent_colour) else ""))
    response.mimetype = "text/css"
    if request.args.get("v") == event.accent_colour.lstrip("#"):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
    else:
        response.cache_control.no_cache = True
    return response


@bp.get("/e/<slug>/images/<name>")
@access.anonymous
def image(slug: str, name: str):
    """One of the event's images: its logo, cover or map."""
    event = access.load_visible_event(slug)
    if not look.IMAGE_NAME.match(name) or name not in (event.logo_image, event.cover_image, event.map_image):
        abort(404)
    response = send_from_directory(look.images_folder(), name, max_age=YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.post("/language")
@access.anonymous
def switch_language():
    """Remember the chosen language for this browser and go back where we were."""
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")) or url_for("events.index"), 303)


@bp.get("/healthz")
@access.anonymous
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
