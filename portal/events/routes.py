"""Routes: /, /e/<slug>/, /language, /healthz."""

from flask import redirect, request, session, url_for
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from portal import access
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
    return render("events/home.html", event=event, registration=registration)


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
