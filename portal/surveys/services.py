"""Surveys on the guest's side and their side effects: who is asked, drafts, the one response,
invitations and the reminder, and session ratings.

Invitations: when a survey opens (by hand, or by its date through `flask surveys
send-invitations`, run by cron or beside the mail worker), every guest in its
audience is mailed the plain address /e/<slug>/me/survey. It is personal in the
sense that matters: it opens only the signed-in guest's own survey, and a guest
who is not signed in is taken through the usual e-mailed sign-in link and back.
No credential rides in the survey mail, so a forwarded mail opens nothing.
"""

import secrets
from datetime import datetime, time

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, outbox, privacy
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Answer, CheckIn, Question, Registration, Session, SessionRating, Survey, SurveyParticipation,
    SurveyResponse,
)
from portal.models.agenda import CANCELLED as SESSION_CANCELLED
from portal.models.registration import CONFIRMED
from portal.models.survey import CHOICE_TYPES, AnswerValue, survey_category


class SurveyError(Exception):
    """A refusal the guest or organizer is told about; str() is its code."""


# -- Who is asked --------------------------------------------------------------------------------

def audience_conditions(survey: Survey) -> list:
    """SQL conditions on Registration for the guests a survey asks (asked_surveys says the same of every survey)."""
    conditions = [Registration.event_id == survey.event_id, Registration.state == CONFIRMED]
    if survey.audience == "checked_in":
        conditions.append(exists().where(CheckIn.registration_id == Registration.id))
    elif survey.audience == "categories":
        conditions.append(Registration.category_id.in_(
            select(survey_category.c.category_id).where(survey_category.c.survey_id == survey.id)))
    return conditions


def audience_size(survey: Survey) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(*audience_conditions(survey))) or 0


def in_audience(survey: Survey, registration: Registration) -> bool:
    return bool(db.session.scalar(
        select(func.count(Registration.id)).where(Registration.id == registration.id, *audience_conditions(survey))))


def ordered_questions(survey: Survey) -> list[Question]:
    """The questions in the order a guest reads them: section by section, then by position."""
    sections = {s.id: (s.position, s.id) for s in survey.sections}
    return sorted(survey.questions,
                  key=lambda q: (sections.get(q.section_id, (-1, 0)), q.position, q.id))


def load_survey(survey_id: int) -> Survey | None:
    """A survey with its sections, questions and choices, in three queries whatever their number."""
    return db.session.scalar(
        select(Survey).where(Survey.id == survey_id).options(
            selectinload(Survey.sections),
            selectinload(Survey.questions).selectinload(Question.choices),
            selectinload(Survey.categories),
        ))


def is_open_at(now) -> ColumnElement[bool]:
    """Survey.is_open(now) as SQL."""
    return and_(Survey.closed_at.is_(None), or_(Survey.closes_at.is_(None), Survey.closes_at > now),
                or_(Survey.opened_at.is_not(None), and_(Survey.opens_at.is_not(None), Survey.opens_at <= now)))


def asked_surveys(now) -> Select:
    """The ids of the surveys open at `now` whose audience takes in the Registration of the query, first the one
    the guest is asked (the most recently opened).

    Registration is left for the caller to name, or to correlate with a query that reads one registration
    (the EXISTS below correlate with it at any depth); the audience is audience_conditions(), for every
    survey in one statement.
    """
    asks = or_(
        Survey.audience.not_in(("checked_in", "categories")),
        and_(Survey.audience == "checked_in",
             exists().where(CheckIn.registration_id == Registration.id).correlate_except(CheckIn)),
        and_(Survey.audience == "categories",
             exists().where(survey_category.c.survey_id == Survey.id,
                            survey_category.c.category_id == Registration.category_id)
             .correlate_except(survey_category)),
    )
    return (select(Survey.id)
            .where(Survey.event_id == Registration.event_id, Registration.state == CONFIRMED, is_open_at(now), asks)
            .order_by(func.coalesce(Survey.opened_at, Survey.opens_at).desc(), Survey.id.desc()))


def survey_for_guest(event, registration: Registration) -> Survey | None:
    """The survey this guest is asked: the most recently opened one they are in the audience of.

    A survey the guest already answered still counts (so the page can thank them) while it is open.
    """
    survey_id = asked_survey_id(event, registration)
    return load_survey(survey_id) if survey_id is not None else None


def asked_survey_id(event, registration: Registration) -> int | None:
    """The id of the survey survey_for_guest loads, in one statement."""
    return db.session.scalar(
        asked_surveys(utcnow()).where(Registration.id == registration.id, Survey.event_id == event.id).limit(1))


