"""The event archive: one ZIP with every list as CSV (headers in the reader's language) and JSON
(stable keys), the survey results and the report as HTML, for the files of the next edition.

Secrets stay out (ticket codes, token hashes, internal help-desk notes). Sensitive
needs (diet, allergies, accessibility, medical notes) are added only when the
organizer asks, and the subject of a medical or dietary help request with them.
"""

import io
import json
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
    AccessibilityNeeds, AgendaEntry, Allergy, CheckIn, DietaryNeeds, Invitation, LodgingRequest, MedicalNotes,
    Registration, RoomBlock, Session, SessionRating, Survey, Ticket, TransportLeg,
)
from portal.surveys import columns as survey_columns, results as survey_results
from portal.surveys.services import load_survey, ordered_questions

SENSITIVE_TICKET_CATEGORIES = ("medical", "dietary")


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    value: Callable[[Any], Any]


@dataclass
class Sheet:
    name: str
    fields: list[Field]
    rows: list

    def csv(self) -> bytes:
        headers, values = exports.table([exports.Column(f.header, f.value) for f in self.fields], self.rows)
        return exports.csv_bytes(headers, values)

    def json(self) -> bytes:
        records = [{f.key: _json_value(f.value(row)) for f in self.fields} for row in self.rows]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _local(event):
    return lambda value: value.astimezone(event.zone).replace(tzinfo=None) if value else None


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
        Field("confirmation_code", _("Confirmation code"), lambda r: r.confirmation_code),
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
        Field("registration_id", _("Guest no."), lambda c: c.registration_id),
        Field("guest", _("Guest"), lambda c: c.registration.name_latin),
        Field("at", _("Checked in"), lambda c: local(c.at)),
        Field("where", _("Where"), lambda c: c.kiosk.name if c.kiosk else _("Desk")),
    ], rows)


def lodging(event) -> Sheet:
    rows = db.session.scalars(select(LodgingRequest).where(LodgingRequest.event_id == event.id)
                              .options(joinedload(LodgingRequest.registration), joinedload(LodgingRequest.roommate),
                                       joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel))
                              .order_by(LodgingRequest.id)).all()
    return Sheet("lodging", [
        Field("registration_id", _("Guest no."), lambda r: r.registration_id),
        Field("guest", _("Guest"), lambda r: r.registration.name_latin),
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
        Field("registration_id", _("Guest no."), lambda t: t.registration_id),
        Field("guest", _("Guest"), lambda t: t.registration.name_latin),
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

    def subject(ticket):
        if ticket.category in SENSITIVE_TICKET_CATEGORIES and not include_sensitive:
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

    name = Field("guest", _("Guest"), lambda row: row[1].name_latin)
    number = Field("registration_id", _("Guest no."), lambda row: row[1].id)
    return [
        Sheet("dietary", [number, name, Field("diet", _("Diet"), lambda row: row[0].diet),
                          Field("diet_detail", _("Diet details"), lambda row: row[0].diet_detail)],
              guest_rows(DietaryNeeds)),
        Sheet("allergies", [number, name, Field("allergen", _("Allergen"), lambda row: row[0].allergen),
                            Field("severity", _("Severity"), lambda row: row[0].severity),
                            Field("detail", _("Details"), lambda row: row[0].detail)], guest_rows(Allergy)),
        Sheet("accessibility", [number, name, *[
            Field(key, header, (lambda k: lambda row: getattr(row[0], k))(key)) for key, header in (
                ("wheelchair", _("Wheelchair")), ("step_free", _("Step-free access")),
                ("hearing_loop", _("Hearing loop")), ("sign_language", _("Sign language")),
                ("seating", _("Reserved seating")), ("other", _("Other needs")))]],
              guest_rows(AccessibilityNeeds)),
        Sheet("medical", [number, name, Field("notes", _("Medical notes"), lambda row: row[0].notes),
                          Field("emergency_name", _("Emergency contact"), lambda row: row[0].emergency_name),
                          Field("emergency_phone", _("Emergency phone"), lambda row: row[0].emergency_phone),
                          Field("emergency_relation", _("Relation"), lambda row: row[0].emergency_relation)],
              guest_rows(MedicalNotes)),
    ]


def build_zip(event, report_html: str, include_sensitive: bool) -> bytes:
    """The archive as ZIP bytes."""
    sheets = [registrations(event), invitations(event), agenda(event), check_ins(event), lodging(event),
              transport(event), session_ratings(event), tickets(event, include_sensitive)]
    sheets += survey_sheets(event)
    if include_sensitive:
        sheets += sensitive_sheets(event)
    manifest = {
        "event": event.slug, "name_en": event.name_en, "name_zh": event.name_zh,
        "generated_at": utcnow().isoformat(), "sensitive_needs_included": include_sensitive,
        "files": ["report.html", *[f"csv/{s.name}.csv" for s in sheets], *[f"json/{s.name}.json" for s in sheets]],
    }
    buffer = io.BytesIO()
    folder = f"{event.slug}-archive"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr(f"{folder}/report.html", report_html)
        for sheet in sheets:
            archive.writestr(f"{folder}/csv/{sheet.name}.csv", sheet.csv())
            archive.writestr(f"{folder}/json/{sheet.name}.json", sheet.json())
    return buffer.getvalue()
