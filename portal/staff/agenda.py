"""The organizer's agenda editor and announcements, under /staff/e/<slug>/.

/staff/e/<slug>/agenda                               agenda_editor      organizer
/staff/e/<slug>/agenda/sessions/new                  new_session        organizer
/staff/e/<slug>/agenda/sessions/<id>                 edit_session       organizer
/staff/e/<slug>/agenda/rooms[/<id>][/delete]         rooms, edit_room, delete_room        organizer
/staff/e/<slug>/agenda/tracks[/<id>][/delete]        tracks, edit_track, delete_track     organizer
/staff/e/<slug>/agenda/speakers[/<id>][/delete]      speakers, edit_speaker, delete_speaker  organizer
/staff/e/<slug>/announcements                        announcements      organizer
/staff/e/<slug>/announcements/<id>/end               end_announcement   organizer
"""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal import access
from portal.agenda import announcements as notices, editing
from portal.agenda.forms import (
    ActionForm, AnnouncementForm, RoomForm, SessionForm, SpeakerForm, TrackForm, localise,
)
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import gettext as _, pgettext
from portal.models import Event, Room, Session, Speaker, Track
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

PROBLEMS = {
    "in-the-past": lambda d: _("A new session cannot start in the past."),
    "outside-event": lambda d: _("The session must take place during the event's days."),
    "unknown-speaker": lambda d: _("Choose speakers from the list; one of them is unknown."),
    "unknown-invitees": lambda d: _("No guest of this event has these addresses: %(addresses)s", **d),
    "below-holders": lambda d: _("%(holders)d guests already hold a place; the capacity cannot be lower.", **d),
}

ITEMS = {
    "rooms": (Room, RoomForm, lambda: pgettext("meeting rooms", "Rooms")),
    "tracks": (Track, TrackForm, lambda: _("Tracks")),
    "speakers": (Speaker, SpeakerForm, lambda: _("Speakers")),
}


@bp.get("/e/<slug>/agenda")
@access.staff(*PERMISSIONS["agenda"])
def agenda_editor(event: Event):
    """The programme as the organizer sees it, with every double booking flagged."""
    return render("staff/agenda/index.html", event=event, sessions=editing.sessions_of(event),
                  overlaps=editing.all_overlaps(event))


def _session_form(event: Event, session: Session | None = None) -> SessionForm:
    form = SessionForm(obj=session, event=event, rooms=editing.rooms_of(event), tracks=editing.tracks_of(event),
                       speakers=editing.speakers_of(event), categories=editing.categories_of(event))
    if session is not None and not form.is_submitted():
        form.starts_at.data = session.starts_at.astimezone(event.zone).replace(tzinfo=None)
        form.ends_at.data = session.ends_at.astimezone(event.zone).replace(tzinfo=None)
        form.room.data, form.track.data = session.room_id or 0, session.track_id or 0
        form.speakers.data = [s.id for s in session.speakers]
        form.categories.data = [c.id for c in session.categories]
        form.invitees.data = "\n".join(sorted(r.email for r in session.invitees))
    return form


def _save_session(event: Event, session: Session | None):
    form = _session_form(event, session)
    warnings = []
    if form.validate_on_submit():
        data = editing.session_data(form, event)
        warnings = editing.overlaps(event, data, session.id if session else None)
        if not warnings or form.confirm_overlap.data:
            try:
                saved = editing.save_session(event, session, data, current_user)
            except editing.SessionProblem as problem:
                db.session.rollback()
                getattr(form, problem.field).errors.append(PROBLEMS[str(problem)](problem.detail))
            else:
                flash(_("The session is saved.") if session else _("The session is added."), "success")
                return redirect(url_for("staff.edit_session", slug=event.slug, session_id=saved.id), 303)
        else:
            form.confirm_overlap.errors.append(_("Tick this box to save the double booking anyway."))
    invalid = form.is_submitted()
    return render("staff/agenda/session_form.html", event=event, form=form, session=session,
                  warnings=warnings, status=INVALID if invalid else 200)


