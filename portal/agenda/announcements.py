"""Announcements: posting, ending, the strip on every page of an event, and the emergency mail.

Every page of an event carries the strip (templates/agenda/_announcements.html,
included once in base.html); it re-fetches itself every 10 seconds, so a new
emergency reaches an open page within 15 seconds and an ended one leaves it.
Kiosks poll `for_kiosk` the same way: an emergency takes over their whole screen.
Emergencies are said in an assertive live region (role="alert"), other notices
in a polite one (role="status"): "the shuttle leaves from gate 2" waits until a
screen reader has finished what it was saying; "evacuate" does not.

Every open page asks every 10 seconds, so what pages show is read at most once
every ANNOUNCEMENT_CACHE_SECONDS (3) per worker process (`showing`). A post or
an end clears that worker's copy at commit; other workers see it when theirs
runs out: 10 s of polling plus 3 s stays inside the 15 s an emergency has to
reach every page. Windows (starts_at, ends_at) are applied on every read.
"""

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import case, event, or_, select
from sqlalchemy.orm import Session as OrmSession

from portal import audit, outbox
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models import Announcement, Event, Registration
from portal.models.registration import CONFIRMED

# Emergencies first, then important notices, then the rest; newest first within a level.
_SEVERITY = case({"emergency": 0, "important": 1}, value=Announcement.level, else_=2)


@dataclass(frozen=True)
class Shown:
    """An announcement as pages and kiosks show it: plain values, shared by requests of one worker."""

    id: int
    level: str
    text_en: str
    text_zh: str
    starts_at: datetime
    ends_at: datetime | None

    @property
    def text(self) -> str:
        return pick(self.text_en, self.text_zh)

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


_SHOWN_COLUMNS = (Announcement.id, Announcement.level, Announcement.text_en, Announcement.text_zh,
                  Announcement.starts_at, Announcement.ends_at)
_CACHE = "concierge.announcements"
_CHANGED = "announcements_changed"


def _lifetime() -> float:
    return float(current_app.config.get("ANNOUNCEMENT_CACHE_SECONDS", 3))


def showing(*, slug: str | None = None, event_id: int | None = None,
            now: datetime | None = None) -> list[Shown]:
    """What is on now for the event named by its slug (not a draft) or its id; one query every few seconds.

    Read ahead by the cache's lifetime, so an announcement due to start within it
    shows on time; each read keeps only what is on at `now`.
    """
    now = now or utcnow()
    cache = current_app.extensions.setdefault(_CACHE, {})
    key = ("slug", slug) if slug is not None else ("id", event_id)
    held = cache.get(key)
    if held is None or held[0] <= time.monotonic():
        lifetime = _lifetime()
        query = select(*_SHOWN_COLUMNS).where(
            Announcement.ended_at.is_(None), Announcement.starts_at <= now + timedelta(seconds=lifetime),
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        ).order_by(_SEVERITY, Announcement.starts_at.desc(), Announcement.id.desc())
        if slug is not None:
            query = query.join(Event, Event.id == Announcement.event_id).where(
                Event.slug == slug, Event.status != "draft")
        else:
            query = query.where(Announcement.event_id == event_id)
        held = (time.monotonic() + lifetime, tuple(Shown(*row) for row in db.session.execute(query)))
        if lifetime > 0:
            cache[key] = held
    return [shown for shown in held[1] if shown.is_active(now)]


def forget_shown() -> None:
    """Drop this worker's copy of what pages show (after a post or an end)."""
    if has_app_context():
        current_app.extensions.pop(_CACHE, None)


