"""The organizer's survey builder: surveys, sections, questions, choices and conditions.

Once guests have answered, a change that would make their answers mean something
else (another type, fewer choices, a deleted question, anonymity switched) is
refused; wording may still be corrected.
"""

from sqlalchemy import exists, func, select

from portal import audit
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Answer, Category, Choice, Question, Survey, SurveyResponse, SurveySection
from portal.models.survey import CHOICE_TYPES, NPS, RATING, SINGLE_CHOICE, MULTIPLE_CHOICE, YES_NO, answer_choice
from portal.surveys.services import SurveyError, ordered_questions

CONDITION_TYPES = (RATING, NPS, YES_NO, SINGLE_CHOICE, MULTIPLE_CHOICE)


def has_responses(survey: Survey, drafts: bool = True) -> bool:
    query = select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    if not drafts:
        query = query.where(SurveyResponse.draft.is_(False))
    return bool(db.session.scalar(query))


def surveys_of(event) -> list[Survey]:
    return db.session.scalars(select(Survey).where(Survey.event_id == event.id).order_by(Survey.id.desc())).all()


def _apply_survey(survey: Survey, values: dict, categories: list[Category]) -> None:
    if survey.id is not None and values["anonymous"] != survey.anonymous and has_responses(survey):
        raise SurveyError("anonymity-locked")
    for name in ("title_en", "title_zh", "intro_en", "intro_zh", "audience", "anonymous", "opens_at", "closes_at"):
        setattr(survey, name, values[name])
    survey.categories = categories if values["audience"] == "categories" else []


def create_survey(event, values: dict, categories: list[Category], actor) -> Survey:
    survey = Survey(event_id=event.id, event=event)
    _apply_survey(survey, values, categories)
    db.session.add(survey)
    db.session.flush()
    audit.record(event, actor, "survey.create", subject=f"survey {survey.id}", detail=survey.title_en)
    db.session.commit()
    return survey


def update_survey(survey: Survey, values: dict, categories: list[Category], actor) -> None:
    _apply_survey(survey, values, categories)
    audit.record(survey.event, actor, "survey.update", subject=f"survey {survey.id}")
    db.session.commit()


def save_section(survey: Survey, section: SurveySection | None, values: dict) -> SurveySection:
    section = section or SurveySection(survey_id=survey.id)
    section.title_en, section.title_zh = values["title_en"], values["title_zh"] or ""
    section.position = values["position"] or 0
    db.session.add(section)
    db.session.commit()
    return section


def delete_section(section: SurveySection) -> None:
    """Delete a section; its questions stay, outside any section."""
    db.session.delete(section)
    db.session.commit()


def condition_options(survey: Survey, editing: Question | None = None) -> list[tuple[str, str]]:
    """Every (question, answer) pair a question may wait for, as ("<question id>:<value>", label)."""
    options = []
    for number, question in enumerate(ordered_questions(survey), start=1):
        if question.kind not in CONDITION_TYPES or (editing is not None and question.id == editing.id):
            continue
        if question.kind == RATING:
            values = [(str(n), str(n)) for n in range(1, 6)]
        elif question.kind == NPS:
            values = [(str(n), str(n)) for n in range(0, 11)]
        elif question.kind == YES_NO:
            values = [("1", _("Yes")), ("0", _("No"))]
        else:
            values = [(str(c.id), c.label) for c in question.choices]
        for value, label in values:
            options.append((f"{question.id}:{value}", f"{number}. {question.text[:60]} = {label}"))
    return options


def _choice_answered(choice_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(answer_choice.c.choice_id == choice_id))))


def _question_answered(question_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Answer.question_id == question_id))))


def save_question(survey: Survey, question: Question | None, values: dict, labels: list[tuple[str, str]],
                  actor) -> Question:
    """Add or change a question with its choices and condition. Raises SurveyError, changing nothing."""
    answered = question is not None and _question_answered(question.id)
    if answered and values["kind"] != question.kind:
        raise SurveyError("type-locked")
    question = question or Question(survey_id=survey.id)
    question.kind = values["kind"]
    question.service_area = values["service_area"] or None if values["kind"] == RATING else None
    question.text_en, question.text_zh = values["text_en"], values["text_zh"] or ""
    question.required, question.position = values["required"], values["position"] or 0
    question.section_id = values["section"] or None

    condition = values["condition"] or ""
    if condition:
        target_id, _colon, value = condition.partition(":")
        question.condition_question_id, question.condition_value = int(target_id), value
    else:
        question.condition_question_id, question.condition_value = None, ""

    wanted = labels if question.kind in CHOICE_TYPES else []
    current = list(question.choices)
    for index, (english, chinese) in enumerate(wanted):
        if index < len(current):
            current[index].label_en, current[index].label_zh, current[index].position = english, chinese, index
        else:
            question.choices.append(Choice(label_en=english, label_zh=chinese, position=index))
    for extra in current[len(wanted):]:
        if _choice_answered(extra.id):
            db.session.rollback()
            raise SurveyError("choice-locked")
        question.choices.remove(extra)

    if question.id is None:
        survey.questions.append(question)
    db.session.flush()
    if question.condition_question_id is not None:
        order = [q.id for q in ordered_questions(survey)]
        if question.condition_question_id not in order or (
                order.index(question.condition_question_id) > order.index(question.id)):
            db.session.rollback()
            raise SurveyError("condition-later")
    audit.record(survey.event, actor, "survey.question", subject=f"survey {survey.id}", detail=question.text_en[:200])
    db.session.commit()
    return question


def delete_question(survey: Survey, question: Question, actor) -> None:
    if _question_answered(question.id):
        raise SurveyError("question-locked")
    survey.questions.remove(question)
    audit.record(survey.event, actor, "survey.question.delete", subject=f"survey {survey.id}",
                 detail=question.text_en[:200])
    db.session.commit()
