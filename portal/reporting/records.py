"""The archive's sheets of the event's own records: what the team set up and did, not one guest's things.

Announcements, the audit log, hotels and room blocks, vehicles, survey questions and costs.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Announcement, AuditEntry, Hotel, RoomBlock, RoomNight, Survey, TransportLeg, Vehicle
from portal.models.transport import SCHEDULED
from portal.reporting import costs as cost_view
from portal.reporting.sheets import Field, Sheet, clock, staff_name
from portal.surveys.services import load_survey, ordered_questions


def announcements(event) -> Sheet:
    rows = db.session.scalars(select(Announcement).where(Announcement.event_id == event.id)
                              .options(joinedload(Announcement.created_by))
                              .order_by(Announcement.starts_at, Announcement.id)).all()
    local = clock(event)
    return Sheet("announcements", [
        Field("level", _("Level"), lambda a: a.level),
        Field("text_en", _("Text in English"), lambda a: a.text_en),
        Field("text_zh", _("Text in Chinese"), lambda a: a.text_zh),
        Field("starts_at", _("Shown from"), lambda a: local(a.starts_at)),
        Field("ends_at", _("Shown until"), lambda a: local(a.ends_at)),
        Field("ended_at", _("Taken down"), lambda a: local(a.ended_at)),
        Field("emailed_at", _("E-mailed"), lambda a: local(a.emailed_at)),
        Field("by", _("Posted by"), lambda a: staff_name(a.created_by)),
    ], rows)


def audit_log(event) -> Sheet:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.event_id == event.id)
                              .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.at, AuditEntry.id)).all()
    local = clock(event)
    return Sheet("audit_log", [
        Field("at", _("When"), lambda e: local(e.at)),
        Field("by", _("Who"), lambda e: staff_name(e.actor)),
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
    local = clock(event)
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