def survey_card(survey_id: int, registration: Registration) -> dict:
    """What the My trip card says of the survey the guest is asked: its title, and whether it is answered or drafted."""
    survey, submitted = db.session.execute(
        select(Survey, SurveyParticipation.submitted).outerjoin(SurveyParticipation, and_(
            SurveyParticipation.survey_id == Survey.id, SurveyParticipation.registration_id == registration.id))
        .where(Survey.id == survey_id)).one()
    # No participation reads None: neither answered nor drafted.
    return {"survey": survey, "answered": bool(submitted), "drafted": submitted is False}


def participation_of(survey: Survey, registration: Registration) -> SurveyParticipation | None:
    return db.session.scalar(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id, SurveyParticipation.registration_id == registration.id))


def has_answered(survey: Survey, registration: Registration) -> bool:
    participation = participation_of(survey, registration)
    return participation is not None and participation.submitted


# -- Drafts and the one response -----------------------------------------------------------------

def find_draft(survey: Survey, registration: Registration) -> SurveyResponse | None:
    """The guest's saved draft: by registration, or for an anonymous survey by the participation's key."""
    if survey.anonymous:
        participation = participation_of(survey, registration)
        if participation is None or participation.draft_key is None:
            return None
        owner = SurveyResponse.draft_owner_key == participation.draft_key
    else:
        owner = SurveyResponse.registration_id == registration.id
    return db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, SurveyResponse.draft.is_(True), owner)
        .options(selectinload(SurveyResponse.answers).selectinload(Answer.choices)))


def values_of(response: SurveyResponse | None) -> dict[int, AnswerValue]:
    if response is None:
        return {}
    return {a.question_id: AnswerValue(number=a.number, text=a.text, choice_ids=sorted(c.id for c in a.choices))
            for a in response.answers}


def _check_may_answer(survey: Survey, registration: Registration) -> None:
    if not survey.is_open():
        raise SurveyError("closed")
    if not in_audience(survey, registration):
        raise SurveyError("not-asked")


def _write_answers(response: SurveyResponse, survey: Survey, values: dict[int, AnswerValue], keep: set[int]) -> None:
    """Replace the response's answers with `values` for the questions in `keep`."""
    choices = {c.id: c for q in survey.questions for c in q.choices}
    kinds = {q.id: q.kind for q in survey.questions}
    if response.id is not None:
        db.session.execute(delete(Answer).where(Answer.response_id == response.id))
        db.session.expire(response, ["answers"])
    for question_id, value in values.items():
        if question_id not in keep or value.empty:
            continue
        answer = Answer(question_id=question_id, number=value.number, text=value.text)
        if kinds[question_id] in CHOICE_TYPES:
            answer.choices = [choices[c] for c in value.choice_ids]
        response.answers.append(answer)


def save_draft(survey: Survey, registration: Registration, values: dict[int, AnswerValue]) -> None:
    """Keep the guest's answers so far on the server, so they survive a closed browser. Commits."""
    _check_may_answer(survey, registration)
    participation = participation_of(survey, registration)
    if participation is not None and participation.submitted:
        raise SurveyError("already-answered")
    try:
        if participation is None:
            participation = SurveyParticipation(survey_id=survey.id, registration_id=registration.id)
            db.session.add(participation)
            db.session.flush()
        response = find_draft(survey, registration)
        if response is None:
            response = SurveyResponse(survey_id=survey.id, draft=True)
            if survey.anonymous:
                participation.draft_key = response.draft_owner_key = secrets.token_urlsafe(32)
            else:
                response.registration_id = registration.id
            db.session.add(response)
            db.session.flush()
        _write_answers(response, survey, values, keep=set(values))
        db.session.commit()
    except IntegrityError:
        # The same guest saving twice at once: the other save won; nothing is half-written.
        db.session.rollback()
        raise SurveyError("busy") from None


