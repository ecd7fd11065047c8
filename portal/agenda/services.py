"""The agenda's rules, in one place for the portal, the kiosk and the staff console.

Who sees a session: everyone for a public one; guests of the chosen categories for a
"categories" one; only the invited guests for an invitation-only one (staff included,
on guest pages). Every guest-facing query goes through `visible_to`.

Sign-ups for a session with a capacity lock the session row (SELECT ... FOR UPDATE
on PostgreSQL; the SQLite write lock taken at BEGIN IMMEDIATE), so concurrent
sign-ups are decided one at a time and never take more places than there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, case, delete, func, null, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Event, Registration, ScheduleNotice, Session, SessionChange, SessionRating, Speaker,
    Track,
)
from portal.models.agenda import KINDS, session_category, session_invitee, session_speaker
from portal.models.registration import CONFIRMED

# A guest in one of these states may see restricted sessions and keep an agenda.
ACTIVE_STATES = ("pending", "confirmed", "waitlisted")
SEARCH_MAX = 100


class AgendaError(Exception):
    """A sign-up the rules refuse; str(error) is a code the views turn into a message."""


# ---------------------------------------------------------------- who sees what


def visible_to(event: Event, registration: Registration | None):
    """The SQL condition for the sessions of `event` that `registration` (or the public) may see."""
    allowed = [Session.visibility == "public"]
    if registration is not None and registration.state in ACTIVE_STATES:
        if registration.category_id is not None:
            allowed.append(and_(
                Session.visibility == "categories",
                Session.id.in_(select(session_category.c.session_id)
                               .where(session_category.c.category_id == registration.category_id)),
            ))
        allowed.append(and_(
            Session.visibility == "invitation",
            Session.id.in_(select(session_invitee.c.session_id)
                           .where(session_invitee.c.registration_id == registration.id)),
        ))
    return and_(Session.event_id == event.id, or_(*allowed))


def _with_details(query):
    # Eager loading keeps the number of queries the same whatever the number of sessions.
    return query.options(joinedload(Session.room), joinedload(Session.track), selectinload(Session.speakers))


HIGHLIGHTS = 4
FEATURED_SPEAKERS = 6


def highlights(event: Event) -> list[Session]:
    """The public sessions an event's home page shows: keynotes first, then panels, each in time order."""
    query = _with_details(
        select(Session).where(
            Session.event_id == event.id, Session.visibility == "public", Session.status == "scheduled",
            Session.kind.in_(("keynote", "panel")),
        ).order_by((Session.kind != "keynote"), Session.starts_at, Session.id).limit(HIGHLIGHTS)
    )
    return sorted(db.session.scalars(query).unique().all(), key=lambda s: (s.starts_at, s.id))


def featured_speakers(sessions) -> list[Speaker]:
    """The speakers of `sessions`, each once, in the order they first speak."""
    seen: dict[int, Speaker] = {}
    for session in sessions:
        for speaker in session.speakers:
            seen.setdefault(speaker.id, speaker)
    return list(seen.values())[:FEATURED_SPEAKERS]


# The day picker's value for "all days" (an empty day=, from older links and forms, means the same).
ALL_DAYS = "all"


@dataclass
class AgendaFilter:
    day: date | None = None
    track_id: int | None = None
    kind: str = ""
    q: str = ""
    # True when the visitor asked for nothing at all: the page then opens on one day (see default_day).
    unasked: bool = False

    @classmethod
    def from_args(cls, args) -> "AgendaFilter":
        """Read the query string; anything malformed is simply ignored."""
        found = cls()
        try:
            found.day = date.fromisoformat(args.get("day", ""))
        except ValueError:
            pass
        # A day no event has (0001-01-01 cannot even be turned into UTC) is malformed too.
        if found.day and not current_app.config["EARLIEST_YEAR"] <= found.day.year <= current_app.config["LATEST_YEAR"]:
            found.day = None
        found.unasked = not any(name in args for name in ("day", "track", "kind", "q"))
        track = args.get("track", "")
        # isdigit() alone lets "²" through, which int() refuses.
        found.track_id = int(track) if track.isascii() and track.isdigit() and len(track) < 10 else None
        found.kind = args.get("kind", "") if args.get("kind", "") in KINDS else ""
        found.q = " ".join(args.get("q", "").split())[:SEARCH_MAX]
        return found

    @property
    def active(self) -> bool:
        return bool(self.day or self.track_id or self.kind or self.q)


def day_bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=event.zone)
    return start, start + timedelta(days=1)


