"""Bulk mail to a group of guests, each in their own language, through the outbox.

The group is chosen by what the organizer plans with (category, registration
state, hotel, arrival day, session), never by diet, accessibility or medical
data. The text carries placeholders filled per guest; the organizer previews it
for real guests of the group and confirms the count before anything is queued.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import url_for
from flask_babel import force_locale
from sqlalchemy import exists, func, or_, select

from portal import audit, outbox
from portal.extensions import db
from portal.guests import addressing
from portal.models import AgendaEntry, AuditEntry, Event, LodgingRequest, Registration, RoomBlock, TransportLeg
from portal.models import lodging as lodging_states, transport as transport_states

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("name", "code", "link")
LANGUAGES = ("en", "zh_Hans")


class BulkMailError(Exception):
    """A refusal with a code: "changed" (the text is not the one previewed), "count" (the group changed),
    "sent" (this very mail already went to this group)."""


@dataclass(frozen=True)
class Group:
    """Who gets the mail; empty values mean "any"."""

    category_id: int | None = None
    state: str = ""
    hotel_id: int | None = None
    arrival_day: date | None = None
    session_id: int | None = None


@dataclass(frozen=True)
class Text:
    """The mail as the organizer wrote it, in both languages, placeholders unfilled."""

    subject_en: str
    subject_zh: str
    body_en: str
    body_zh: str

    def for_language(self, language: str) -> tuple[str, str]:
        if language == "zh_Hans":
            return self.subject_zh, self.body_zh
        return self.subject_en, self.body_en


def unknown_placeholders(text: str) -> list[str]:
    """The {…} in `text` that are not placeholders this mail fills."""
    return [found for found in PLACEHOLDER.findall(text) if found.strip() not in PLACEHOLDERS]


def _day_bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=event.zone)
    return start, start + timedelta(days=1)


def conditions(event: Event, group: Group) -> list:
    """SQL conditions on Registration for the guests of `group` in `event`."""
    found = [Registration.event_id == event.id]
    if group.state:
        found.append(Registration.state == group.state)
    if group.category_id:
        found.append(Registration.category_id == group.category_id)
    if group.hotel_id:
        found.append(exists().where(
            LodgingRequest.registration_id == Registration.id, LodgingRequest.block_id == RoomBlock.id,
            RoomBlock.hotel_id == group.hotel_id, RoomBlock.event_id == event.id,
            LodgingRequest.state.in_((lodging_states.REQUESTED, lodging_states.CONFIRMED,
                                      lodging_states.WAITLISTED))))
    if group.arrival_day:
        start, end = _day_bounds(event, group.arrival_day)
        found.append(or_(
            exists().where(TransportLeg.registration_id == Registration.id, TransportLeg.direction == "arrival",
                           TransportLeg.state.in_(transport_states.ACTIVE_STATES + (transport_states.COMPLETED,)),
                           TransportLeg.scheduled_at >= start, TransportLeg.scheduled_at < end),
            exists().where(LodgingRequest.registration_id == Registration.id,
                           LodgingRequest.check_in == group.arrival_day,
                           LodgingRequest.state.in_((lodging_states.REQUESTED, lodging_states.CONFIRMED))),
        ))
    if group.session_id:
        found.append(exists().where(AgendaEntry.registration_id == Registration.id,
                                    AgendaEntry.session_id == group.session_id))
    return found


def count(event: Event, group: Group) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(*conditions(event, group))) or 0


def recipients(event: Event, group: Group) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(*conditions(event, group)).order_by(Registration.id)))


def samples(event: Event, group: Group) -> list[Registration]:
    """A real guest of the group for each language it holds, for the preview."""
    found = []
    for language in LANGUAGES:
        guest = db.session.scalar(select(Registration).where(
            *conditions(event, group),
            Registration.language == language if language == "zh_Hans" else Registration.language != "zh_Hans",
        ).order_by(Registration.id).limit(1))
        if guest is not None:
            found.append(guest)
    return found


def fill(text: str, registration: Registration, event: Event) -> str:
    """`text` with the guest's placeholders filled, in the language being rendered."""
    values = {
        "name": addressing.addressed_name(registration),
        "code": registration.confirmation_code,
        "link": url_for("guests.my_trip", slug=event.slug, _external=True),
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)


@dataclass(frozen=True)
class Rendered:
    registration: Registration
    language: str
    subject: str
    body: str


def render_for(event: Event, text: Text, registration: Registration) -> Rendered:
    """The mail as `registration` receives it: their language, their values."""
    language = registration.language if registration.language in LANGUAGES else "en"
    subject, body = text.for_language(language)
    with force_locale(language):
        return Rendered(registration, language, " ".join(fill(subject, registration, event).split()),
                        fill(body, registration, event).strip())


def fingerprint(group: Group, text: Text) -> str:
    """What the preview showed; the send refuses a text or group changed since."""
    return hashlib.blake2b(repr((group, text)).encode(), digest_size=12).hexdigest()


def send(event: Event, group: Group, text: Text, actor, *, confirmed: int, previewed: str) -> int:
    """Queue one mail per guest of the group, in their language; refuses when the preview is stale. Commits."""
    if previewed != fingerprint(group, text):
        raise BulkMailError("changed")
    # A second click on Send, or the page sent again from the browser's history, sends nothing twice.
    if db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.event_id == event.id, AuditEntry.action == "mail.bulk",
            AuditEntry.detail.endswith(f"preview {previewed}")).limit(1)) is not None:
        raise BulkMailError("sent")
    guests = recipients(event, group)
    if len(guests) != confirmed:
        raise BulkMailError("count")
    by_language: dict[str, list[tuple[str, dict]]] = {}
    for registration in guests:
        mail = render_for(event, text, registration)
        by_language.setdefault(mail.language, []).append(
            (registration.email, {"registration": registration, "subject_line": mail.subject, "body": mail.body}))
    for language, mails in by_language.items():
        outbox.add_many(outbox.compose_many("bulk", "bulk", language, mails, event=event))
    audit.record(event, actor, "mail.bulk", subject=text.subject_en[:200],
                 detail=f"{len(guests)} guests; {_describe(group)}; preview {previewed}")
    db.session.commit()
    return len(guests)


def _describe(group: Group) -> str:
    """The group as the audit log keeps it: ids and codes, no personal data."""
    parts = [f"{name}={value}" for name, value in vars(group).items() if value]
    return ", ".join(parts) or "everyone"
