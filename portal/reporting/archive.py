"""The event archive: one ZIP with every list as CSV (headers in the reader's language) and JSON
(stable keys), the survey results and the report as HTML, for the files of the next edition.

Secrets stay out (token hashes, internal help-desk notes), and so do the guests'
confirmation and ticket codes: the registrations list leaves them out, and any text that
repeats one (the audit log names a guest by their code) shows "guest <no.>" in its place,
so an archive passed on can never check anyone in. Sensitive
needs (diet, allergies, accessibility, medical notes) are added only when the
organizer asks, and the subject of a medical or dietary help request with them.
"""

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal import exports
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import gettext as _, pgettext
from portal.models import (
    AccessibilityNeeds, AgendaEntry, Allergy, Announcement, AuditEntry, CheckIn, DietaryNeeds, Hotel, Invitation,
    LodgingRequest, MedicalNotes, Registration, RegistrationChange, RoomBlock, RoomNight, Session, SessionRating,
    Survey, Ticket, TransportLeg, Vehicle,
)
from portal.models.transport import SCHEDULED
from portal.privacy import purge
from portal.reporting import costs as cost_view
from portal.surveys import columns as survey_columns, results as survey_results
from portal.surveys.services import load_survey, ordered_questions

@dataclass(frozen=True)
class Field:
    key: str
    header: str
    value: Callable[[Any], Any]


class CodeRedactor:
    """Puts "guest <no.>" wherever a text holds one of the event's confirmation or ticket codes."""

    def __init__(self, event):
        self.names: dict[str, str] = {}
        for registration_id, confirmation, ticket in db.session.execute(
                select(Registration.id, Registration.confirmation_code, Registration.ticket_code)
                .where(Registration.event_id == event.id)):
            for code in (confirmation, ticket):
                if code:
                    self.names[code.upper()] = f"guest {registration_id}"
        # Longest first, so a code inside a longer one never leaves a piece behind.
        codes = sorted(self.names, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(c) for c in codes), re.IGNORECASE) if codes else None

    def __call__(self, value):
        if self.pattern is None or not isinstance(value, str):
            return value
        return self.pattern.sub(lambda match: self.names[match.group(0).upper()], value)


def _no_redaction(value):
    return value


@dataclass
class Sheet:
    name: str
    fields: list[Field]
    rows: list

    def _fields(self, redact):
        return [Field(f.key, f.header, (lambda value: lambda row: redact(value(row)))(f.value)) for f in self.fields]

    def csv(self, redact=_no_redaction) -> bytes:
        headers, values = exports.table([exports.Column(f.header, f.value) for f in self._fields(redact)], self.rows)
        return exports.csv_bytes(headers, values)

    def json(self, redact=_no_redaction) -> bytes:
        records = [{f.key: _json_value(f.value(row)) for f in self._fields(redact)} for row in self.rows]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _local(event):
    return lambda value: value.astimezone(event.zone).replace(tzinfo=None) if value else None


def _guest_fields(registration_of) -> list[Field]:
    """The guest's number and name: the first two columns of every sheet about one guest's things."""
    return [Field("registration_id", _("Guest no."), lambda row: registration_of(row).id),
            Field("guest", _("Guest"), lambda row: registration_of(row).name_latin)]


def registrations(event) -> Sheet:
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .options(joinedload(Registration.category)).order_by(Registration.id)).all()
    local = _local(event)
    return Sheet("registrations", [
        Field("id", _("No."), lambda r: r.id),
        Field("name_original", _("Name in own script"), lambda r: r.name_original),
        Field("name_latin", _("Guest"), lambda r: r.name_latin),
        Field("honorific", _("Form of address"), lambda r: r.honorific),
        Field("organization", _("Organization"), lambda r: r.organization),
        Field("job_title", _("Title or position"), lambda r: r.job_title),
        Field("country", _("Country or region"), lambda r: r.country),
        Field("email", _("E-mail"), lambda r: r.email),
        Field("phone", _("Phone"), lambda r: r.phone),
        Field("language", _("Language"), lambda r: r.language),
        Field("category", _("Category"), lambda r: r.category.code if r.category else ""),
        Field("state", _("State"), lambda r: r.state),
        Field("registered_at", _("Registered"), lambda r: local(r.created_at)),
        Field("confirmed_at", _("Confirmed"), lambda r: local(r.confirmed_at)),
    ], rows)