def submit(survey: Survey, registration: Registration, values: dict[int, AnswerValue], shown: set[int]) -> None:
    """Record the guest's one response; a second one is refused, however many arrive at once. Commits.

    The participation row is claimed in the same transaction as the answers are
    written: a new row meets its unique key, an existing one a conditional update
    that only one transaction can win.
    """
    _check_may_answer(survey, registration)
    participation = participation_of(survey, registration)
    draft_key = participation.draft_key if participation is not None else None
    try:
        if participation is None:
            db.session.add(SurveyParticipation(survey_id=survey.id, registration_id=registration.id, submitted=True))
            db.session.flush()
        else:
            claimed = db.session.execute(
                update(SurveyParticipation)
                .where(SurveyParticipation.id == participation.id, SurveyParticipation.submitted.is_(False))
                .values(submitted=True, draft_key=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                raise SurveyError("already-answered")
    except IntegrityError:
        db.session.rollback()
        raise SurveyError("already-answered") from None
    except SurveyError:
        db.session.rollback()
        raise

    now = utcnow()
    if survey.anonymous:
        if draft_key is not None:
            db.session.execute(delete(SurveyResponse).where(SurveyResponse.draft_owner_key == draft_key))
        # A new row with only the day: nothing ties it to the participation or to a moment.
        response = SurveyResponse(survey_id=survey.id, registration_id=None, draft=False,
                                  submitted_at=datetime.combine(now.date(), time(0), tzinfo=now.tzinfo),
                                  category_id=registration.category_id)
        db.session.add(response)
    else:
        response = find_draft(survey, registration) or SurveyResponse(
            survey_id=survey.id, registration_id=registration.id)
        response.draft, response.submitted_at, response.category_id = False, now, registration.category_id
        db.session.add(response)
    db.session.flush()
    _write_answers(response, survey, values, keep=shown)
    db.session.commit()


# -- Opening, closing, invitations, reminder (organizer) ------------------------------------------

def open_by_hand(survey: Survey, actor, early: bool = False) -> int:
    """Open the survey now and invite its audience (once). Commits; returns the invitations queued.

    Before the event is over a survey opens only when the organizer confirms it (`early`): guests
    would be asked about days they have not had yet."""
    if not survey.event.has_ended() and not early:
        raise SurveyError("early")
    now = utcnow()
    survey.opened_at, survey.closed_at = now, None
    if survey.closes_at is not None and survey.closes_at <= now:
        survey.closes_at = None
    if survey.opens_at is not None and survey.opens_at > now:
        survey.opens_at = None
    audit.record(survey.event, actor, "survey.open", subject=f"survey {survey.id}",
                 detail="" if survey.event.has_ended() else "before the event ended")
    db.session.flush()
    sent = send_invitations(survey)
    db.session.commit()
    return sent


def invite_now(survey: Survey, actor) -> int:
    """Invite the audience of a survey that opened by its date before the invitation task ran
    (`flask surveys send-invitations`, from cron). Commits; returns the invitations queued (0 if sent)."""
    sent = send_invitations(survey)
    if sent:
        audit.record(survey.event, actor, "survey.invite", subject=f"survey {survey.id}", detail=str(sent))
    db.session.commit()
    return sent


def close_by_hand(survey: Survey, actor) -> None:
    survey.closed_at = utcnow()
    audit.record(survey.event, actor, "survey.close", subject=f"survey {survey.id}")
    db.session.commit()


def send_invitations(survey: Survey) -> int:
    """Mail each guest in the audience their link, unless someone already did. Does not commit."""
    if not survey.is_open():
        return 0
    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.invitations_sent_at.is_(None))
        .values(invitations_sent_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return 0
    guests = db.session.scalars(select(Registration).where(*audience_conditions(survey))
                                .order_by(Registration.id)).all()
    for guest in guests:
        outbox.queue("survey-invitation", guest.email, "survey_invitation", guest.language,
                     event=survey.event, survey=survey, registration=guest)
    return len(guests)


def send_due_invitations() -> int:
    """Invite the audiences of surveys that opened by their date. Commits; returns mails queued."""
    waiting = db.session.scalars(select(Survey).where(Survey.invitations_sent_at.is_(None))).all()
    sent = 0
    for survey in waiting:
        if survey.is_open():
            sent += send_invitations(survey)
            db.session.commit()
    return sent


def non_responder_conditions(survey: Survey) -> list:
    answered = select(SurveyParticipation.registration_id).where(
        SurveyParticipation.survey_id == survey.id, SurveyParticipation.submitted.is_(True))
    return [*audience_conditions(survey), Registration.id.not_in(answered)]


def non_responders(survey: Survey) -> list[Registration]:
    """Guests asked who have not answered; the organizer sees them only for a survey that is not anonymous."""
    return db.session.scalars(
        select(Registration).where(*non_responder_conditions(survey))
        .options(joinedload(Registration.category))
        .order_by(Registration.surname, Registration.name_latin, Registration.id)).all()


def waiting_count(survey: Survey) -> int:
    """How many guests asked have not answered: the count a reminder is confirmed for."""
    return db.session.scalar(select(func.count(Registration.id)).where(*non_responder_conditions(survey))) or 0


def send_reminder(survey: Survey, actor, *, expected: int, after: int) -> int:
    """Mail a reminder to the guests who have not answered. Commits; returns mails queued.

    `after` is the number of reminders the organizer saw sent and `expected` the number of
    guests they confirmed: a reminder someone else sent meanwhile ("reminder-sent") or a
    group that changed ("count") is refused, so each reminder goes out once, to the guests
    the organizer agreed to.
    """
    if not survey.is_open():
        raise SurveyError("closed")
    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.reminders_sent == after)
        .values(reminder_sent_at=utcnow(), reminders_sent=Survey.reminders_sent + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise SurveyError("reminder-sent")
    guests = db.session.scalars(select(Registration).where(*non_responder_conditions(survey))
                                .order_by(Registration.id)).all()
    if len(guests) != expected:
        db.session.rollback()
        raise SurveyError("count")
    for guest in guests:
        outbox.queue("survey-reminder", guest.email, "survey_reminder", guest.language,
                     event=survey.event, survey=survey, registration=guest)
    audit.record(survey.event, actor, "survey.remind", subject=f"survey {survey.id}",
                 detail=f"reminder {after + 1}: {len(guests)}")
    db.session.commit()
    return len(guests)


def response_counts(survey_ids: list[int]) -> dict[int, int]:
    """Submitted responses per survey, in one query."""
    if not survey_ids:
        return {}
    rows = db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id.in_(survey_ids), SurveyResponse.draft.is_(False))
        .group_by(SurveyResponse.survey_id)).all()
    return dict(rows)


