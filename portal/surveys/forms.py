"""Forms: the survey builder's (staff), a guest's answers, a session rating, the archive's choice.

A guest's answers are read by `read_answers`, not by a WTForms class: the questions
are the organizer's, so the fields are known only at request time. The page still
posts a FlaskForm for its CSRF token.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.agenda.forms import TIME_FORMAT, IdSelectMultipleField
from portal.forms import EventForm, near_event
from portal.i18n import lazy_gettext as _l
from portal.models.survey import (
    AUDIENCES, CHOICE_TYPES, LONG_TEXT, MULTIPLE_CHOICE, NPS, QUESTION_TYPES, RATING, SERVICE_AREAS, SHORT_TEXT,
    SINGLE_CHOICE, YES_NO, AnswerValue,
)

TYPE_LABELS = {
    RATING: _l("Rating from 1 to 5"), NPS: _l("Net Promoter (0 to 10)"), SINGLE_CHOICE: _l("One choice"),
    MULTIPLE_CHOICE: _l("Several choices"), YES_NO: _l("Yes or no"), SHORT_TEXT: _l("Short text"),
    LONG_TEXT: _l("Long text"),
}
AREA_LABELS = {
    "registration": _l("Registration"), "lodging": _l("Lodging"), "transport": _l("Transport"),
    "catering": _l("Catering"), "venue": _l("Venue"), "sessions": _l("Sessions"), "helpdesk": _l("Help desk"),
}
AUDIENCE_LABELS = {
    "confirmed": _l("Every confirmed guest"), "checked_in": _l("Guests who checked in"),
    "categories": _l("Confirmed guests of the chosen categories"),
}
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class SurveyForm(EventForm):
    title_en = StringField(_l("Title in English"), validators=[InputRequired(_l("Enter the English title.")), _max(200)])
    title_zh = StringField(_l("Title in Chinese"), validators=[InputRequired(_l("Enter the Chinese title.")), _max(200)])
    intro_en = TextAreaField(_l("Introduction in English"), validators=[Optional(), _max(5000)])
    intro_zh = TextAreaField(_l("Introduction in Chinese"), validators=[Optional(), _max(5000)])
    audience = SelectField(_l("Who is asked"), default="confirmed")
    categories = IdSelectMultipleField(_l("Categories (when only some are asked)"), validators=[Optional()],
                                       unknown_message=_l("Choose categories from the list; one of them is unknown."))
    anonymous = BooleanField(_l("Anonymous: answers are never linked to a guest"))
    opens_at = DateTimeLocalField(_l("Opens (event time; empty: open it by hand)"), format=TIME_FORMAT,
                                  validators=[Optional(), near_event])
    closes_at = DateTimeLocalField(_l("Closes (event time; empty: close it by hand)"), format=TIME_FORMAT,
                                   validators=[Optional(), near_event])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = [SelectChoice(a, str(AUDIENCE_LABELS[a])) for a in AUDIENCES]
        self.categories.choices = [SelectChoice(c.id, c.name) for c in categories]

    def validate_audience(self, field):
        if field.data == "categories" and not self.categories.data:
            raise ValidationError(_l("Choose at least one category, or ask every confirmed guest."))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The survey must close after it opens."))


class SectionForm(FlaskForm):
    title_en = StringField(_l("Section title in English"),
                           validators=[InputRequired(_l("Enter the English title.")), _max(200)])
    title_zh = StringField(_l("Section title in Chinese"), validators=[Optional(), _max(200)])
    position = IntegerField(_l("Order"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000."))])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Type"), default=RATING)
    service_area = SelectField(_l("Service rated (for a rating)"), default="")
    text_en = StringField(_l("Question in English"), validators=[InputRequired(_l("Enter the question in English.")),
                                                                 _max(500)])
    text_zh = StringField(_l("Question in Chinese"), validators=[Optional(), _max(500)])
    required = BooleanField(_l("An answer is required"))
    section = SelectField(_l("Section"), coerce=int, default=0)
    position = IntegerField(_l("Order"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000."))])
    condition = SelectField(_l("Show only when"), default="")
    # Not "choices": that is the question's own list of Choice rows, which obj= would read.
    choice_lines = TextAreaField(_l("Choices, one per line: English | Chinese"), validators=[Optional(), _max(10000)])

    def __init__(self, *args, sections=(), conditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, str(TYPE_LABELS[k])) for k in QUESTION_TYPES]
        self.service_area.choices = [SelectChoice("", str(_l("None")))] + [
            SelectChoice(a, str(AREA_LABELS[a])) for a in SERVICE_AREAS]
        self.section.choices = [SelectChoice(0, str(_l("No section")))] + [
            SelectChoice(s.id, s.title) for s in sections]
        self.condition.choices = [SelectChoice("", str(_l("Always shown")))] + [
            SelectChoice(value, label) for value, label in conditions]

    def validate_service_area(self, field):
        if self.kind.data == RATING and not field.data:
            raise ValidationError(_l("Choose the service this rating is about."))

    def validate_choice_lines(self, field):
        if self.kind.data in CHOICE_TYPES and len(self.choice_labels()) < 2:
            raise ValidationError(_l("Give at least two choices, one per line."))
        if any(len(en) > 200 or len(zh) > 200 for en, zh in self.choice_labels()):
            raise ValidationError(_l("A choice may have at most 200 characters in each language."))

    def choice_labels(self) -> list[tuple[str, str]]:
        labels = []
        for line in (self.choice_lines.data or "").splitlines():
            english, _bar, chinese = line.partition("|")
            if english.strip() or chinese.strip():
                labels.append((english.strip() or chinese.strip(), chinese.strip()))
        return labels


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class AnswerForm(FlaskForm):
    """The survey page's CSRF token; the answers themselves are read by read_answers()."""


