"""The post-event report's figures, each from one grouped query (a fixed number, whatever the event's size).

Attendance, needs fulfilled, the help desk,
satisfaction from the surveys and the session ratings, lodging cost and transport.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Answer, CheckIn, DietaryNeeds, Invitation, LodgingRequest, Question, Registration, RoomBlock, Session,
    SessionRating, Survey, SurveyResponse, Ticket, TicketRating, TransportLeg, Vehicle,
)
from portal.models.lodging import CONFIRMED as ROOM_CONFIRMED
from portal.lifecycle import admitted_over_capacity
from portal.models.registration import CONFIRMED
from portal.models.survey import NPS, RATING, SERVICE_AREAS
from portal.surveys.results import mean_of, nps_score


@dataclass
class Attendance:
    invited: int = 0
    registered: int = 0
    confirmed: int = 0
    checked_in: int = 0
    # Confirmed guests who never checked in: None until the event has ended (before, everyone is "not yet").
    no_shows: int | None = 0
    by_state: dict = field(default_factory=dict)
    # category id (or None) → {"registered", "confirmed", "checked_in", "no_shows"}
    by_category: dict = field(default_factory=dict)
    by_day: list[tuple[date, int]] = field(default_factory=list)
    # Guests an organizer confirmed beyond the capacity: (name, reason), in the order they were let in.
    admitted_over: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Report:
    attendance: Attendance
    rooms: dict
    pickups: dict
    diets: dict
    helpdesk: dict | None
    satisfaction: list
    session_ratings: list
    lodging_cost: list
    transport: dict


def attendance(event) -> Attendance:
    figures = Attendance()
    figures.invited = db.session.scalar(select(func.count(Invitation.id)).where(Invitation.event_id == event.id)) or 0
    checked = (select(CheckIn.registration_id).where(CheckIn.event_id == event.id)).subquery()
    rows = db.session.execute(
        select(Registration.category_id, Registration.state, func.count(Registration.id),
               func.count(checked.c.registration_id))
        .outerjoin(checked, checked.c.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id, Registration.state)).all()
    by_category = defaultdict(lambda: {"registered": 0, "confirmed": 0, "checked_in": 0, "no_shows": 0})
    for category_id, state, count, arrived in rows:
        entry = by_category[category_id]
        entry["registered"] += count
        entry["checked_in"] += arrived
        figures.by_state[state] = figures.by_state.get(state, 0) + count
        if state == CONFIRMED:
            entry["confirmed"] += count
            entry["no_shows"] += count - arrived
    figures.by_category = dict(by_category)
    figures.registered = sum(figures.by_state.values())
    figures.confirmed = figures.by_state.get(CONFIRMED, 0)
    figures.checked_in = sum(e["checked_in"] for e in by_category.values())
    figures.no_shows = sum(e["no_shows"] for e in by_category.values())
    if not event.has_ended():
        figures.no_shows = None
        for entry in figures.by_category.values():
            entry["no_shows"] = None
    # Days in the venue's calendar: converted here, since the two databases group dates differently.
    days: dict[date, int] = defaultdict(int)
    for (at,) in db.session.execute(select(CheckIn.at).where(CheckIn.event_id == event.id)):
        days[at.astimezone(event.zone).date()] += 1
    figures.by_day = sorted(days.items())
    figures.admitted_over = [(guest.name_latin, _admission_reason(guest)) for guest in admitted_over_capacity(event)]
    return figures


def _admission_reason(registration) -> str:
    steps = [change for change in registration.changes if change.to_state == CONFIRMED]
    return steps[-1].reason if steps else ""


def _by_state(model, event, *conditions) -> dict[str, int]:
    return dict(db.session.execute(
        select(model.state, func.count(model.id)).where(model.event_id == event.id, *conditions)
        .group_by(model.state)).all())


def diets(event) -> dict[str, int]:
    """Confirmed guests per diet (counts only; no one is named in the report)."""
    return dict(db.session.execute(
        select(DietaryNeeds.diet, func.count(DietaryNeeds.id))
        .join(Registration, Registration.id == DietaryNeeds.registration_id)
        .where(Registration.event_id == event.id, Registration.state == CONFIRMED)
        .group_by(DietaryNeeds.diet).order_by(DietaryNeeds.diet)).all())


def helpdesk(event) -> dict:
    by_category = dict(db.session.execute(
        select(Ticket.category, func.count(Ticket.id)).where(Ticket.event_id == event.id)
        .group_by(Ticket.category).order_by(Ticket.category)).all())
    by_state = _by_state(Ticket, event)
    seconds = [s for (s,) in db.session.execute(
        select(Ticket.first_response_seconds).where(Ticket.event_id == event.id,
                                                    Ticket.first_response_seconds.is_not(None)))]
    scores = dict(db.session.execute(
        select(TicketRating.score, func.count(TicketRating.id)).join(Ticket, Ticket.id == TicketRating.ticket_id)
        .where(Ticket.event_id == event.id, TicketRating.score.is_not(None)).group_by(TicketRating.score)).all())
    return {
        "total": sum(by_category.values()), "by_category": by_category, "by_state": by_state,
        "median_first_response_minutes": round(statistics.median(seconds) / 60, 1) if seconds else None,
        "rating_mean": mean_of(scores), "ratings": sum(scores.values()),
    }


def satisfaction(event) -> list[dict]:
    """For each survey: its responses, the mean rating per service area, and the NPS."""
    surveys = db.session.scalars(select(Survey).where(Survey.event_id == event.id).order_by(Survey.id)).all()
    responses = dict(db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.event_id == event.id, SurveyResponse.draft.is_(False))
        .group_by(SurveyResponse.survey_id)).all())
    numbers = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for survey_id, kind, area, number, count in db.session.execute(
            select(Question.survey_id, Question.kind, Question.service_area, Answer.number, func.count(Answer.id))
            .join(Answer, Answer.question_id == Question.id)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .join(Survey, Survey.id == Question.survey_id)
            .where(Survey.event_id == event.id, SurveyResponse.draft.is_(False), Question.kind.in_((RATING, NPS)),
                   Answer.number.is_not(None))
            .group_by(Question.survey_id, Question.kind, Question.service_area, Answer.number)):
        key = "nps" if kind == NPS else (area or "other")
        numbers[survey_id][key][number] += count
    summary = []
    for survey in surveys:
        figures = numbers.get(survey.id, {})
        areas = [(area, mean_of(figures[area]), sum(figures[area].values()))
                 for area in (*SERVICE_AREAS, "other") if area in figures]
        nps, promoters, passives, detractors = nps_score(dict(figures.get("nps", {})))
        summary.append({"survey": survey, "responses": responses.get(survey.id, 0), "areas": areas, "nps": nps,
                        "promoters": promoters, "passives": passives, "detractors": detractors})
    return summary


def session_ratings(event) -> list[dict]:
    rows = db.session.execute(
        select(Session, func.count(SessionRating.id), func.sum(SessionRating.score))
        .join(SessionRating, SessionRating.session_id == Session.id)
        .where(Session.event_id == event.id)
        .group_by(Session.id).order_by(Session.starts_at, Session.id)).all()
    return [{"session": session, "ratings": count,
             "mean": float((Decimal(total) / count).quantize(Decimal("0.01")))}
            for session, count, total in rows]


def lodging_cost(event) -> list[dict]:
    """Nightly rate × nights of every confirmed stay, summed by who pays and in which currency."""
    totals: dict[tuple[str, str], dict] = {}
    for check_in, check_out, rate, currency, payer in db.session.execute(
            select(LodgingRequest.check_in, LodgingRequest.check_out, RoomBlock.nightly_rate, RoomBlock.currency,
                   RoomBlock.payer)
            .join(RoomBlock, RoomBlock.id == LodgingRequest.block_id)
            .where(LodgingRequest.event_id == event.id, LodgingRequest.state == ROOM_CONFIRMED)):
        nights = (check_out - check_in).days
        entry = totals.setdefault((payer, currency), {"payer": payer, "currency": currency, "stays": 0,
                                                      "nights": 0, "total": Decimal("0.00")})
        entry["stays"] += 1
        entry["nights"] += nights
        entry["total"] += Decimal(rate) * nights
    return [totals[key] for key in sorted(totals)]


def transport(event) -> dict:
    legs = defaultdict(lambda: defaultdict(int))
    passengers = 0
    for direction, state, count, people in db.session.execute(
            select(TransportLeg.direction, TransportLeg.state, func.count(TransportLeg.id),
                   func.coalesce(func.sum(TransportLeg.passengers), 0))
            .where(TransportLeg.event_id == event.id, TransportLeg.pickup_wanted.is_(True))
            .group_by(TransportLeg.direction, TransportLeg.state)):
        legs[direction][state] += count
        if state in ("scheduled", "completed"):
            passengers += people
    vehicles = db.session.scalar(select(func.count(Vehicle.id)).where(Vehicle.event_id == event.id)) or 0
    return {"legs": {d: dict(s) for d, s in legs.items()}, "passengers_carried": passengers, "vehicles": vehicles}


def pickups(transport_figures: dict) -> dict:
    merged: dict[str, int] = defaultdict(int)
    for states in transport_figures["legs"].values():
        for state, count in states.items():
            merged[state] += count
    return dict(merged)


def build(event) -> Report:
    moving = transport(event)
    return Report(
        attendance=attendance(event),
        rooms=_by_state(LodgingRequest, event),
        pickups=pickups(moving),
        diets=diets(event),
        helpdesk=helpdesk(event),
        satisfaction=satisfaction(event),
        session_ratings=session_ratings(event),
        lodging_cost=lodging_cost(event),
        transport=moving,
    )