@bp.route("/e/<slug>/agenda/sessions/new", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def new_session(event: Event):
    """Add a session to the programme."""
    return _save_session(event, None)


@bp.route("/e/<slug>/agenda/sessions/<int:session_id>", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def edit_session(event: Event, session_id: int):
    """Change a session; its holders are told what changed."""
    return _save_session(event, access.in_event(Session, session_id, event))


def _items(event: Event, kind: str, item_id: int | None = None):
    model, form_class, title = ITEMS[kind]
    item = access.in_event(model, item_id, event) if item_id is not None else None
    form = form_class(obj=item)
    if form.validate_on_submit():
        editing.save_item(event, item or model(), form, current_user)
        flash(_("Saved."), "success")
        return redirect(url_for(f"staff.{kind}", slug=event.slug), 303)
    items = db.session.scalars(db.select(model).where(model.event_id == event.id).order_by(model.name_en)).all()
    return render("staff/agenda/items.html", event=event, kind=kind, title=title(), form=form, item=item,
                  items=items, delete_form=ActionForm(), status=INVALID if form.errors else 200)


def _delete(event: Event, kind: str, item_id: int):
    model = ITEMS[kind][0]
    item = access.in_event(model, item_id, event)
    if ActionForm().validate_on_submit():
        editing.delete_item(event, item, current_user)
        flash(_("Deleted."), "info")
    return redirect(url_for(f"staff.{kind}", slug=event.slug), 303)


@bp.route("/e/<slug>/agenda/rooms", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def rooms(event: Event):
    """The event's rooms, and a form to add one."""
    return _items(event, "rooms")


@bp.route("/e/<slug>/agenda/rooms/<int:item_id>", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def edit_room(event: Event, item_id: int):
    """Change a room."""
    return _items(event, "rooms", item_id)


@bp.post("/e/<slug>/agenda/rooms/<int:item_id>/delete")
@access.staff(*PERMISSIONS["agenda"])
def delete_room(event: Event, item_id: int):
    """Delete a room; its sessions lose their room and their holders are told."""
    return _delete(event, "rooms", item_id)


@bp.route("/e/<slug>/agenda/tracks", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def tracks(event: Event):
    """The event's tracks, and a form to add one."""
    return _items(event, "tracks")


@bp.route("/e/<slug>/agenda/tracks/<int:item_id>", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def edit_track(event: Event, item_id: int):
    """Change a track."""
    return _items(event, "tracks", item_id)


@bp.post("/e/<slug>/agenda/tracks/<int:item_id>/delete")
@access.staff(*PERMISSIONS["agenda"])
def delete_track(event: Event, item_id: int):
    """Delete a track."""
    return _delete(event, "tracks", item_id)


@bp.route("/e/<slug>/agenda/speakers", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def speakers(event: Event):
    """The event's speakers, and a form to add one."""
    return _items(event, "speakers")


@bp.route("/e/<slug>/agenda/speakers/<int:item_id>", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def edit_speaker(event: Event, item_id: int):
    """Change a speaker."""
    return _items(event, "speakers", item_id)


@bp.post("/e/<slug>/agenda/speakers/<int:item_id>/delete")
@access.staff(*PERMISSIONS["agenda"])
def delete_speaker(event: Event, item_id: int):
    """Delete a speaker; their sessions' holders are told."""
    return _delete(event, "speakers", item_id)


@bp.route("/e/<slug>/announcements", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["agenda"])
def announcements(event: Event):
    """Post an announcement; see the current and past ones."""
    form = AnnouncementForm(event=event)
    if form.validate_on_submit():
        starts_at = localise(form.starts_at.data, event.zone) or utcnow()
        notices.post(event, current_user, level=form.level.data, text_en=form.text_en.data,
                     text_zh=form.text_zh.data, starts_at=starts_at,
                     ends_at=localise(form.ends_at.data, event.zone), email_guests=form.email_guests.data)
        flash(_("The announcement is posted."), "success")
        return redirect(url_for("staff.announcements", slug=event.slug), 303)
    return render("staff/agenda/announcements.html", event=event, form=form, end_form=ActionForm(),
                  items=notices.for_event(event), now=utcnow(), status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/announcements/<int:announcement_id>/end")
@access.staff(*PERMISSIONS["agenda"])
def end_announcement(event: Event, announcement_id: int):
    """End an announcement now, everywhere."""
    if ActionForm().validate_on_submit():
        if notices.end(event, current_user, announcement_id) is None:
            abort(404)
        flash(_("The announcement is ended."), "info")
    return redirect(url_for("staff.announcements", slug=event.slug), 303)