class ArchiveForm(FlaskForm):
    include_sensitive = BooleanField(_l(
        "Include dietary, accessibility and medical needs (sensitive personal data; this choice is logged)"))


class SessionRatingForm(FlaskForm):
    score = RadioField(_l("Your rating"), coerce=int, validators=[
        InputRequired(_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), _max(2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.score.choices = [SelectChoice(n, str(n)) for n in range(1, 6)]


# -- A guest's answers ---------------------------------------------------------------------------

def _int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except (TypeError, ValueError):
        return None


def read_answers(questions, formdata) -> tuple[dict[int, AnswerValue], dict[int, str]]:
    """Each question's answer from the posted form, and a message for each answer that cannot be right.

    Nothing here is required yet: a draft may be incomplete. See `missing_required`.
    """
    values: dict[int, AnswerValue] = {}
    errors: dict[int, str] = {}
    for question in questions:
        name = question.field_name
        raw = (formdata.get(name) or "").strip()
        value = AnswerValue()
        if question.kind in (RATING, NPS):
            low, high = (1, 5) if question.kind == RATING else (0, 10)
            if raw:
                number = _int(raw)
                if number is None or not low <= number <= high:
                    errors[question.id] = str(_l("Choose a number from %(low)d to %(high)d.", low=low, high=high))
                else:
                    value.number = number
        elif question.kind == YES_NO:
            if raw:
                if raw not in ("yes", "no"):
                    errors[question.id] = str(_l("Answer yes or no."))
                else:
                    value.number = 1 if raw == "yes" else 0
        elif question.kind in CHOICE_TYPES:
            offered = {c.id for c in question.choices}
            picked = [item for item in formdata.getlist(name) if item.strip()]
            if question.kind == SINGLE_CHOICE and len(picked) > 1:
                errors[question.id] = str(_l("Choose one answer."))
            ids = [_int(item) for item in picked]
            if any(i not in offered for i in ids):
                errors[question.id] = str(_l("Choose from the answers offered."))
            elif question.id not in errors:
                value.choice_ids = sorted(set(ids))
        else:
            limit = SHORT_TEXT_MAX if question.kind == SHORT_TEXT else LONG_TEXT_MAX
            if len(raw) > limit:
                errors[question.id] = str(_l("At most %(max)d characters.", max=limit))
            value.text = raw or None
            if question.kind == LONG_TEXT and raw:
                # Keep the guest's line breaks; only the ends are trimmed.
                value.text = (formdata.get(name) or "").strip()
        values[question.id] = value
    return values, errors


def shown_questions(questions, values: dict[int, AnswerValue]) -> set[int]:
    """The questions a guest is asked, given their answers: a question whose condition
    is not met is hidden, and so is every question that depends on a hidden one."""
    shown: set[int] = set()
    for question in questions:
        wanted = question.condition_question_id
        if wanted is None:
            shown.add(question.id)
        elif wanted in shown and values.get(wanted, AnswerValue()).matches(question.condition_value):
            shown.add(question.id)
    return shown


def missing_required(questions, values: dict[int, AnswerValue], shown: set[int]) -> dict[int, str]:
    return {
        q.id: str(_l("Please answer this question."))
        for q in questions if q.required and q.id in shown and values.get(q.id, AnswerValue()).empty
    }
