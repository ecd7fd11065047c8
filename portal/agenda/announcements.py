"""Announcements: posting, ending, the strip on every page of an event, and the emergency mail.

Every page of an event carries the strip (templates/agenda/_announcements.html,
included once in base.html); it re-fetches itself every 10 seconds, so a new
emergency reaches an open page within 15 seconds and an ended one leaves it.
Kiosks poll `for_kiosk` the same way: an emergency takes over their whole screen.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import case, or_, select

from portal import audit, outbox
from portal.database import utcnow
from portal.extensions import db
from portal.models import Announcement, Event, Registration
from portal.models.registration import CONFIRMED

# Emergencies first, then important notices, then the rest; newest first within a level.
_SEVERITY = case({"emergency": 0, "important": 1}, value=Announcement.level, else_=2)


def active(event_id: int, now: datetime | None = None) -> list[Announcement]:
    now = now or utcnow()
    return db.session.scalars(
        select(Announcement).where(
            Announcement.event_id == event_id, Announcement.ended_at.is_(None), Announcement.starts_at <= now,
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        ).order_by(_SEVERITY, Announcement.starts_at.desc(), Announcement.id.desc())
    ).all()


@dataclass(frozen=True)
class KioskScreen:
    """What a kiosk of the event shows: emergencies over everything, other notices as a strip."""

    emergencies: list[Announcement] = field(default_factory=list)
    notices: list[Announcement] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Names the emergencies shown; a kiosk page whose key no longer matches starts over."""
        return "-".join(str(a.id) for a in self.emergencies)


def for_kiosk(event_id: int, now: datetime | None = None) -> KioskScreen:
    current = active(event_id, now)
    return KioskScreen(emergencies=[a for a in current if a.level == "emergency"],
                       notices=[a for a in current if a.level != "emergency"])


def active_for_slug(slug: str) -> list[Announcement]:
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug, Event.status != "draft"))
    return active(event_id) if event_id is not None else []


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


class _Lazy:
    """The strip's announcements, read only when a full page actually shows the strip."""

    def __init__(self, slug: str):
        self._slug = slug
        self._items = None

    def _load(self):
        if self._items is None:
            self._items = active_for_slug(self._slug)
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
            return {"announcement_slug": None, "current_announcements": []}
        return {"announcement_slug": slug, "current_announcements": _Lazy(slug)}