def invitations(event) -> Sheet:
    rows = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)
                              .options(joinedload(Invitation.category)).order_by(Invitation.id)).all()
    local = _local(event)
    return Sheet("invitations", [
        Field("email", _("E-mail"), lambda i: i.email),
        Field("name", _("Name"), lambda i: i.name),
        Field("category", _("Category"), lambda i: i.category.code if i.category else ""),
        Field("language", _("Language"), lambda i: i.language),
        Field("invited_at", _("Invited"), lambda i: local(i.created_at)),
        Field("accepted_at", _("Accepted"), lambda i: local(i.accepted_at)),
    ], rows)


def agenda(event) -> Sheet:
    holders = dict(db.session.execute(
        select(AgendaEntry.session_id, func.count(AgendaEntry.id)).join(Session, Session.id == AgendaEntry.session_id)
        .where(Session.event_id == event.id).group_by(AgendaEntry.session_id)).all())
    rows = db.session.scalars(select(Session).where(Session.event_id == event.id)
                              .options(joinedload(Session.room), joinedload(Session.track),
                                       selectinload(Session.speakers))
                              .order_by(Session.starts_at, Session.id)).unique().all()
    local = _local(event)
    return Sheet("agenda", [
        Field("id", _("No."), lambda s: s.id),
        Field("title_en", _("Title in English"), lambda s: s.title_en),
        Field("title_zh", _("Title in Chinese"), lambda s: s.title_zh),
        Field("kind", _("Kind"), lambda s: s.kind),
        Field("starts_at", _("Starts"), lambda s: local(s.starts_at)),
        Field("ends_at", _("Ends"), lambda s: local(s.ends_at)),
        Field("room", pgettext("meeting room", "Room"), lambda s: s.room.name_en if s.room else ""),
        Field("track", _("Track"), lambda s: s.track.name_en if s.track else ""),
        Field("speakers", _("Speakers"), lambda s: "; ".join(p.name_en for p in s.speakers)),
        Field("visibility", _("Who may see it"), lambda s: s.visibility),
        Field("capacity", _("Places"), lambda s: s.capacity),
        Field("holders", _("Guests holding it"), lambda s: holders.get(s.id, 0)),
        Field("status", _("Status"), lambda s: s.status),
    ], rows)


def check_ins(event) -> Sheet:
    rows = db.session.scalars(select(CheckIn).where(CheckIn.event_id == event.id)
                              .options(joinedload(CheckIn.registration), joinedload(CheckIn.kiosk))
                              .order_by(CheckIn.at, CheckIn.id)).all()
    local = _local(event)
    return Sheet("check_ins", [
        *_guest_fields(lambda c: c.registration),
        Field("at", _("Checked in"), lambda c: local(c.at)),
        Field("where", _("Where"), lambda c: c.kiosk.name if c.kiosk else _("Desk")),
    ], rows)