def event_days(event: Event) -> list[date]:
    days, day = [], event.starts_on
    while day <= event.ends_on and len(days) < 60:
        days.append(day)
        day += timedelta(days=1)
    return days


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(event: Event, registration: Registration | None, wanted: AgendaFilter) -> list[Session]:
    """The sessions this guest may see that match the filters and the search, in programme order.

    With nothing asked, the programme opens on one day (`default_day`): rendering all 300
    sessions of a big event at once made it the slowest page of the portal; "All days"
    still shows them all.
    """
    if wanted.unasked:
        wanted.day = default_day(event, registration)
    query = select(Session).where(visible_to(event, registration))
    if wanted.day:
        start, end = day_bounds(event, wanted.day)
        query = query.where(Session.starts_at >= start, Session.starts_at < end)
    if wanted.track_id:
        query = query.where(Session.track_id == wanted.track_id)
    if wanted.kind:
        query = query.where(Session.kind == wanted.kind)
    if wanted.q:
        pattern = _like(wanted.q)
        speaker_match = select(session_speaker.c.session_id).join(
            Speaker, Speaker.id == session_speaker.c.speaker_id
        ).where(or_(Speaker.name_en.ilike(pattern, escape="\\"), Speaker.name_zh.ilike(pattern, escape="\\")))
        query = query.where(or_(
            Session.title_en.ilike(pattern, escape="\\"), Session.title_zh.ilike(pattern, escape="\\"),
            Session.description_en.ilike(pattern, escape="\\"),
            Session.description_zh.ilike(pattern, escape="\\"),
            Session.id.in_(speaker_match),
        ))
    return db.session.scalars(_with_details(query).order_by(Session.starts_at, Session.id)).unique().all()


def default_day(event: Event, registration: Registration | None) -> date | None:
    """Today during the event, else the next (or last) day with a session this guest may see."""
    start_of_today, _ = day_bounds(event, utcnow().astimezone(event.zone).date())
    # The first session from today on, and the last one: two aggregates, not every session's time.
    first_from_today, last = db.session.execute(
        select(func.min(case((Session.starts_at >= start_of_today, Session.starts_at))), func.max(Session.starts_at))
        .where(visible_to(event, registration))
    ).one()
    moment = first_from_today or last
    return moment.astimezone(event.zone).date() if moment is not None else None


def visible_session(event: Event, registration: Registration | None, session_id: int) -> Session | None:
    return db.session.scalar(
        _with_details(select(Session).where(Session.id == session_id, visible_to(event, registration)))
    )


def by_day(event: Event, sessions) -> list[tuple[date, list[Session]]]:
    days = defaultdict(list)
    for session in sessions:
        days[session.starts_at.astimezone(event.zone).date()].append(session)
    return sorted(days.items())


def tracks_of(event: Event) -> list[Track]:
    return db.session.scalars(select(Track).where(Track.event_id == event.id)
                              .order_by(Track.position, Track.name_en)).all()


def taken_places(session_ids) -> dict[int, int]:
    """How many guests hold each session, in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AgendaEntry.session_id, func.count()).where(AgendaEntry.session_id.in_(ids))
        .group_by(AgendaEntry.session_id)
    ).all()
    return dict(rows)


class Rating(NamedTuple):
    score: int
    comment: str


@dataclass
class GuestState:
    """A guest's sessions held, the places taken in the sessions asked about and the guest's ratings."""

    held: set[int]
    taken: dict[int, int]
    # By session held: the guest's rating of it.
    ratings: dict[int, "Rating"]


def guest_state(registration: Registration | None, session_ids) -> GuestState:
    """What the agenda shows of this guest's own, in one query: see `held_ids`, `taken_places` and
    surveys.services.my_session_rating. A visitor who is not a guest has none, and no query is sent."""
    found = GuestState(set(), {}, {})
    if registration is None:
        return found
    entry, rating = AgendaEntry.__table__, SessionRating.__table__
    # Places taken in the sessions asked for (rows with a count), then each of the guest's entries
    # with their rating of it, if any (rows without one): one round trip instead of three.
    rows = db.session.execute(union_all(
        select(entry.c.session_id, func.count(), null(), null())
        .where(entry.c.session_id.in_(list(session_ids)))
        .group_by(entry.c.session_id),
        select(entry.c.session_id, null(), rating.c.score, rating.c.comment)
        .select_from(entry.outerjoin(rating, and_(rating.c.registration_id == entry.c.registration_id,
                                                  rating.c.session_id == entry.c.session_id)))
        .where(entry.c.registration_id == registration.id),
    )).all()
    for session_id, taken, score, comment in rows:
        if taken is not None:
            found.taken[session_id] = taken
        else:
            found.held.add(session_id)
            if score is not None:
                found.ratings[session_id] = Rating(score, comment)
    return found


def held_ids(registration: Registration | None) -> set[int]:
    if registration is None:
        return set()
    return set(db.session.scalars(
        select(AgendaEntry.session_id).where(AgendaEntry.registration_id == registration.id)
    ))


# ---------------------------------------------------------------- my agenda


def my_sessions(event: Event, registration: Registration) -> list[Session]:
    """The sessions in this guest's agenda that they may (still) see, in programme order."""
    query = select(Session).join(AgendaEntry, AgendaEntry.session_id == Session.id).where(
        AgendaEntry.registration_id == registration.id, visible_to(event, registration)
    )
    return db.session.scalars(_with_details(query).order_by(Session.starts_at, Session.id)).unique().all()


