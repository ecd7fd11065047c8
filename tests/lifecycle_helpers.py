"""Helpers for the lifecycle tests: guests made through the real services, and forms sent as a browser
sends them (what the page shows and pre-selects, nothing typed by the test)."""

from html.parser import HTMLParser
from types import SimpleNamespace

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.guests import services as guest_services
from portal.guests.services import Profile
from portal.models import Category, Event, Registration, RoomNight


def register(app, event, email, category="delegate", name=None) -> SimpleNamespace:
    """A guest registered through the registration service: confirmed, or waitlisted when full."""
    name = name or email.split("@")[0].title()
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        chosen = db.session.scalar(select(Category).where(Category.event_id == event.id, Category.code == category))
        user = guest_services.find_or_create_user(email, name, "en")
        registration = guest_services.register(event_row, user, Profile(
            name_original=name, name_latin=name, surname="Guest", honorific="", organization="", job_title="",
            country="CN", phone="", language="en"), chosen)
        return SimpleNamespace(id=user.id, user_id=user.id, registration_id=registration.id, email=email)


def state_of(app, registration_id) -> str:
    with app.app_context():
        return db.session.get(Registration, registration_id).state


def nights_taken(app, block_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(RoomNight.taken).where(RoomNight.block_id == block_id)
                                       .order_by(RoomNight.night)))


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


class _FormReader(HTMLParser):
    """The fields of one form as a browser would submit them: inputs with their values, checked boxes,
    the selected options of each select, the text of each textarea."""

    def __init__(self, page: str, action: str):
        super().__init__(convert_charrefs=True)
        self.page, self.action, self.inside, self.fields = page, action, False, []
        self._select = self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or self.page).split("?")[0] == self.action
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "y")))
            else:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_as_shown(client, page_url: str, action: str | None = None) -> list[tuple[str, str]]:
    """Load `page_url` and read the form posting to `action` (default: the page itself)."""
    response = client.get(page_url)
    assert response.status_code == 200, page_url
    reader = _FormReader(page_url, action or page_url)
    reader.feed(response.get_data(as_text=True))
    assert reader.fields, f"no form for {action or page_url} on {page_url}"
    return reader.fields


def replace(fields: list[tuple[str, str]], name: str, *values: str) -> list[tuple[str, str]]:
    """The same fields with `name` given `values` instead (one value per option chosen)."""
    return [(k, v) for k, v in fields if k != name] + [(name, value) for value in values]


def send(client, url: str, fields: list[tuple[str, str]]):
    """Post the fields as read from the page, CSRF token and all, the way the browser sends them."""
    return client.post(url, data=MultiDict(fields))