def lodging(event) -> Sheet:
    rows = db.session.scalars(select(LodgingRequest).where(LodgingRequest.event_id == event.id)
                              .options(joinedload(LodgingRequest.registration), joinedload(LodgingRequest.roommate),
                                       joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel))
                              .order_by(LodgingRequest.id)).all()
    return Sheet("lodging", [
        *_guest_fields(lambda r: r.registration),
        Field("hotel", _("Hotel"), lambda r: r.block.hotel.name_en),
        Field("room_type", _("Room type"), lambda r: r.block.room_type_en),
        Field("check_in", _("Check-in date"), lambda r: r.check_in),
        Field("check_out", _("Check-out date"), lambda r: r.check_out),
        Field("nights", _("Nights"), lambda r: (r.check_out - r.check_in).days),
        Field("nightly_rate", _("Nightly rate"), lambda r: r.block.nightly_rate),
        Field("currency", _("Currency"), lambda r: r.block.currency),
        Field("payer", _("Paid by"), lambda r: r.block.payer),
        Field("occupancy", _("Guests in the room"), lambda r: r.occupancy),
        Field("roommate", _("Roommate"), lambda r: r.roommate.name_latin if r.roommate else ""),
        Field("state", _("State"), lambda r: r.state),
        Field("confirmation_number", _("Hotel confirmation"), lambda r: r.confirmation_number),
        Field("room_number", _("Room number"), lambda r: r.room_number),
    ], rows)


def transport(event) -> Sheet:
    rows = db.session.scalars(select(TransportLeg).where(TransportLeg.event_id == event.id)
                              .options(joinedload(TransportLeg.registration), joinedload(TransportLeg.vehicle))
                              .order_by(TransportLeg.scheduled_at, TransportLeg.id)).all()
    local = _local(event)
    return Sheet("transport", [
        *_guest_fields(lambda t: t.registration),
        Field("direction", _("Direction"), lambda t: t.direction),
        Field("mode", _("Mode"), lambda t: t.mode),
        Field("service", _("Flight or train"), lambda t: t.service),
        Field("scheduled_at", _("Time"), lambda t: local(t.scheduled_at)),
        Field("station", _("Station"), lambda t: t.station),
        Field("passengers", _("Passengers"), lambda t: t.passengers),
        Field("pickup_wanted", _("Pickup wanted"), lambda t: t.pickup_wanted),
        Field("state", _("State"), lambda t: t.state),
        Field("vehicle", _("Vehicle"), lambda t: t.vehicle.label if t.vehicle else ""),
    ], rows)


def tickets(event, include_sensitive: bool) -> Sheet:
    rows = db.session.scalars(select(Ticket).where(Ticket.event_id == event.id).order_by(Ticket.number)).all()
    local = _local(event)
    # A request once medical or dietary keeps its subject out, whatever its category now (as the purge does).
    hidden = set() if include_sensitive else set(db.session.scalars(
        select(Ticket.id).where(Ticket.event_id == event.id, purge.ever_sensitive())))

    def subject(ticket):
        if ticket.id in hidden:
            return ""
        return ticket.subject

    return Sheet("tickets", [
        Field("reference", _("Request"), lambda t: t.reference),
        Field("category", _("Category"), lambda t: t.category),
        Field("priority", _("Priority"), lambda t: t.priority),
        Field("state", _("State"), lambda t: t.state),
        Field("source", _("Source"), lambda t: t.source),
        Field("subject", _("Subject"), subject),
        Field("created_at", _("Raised"), lambda t: local(t.created_at)),
        Field("first_response_seconds", _("First response (seconds)"), lambda t: t.first_response_seconds),
        Field("resolution_seconds", _("Resolution (seconds)"), lambda t: t.resolution_seconds),
    ], rows)


def session_ratings(event) -> Sheet:
    rows = db.session.scalars(select(SessionRating).join(Session, Session.id == SessionRating.session_id)
                              .where(Session.event_id == event.id).options(joinedload(SessionRating.session))
                              .order_by(SessionRating.session_id, SessionRating.id)).all()
    return Sheet("session_ratings", [
        Field("session_id", _("Session no."), lambda r: r.session_id),
        Field("session", _("Session"), lambda r: r.session.title_en),
        Field("score", _("Rating"), lambda r: r.score),
        Field("comment", _("Comment"), lambda r: r.comment),
    ], rows)