def conflicts(sessions) -> dict[int, list[Session]]:
    """For each session, the other held sessions it overlaps (cancelled ones never conflict)."""
    live = sorted((s for s in sessions if not s.is_cancelled), key=lambda s: s.starts_at)
    found: dict[int, list[Session]] = defaultdict(list)
    for i, first in enumerate(live):
        for second in live[i + 1:]:
            if second.starts_at >= first.ends_at:
                break
            found[first.id].append(second)
            found[second.id].append(first)
    return found


@dataclass
class Toggle:
    """What the add/remove button shows after a change."""

    session: Session
    held: bool
    places_left: int | None = None
    clashes: list[Session] = field(default_factory=list)


def _lock_session(event: Event, registration: Registration, session_id: int) -> Session:
    session = db.session.scalar(
        select(Session).where(Session.id == session_id, visible_to(event, registration))
        .with_for_update(of=Session).execution_options(populate_existing=True)
    )
    if session is None:
        raise AgendaError("not-found")
    return session


def _places_left(session: Session) -> int | None:
    if session.capacity is None:
        return None
    taken = taken_places([session.id]).get(session.id, 0)
    return max(session.capacity - taken, 0)


def add_to_agenda(event: Event, registration: Registration, session_id: int) -> Toggle:
    """Add a session to the guest's agenda, taking a place when it has a capacity."""
    if registration.state not in ACTIVE_STATES:
        raise AgendaError("not-active")
    session = _lock_session(event, registration, session_id)
    held = db.session.scalar(select(AgendaEntry.id).where(
        AgendaEntry.registration_id == registration.id, AgendaEntry.session_id == session.id))
    if held is None:
        if session.is_cancelled:
            raise AgendaError("cancelled")
        if session.capacity is not None:
            if registration.state != CONFIRMED:
                raise AgendaError("not-confirmed")
            if _places_left(session) <= 0:
                raise AgendaError("full")
        db.session.add(AgendaEntry(registration_id=registration.id, session_id=session.id))
        try:
            db.session.commit()
        except IntegrityError:  # the same guest, twice at once: one entry is enough
            db.session.rollback()
        session = visible_session(event, registration, session_id)
    others = [s for s in my_sessions(event, registration) if s.id != session.id]
    clashes = [s for s in others if not s.is_cancelled and s.overlaps(session)]
    return Toggle(session, True, _places_left(session), clashes)


def remove_from_agenda(event: Event, registration: Registration, session_id: int) -> Toggle:
    """Take a session out of the guest's agenda, freeing its place."""
    session = _lock_session(event, registration, session_id)
    db.session.execute(delete(AgendaEntry).where(
        AgendaEntry.registration_id == registration.id, AgendaEntry.session_id == session.id))
    db.session.commit()
    session = visible_session(event, registration, session_id)
    return Toggle(session, False, _places_left(session))


# ---------------------------------------------------------------- schedule changes


def changes_of(event: Event, registration: Registration | None, limit: int = 200) -> list[SessionChange]:
    """The public change log: changes to the sessions this visitor may see, newest first."""
    query = (select(SessionChange).join(Session, Session.id == SessionChange.session_id)
             .where(visible_to(event, registration))
             .options(joinedload(SessionChange.session))
             .order_by(SessionChange.at.desc(), SessionChange.id.desc()).limit(limit))
    return db.session.scalars(query).all()


def unread_notices(registration: Registration) -> list[ScheduleNotice]:
    return db.session.scalars(
        select(ScheduleNotice).where(ScheduleNotice.registration_id == registration.id,
                                     ScheduleNotice.read_at.is_(None))
        .options(joinedload(ScheduleNotice.change).joinedload(SessionChange.session))
        .order_by(ScheduleNotice.id)
    ).all()


def mark_notices_read(registration: Registration) -> None:
    for notice in unread_notices(registration):
        notice.read_at = utcnow()
    db.session.commit()
