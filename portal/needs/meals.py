"""Who eats at each meal: the days and times a guest is here, and the counts the kitchen cooks for.

Breakfast, lunch and dinner are served every day of the event, at the times
below unless the organizer set others (MealTime rows); the organizer adds
receptions (Meal rows). A guest eats a meal when they
have arrived by the time it is served and have not yet left:

- an arrival or departure journey (not cancelled) gives the instant;
- else a lodging stay (requested, confirmed or waitlisted) gives whole days:
  here from the start of the check-in day to the end of the check-out day;
- a guest with neither is counted for every meal.

Diet and allergens only, as on the rest of the catering board (see
portal/needs/services.py): the kitchen reads names and diets, never medical notes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Event, LodgingRequest, Meal, MealTime, TransportLeg
from portal.models.lodging import ACTIVE_STATES as STAY_STATES
from portal.models.needs import ALLERGENS, DIETS, OTHER_ALLERGEN, SEVERITIES
from portal.models.transport import CANCELLED
from portal.needs.services import NOT_STATED, Diner, diners, meal_days

# key, usual time (event's clock), name
STANDARD_MEALS = (
    ("breakfast", time(7, 30), _l("Breakfast")),
    ("lunch", time(12, 30), _l("Lunch")),
    ("dinner", time(19, 0), _l("Dinner")),
)
STANDARD_KEYS = tuple(key for key, _at, _name in STANDARD_MEALS)


@dataclass
class MealCount:
    """One meal on one day, the guests present for it, and its counts."""

    key: str
    day: date
    served_at: time
    name: str
    diners: list[Diner]
    # diet code -> diners; NOT_STATED for guests who told us nothing
    by_diet: dict[str, list[Diner]]
    # (allergen, severity) -> diners
    by_allergen: dict[tuple[str, str], list[Diner]]


@dataclass
class MealDay:
    day: date
    meals: list[MealCount]
    # Everyone eating at least one meal that day, in the board's order.
    diners: list[Diner]


def daily_meals(event: Event) -> list[tuple[str, time, str]]:
    """Breakfast, lunch and dinner as (key, served at, name), at the organizer's times where set."""
    chosen = dict(db.session.execute(
        select(MealTime.meal, MealTime.served_at).where(MealTime.event_id == event.id)).all())
    return [(key, chosen.get(key, usual), str(name)) for key, usual, name in STANDARD_MEALS]


def set_daily_times(event: Event, times: dict[str, time]) -> list[str]:
    """Store the organizer's time for each daily meal; returns the meals whose time changed. Does not commit."""
    held = {row.meal: row for row in db.session.scalars(select(MealTime).where(MealTime.event_id == event.id))}
    changed = []
    for key, usual, _name in STANDARD_MEALS:
        wanted = times[key]
        row = held.get(key)
        if (row.served_at if row else usual) == wanted:
            continue
        if row is None:
            db.session.add(MealTime(event_id=event.id, meal=key, served_at=wanted))
        else:
            row.served_at = wanted
        changed.append(key)
    return changed


def reception_key(meal: Meal) -> str:
    return f"reception-{meal.id}"


def receptions_of(event: Event) -> list[Meal]:
    return db.session.scalars(select(Meal).where(Meal.event_id == event.id)
                              .order_by(Meal.day, Meal.served_at, Meal.id)).all()


def _stays_here(event: Event, registration_ids: list[int]) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Registration id -> (arrives, leaves) in UTC; None on a side nothing tells."""
    if not registration_ids:
        return {}
    zone = event.zone
    arrives: dict[int, datetime] = {}
    leaves: dict[int, datetime] = {}
    for stay in db.session.scalars(select(LodgingRequest).where(
            LodgingRequest.event_id == event.id, LodgingRequest.state.in_(STAY_STATES))):
        for guest in (stay.registration_id, stay.roommate_id if stay.roommate_confirmed_at else None):
            if guest is None:
                continue
            start = datetime.combine(stay.check_in, time.min, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(stay.check_out + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
            arrives[guest] = min(arrives.get(guest, start), start)
            leaves[guest] = max(leaves.get(guest, end), end)
    # A journey is more precise than a hotel night: it wins on its side.
    for leg in db.session.scalars(select(TransportLeg).where(
            TransportLeg.event_id == event.id, TransportLeg.state != CANCELLED).order_by(TransportLeg.id)):
        (arrives if leg.direction == "arrival" else leaves)[leg.registration_id] = leg.scheduled_at
    return {rid: (arrives.get(rid), leaves.get(rid)) for rid in registration_ids}


def is_present(here: tuple[datetime | None, datetime | None], served: datetime) -> bool:
    """Here by the time the meal is served, and not yet gone."""
    arrives, leaves = here
    return (arrives is None or arrives <= served) and (leaves is None or served < leaves)


def _count(key: str, day: date, served_at: time, name: str, present: list[Diner]) -> MealCount:
    by_diet = {code: [] for code in (*DIETS, NOT_STATED)}
    by_allergen = defaultdict(list)
    for diner in present:
        by_diet[diner.diet].append(diner)
        for allergy in diner.allergies:
            by_allergen[(allergy.allergen, allergy.severity)].append(diner)
    order = {code: i for i, code in enumerate((*ALLERGENS, OTHER_ALLERGEN))}
    sorted_allergens = dict(sorted(by_allergen.items(),
                                   key=lambda item: (order[item[0][0]], SEVERITIES.index(item[0][1]))))
    return MealCount(key, day, served_at, name, present, by_diet, sorted_allergens)


def meal_board(event: Event) -> list[MealDay]:
    """Every meal of every event day with the guests present for it; six queries whatever the guests."""
    everyone = diners(event)
    here = _stays_here(event, [d.registration.id for d in everyone])
    receptions = receptions_of(event)
    daily = daily_meals(event)
    zone = event.zone
    result = []
    for day in meal_days(event):
        slots = list(daily)
        slots += [(reception_key(m), m.served_at, m.name) for m in receptions if m.day == day]
        counts = []
        for key, at, name in sorted(slots, key=lambda slot: slot[1]):
            served = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
            present = [d for d in everyone if is_present(here[d.registration.id], served)]
            counts.append(_count(key, day, at, name, present))
        eating = {d.registration.id for meal in counts for d in meal.diners}
        result.append(MealDay(day, counts, [d for d in everyone if d.registration.id in eating]))
    return result
