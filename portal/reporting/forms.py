"""Forms of the cost view: a budget line, and the per-head rates of the event's meals."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.forms import one_line
from portal.i18n import lazy_gettext as _l
from portal.models.budget import BUDGET_CATEGORIES

BUDGET_CATEGORY_LABELS = {
    "lodging": _l("Lodging"), "transport": _l("Transport"), "catering": _l("Catering"),
    "venue": _l("Venue"), "equipment": _l("Equipment hire"), "promotion": _l("Promotion"),
    "other": _l("Other costs"),
}
MAX_AMOUNT = 1_000_000_000
# A per-head or vehicle rate fits the column (10 digits, 2 of them decimals).
MAX_RATE = 10_000_000


def two_decimals(form, field):
    """Money has cents at most: 12.345 is a typing slip, not an amount to round silently."""
    if field.data is not None and field.data.is_finite() and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(str(_l("Use at most two decimals, e.g. 12.50.")))


def _currency():
    return StringField(_l("Currency (three letters)"), default="CNY", validators=[
        InputRequired(_l("Enter a currency such as CNY.")),
        Regexp(r"^\s*[A-Za-z]{3}\s*$", message=_l("Enter a three-letter currency code such as CNY."))])


def _rate(label):
    return DecimalField(label, places=2, validators=[
        Optional(), NumberRange(min=0, max=MAX_RATE, message=_l("Enter an amount from 0 to 10,000,000.")),
        two_decimals])


class BudgetLineForm(FlaskForm):
    """One thing the organizer plans to pay for, and how much."""

    category = SelectField(_l("Category"), default="lodging")
    label = StringField(_l("What it is for (e.g. Hotel rooms for speakers)"), filters=[one_line], validators=[
        InputRequired(_l("Say what the budget is for.")),
        Length(max=200, message=_l("At most %(max)d characters.", max=200))])
    amount = DecimalField(_l("Budgeted amount"), places=2, validators=[
        InputRequired(_l("Enter the amount budgeted, e.g. 12000.00.")),
        NumberRange(min=0, max=MAX_AMOUNT, message=_l("Enter an amount from 0 to 1,000,000,000.")), two_decimals])
    currency = _currency()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(c, str(BUDGET_CATEGORY_LABELS[c])) for c in BUDGET_CATEGORIES]

    def values(self) -> dict:
        return {"category": self.category.data, "label": self.label.data, "amount": self.amount.data,
                "currency": self.currency.data.strip().upper()}


class MealRatesForm(FlaskForm):
    """Per-head rates of breakfast, lunch and dinner, and of each reception (fields added per event)."""

    breakfast = _rate(_l("Breakfast, per guest"))
    lunch = _rate(_l("Lunch, per guest"))
    dinner = _rate(_l("Dinner, per guest"))
    currency = _currency()


def meal_rates_form(receptions, **kwargs) -> MealRatesForm:
    """The rates form with one field per reception of the event (named reception_<id>)."""

    class EventMealRatesForm(MealRatesForm):
        pass

    for meal in receptions:
        setattr(EventMealRatesForm, f"reception_{meal.id}",
                _rate(_l("%(meal)s on %(day)s, per guest", meal=meal.name, day=meal.day.isoformat())))
    return EventMealRatesForm(**kwargs)