@event.listens_for(OrmSession, "after_flush")
def _note_announcement_changes(session, _flush_context) -> None:
    if any(isinstance(obj, Announcement) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _forget_after_commit(session) -> None:
    if session.info.pop(_CHANGED, False):
        forget_shown()


@event.listens_for(OrmSession, "after_rollback")
def _nothing_changed(session) -> None:
    session.info.pop(_CHANGED, None)


@dataclass(frozen=True)
class KioskScreen:
    """What a kiosk of the event shows: emergencies over everything, other notices as a strip."""

    emergencies: list[Shown] = field(default_factory=list)
    notices: list[Shown] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Names the emergencies shown; a kiosk page whose key no longer matches starts over."""
        return "-".join(str(a.id) for a in self.emergencies)

    @property
    def notices_key(self) -> str:
        """Names the notices of the strip, in the page's language: unchanged, the poll gets 204."""
        return _digest(self.notices)


def for_kiosk(event_id: int, now: datetime | None = None) -> KioskScreen:
    current = showing(event_id=event_id, now=now)
    return KioskScreen(emergencies=[a for a in current if a.level == "emergency"],
                       notices=[a for a in current if a.level != "emergency"])


def for_event(event: Event) -> list[Announcement]:
    """Every announcement of the event, for the organizer's list."""
    return db.session.scalars(
        select(Announcement).where(Announcement.event_id == event.id)
        .order_by(Announcement.starts_at.desc(), Announcement.id.desc())
    ).all()


def post(event: Event, actor, *, level: str, text_en: str, text_zh: str, starts_at: datetime,
         ends_at: datetime | None, email_guests: bool = False) -> Announcement:
    """Post an announcement; an emergency may also go by mail to every confirmed guest, at once."""
    announcement = Announcement(
        event_id=event.id, level=level, text_en=text_en.strip(), text_zh=text_zh.strip(),
        starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id if actor else None,
    )
    db.session.add(announcement)
    db.session.flush()
    if email_guests and level == "emergency":
        _mail_everyone(event, announcement)
    audit.record(event, actor, "announcement.post", subject=f"announcement {announcement.id}", detail=level)
    db.session.commit()
    return announcement


def _mail_everyone(event: Event, announcement: Announcement) -> None:
    """One outbox row per confirmed guest, in the transaction that posts the announcement."""
    guests = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.state == CONFIRMED)
        .order_by(Registration.id)
    ).all()
    for registration in guests:
        outbox.queue("announcement", registration.email, "announcement", registration.language, event=event,
                     registration=registration, announcement=announcement)
    announcement.emailed_at = utcnow()


def end(event: Event, actor, announcement_id: int) -> Announcement | None:
    """End an announcement now; it leaves every page at the next poll."""
    announcement = db.session.scalar(
        select(Announcement).where(Announcement.id == announcement_id, Announcement.event_id == event.id)
        .with_for_update()
    )
    if announcement is None:
        return None
    if announcement.ended_at is None:
        announcement.ended_at = utcnow()
        audit.record(event, actor, "announcement.end", subject=f"announcement {announcement.id}")
    db.session.commit()
    return announcement


def _digest(shown) -> str:
    digest = hashlib.sha256()
    for announcement in shown:
        digest.update(f"{announcement.id}\x1f{announcement.level}\x1f{announcement.text}\x1e".encode())
    return digest.hexdigest()[:16]


def strip_key(shown) -> str:
    """A short name for what a strip shows, in the page's language: the poll sends it back.

    Two parts, the emergencies' (said in the page's role="alert" region) and the other notices'
    (its role="status" region): an answer carries only the region that changed, and none when
    neither did, so no region speaks again about what it already said."""
    shown = list(shown)
    urgent = [a for a in shown if a.level == "emergency"]
    others = [a for a in shown if a.level != "emergency"]
    return f"{_digest(urgent)}.{_digest(others)}"


def is_key_of_one_region(sent_key: str | None) -> bool:
    """A key from a page made before the strip had two regions (one digest, no dot): such a page,
    still open across an upgrade, has nowhere to put a refill and must load anew to show a change."""
    return bool(sent_key) and "." not in sent_key


def key_of_one_region(shown) -> str:
    """What such a page sent back while it showed `shown`."""
    return _digest(shown)


def changed_regions(sent_key: str | None, shown) -> tuple[bool, bool]:
    """Whether the emergencies and the other notices differ from what a page said it shows."""
    sent_urgent, _, sent_others = (sent_key or "").partition(".")
    urgent, _, others = strip_key(shown).partition(".")
    return sent_urgent != urgent, sent_others != others


class _Lazy:
    """The strip's announcements, read only when a full page actually shows the strip."""

    def __init__(self, slug: str):
        self._slug = slug
        self._items = None

    def _load(self):
        if self._items is None:
            self._items = showing(slug=self._slug)
        return self._items

    def __iter__(self):
        return iter(self._load())

    def __bool__(self):
        return bool(self._load())

    def __len__(self):
        return len(self._load())


def register(bp) -> None:
    @bp.app_context_processor
    def announcement_strip():
        slug = (request.view_args or {}).get("slug") if has_request_context() else None
        # A NUL in the URL was already refused with a 400; PostgreSQL cannot even look it up.
        if not isinstance(slug, str) or "\x00" in slug:
            return {"announcement_slug": None, "current_announcements": [], "announcement_key": strip_key}
        return {"announcement_slug": slug, "current_announcements": _Lazy(slug), "announcement_key": strip_key}
