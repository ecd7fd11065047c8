"""What the kiosk's welcome screen shows a guest about today: the extension point.

Each feature that has something for a guest today (their hotel and room, the
next shuttle, today's sessions, "your halal meals are arranged") registers a
provider with `@today_card`. A provider takes the registration and the day in
the event's time zone and returns a TodayCard, or None when it has nothing.
The kiosk shows the cards in registration order. Cards appear on a public
screen: they must never carry medical details, phone numbers or e-mail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import AgendaEntry, Registration, Session
from portal.models.agenda import SCHEDULED
from portal.needs.services import kiosk_meal_line


@dataclass(frozen=True)
class TodayCard:
    """One card on the welcome screen, rendered with `template` (under templates/kiosk/cards/)."""

    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[[Registration, date], TodayCard | None]
_providers: list[Provider] = []


def today_card(provider: Provider) -> Provider:
    """Register a provider of a welcome-screen card. Use as a decorator, at import time."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cards_for(registration: Registration, today: date) -> list[TodayCard]:
    cards = []
    for provider in _providers:
        card = provider(registration, today)
        if card is not None:
            cards.append(card)
    return cards


@today_card
def registration_category(registration: Registration, today: date) -> TodayCard | None:
    """The guest's category, as their badge shows it."""
    if registration.category is None:
        return None
    return TodayCard("kiosk/cards/_category.html", {"category": registration.category})


@today_card
def sessions_today(registration: Registration, today: date) -> TodayCard | None:
    """The sessions in the guest's own agenda that start today, in the event's time zone."""
    zone = registration.event.zone
    day_starts = datetime.combine(today, time.min, tzinfo=zone).astimezone(UTC)
    sessions = db.session.scalars(
        select(Session).join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(AgendaEntry.registration_id == registration.id, Session.status == SCHEDULED,
               Session.starts_at >= day_starts, Session.starts_at < day_starts + timedelta(days=1))
        .options(joinedload(Session.room)).order_by(Session.starts_at)
    ).all()
    if not sessions:
        return None
    return TodayCard("kiosk/cards/_sessions.html", {"sessions": sessions, "zone": zone})


@today_card
def meals_arranged(registration: Registration, today: date) -> TodayCard | None:
    """Says "your halal meals are arranged"; never a diet detail, an allergy or anything medical."""
    line = kiosk_meal_line(registration, today)
    return TodayCard("needs/_kiosk_card.html", {"line": line}) if line else None