def survey_sheets(event) -> list[Sheet]:
    """Per survey: the summary and every response, under the same anonymity rules as the exports."""
    sheets = []
    for survey_id in db.session.scalars(select(Survey.id).where(Survey.event_id == event.id).order_by(Survey.id)):
        survey = load_survey(survey_id)
        summary = survey_columns.summary_columns()
        sheets.append(Sheet(f"survey_{survey.id}_summary",
                            [Field(f"c{i}", c.header, c.value) for i, c in enumerate(summary)],
                            survey_columns.summary_rows(survey_results.compute(survey))))
        columns = survey_columns.answer_columns(survey)
        keys = [f"q{q.id}" for q in ordered_questions(survey)]
        fixed = len(columns) - len(keys)
        fields = [Field(f"c{i}", c.header, c.value) for i, c in enumerate(columns[:fixed])]
        fields += [Field(key, c.header, c.value) for key, c in zip(keys, columns[fixed:])]
        sheets.append(Sheet(f"survey_{survey.id}_answers", fields, survey_results.response_rows(survey)))
    return sheets


def sensitive_sheets(event) -> list[Sheet]:
    def guest_rows(model):
        return db.session.execute(
            select(model, Registration).join(Registration, Registration.id == model.registration_id)
            .where(Registration.event_id == event.id).order_by(Registration.id)).all()

    guest = _guest_fields(lambda row: row[1])
    return [
        Sheet("dietary", [*guest, Field("diet", _("Diet"), lambda row: row[0].diet),
                          Field("diet_detail", _("Diet details"), lambda row: row[0].diet_detail)],
              guest_rows(DietaryNeeds)),
        Sheet("allergies", [*guest, Field("allergen", _("Allergen"), lambda row: row[0].allergen),
                            Field("severity", _("Severity"), lambda row: row[0].severity),
                            Field("detail", _("Details"), lambda row: row[0].detail)], guest_rows(Allergy)),
        Sheet("accessibility", [*guest, *[
            Field(key, header, (lambda k: lambda row: getattr(row[0], k))(key)) for key, header in (
                ("wheelchair", _("Wheelchair")), ("step_free", _("Step-free access")),
                ("hearing_loop", _("Hearing loop")), ("sign_language", _("Sign language")),
                ("seating", _("Reserved seating")), ("other", _("Other needs")))]],
              guest_rows(AccessibilityNeeds)),
        Sheet("medical", [*guest, Field("notes", _("Medical notes"), lambda row: row[0].notes),
                          Field("emergency_name", _("Emergency contact"), lambda row: row[0].emergency_name),
                          Field("emergency_phone", _("Emergency phone"), lambda row: row[0].emergency_phone),
                          Field("emergency_relation", _("Relation"), lambda row: row[0].emergency_relation)],
              guest_rows(MedicalNotes)),
    ]


def registration_history(event) -> Sheet:
    rows = db.session.scalars(select(RegistrationChange).join(Registration)
                              .where(Registration.event_id == event.id)
                              .options(joinedload(RegistrationChange.registration))
                              .order_by(RegistrationChange.at, RegistrationChange.id)).all()
    local = _local(event)
    return Sheet("registration_history", [
        *_guest_fields(lambda c: c.registration),
        Field("from_state", _("From"), lambda c: c.from_state),
        Field("to_state", _("To"), lambda c: c.to_state),
        Field("by_guest", _("By the guest"), lambda c: c.actor_id is not None and c.actor_id == c.registration.user_id),
        Field("reason", _("Reason"), lambda c: c.reason),
        Field("at", _("When"), lambda c: local(c.at)),
    ], rows)


def announcements(event) -> Sheet:
    rows = db.session.scalars(select(Announcement).where(Announcement.event_id == event.id)
                              .options(joinedload(Announcement.created_by))
                              .order_by(Announcement.starts_at, Announcement.id)).all()
    local = _local(event)
    return Sheet("announcements", [
        Field("level", _("Level"), lambda a: a.level),
        Field("text_en", _("Text in English"), lambda a: a.text_en),
        Field("text_zh", _("Text in Chinese"), lambda a: a.text_zh),
        Field("starts_at", _("Shown from"), lambda a: local(a.starts_at)),
        Field("ends_at", _("Shown until"), lambda a: local(a.ends_at)),
        Field("ended_at", _("Taken down"), lambda a: local(a.ended_at)),
        Field("emailed_at", _("E-mailed"), lambda a: local(a.emailed_at)),
        Field("by", _("Posted by"), lambda a: _staff_name(a.created_by)),
    ], rows)


