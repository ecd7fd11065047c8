"""The organizer's side of the agenda: rooms, tracks, speakers and sessions, and publishing changes.

When a session's time, room, speakers or status changes, the change is published
once per save: one SessionChange row for the public log, one notice and one mail
for every guest who holds the session, all in the transaction of the save.
"""

import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit, outbox
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Category, Event, Registration, Room, ScheduleNotice, Session, SessionChange, Speaker, Track,
)
from portal.models.agenda import CANCELLED
from portal.agenda.forms import localise
from portal.agenda.services import ACTIVE_STATES


def rooms_of(event: Event) -> list[Room]:
    return db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.name_en)).all()


def tracks_of(event: Event) -> list[Track]:
    return db.session.scalars(select(Track).where(Track.event_id == event.id)
                              .order_by(Track.position, Track.name_en)).all()


def speakers_of(event: Event) -> list[Speaker]:
    return db.session.scalars(select(Speaker).where(Speaker.event_id == event.id)
                              .order_by(Speaker.name_en)).all()


def categories_of(event: Event) -> list[Category]:
    return db.session.scalars(select(Category).where(Category.event_id == event.id)
                              .order_by(Category.position)).all()


def sessions_of(event: Event) -> list[Session]:
    return db.session.scalars(
        select(Session).where(Session.event_id == event.id)
        .options(selectinload(Session.room), selectinload(Session.track), selectinload(Session.speakers))
        .order_by(Session.starts_at, Session.id)
    ).all()


def item_of(model, event: Event, item_id: int):
    return db.session.scalar(select(model).where(model.id == item_id, model.event_id == event.id))


def save_item(event: Event, item, form, actor) -> None:
    """Create or update a room, track or speaker from its form."""
    form.populate_obj(item)
    item.event_id = event.id
    if isinstance(item, Track) and item.position is None:
        item.position = 0
    db.session.add(item)
    db.session.flush()
    audit.record(event, actor, f"agenda.{item.__tablename__.removeprefix('agenda_')}.save", subject=str(item.id))
    db.session.commit()


def delete_item(event: Event, item, actor) -> None:
    """Delete a room, track or speaker; sessions keep going without it."""
    affected = []
    if isinstance(item, (Room, Speaker)):
        affected = [s for s in sessions_of(event)
                    if s.room_id == item.id or any(sp.id == item.id for sp in s.speakers)]
    befores = {s.id: snapshot(s) for s in affected}
    if isinstance(item, Speaker):
        for session in affected:
            session.speakers = [sp for sp in session.speakers if sp.id != item.id]
    elif isinstance(item, Room):
        for session in affected:
            session.room = None
    db.session.flush()
    for session in affected:
        publish_changes(event, session, befores[session.id], actor)
    audit.record(event, actor, f"agenda.{item.__tablename__.removeprefix('agenda_')}.delete", subject=str(item.id))
    db.session.delete(item)
    db.session.commit()


# ---------------------------------------------------------------- sessions


@dataclass
class SessionData:
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    starts_at: object
    ends_at: object
    kind: str
    room_id: int | None
    track_id: int | None
    speaker_ids: list[int]
    visibility: str
    category_ids: list[int]
    invitee_emails: list[str]
    capacity: int | None
    status: str


class SessionProblem(Exception):
    """Input the rules refuse; `field` names the form field, `args[0]` the message code."""

    def __init__(self, code: str, field: str, **detail):
        super().__init__(code)
        self.field = field
        self.detail = detail


def lock_session(event: Event, session_id: int) -> Session | None:
    return db.session.scalar(
        select(Session).where(Session.id == session_id, Session.event_id == event.id)
        .with_for_update(of=Session).execution_options(populate_existing=True)
    )


def overlaps(event: Event, data: SessionData, session_id: int | None = None) -> list[tuple[str, Session]]:
    """Other live sessions that share this one's room or a speaker at the same time."""
    if data.status == CANCELLED:
        return []
    query = (select(Session).where(
        Session.event_id == event.id, Session.status != CANCELLED,
        Session.starts_at < data.ends_at, Session.ends_at > data.starts_at,
    ).options(selectinload(Session.speakers), selectinload(Session.room)).order_by(Session.starts_at))
    if session_id is not None:
        query = query.where(Session.id != session_id)
    found = []
    for other in db.session.scalars(query):
        if data.room_id and other.room_id == data.room_id:
            found.append(("room", other))
        shared = [s for s in other.speakers if s.id in data.speaker_ids]
        for speaker in shared:
            found.append((speaker.name, other))
    return found


def all_overlaps(event: Event) -> list[tuple[Session, Session, str]]:
    """Every pair of live sessions double-booking a room or a speaker, for the editor's overview."""
    live = [s for s in sessions_of(event) if s.status != CANCELLED]
    pairs = []
    for i, first in enumerate(live):
        for second in live[i + 1:]:
            if second.starts_at >= first.ends_at:
                break
            if first.room_id and first.room_id == second.room_id:
                pairs.append((first, second, first.room.name))
            for speaker in {s.id: s for s in first.speakers}.keys() & {s.id for s in second.speakers}:
                name = next(s.name for s in first.speakers if s.id == speaker)
                pairs.append((first, second, name))
    return pairs


