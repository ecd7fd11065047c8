"""Meals the organizer adds to the programme (receptions, a gala dinner), and the times of the daily ones.

Breakfast, lunch and dinner are served every day of the event (portal/needs/meals.py);
a MealTime row is the organizer's own time for one of them, a Meal row a further
meal on one day.
"""

from datetime import date, time

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import one_of
from portal.extensions import db
from portal.i18n import pick

DAILY_MEALS = ("breakfast", "lunch", "dinner")


class MealTime(db.Model):
    """When one of the daily meals is served at this event, every day; absent, the usual time."""

    __tablename__ = "meal_time"
    __table_args__ = (
        UniqueConstraint("event_id", "meal"),
        CheckConstraint(one_of("meal", DAILY_MEALS), name="meal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    meal: Mapped[str] = mapped_column(String(10))
    # On the event's clock.
    served_at: Mapped[time]


class Meal(db.Model):
    __tablename__ = "meal"
    __table_args__ = (UniqueConstraint("event_id", "day", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    # On the event's clock; a guest who lands after it or leaves before it is not counted.
    served_at: Mapped[time]
    name_en: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(120), default="")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)