def _staff_name(user) -> str:
    return (user.display_name or user.email) if user else ""


def audit_log(event) -> Sheet:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.event_id == event.id)
                              .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.at, AuditEntry.id)).all()
    local = _local(event)
    return Sheet("audit_log", [
        Field("at", _("When"), lambda e: local(e.at)),
        Field("by", _("Who"), lambda e: _staff_name(e.actor)),
        Field("action", _("Action"), lambda e: e.action),
        Field("subject", _("Subject"), lambda e: e.subject),
        Field("detail", _("Details"), lambda e: e.detail),
    ], rows)


def hotels(event) -> Sheet:
    rows = db.session.scalars(select(Hotel).where(Hotel.event_id == event.id).order_by(Hotel.id)).all()
    return Sheet("hotels", [
        Field("id", _("No."), lambda h: h.id),
        Field("name_en", _("Name in English"), lambda h: h.name_en),
        Field("name_zh", _("Name in Chinese"), lambda h: h.name_zh),
        Field("address_en", _("Address in English"), lambda h: h.address_en),
        Field("address_zh", _("Address in Chinese"), lambda h: h.address_zh),
        Field("contact_name", _("Contact"), lambda h: h.contact_name),
        Field("contact_phone", _("Phone"), lambda h: h.contact_phone),
        Field("contact_email", _("E-mail"), lambda h: h.contact_email),
    ], rows)


def room_blocks(event) -> Sheet:
    nights = {block_id: (total, taken) for block_id, total, taken in db.session.execute(
        select(RoomNight.block_id, func.sum(RoomNight.total), func.sum(RoomNight.taken))
        .join(RoomBlock, RoomBlock.id == RoomNight.block_id).where(RoomBlock.event_id == event.id)
        .group_by(RoomNight.block_id))}
    rows = db.session.scalars(select(RoomBlock).where(RoomBlock.event_id == event.id)
                              .options(joinedload(RoomBlock.hotel)).order_by(RoomBlock.id)).all()
    return Sheet("room_blocks", [
        Field("id", _("No."), lambda b: b.id),
        Field("hotel", _("Hotel"), lambda b: b.hotel.name_en),
        Field("room_type_en", _("Room type"), lambda b: b.room_type_en),
        Field("room_type_zh", _("Room type in Chinese"), lambda b: b.room_type_zh),
        Field("nightly_rate", _("Nightly rate"), lambda b: b.nightly_rate),
        Field("currency", _("Currency"), lambda b: b.currency),
        Field("payer", _("Paid by"), lambda b: b.payer),
        Field("arrival_from", _("Check-in from"), lambda b: b.arrival_from),
        Field("departure_until", _("Check-out by"), lambda b: b.departure_until),
        Field("room_nights", _("Room nights held"), lambda b: int(nights.get(b.id, (0, 0))[0] or 0)),
        Field("room_nights_taken", _("Room nights taken"), lambda b: int(nights.get(b.id, (0, 0))[1] or 0)),
    ], rows)


