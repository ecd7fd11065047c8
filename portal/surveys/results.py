"""A survey's results: counts, percentages, means, NPS and free text, overall or for one category.

The figures come from grouped queries, a fixed number whatever the number of
responses. For an anonymous survey a category with fewer than MIN_GROUP responses
is never shown on its own (not as a filter, not as a column of the export), so
nobody's answers can be picked out of a small group.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Answer, Category, Registration, Survey, SurveyResponse
from portal.models.survey import CHOICE_TYPES, NPS, RATING, TEXT_TYPES, YES_NO, answer_choice
from portal.surveys.services import audience_size, ordered_questions

# An anonymous survey's results are never shown for a group smaller than this.
MIN_GROUP = 5


@dataclass
class Bucket:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: object
    number: int
    answered: int = 0
    buckets: list[Bucket] = field(default_factory=list)
    mean: float | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    texts: list[str] = field(default_factory=list)


@dataclass
class CategoryGroup:
    category: Category
    responses: int
    shown: bool


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    audience: int
    questions: list[QuestionResult]
    groups: list[CategoryGroup]
    category: Category | None = None
    suppressed: bool = False

    @property
    def response_rate(self) -> float | None:
        return percent(self.responses, self.audience) if self.audience else None


def percent(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def nps_score(numbers: dict[int, int]) -> tuple[float | None, int, int, int]:
    """(NPS, promoters, passives, detractors) from {score: count}: % of 9–10 minus % of 0–6."""
    total = sum(numbers.values())
    promoters = sum(c for n, c in numbers.items() if n >= 9)
    detractors = sum(c for n, c in numbers.items() if n <= 6)
    if not total:
        return None, 0, 0, 0
    score = (Decimal(promoters - detractors) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(score), promoters, total - promoters - detractors, detractors


def mean_of(numbers: dict[int, int]) -> float | None:
    total = sum(numbers.values())
    if not total:
        return None
    value = Decimal(sum(n * c for n, c in numbers.items())) / Decimal(total)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _category_counts(survey: Survey) -> dict[int | None, int]:
    return dict(db.session.execute(
        select(SurveyResponse.category_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.draft.is_(False))
        .group_by(SurveyResponse.category_id)).all())


def category_groups(survey: Survey, counts: dict[int | None, int] | None = None) -> list[CategoryGroup]:
    """Responses per category; for an anonymous survey a group under MIN_GROUP is not shown."""
    counts = _category_counts(survey) if counts is None else counts
    return [CategoryGroup(c, counts.get(c.id, 0), not survey.anonymous or counts.get(c.id, 0) >= MIN_GROUP)
            for c in survey.event.categories]


def _submitted(survey: Survey, category_id: int | None):
    conditions = [SurveyResponse.survey_id == survey.id, SurveyResponse.draft.is_(False)]
    if category_id is not None:
        conditions.append(SurveyResponse.category_id == category_id)
    return conditions


def compute(survey: Survey, category_id: int | None = None) -> SurveyResults:
    """Every question's figures, for all responses or for one category's."""
    counts_by_category = _category_counts(survey)
    groups = category_groups(survey, counts_by_category)
    chosen = next((g for g in groups if g.category.id == category_id), None)
    suppressed = chosen is not None and not chosen.shown
    if chosen is None or suppressed:
        category_id = None
    responses = sum(counts_by_category.values()) if category_id is None else chosen.responses
    where = _submitted(survey, category_id)

    numbers: dict[int, dict[int, int]] = {}
    for question_id, number, count in db.session.execute(
            select(Answer.question_id, Answer.number, func.count(Answer.id))
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(*where, Answer.number.is_not(None))
            .group_by(Answer.question_id, Answer.number)):
        numbers.setdefault(question_id, {})[number] = count
    picked: dict[int, dict[int, int]] = {}
    for question_id, choice_id, count in db.session.execute(
            select(Answer.question_id, answer_choice.c.choice_id, func.count(Answer.id))
            .join(answer_choice, answer_choice.c.answer_id == Answer.id)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(*where).group_by(Answer.question_id, answer_choice.c.choice_id)):
        picked.setdefault(question_id, {})[choice_id] = count
    answered = dict(db.session.execute(
        select(Answer.question_id, func.count(Answer.id))
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .where(*where).group_by(Answer.question_id)).all())
    texts: dict[int, list[str]] = {}
    for question_id, text in db.session.execute(
            select(Answer.question_id, Answer.text)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(*where, Answer.text.is_not(None)).order_by(Answer.text)):
        texts.setdefault(question_id, []).append(text)

    results = []
    for number, question in enumerate(ordered_questions(survey), start=1):
        result = QuestionResult(question, number, answered=answered.get(question.id, 0))
        counts = numbers.get(question.id, {})
        if question.kind in (RATING, NPS):
            low, high = (1, 5) if question.kind == RATING else (0, 10)
            result.buckets = [Bucket(str(n), counts.get(n, 0), percent(counts.get(n, 0), result.answered))
                              for n in range(low, high + 1)]
            result.mean = mean_of(counts)
            if question.kind == NPS:
                result.nps, result.promoters, result.passives, result.detractors = nps_score(counts)
        elif question.kind == YES_NO:
            result.buckets = [Bucket(_("Yes"), counts.get(1, 0), percent(counts.get(1, 0), result.answered)),
                              Bucket(_("No"), counts.get(0, 0), percent(counts.get(0, 0), result.answered))]
        elif question.kind in CHOICE_TYPES:
            chosen_counts = picked.get(question.id, {})
            result.buckets = [Bucket(c.label, chosen_counts.get(c.id, 0),
                                     percent(chosen_counts.get(c.id, 0), result.answered)) for c in question.choices]
        elif question.kind in TEXT_TYPES:
            result.texts = texts.get(question.id, [])
        results.append(result)
    category = chosen.category if chosen is not None and not suppressed else None
    return SurveyResults(survey, responses, audience_size(survey), results, groups, category, suppressed)


def response_rows(survey: Survey) -> list[SurveyResponse]:
    """Every submitted response with its answers, for the export, in a fixed number of queries."""
    query = (select(SurveyResponse).where(*_submitted(survey, None))
             .options(selectinload(SurveyResponse.answers).selectinload(Answer.choices)))
    if survey.anonymous:
        # Grouped by category, then by day: no order that follows the participation table.
        query = query.order_by(SurveyResponse.category_id, SurveyResponse.submitted_at, SurveyResponse.id)
    else:
        query = query.options(joinedload(SurveyResponse.registration).joinedload(Registration.category)).order_by(
            SurveyResponse.submitted_at, SurveyResponse.id)
    return db.session.scalars(query).unique().all()


def answer_text(question, answer) -> object:
    """An answer as a spreadsheet cell shows it."""
    if answer is None:
        return ""
    if question.kind in (RATING, NPS):
        return answer.number
    if question.kind == YES_NO:
        return _("Yes") if answer.number == 1 else _("No")
    if question.kind in CHOICE_TYPES:
        order = {c.id: i for i, c in enumerate(question.choices)}
        return "; ".join(c.label for c in sorted(answer.choices, key=lambda c: order.get(c.id, 0)))
    return answer.text or ""