def _invitees(event: Event, emails: list[str]) -> list[Registration]:
    if not emails:
        return []
    found = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, func.lower(Registration.email).in_(emails))).all()
    missing = sorted(set(emails) - {r.email.lower() for r in found})
    if missing:
        raise SessionProblem("unknown-invitees", "invitees", addresses=", ".join(missing[:10]))
    return list(found)


def save_session(event: Event, session: Session | None, data: SessionData, actor) -> Session:
    """Create or update a session; a changed time, room, speakers or status is published to its holders."""
    creating = session is None
    if creating:
        if data.starts_at < utcnow():
            raise SessionProblem("in-the-past", "starts_at")
        session = Session(event_id=event.id)
        before = None
    else:
        session = lock_session(event, session.id)
        before = snapshot(session)
    local_start = data.starts_at.astimezone(event.zone).date()
    local_end = data.ends_at.astimezone(event.zone).date()
    if local_start < event.starts_on or local_end > event.ends_on:
        raise SessionProblem("outside-event", "starts_at")
    room = item_of(Room, event, data.room_id) if data.room_id else None
    track = item_of(Track, event, data.track_id) if data.track_id else None
    speakers = db.session.scalars(select(Speaker).where(
        Speaker.event_id == event.id, Speaker.id.in_(data.speaker_ids or [0]))).all()
    if len(speakers) != len(set(data.speaker_ids)):
        raise SessionProblem("unknown-speaker", "speakers")
    categories = db.session.scalars(select(Category).where(
        Category.event_id == event.id, Category.id.in_(data.category_ids or [0]))).all()
    invitees = _invitees(event, data.invitee_emails) if data.visibility == "invitation" else []
    if not creating and data.capacity is not None:
        holders = db.session.scalar(select(func.count()).select_from(AgendaEntry)
                                    .where(AgendaEntry.session_id == session.id))
        if holders > data.capacity:
            raise SessionProblem("below-holders", "capacity", holders=holders)

    changed = creating
    for name in ("title_en", "title_zh", "description_en", "description_zh", "starts_at", "ends_at", "kind",
                 "visibility", "capacity", "status"):
        if getattr(session, name) != getattr(data, name):
            setattr(session, name, getattr(data, name))
            changed = True
    # Relations are replaced only when their members change: an unchanged save changes nothing.
    if (session.room_id, session.track_id) != (room.id if room else None, track.id if track else None):
        session.room, session.track = room, track
        changed = True
    for name, members in (("speakers", list(speakers)), ("invitees", invitees),
                          ("categories", list(categories) if data.visibility == "categories" else [])):
        if {m.id for m in getattr(session, name)} != {m.id for m in members}:
            setattr(session, name, members)
            changed = True
    if not changed:
        db.session.rollback()
        return session
    db.session.add(session)
    db.session.flush()
    if before is not None:
        publish_changes(event, session, before, actor)
    audit.record(event, actor, "agenda.session.create" if creating else "agenda.session.update",
                 subject=str(session.id))
    db.session.commit()
    return session


def session_data(form, event: Event) -> SessionData:
    return SessionData(
        title_en=form.title_en.data.strip(), title_zh=form.title_zh.data.strip(),
        description_en=(form.description_en.data or "").strip(), description_zh=(form.description_zh.data or "").strip(),
        starts_at=localise(form.starts_at.data, event.zone), ends_at=localise(form.ends_at.data, event.zone),
        kind=form.kind.data, room_id=form.room.data or None, track_id=form.track.data or None,
        speaker_ids=list(form.speakers.data or []), visibility=form.visibility.data,
        category_ids=list(form.categories.data or []), invitee_emails=form.invitee_emails(),
        capacity=form.capacity.data, status=form.status.data,
    )


# ---------------------------------------------------------------- publishing changes


def snapshot(session: Session) -> dict:
    """What guests are told about when it changes: time, room, speakers, status."""
    return {
        "time": [session.starts_at.astimezone(UTC).isoformat(), session.ends_at.astimezone(UTC).isoformat()],
        "room": [session.room.name_en, session.room.name_zh] if session.room else [],
        "speakers": sorted([s.name_en, s.name_zh] for s in session.speakers),
        "status": session.status,
    }


def publish_changes(event: Event, session: Session, before: dict, actor) -> SessionChange | None:
    """Record what changed and tell every holder once: a notice on My trip and one mail."""
    after = snapshot(session)
    changed = {name: {"old": before[name], "new": after[name]} for name in after if before[name] != after[name]}
    if not changed:
        return None
    change = SessionChange(event_id=event.id, session_id=session.id, actor_id=actor.id if actor else None,
                           changes=json.dumps(changed, ensure_ascii=False))
    db.session.add(change)
    db.session.flush()
    holders = db.session.scalars(
        select(Registration).join(AgendaEntry, AgendaEntry.registration_id == Registration.id)
        .where(AgendaEntry.session_id == session.id, Registration.state.in_(ACTIVE_STATES))
        .order_by(Registration.id)
    ).all()
    for registration in holders:
        db.session.add(ScheduleNotice(registration_id=registration.id, change_id=change.id))
        outbox.queue("session_changed", registration.email, "session_changed", registration.language,
                     event=event, registration=registration, session=session, change=change)
    return change