def vehicles(event) -> Sheet:
    seated = dict(db.session.execute(
        select(TransportLeg.vehicle_id, func.sum(TransportLeg.passengers))
        .where(TransportLeg.event_id == event.id, TransportLeg.state.in_((SCHEDULED, "completed")))
        .group_by(TransportLeg.vehicle_id)).all())
    rows = db.session.scalars(select(Vehicle).where(Vehicle.event_id == event.id)
                              .order_by(Vehicle.departs_at, Vehicle.id)).all()
    local = _local(event)
    return Sheet("vehicles", [
        Field("id", _("No."), lambda v: v.id),
        Field("label", _("Vehicle"), lambda v: v.label),
        Field("plate", _("Number plate"), lambda v: v.plate),
        Field("driver_name", _("Driver"), lambda v: v.driver_name),
        Field("driver_phone", _("Driver's phone"), lambda v: v.driver_phone),
        Field("capacity", _("Seats"), lambda v: v.capacity),
        Field("passengers", _("Passengers"), lambda v: int(seated.get(v.id) or 0)),
        Field("meeting_point_en", _("Meeting point in English"), lambda v: v.meeting_point_en),
        Field("meeting_point_zh", _("Meeting point in Chinese"), lambda v: v.meeting_point_zh),
        Field("departs_at", _("Leaves"), lambda v: local(v.departs_at)),
        Field("arrives_at", _("Arrives"), lambda v: local(v.arrives_at)),
        Field("rate", _("Rate"), lambda v: v.rate),
        Field("currency", _("Currency"), lambda v: v.currency),
    ], rows)


def survey_questions(event) -> Sheet:
    rows = []
    for survey_id in db.session.scalars(select(Survey.id).where(Survey.event_id == event.id).order_by(Survey.id)):
        survey = load_survey(survey_id)
        rows += [(survey, question) for question in ordered_questions(survey)]
    return Sheet("survey_questions", [
        Field("survey_id", _("Survey no."), lambda r: r[0].id),
        Field("survey", _("Survey"), lambda r: r[0].title_en),
        Field("question_id", _("Question no."), lambda r: r[1].id),
        Field("kind", _("Kind"), lambda r: r[1].kind),
        Field("service_area", _("Service area"), lambda r: r[1].service_area or ""),
        Field("text_en", _("Question in English"), lambda r: r[1].text_en),
        Field("text_zh", _("Question in Chinese"), lambda r: r[1].text_zh),
        Field("required", _("Answer required"), lambda r: r[1].required),
        Field("choices", _("Choices"), lambda r: "; ".join(c.label_en for c in r[1].choices)),
    ], rows)


def costs(event) -> Sheet:
    """Budget against actual cost per currency and category, as the cost view shows it."""
    rows = [(group.currency, entry) for group in cost_view.build(event).currencies for entry in group.categories]
    return Sheet("costs", [
        Field("currency", _("Currency"), lambda r: r[0]),
        Field("category", _("Category"), lambda r: r[1].category),
        Field("budget_lines", _("Budget lines"), lambda r: "; ".join(line.label for line in r[1].lines)),
        Field("budget", _("Budget"), lambda r: r[1].budget),
        Field("actual", _("Actual"), lambda r: r[1].actual),
        Field("difference", _("Difference"), lambda r: r[1].difference),
    ], rows)


def build_zip(event, report_html: str, include_sensitive: bool) -> bytes:
    """The archive as ZIP bytes; no confirmation or ticket code anywhere in it."""
    sheets = [registrations(event), registration_history(event), invitations(event), agenda(event),
              check_ins(event), hotels(event), room_blocks(event), lodging(event), vehicles(event),
              transport(event), session_ratings(event), tickets(event, include_sensitive), announcements(event),
              audit_log(event), survey_questions(event), costs(event)]
    sheets += survey_sheets(event)
    if include_sensitive:
        sheets += sensitive_sheets(event)
    manifest = {
        "event": event.slug, "name_en": event.name_en, "name_zh": event.name_zh,
        "generated_at": utcnow().isoformat(), "sensitive_needs_included": include_sensitive,
        "files": ["report.html", *[f"csv/{s.name}.csv" for s in sheets], *[f"json/{s.name}.json" for s in sheets]],
    }
    redact = CodeRedactor(event)
    buffer = io.BytesIO()
    folder = f"{event.slug}-archive"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr(f"{folder}/report.html", redact(report_html))
        for sheet in sheets:
            archive.writestr(f"{folder}/csv/{sheet.name}.csv", sheet.csv(redact))
            archive.writestr(f"{folder}/json/{sheet.name}.json", sheet.json(redact))
    return buffer.getvalue()