# -- Session ratings ----------------------------------------------------------------------------

def session_is_over(session: Session) -> bool:
    return session.status != SESSION_CANCELLED and session.ends_at <= utcnow()


def my_session_rating(registration: Registration, session_id: int) -> SessionRating | None:
    """The guest's rating of a session, if they gave one."""
    return db.session.scalar(select(SessionRating).where(
        SessionRating.registration_id == registration.id, SessionRating.session_id == session_id))


def rateable_session(event, registration: Registration, session_id: int) -> Session:
    """The session if this guest held it and it has ended; otherwise a SurveyError saying why."""
    session = db.session.scalar(select(Session).where(Session.id == session_id, Session.event_id == event.id))
    held = session is not None and db.session.scalar(select(AgendaEntry.id).where(
        AgendaEntry.registration_id == registration.id, AgendaEntry.session_id == session_id))
    if not held:
        raise SurveyError("not-held")
    if session.status == SESSION_CANCELLED:
        raise SurveyError("cancelled")
    if session.ends_at > utcnow():
        raise SurveyError("not-ended")
    return session


def rate_session(event, registration: Registration, session_id: int, score: int, comment: str) -> SessionRating:
    """Save (or change) the guest's 1–5 rating of a session they held. Commits."""
    if not 1 <= score <= 5:
        raise SurveyError("bad-score")
    rateable_session(event, registration, session_id)
    for _attempt in range(2):
        rating = my_session_rating(registration, session_id)
        if rating is None:
            rating = SessionRating(registration_id=registration.id, session_id=session_id)
            db.session.add(rating)
        rating.score, rating.comment = score, comment
        try:
            db.session.commit()
            return rating
        except IntegrityError:
            # The same guest rating twice at once: the other insert won; update it instead.
            db.session.rollback()
    raise SurveyError("busy")


# -- The guest's own data download ---------------------------------------------------------------

@privacy.data_provider("feedback")
def feedback_data(user, registrations):
    """Named survey answers, which surveys were answered, and session ratings.

    Answers to an anonymous survey are not linked to anyone, so they cannot be listed here.
    """
    ids = [r.id for r in registrations]
    if not ids:
        return []
    responses = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.registration_id.in_(ids))
        .options(selectinload(SurveyResponse.answers).selectinload(Answer.choices),
                 selectinload(SurveyResponse.answers).joinedload(Answer.question))).all()
    answered = db.session.execute(
        select(Survey.title_en, SurveyParticipation.submitted)
        .join(Survey, Survey.id == SurveyParticipation.survey_id)
        .where(SurveyParticipation.registration_id.in_(ids))).all()
    ratings = db.session.scalars(select(SessionRating).where(SessionRating.registration_id.in_(ids))
                                 .options(joinedload(SessionRating.session))).all()
    return {
        "surveys_answered": [{"survey": title, "submitted": submitted} for title, submitted in answered],
        "named_answers": [{
            "survey_id": r.survey_id, "draft": r.draft,
            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            "answers": [{"question": a.question.text_en, "number": a.number, "text": a.text,
                         "choices": [c.label_en for c in a.choices]} for a in r.answers],
        } for r in responses],
        "session_ratings": [{"session": r.session.title_en, "score": r.score, "comment": r.comment}
                            for r in ratings],
    }
