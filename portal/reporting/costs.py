"""The cost view: what the organizer budgeted against what lodging, transport and catering cost.

Actual cost, per currency:
- lodging: nightly rate × nights of every confirmed stay in a block the organizer pays for;
- transport: the rate of every vehicle (a run with its driver is hired whether full or not);
- catering: the guests at each meal (portal/needs/meals.py) × the meal's per-head rate.

No-shows (confirmed, never checked in) are known only once the event has ended: until
then every confirmed guest is counted at the meals they will be present for; after it,
the meals of no-shows are not counted. Rooms are paid whether slept in or not.
Venue, equipment and the like have no actual the system can count; their lines show the budget.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import BudgetLine, CheckIn, Event, LodgingRequest, MealRate, Registration, RoomBlock, Vehicle
from portal.models.budget import BUDGET_CATEGORIES, COUNTED_CATEGORIES
from portal.models.lodging import CONFIRMED as ROOM_CONFIRMED
from portal.models.registration import CONFIRMED
from portal.needs import meals as meal_service

ZERO = Decimal("0.00")


@dataclass
class CategoryCost:
    category: str
    currency: str
    lines: list[BudgetLine] = field(default_factory=list)
    # None where the system counts nothing (venue, equipment, ...).
    actual: Decimal | None = None
    # What the actual is made of: ("nights", 12), ("vehicles", 3), ("covers", 240).
    quantity: tuple[str, int] | None = None

    @property
    def budget(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def difference(self) -> Decimal | None:
        """Budget left (positive) or overspent (negative)."""
        return None if self.actual is None else self.budget - self.actual


@dataclass
class CurrencyCosts:
    currency: str
    categories: list[CategoryCost]

    @property
    def budget(self) -> Decimal:
        return sum((c.budget for c in self.categories), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((c.actual for c in self.categories if c.actual is not None), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.budget - self.actual


@dataclass
class CostView:
    currencies: list[CurrencyCosts]
    ended: bool
    # Confirmed guests who never checked in; None until the event has ended.
    no_shows: int | None
    # Vehicles and meals with no rate: their cost is missing from the actuals.
    vehicles_without_rate: list[Vehicle]
    meals_without_rate: list[str]


def budget_lines(event: Event) -> list[BudgetLine]:
    order = {category: i for i, category in enumerate(BUDGET_CATEGORIES)}
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.event_id == event.id)
                               .order_by(BudgetLine.id)).all()
    return sorted(lines, key=lambda line: (order[line.category], line.id))


def meal_rates(event: Event) -> dict[str, MealRate]:
    return {rate.meal: rate for rate in db.session.scalars(select(MealRate).where(MealRate.event_id == event.id))}


def no_show_ids(event: Event) -> set[int]:
    """Confirmed guests with no check-in (meaningful only once the event has ended)."""
    checked = select(CheckIn.registration_id).where(CheckIn.event_id == event.id)
    return set(db.session.scalars(select(Registration.id).where(
        Registration.event_id == event.id, Registration.state == CONFIRMED, Registration.id.not_in(checked))))


def lodging_actual(event: Event) -> dict[str, tuple[Decimal, int]]:
    """Currency -> (cost, room nights) of the confirmed stays the organizer pays for."""
    totals: dict[str, tuple[Decimal, int]] = {}
    for check_in, check_out, rate, currency in db.session.execute(
            select(LodgingRequest.check_in, LodgingRequest.check_out, RoomBlock.nightly_rate, RoomBlock.currency)
            .join(RoomBlock, RoomBlock.id == LodgingRequest.block_id)
            .where(LodgingRequest.event_id == event.id, LodgingRequest.state == ROOM_CONFIRMED,
                   RoomBlock.payer == "organizer")):
        nights = (check_out - check_in).days
        cost, count = totals.get(currency, (ZERO, 0))
        totals[currency] = (cost + Decimal(rate) * nights, count + nights)
    return totals


def transport_actual(event: Event) -> tuple[dict[str, tuple[Decimal, int]], list[Vehicle]]:
    totals: dict[str, tuple[Decimal, int]] = {}
    missing = []
    for vehicle in db.session.scalars(select(Vehicle).where(Vehicle.event_id == event.id)
                                      .order_by(Vehicle.departs_at, Vehicle.label, Vehicle.id)):
        if vehicle.rate is None:
            missing.append(vehicle)
            continue
        cost, count = totals.get(vehicle.currency, (ZERO, 0))
        totals[vehicle.currency] = (cost + vehicle.rate, count + 1)
    return totals, missing


def catering_actual(event: Event, absent: set[int]) -> tuple[dict[str, tuple[Decimal, int]], list[str]]:
    """Currency -> (cost, covers): the guests present at each meal × its per-head rate."""
    standard = meal_rates(event)
    receptions = {meal_service.reception_key(m): m for m in meal_service.receptions_of(event)}
    totals: dict[str, tuple[Decimal, int]] = {}
    missing = []
    for day in meal_service.meal_board(event):
        for meal in day.meals:
            rate = standard.get(meal.key) or receptions.get(meal.key)
            per_head = rate.per_head if rate is not None else None
            if per_head is None:
                if meal.name not in missing:
                    missing.append(meal.name)
                continue
            covers = sum(1 for diner in meal.diners if diner.registration.id not in absent)
            cost, count = totals.get(rate.currency, (ZERO, 0))
            totals[rate.currency] = (cost + per_head * covers, count + covers)
    return totals, missing


def build(event: Event) -> CostView:
    """Every budget line by currency and category, beside what was counted for it."""
    ended = event.has_ended()
    absent = no_show_ids(event) if ended else set()
    transport, vehicles_without_rate = transport_actual(event)
    catering, meals_without_rate = catering_actual(event, absent)
    counted = {"lodging": (lodging_actual(event), "nights"), "transport": (transport, "vehicles"),
               "catering": (catering, "covers")}
    grouped: dict[str, dict[str, CategoryCost]] = defaultdict(dict)
    for line in budget_lines(event):
        grouped[line.currency].setdefault(line.category, CategoryCost(line.category, line.currency)).lines.append(line)
    for category, (totals, unit) in counted.items():
        for currency, (cost, quantity) in totals.items():
            entry = grouped[currency].setdefault(category, CategoryCost(category, currency))
            entry.actual, entry.quantity = cost, (unit, quantity)
    for currency, categories in grouped.items():
        for category in COUNTED_CATEGORIES:
            # A counted category with a budget but nothing spent yet has spent nothing, not "unknown".
            if category in categories and categories[category].actual is None:
                categories[category].actual = ZERO
    order = {category: i for i, category in enumerate(BUDGET_CATEGORIES)}
    currencies = [CurrencyCosts(currency, sorted(grouped[currency].values(), key=lambda c: order[c.category]))
                  for currency in sorted(grouped)]
    return CostView(currencies=currencies, ended=ended, no_shows=len(absent) if ended else None,
                    vehicles_without_rate=vehicles_without_rate, meals_without_rate=meals_without_rate)
