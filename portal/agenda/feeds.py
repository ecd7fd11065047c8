"""A guest's calendar: the secret feed address (one per registration, renewable and revocable)
and RFC 5545 calendars of sessions, for the feed and for one session's download."""

from flask import url_for
from icalendar import Calendar, Event as CalendarEvent
from sqlalchemy import delete, select

from portal.agenda.services import ACTIVE_STATES
from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.extensions import db
from portal.models import AgendaFeed, Event, Registration


def create_feed(registration: Registration) -> str:
    """A new secret feed token for the guest; any earlier feed URL stops working."""
    token = new_token()
    db.session.execute(delete(AgendaFeed).where(AgendaFeed.registration_id == registration.id))
    db.session.add(AgendaFeed(registration_id=registration.id, token_hash=token_hash(token)))
    db.session.commit()
    return token


def revoke_feed(registration: Registration) -> None:
    db.session.execute(delete(AgendaFeed).where(AgendaFeed.registration_id == registration.id))
    db.session.commit()


def has_feed(registration: Registration) -> bool:
    return db.session.scalar(
        select(AgendaFeed.id).where(AgendaFeed.registration_id == registration.id)) is not None


def registration_for_feed(event: Event, token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Registration).join(AgendaFeed, AgendaFeed.registration_id == Registration.id).where(
            AgendaFeed.token_hash == token_hash(token), Registration.event_id == event.id,
            Registration.state.in_(ACTIVE_STATES),
        )
    )


def calendar(event: Event, sessions, name: str) -> bytes:
    """An RFC 5545 calendar of `sessions`, times in the event's zone with its VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", "-//Concierge//Agenda//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", event.timezone)
    stamp = utcnow()
    for session in sessions:
        entry = CalendarEvent()
        entry.add("uid", f"session-{session.id}-{event.slug}@concierge")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", session.starts_at.astimezone(event.zone))
        entry.add("dtend", session.ends_at.astimezone(event.zone))
        entry.add("summary", session.title)
        if session.description:
            entry.add("description", session.description)
        if session.room is not None:
            entry.add("location", session.room.name)
        entry.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        entry.add("url", url_for("agenda.session", slug=event.slug, session_id=session.id, _external=True))
        cal.add_component(entry)
    cal.add_missing_timezones()
    return cal.to_ical()
