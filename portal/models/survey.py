"""Feedback: the organizer's surveys, the guests' responses, and their ratings of sessions.

Who answered and what was answered live in separate tables. SurveyParticipation
says that a guest answered (its unique key is what stops a second response, in
the same transaction as the submission); SurveyResponse and Answer hold what was
said. For an anonymous survey the response has no registration and nothing in
the participation row points at it: while the guest is still drafting, the draft
response carries a random owner key that the participation row also holds, and
at submission the draft is deleted and its answers are written to a new response
without that key. An anonymous response keeps only the day it was submitted and,
for the results' category filter, the respondent's category.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.i18n import pick
from portal.models.agenda import Session
from portal.models.event import Category, Event
from portal.models.registration import Registration

AUDIENCES = ("confirmed", "checked_in", "categories")

RATING = "rating_1_5"
NPS = "nps_0_10"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
YES_NO = "yes_no"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
QUESTION_TYPES = (RATING, NPS, SINGLE_CHOICE, MULTIPLE_CHOICE, YES_NO, SHORT_TEXT, LONG_TEXT)
CHOICE_TYPES = (SINGLE_CHOICE, MULTIPLE_CHOICE)
NUMBER_TYPES = (RATING, NPS, YES_NO)
TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)
SERVICE_AREAS = ("registration", "lodging", "transport", "catering", "venue", "sessions", "helpdesk")

# Guests of the categories a "categories" survey is for.
survey_category = Table(
    "survey_category",
    db.metadata,
    Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The choices picked in a single- or multiple-choice answer.
answer_choice = Table(
    "survey_answer_choice",
    db.metadata,
    Column("answer_id", ForeignKey("survey_answer.id", ondelete="CASCADE"), primary_key=True),
    Column("choice_id", ForeignKey("survey_choice.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Survey(db.Model):
    """A questionnaire for some of an event's guests, open by dates or by the organizer's hand."""

    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("reminders_sent >= 0", name="reminders_sent_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    intro_zh: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), default="confirmed")
    anonymous: Mapped[bool] = mapped_column(default=False)
    # Planned window; either end may be left open.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opened or closed by hand: these win over the planned window.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the one sender that wins the conditional update, so nobody is invited twice.
    invitations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last reminder's time and how many went out; each is confirmed by the organizer for its count.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=survey_category, order_by=Category.position)
    sections: Mapped[list["SurveySection"]] = relationship(
        back_populates="survey", order_by="SurveySection.position, SurveySection.id", cascade="all, delete-orphan")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", order_by="Question.position, Question.id", cascade="all, delete-orphan")

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_zh)

    @property
    def intro(self) -> str:
        return pick(self.intro_en, self.intro_zh)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at):
            return False
        return self.opened_at is not None or (self.opens_at is not None and now >= self.opens_at)

    def status(self, now: datetime | None = None) -> str:
        """draft (never opened), open, or closed."""
        now = now or utcnow()
        if self.is_open(now):
            return "open"
        if self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at):
            return "closed"
        return "draft"


class SurveySection(db.Model):
    __tablename__ = "survey_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="sections")

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_zh)


class Question(db.Model):
    """One question; with a condition it is shown only when an earlier answer matches a value."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("survey_section.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # For a rating: the service it rates, so the report can put ratings side by side.
    service_area: Mapped[str | None] = mapped_column(String(20))
    text_en: Mapped[str] = mapped_column(String(500))
    text_zh: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_question.id", ondelete="SET NULL"), index=True)
    # The answer that shows this question: a number, "yes"/"no", or a choice id, as text.
    condition_value: Mapped[str] = mapped_column(String(40), default="")

    survey: Mapped[Survey] = relationship(back_populates="questions")
    section: Mapped[SurveySection | None] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position, Choice.id", cascade="all, delete-orphan")
    condition_question: Mapped["Question | None"] = relationship(remote_side=[id])

    @property
    def text(self) -> str:
        return pick(self.text_en, self.text_zh)

    @property
    def field_name(self) -> str:
        return f"q{self.id}"


class Choice(db.Model):
    __tablename__ = "survey_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="choices")

    @property
    def label(self) -> str:
        return pick(self.label_en, self.label_zh)


class SurveyResponse(db.Model):
    """What one guest said: a draft until submitted.

    registration_id is NULL for every response to an anonymous survey; a draft of
    an anonymous survey is found through `draft_owner_key`, cleared with the draft.
    """

    __tablename__ = "survey_response"
    __table_args__ = (
        # NULLs are distinct on both databases: anonymous responses are not constrained here.
        UniqueConstraint("survey_id", "registration_id"),
        Index("ix_survey_response_survey_draft", "survey_id", "draft"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    # The respondent's category, for the results' filter (suppressed for small anonymous groups).
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"), index=True)
    draft: Mapped[bool] = mapped_column(default=True)
    draft_owner_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # For an anonymous survey: midnight UTC of the day, so the time cannot be matched to anything.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration | None] = relationship()
    category: Mapped[Category | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    """One answer: a number (rating, NPS, yes = 1 / no = 0), a text, or chosen choices."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choices: Mapped[list[Choice]] = relationship(secondary=answer_choice)


class SurveyParticipation(db.Model):
    """That a guest answered (or is drafting) a survey; never what they said.

    No column refers to a response and there is no timestamp to match one by:
    `draft_key` exists only while an anonymous draft does.
    """

    __tablename__ = "survey_participation"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    submitted: Mapped[bool] = mapped_column(default=False)
    draft_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class SessionRating(db.Model):
    """A guest's rating of a session they held, once it has ended."""

    __tablename__ = "session_rating"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[Session] = relationship()


@dataclass
class AnswerValue:
    """One question's answer as typed: a number, a text, or chosen choice ids."""

    number: int | None = None
    text: str | None = None
    choice_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.number is None and not self.text and not self.choice_ids

    def matches(self, value: str) -> bool:
        """Whether this answer is the one a condition waits for."""
        if self.choice_ids:
            return value in {str(c) for c in self.choice_ids}
        return self.number is not None and value == str(self.number)
