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
import zipfile

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.i18n import gettext as _, pgettext
from portal.models import (
    AccessibilityNeeds, AgendaEntry, Allergy, CheckIn, DietaryNeeds, Invitation, LodgingRequest, MedicalNotes,
    Registration, RegistrationChange, RoomBlock, Session, SessionRating, Survey, Ticket, TransportLeg,
)
from portal.privacy import purge
from portal.reporting import records
from portal.reporting.sheets import CodeRedactor, Field, Sheet, clock
from portal.surveys import columns as survey_columns, results as survey_results
from portal.surveys.services import load_survey, ordered_questions

def _guest_fields(registration_of) -> list[Field]:
    """The guest's number and name: the first two columns of every sheet about one guest's things."""
    return [Field("registration_id", _("Guest no."), lambda row: registration_of(row).id),
            Field("guest", _("Guest"), lambda row: registration_of(row).name_latin)]


def registrations(event) -> Sheet:
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .options(joinedload(Registration.category)).order_by(Registration.id)).all()
    local = clock(event)
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
    local = clock(event)
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
    local = clock(event)
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
    local = clock(event)
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
    local = clock(event)
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
    local = clock(event)
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
    local = clock(event)
    return Sheet("registration_history", [
        *_guest_fields(lambda c: c.registration),
        Field("from_state", _("From"), lambda c: c.from_state),
        Field("to_state", _("To"), lambda c: c.to_state),
        Field("by_guest", _("By the guest"), lambda c: c.actor_id is not None and c.actor_id == c.registration.user_id),
        Field("reason", _("Reason"), lambda c: c.reason),
        Field("at", _("When"), lambda c: local(c.at)),
    ], rows)


def build_zip(event, report_html: str, include_sensitive: bool) -> bytes:
    """The archive as ZIP bytes; no confirmation or ticket code anywhere in it."""
    sheets = [registrations(event), registration_history(event), invitations(event), agenda(event),
              check_ins(event), records.hotels(event), records.room_blocks(event), lodging(event),
              records.vehicles(event), transport(event), session_ratings(event), tickets(event, include_sensitive),
              records.announcements(event), records.audit_log(event), records.survey_questions(event),
              records.costs(event)]
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
