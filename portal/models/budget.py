"""The organizer's budget for an event, and the per-head rates of the meals served every day.

A BudgetLine is what the organizer planned to spend on one thing (seed §2.9, §4.5,
§8): the cost view (portal/reporting/costs.py) sets it against what lodging,
transport and catering actually cost. Receptions carry their own rate (Meal.per_head).
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db

# What the system can count (lodging, transport, catering) and what only the organizer knows.
BUDGET_CATEGORIES = ("lodging", "transport", "catering", "venue", "equipment", "promotion", "other")
COUNTED_CATEGORIES = ("lodging", "transport", "catering")


class BudgetLine(db.Model):
    __tablename__ = "budget_line"
    __table_args__ = (
        CheckConstraint(one_of("category", BUDGET_CATEGORIES), name="category"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MealRate(db.Model):
    """What the caterer charges per guest for breakfast, lunch or dinner at this event."""

    __tablename__ = "meal_rate"
    __table_args__ = (
        UniqueConstraint("event_id", "meal"),
        CheckConstraint("per_head >= 0", name="per_head_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # breakfast, lunch or dinner (portal/needs/meals.py STANDARD_MEALS)
    meal: Mapped[str] = mapped_column(String(20))
    per_head: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
