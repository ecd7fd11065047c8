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
from datetime import date

from portal.models import Registration


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
