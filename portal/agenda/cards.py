"""The programme's session cards: rendered once per version of the programme, shared by every guest.

A card shows a session, its room, track and speakers in the reader's language and time
zones; nothing on it depends on who reads it. So each worker process keeps what it has
rendered, keyed by the event's `agenda_version`, which is read with the event on every
request and raised in the same transaction as any change to what a card shows or who may
see a session (portal/models/agenda.py). Several gunicorn workers each keep their own
cards, and none can serve a card older than the database.

Which sessions a guest may see is kept the same way, per version and per "audience": the
guests who see exactly the same sessions (see `audience`). A search still asks the database.

The guest's own parts are never in a shared card: whether they hold the session, the
places left (counted on every request, so a place taken throws nothing away), the CSRF
token, the time in their own zone, the page a form returns to and their rating are added per request.
"""

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal.agenda import formatting, services, timezones
from portal.database import utcnow
from portal.i18n import pick
from portal.models import Event, Registration
from portal.models.agenda import KINDS

# Stand-ins for the guest's own values in a shared toggle form; random, so no content can forge them.
_CSRF_SLOT = f"csrf-{secrets.token_hex(12)}"
_NEXT_SLOT = f"next-{secrets.token_hex(12)}"
_LOCAL_SLOT = f"local-{secrets.token_hex(12)}"
_CARD_TEMPLATE = "agenda/_card.html"


class _LRU:
    """A small thread-safe least-recently-used map; `get` makes what is missing with `make`."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = make()  # outside the lock: two threads may both make it, and either result is right
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made


@dataclass(eq=False)
class Card:
    """One session as the programme shows it; quacks like a Session for the toggle and rating forms."""

    id: int
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    is_cancelled: bool
    # The card up to its speakers, before and after the time in the guest's own zone.
    head: tuple[str, str]
    # By guest zone: that time, rendered.
    local: dict = field(default_factory=dict)
    # By (held, places left), and by the guest's rating: the toggle and rating forms, with slots for
    # the CSRF token and the return page.
    toggles: dict = field(default_factory=dict)


def _memo(memo: dict, key, make) -> str:
    found = memo.get(key)
    if found is None:
        if len(memo) >= 8:  # places left and zones move on; old ones are seldom asked again
            memo.clear()
        found = memo[key] = make()
    return found


@dataclass(frozen=True)
class TrackChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Shown:
    """A session the guest may see: enough to filter the programme without asking the database."""

    id: int
    day: date
    track_id: int | None
    kind: str


class Programme:
    """What all guests of one event share at one agenda version."""

    def __init__(self, event: Event):
        self.invited, self.categorised = services.audiences(event)
        self.tracks = [(t.id, t.name_en, t.name_zh) for t in services.tracks_of(event)]
        self._shown = _LRU(512)
        self._cards = _LRU(16)
        self._choices = _LRU(16)

    def shown(self, event: Event, registration: Registration | None) -> list[Shown]:
        """Every session this guest may see, in programme order."""
        return self._shown.get(audience(registration, self),
                               lambda: [Shown(*row) for row in services.visible_rows(event, registration)])

    def cards(self) -> dict[int, Card]:
        """The cards rendered so far in the reader's language."""
        return self._cards.get((str(get_locale()), request.script_root), dict)

    def choices(self, event: Event) -> "Choices":
        """The filters' days, tracks and kinds in the reader's language."""
        return self._choices.get((str(get_locale()), event.starts_on, event.ends_on), lambda: Choices(event, self))


class Choices:
    """The options of the agenda's day, track and kind pickers, rendered; the guest's choice is marked per request."""

    def __init__(self, event: Event, found: Programme):
        labels = current_app.jinja_env.get_template("agenda/_labels.html").module
        self._days = [(day, day.isoformat(), formatting.agenda_date(day, form="medium"))
                      for day in services.event_days(event)]
        self._tracks = [(track.id, track.id, track.name) for track in track_choices(found)]
        self._kinds = [(kind, kind, labels.kind_label(kind)) for kind in KINDS]
        # As index.html wrote them: the value and label escaped, no space between options.
        for pairs in (self._days, self._tracks, self._kinds):
            pairs[:] = [(key, str(escape(value)), str(escape(label))) for key, value, label in pairs]

    @property
    def tracks(self) -> bool:
        return bool(self._tracks)

    def days(self, chosen) -> Markup:
        return _options(self._days, chosen)

    def track_options(self, chosen) -> Markup:
        return _options(self._tracks, chosen)

    def kinds(self, chosen) -> Markup:
        return _options(self._kinds, chosen)


def _options(options, chosen) -> Markup:
    # Only values escaped in Choices are joined.
    return Markup("".join(  # nosec B704
        f'<option value="{value}"{" selected" if key == chosen else ""}>{label}</option>'
        for key, value, label in options))


def audience(registration: Registration | None, programme: Programme) -> tuple:
    """Who sees the same sessions as this guest, by the rules of services.visible_to.

    A guest who is not active sees the public sessions; an active one also those of their
    category, if any session names it, and those they are invited to, if any.
    """
    if registration is None or registration.state not in services.ACTIVE_STATES:
        return ("public",)
    category = registration.category_id if registration.category_id in programme.categorised else None
    invited = registration.id if registration.id in programme.invited else None
    return ("active", category, invited)


def programme(event: Event) -> Programme:
    store = current_app.extensions.setdefault("agenda_programmes", _LRU(8))
    # The created_at tells a new database's event 1 from an old one's, should a worker outlive a restore.
    key = (event.id, event.created_at, event.agenda_version, event.timezone, event.slug)
    return store.get(key, lambda: Programme(event))


def track_choices(found: Programme) -> list[TrackChoice]:
    return [TrackChoice(id, pick(en, zh)) for id, en, zh in found.tracks]


