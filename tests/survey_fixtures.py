"""Builders shared by the survey, results, report and archive tests: guests and surveys straight in the database."""

import secrets
from datetime import timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Category, CheckIn, Choice, Question, Registration, Survey, User
from tests.sessions import sign_in  # noqa: F401  (the survey tests sign in through here)


def add_guest(app, event, email: str, category: str = "delegate", state: str = "confirmed", checked_in=None,
              language: str = "en", name: str | None = None) -> tuple[int, int]:
    """A guest with an account and a registration; returns (user id, registration id)."""
    with app.app_context():
        user = User(email=email, display_name=email.split("@")[0], language=language)
        db.session.add(user)
        db.session.flush()
        category_id = db.session.scalar(
            select(Category.id).where(Category.event_id == event.id, Category.code == category))
        latin = name or email.split("@")[0].title()
        registration = Registration(
            event_id=event.id, user_id=user.id, category_id=category_id, state=state,
            name_original=latin, name_latin=latin, surname=latin.split()[-1], email=email, language=language,
            consent_at=utcnow(), ticket_code=secrets.token_urlsafe(32), confirmation_code=secrets.token_hex(4).upper(),
        )
        db.session.add(registration)
        db.session.flush()
        if checked_in:
            # Checked in at the desk; the guest's own account stands in for the member of staff.
            db.session.add(CheckIn(registration_id=registration.id, event_id=event.id, staff_id=user.id,
                                   at=checked_in if checked_in is not True else utcnow()))
        db.session.commit()
        return user.id, registration.id


def add_survey(app, event, questions, anonymous=False, audience="confirmed", open_=True, invited=True,
               categories=()) -> dict:
    """A survey with `questions`: (kind, text, {required, area, choices, condition: (index, value)}).

    Returns {"id": survey id, "questions": [question ids], "choices": {index: [choice ids]}}.
    """
    with app.app_context():
        survey = Survey(event_id=event.id, title_en="How was it?", title_zh="感受如何？", audience=audience,
                        anonymous=anonymous, opened_at=utcnow() - timedelta(minutes=1) if open_ else None,
                        invitations_sent_at=utcnow() if invited else None)
        if categories:
            survey.categories = list(db.session.scalars(
                select(Category).where(Category.event_id == event.id, Category.code.in_(categories))))
        db.session.add(survey)
        db.session.flush()
        ids, choices = [], {}
        for index, (kind, text, options) in enumerate(questions):
            question = Question(survey_id=survey.id, kind=kind, text_en=text, text_zh=text, position=index,
                                required=options.get("required", False), service_area=options.get("area"))
            for position, label in enumerate(options.get("choices", ())):
                question.choices.append(Choice(label_en=label, label_zh=label, position=position))
            if "condition" in options:
                target, value = options["condition"]
                question.condition_question_id = ids[target]
                question.condition_value = str(choices[target][value]) if isinstance(value, int) and \
                    target in choices else str(value)
            db.session.add(question)
            db.session.flush()
            ids.append(question.id)
            if question.choices:
                choices[index] = [c.id for c in question.choices]
        db.session.commit()
        return {"id": survey.id, "questions": ids, "choices": choices}