def find(event: Event, registration: Registration | None, wanted: services.AgendaFilter):
    """The programme as the filters ask for it: (day, cards) pairs, and the day it opens on when none is asked."""
    found = programme(event)
    shown = found.shown(event, registration)
    if wanted.unasked:
        wanted.day = _default_day(event, shown)
    if wanted.q:
        ids = services.search_ids(event, registration, wanted)
        by_id = {s.id: s for s in shown}
        shown = [by_id[i] for i in ids if i in by_id]
    else:
        shown = [s for s in shown if (not wanted.day or s.day == wanted.day)
                 and (not wanted.track_id or s.track_id == wanted.track_id)
                 and (not wanted.kind or s.kind == wanted.kind)]
    cards = cards_for(event, [s.id for s in shown], found)
    days: dict[date, list[Card]] = {}
    for item in shown:
        days.setdefault(item.day, []).append(cards[item.id])
    return sorted(days.items()), found


def _default_day(event: Event, shown: list[Shown]) -> date | None:
    """Today during the event, else the next (or last) day with a session."""
    days = sorted({s.day for s in shown})
    if not days:
        return None
    today = utcnow().astimezone(event.zone).date()
    return next((day for day in days if day >= today), days[-1])


def cards_for(event: Event, ids: list[int], found: Programme | None = None, sessions=()) -> dict[int, Card]:
    """The cards of these sessions; those not kept yet are rendered from `sessions`, else from the database."""
    kept = (found or programme(event)).cards()
    missing = [i for i in ids if i not in kept]
    if missing:
        loaded = {s.id: s for s in sessions}
        if any(i not in loaded for i in missing):
            loaded.update((s.id, s) for s in services.sessions_by_id(event, missing))
        macros = _macros()
        for i in missing:
            session = loaded[i]
            url = url_for("agenda.session", slug=event.slug, session_id=i)
            head = str(macros.card_head(session, event, url, _LOCAL_SLOT)).split(_LOCAL_SLOT)
            kept[i] = Card(
                id=session.id, title=session.title, status=session.status, starts_at=session.starts_at,
                ends_at=session.ends_at, capacity=session.capacity, is_cancelled=session.is_cancelled,
                head=(head[0], head[1]),
            )
    return {i: kept[i] for i in ids}


def _macros():
    return current_app.jinja_env.get_template(_CARD_TEMPLATE).module


class GuestParts:
    """What one page adds to the shared cards: the time in the guest's zone, their forms and ratings."""

    def __init__(self, event: Event, registration: Registration | None, held: set[int], cards, next_url: str,
                 state: services.GuestState | None = None):
        """`state`, when given, holds the places taken in `cards` and the guest's ratings (services.guest_state)."""
        self.event = event
        self.registration = registration
        self.held = held
        self.cards = cards
        zone = timezones.guest_zone_name()
        self.zone = "" if zone == event.timezone else zone
        self.next_url = next_url
        self._next = str(escape(next_url))
        self._csrf = None
        self._taken = state.taken if state is not None else None
        self._ratings = state.ratings if state is not None else None

    def list(self, cards, conflicts=None) -> Markup:
        """The <li> of each card, as the guest sees it; `conflicts` flags overlaps in "My agenda"."""
        from portal.surveys.services import session_is_over  # surveys imports the agenda: import here

        out = []
        for card in cards:
            out.append(self.head(card))
            if conflicts and conflicts.get(card.id):
                out.append("\n  " + str(_macros().overlaps(conflicts[card.id])))
            if self.registration is not None:
                held = card.id in self.held
                out.append("\n  " + self._toggle(card, held))
                if held and session_is_over(card):
                    out.append("\n  " + self._rating(card))
            out.append("\n</li>\n")
        page = "".join(out)
        if self.registration is not None:  # the forms' slots, filled once for the whole list
            page = page.replace(_CSRF_SLOT, self._csrf_token()).replace(_NEXT_SLOT, self._next)
        # Only autoescaped template output and values escaped here are joined: plain strings are faster.
        return Markup(page)  # nosec B704

    def head(self, card: Card) -> str:
        if not self.zone:
            return card.head[0] + card.head[1]
        local = _memo(card.local, self.zone, lambda: str(_macros().local_time(card, self.event, self.zone)))
        return card.head[0] + local + card.head[1]

    def _toggle(self, card: Card, held: bool) -> str:
        """The toggle form with slots for the CSRF token and the return page (filled in by `list`)."""
        if self._taken is None:  # counted once per page, on the first form: places change all the time
            self._taken = services.taken_places([c.id for c in self.cards if c.capacity is not None])
        places_left = card.capacity - self._taken.get(card.id, 0) if card.capacity is not None else None
        return _memo(card.toggles, (held, places_left), lambda: str(
            _macros().toggle(card, self.event, held, places_left, _CSRF_SLOT, _NEXT_SLOT)))

    def _csrf_token(self) -> str:
        if self._csrf is None:
            self._csrf = str(escape(generate_csrf()))
        return self._csrf

    def _rating(self, card: Card) -> str:
        # The guest's own rating form, for a session they held that is over: kept by what it shows;
        # with slots, as `_toggle`.
        from portal.surveys.services import my_session_rating

        if self._ratings is not None:
            key = ("rating", *self._ratings[card.id]) if card.id in self._ratings else ("rating",)
        else:
            rating = my_session_rating(self.registration, card.id)
            key = ("rating", rating.score, rating.comment) if rating is not None else ("rating",)
        return _memo(card.toggles, key, lambda: current_app.jinja_env.get_template(
            "surveys/_session_rating.html").render(
                event=self.event, registration=self.registration, session=card, held={card.id},
                next_url=_NEXT_SLOT, csrf_token=lambda: _CSRF_SLOT).strip())
