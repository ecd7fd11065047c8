"""Hostile input to every form and every URL, as every role: never a 500, never a reflected script,
never a partial write.

The POST routes come from the app's URL map; the fields each one takes come
from the <form>s that the GET pages show each role. Hypothesis then sends
those forms filled with long strings, unicode, control characters, markup,
SQL, numbers and dates at and past their edges, missing fields and wrong
types, with a valid CSRF token so the input reaches the views. The URLs get
the same: every part of every route's path, and the query string each view
reads, in turn hostile.
"""

import html
import re
import time
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from werkzeug.routing import IntegerConverter

from portal.checkin import devices
from portal.extensions import db
from portal.helpdesk import services as helpdesk
from portal.models import Event, Registration, Session
from tests.factories import CSRF_INPUT, registration_form, submit
from tests.sessions import sign_in_new_account

SCRIPT = "<script>alert(1)</script>"
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"')
METHOD = re.compile(r'method="([^"]*)"', re.I)
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
HOSTILE = [
    "", " ", "0", "-1", "1e309", "99999999999999999999", "NaN", "2024-02-30", "25:61", "true", "null",
    "'; DROP TABLE registration; --", "' OR 1=1 --", "%", "_", "\\", "..%2f..%2f", "../../etc/passwd",
    SCRIPT, f'"><img src=x onerror=alert(1)>{SCRIPT}', "{{7*7}}", "${7*7}", "\u202e\u200b\ufeff",
    "王小明", "محمد", "🙂" * 50, "a" * 5000, "\r\nSet-Cookie: x=1", "\x07\x1b[31m", "\ud7ff", "x@y",
    "wang@example.org", "+86 138 0000 0000", "CN", "zh_Hans", "en", "vip", "urgent", "resolved",
]
# Numbers at the edges of what a column holds, and what only looks like a number.
NUMBER_EDGES = [
    "-0", "1", str(2**31 - 1), str(2**31), str(-2**31 - 1), str(2**63 - 1), str(2**63), str(-2**63 - 1), "9" * 30,
    "9" * 5000, "1.5", "1e3", "Infinity", "-inf", "0x1F", "+5", " 7 ", "007", "١٢٣", "²", "½", "٣",
]
# Dates and times at the edges of the calendar and of the years the app deals in, and nearly dates.
DATE_EDGES = [
    "0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "1970-01-01", "2024-02-29",
    "2023-02-29", "2024-13-01", "-0001-01-01", "+10000-01-01", "0001-01-01T00:00", "9999-12-31T23:59",
    "1899-12-31T23:59", "2101-01-01T00:00", "2030-06-15T24:00", "2030-06-15T12:60", "2030-06-15 12:00",
    "2030-06-15T12:00:00.000000001", "2030-06-15T12:00Z", "2030-06-15T12:00+14:00",
]
HOSTILE += NUMBER_EDGES + DATE_EDGES
# Enough to reach most routes as most roles, while the whole file stays near a minute.
EXAMPLES = 900


def _values(names: list[str]):
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300),
                        st.integers(min_value=-2**63, max_value=2**63).map(str))
    return st.fixed_dictionaries({}, optional={name: st.one_of(hostile, st.lists(hostile, max_size=3))
                                              for name in names})


def _counter() -> str:
    """One statement that counts the rows of every table the database holds (the search index too)."""
    names = inspect(db.engine).get_table_names()
    return " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in names)


def _counts(counter: str) -> dict[str, int]:
    return dict(db.session.execute(text(counter)).all())


class World:
    """An event with a guest, staff of each role, a paired kiosk, a session and a ticket."""

    def __init__(self, app, make_event, make_staff):
        self.app = app
        event = make_event()
        self.event = event
        delegate = next(c.id for c in event.categories if c.code == "delegate")
        self.clients = {"anonymous": app.test_client()}
        guest = app.test_client()
        sign_in_new_account(guest, "wang@example.org")
        assert submit(guest, "/e/summit/register", registration_form(category=str(delegate))).status_code == 303
        self.clients["guest"] = guest
        for role in ("organizer", "lodging", "transport", "catering", "helpdesk"):
            make_staff(f"{role}@example.org", event, roles=(role,))
            client = app.test_client()
            assert submit(client, "/login", {"email": f"{role}@example.org",
                                             "password": "correct horse battery"}).status_code == 303
            self.clients[role] = client
        with app.app_context():
            row = db.session.get(Event, event.id)
            registration = db.session.scalars(db.select(Registration)).one()
            self.registration_id = registration.id
            starts = datetime.combine(event.starts_on, datetime.min.time(), tzinfo=row.zone) + timedelta(hours=9)
            session = Session(event_id=event.id, title_en="Opening", title_zh="开幕", starts_at=starts,
                              ends_at=starts + timedelta(hours=1), capacity=50)
            db.session.add(session)
            db.session.flush()
            self.session_id = session.id
            ticket = helpdesk.open_ticket(row, category="other", subject="Umbrella", body="Lost it.",
                                          source="portal", registration=registration)
            self.ticket_number = ticket.number
            db.session.commit()
            organizer = db.session.scalars(db.select(db.metadata.tables["user_account"].c.id)).first()
            from portal.models import User
            _device, code = devices.create_device(row, "Entrance", "Hall", db.session.get(User, organizer))
        kiosk = app.test_client()
        assert submit(kiosk, "/kiosk/pair", {"code": code}).status_code == 303
        self.clients["kiosk"] = kiosk

    def real_value(self, rule, name: str):
        """A value of this world for the part `name` of `rule` (None for a file name)."""
        converter = rule._converters[name]
        if name == "slug":
            return "summit"
        if name == "session_id":
            return self.session_id
        if name == "number":
            return self.ticket_number
        if name == "registration_id":
            return self.registration_id
        if name == "filename":
            return None
        if isinstance(converter, IntegerConverter):
            return 1
        if name == "direction":
            return "arrival"
        return "x" * 22

    def url(self, rule) -> str | None:
        values = {name: self.real_value(rule, name) for name in rule.arguments}
        if None in values.values():
            return None
        try:
            return rule.build(values, append_unknown=False)[1]
        except Exception:
            return None


def _discover(world: World):
    """Every (role, POST URL) pair; the pairs whose form that role is shown; the fields of each URL's forms."""
    app = world.app
    fields: dict[str, set[str]] = {}
    shown: set[tuple[str, str]] = set()
    targets = []
    get_rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    for role, client in world.clients.items():
        for rule in get_rules:
            url = world.url(rule)
            if url is None or url.endswith((".ics", ".csv", ".xlsx")) or "/logout" in url:
                continue
            page = client.get(url)
            if page.status_code != 200 or "html" not in page.content_type:
                continue
            for attributes, body in FORM.findall(page.get_data(as_text=True)):
                method = METHOD.search(attributes)
                if not method or method.group(1).lower() != "post":
                    continue
                action = ACTION.search(attributes)
                target = (html.unescape(action.group(1)) if action and action.group(1) else url).split("?")[0]
                fields.setdefault(target, set()).update(FIELD.findall(body))
                shown.add((role, target))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = world.url(rule)
        if url is None or url.endswith("/logout"):
            continue
        for role in world.clients:
            targets.append((role, url))
    return targets, sorted(shown & set(targets)), fields


def test_hostile_input_to_every_form_as_every_role(app, make_event, make_staff):
    world = World(app, make_event, make_staff)
    targets, shown, fields = _discover(world)
    assert len({url for _role, url in targets}) > 60
    # Every role is shown forms it may post (the kiosk its scan, the guest their trip's forms, ...).
    assert {role for role, _url in shown} == set(world.clients)
    assert sum(1 for names in fields.values() if len(names) > 2) > 20
    with app.app_context():
        counter = _counter()
    started = time.monotonic()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def post_something(data):
        # Mostly the forms each role is shown; sometimes any route as any role, to knock on closed doors.
        role, url = data.draw(st.sampled_from(shown) if data.draw(st.integers(0, 4)) else st.sampled_from(targets))
        client = world.clients[role]
        names = sorted(fields.get(url, set()) - {"csrf_token"})
        form = data.draw(_values(names)) if names else data.draw(_values(["q", "body", "id"]))
        with app.app_context():
            before = _counts(counter)
        response = client.post(url, data={"csrf_token": _token(client, role), **form},
                               headers={"HX-Request": "true"} if data.draw(st.booleans()) else {})
        body = response.get_data().decode("utf-8", "replace")
        response.close()
        assert response.status_code != 500, (role, url, form)
        assert response.status_code < 500 or response.status_code == 503, (role, url, form)
        assert SCRIPT not in body, (role, url, form)
        assert "onerror=alert(1)>" not in body, (role, url, form)
        if 400 <= response.status_code < 500:
            with app.app_context():
                assert _counts(counter) == before, (role, url, response.status_code, form)

    post_something()
    assert time.monotonic() - started < 120


TOKEN_PAGES = {"anonymous": "/login", "guest": "/e/summit/me", "kiosk": "/kiosk/"}


def _token(client, role: str) -> str:
    """A valid CSRF token for this client's session, from a page of its role (empty if it has none now)."""
    page = client.get(TOKEN_PAGES.get(role, "/staff/e/summit/settings" if role == "organizer" else "/account"))
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    return match.group(1) if match else ""


# -- URLs ----------------------------------------------------------------------------------------

# What each view reads from the query string (request.args), and what a hand-edited URL might put there.
QUERY_NAMES = [
    "page", "q", "state", "category", "hotel", "day", "window", "direction", "since", "shown", "strip", "next",
    "score", "thanks", "action", "priority", "assignee", "expired", "track", "kind", "tz", "number", "lang",
]
SEGMENTS = NUMBER_EDGES + DATE_EDGES + [
    "0", "-1", "99999999999999999999999", "x", "summit", "..", "%2e%2e", "a" * 300, "\u202e", "王小明", "🙂",
    "'; DROP TABLE registration; --", SCRIPT, "{{7*7}}", "arrival", "departure", "csv", "xlsx", "answers",
]
URL_EXAMPLES = 500
OWNER = {"anonymous": "anonymous", "signed_in": "guest", "guest": "guest", "staff": "organizer", "kiosk": "kiosk"}


def _path_with(rule, values: dict) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(value), safe=""), path)
    return path


def test_hostile_urls_as_every_role(app, make_event, make_staff):
    """Every GET route, each part of its path in turn hostile, with a hostile query string."""
    world = World(app, make_event, make_staff)
    rules = sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
                   key=lambda r: r.rule)
    started = time.monotonic()

    @settings(max_examples=URL_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def get_something(data):
        rule = data.draw(st.sampled_from(rules))
        # Mostly as the role the route is for, so the hostile part reaches the view; sometimes as anyone.
        owner = OWNER[app.view_functions[rule.endpoint].access_rule.kind]
        role = owner if data.draw(st.integers(0, 3)) else data.draw(st.sampled_from(sorted(world.clients)))
        values = {name: world.real_value(rule, name) for name in rule.arguments}
        # One part of the path hostile (an id more often than not), the others real.
        ids = sorted(name for name in rule.arguments if isinstance(rule._converters[name], IntegerConverter))
        hostile = data.draw(st.sampled_from(ids) if ids and data.draw(st.booleans())
                            else st.sampled_from(sorted(rule.arguments) + [None]))
        for name in values:
            if name == hostile or values[name] is None:
                values[name] = data.draw(st.sampled_from(NUMBER_EDGES) if name in ids and data.draw(st.booleans())
                                         else st.sampled_from(SEGMENTS))
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(
            st.sampled_from(SEGMENTS + HOSTILE), st.text(max_size=40)), max_size=4))
        url = _path_with(rule, values)
        if query:
            url += "?" + urlencode(query)
        response = world.clients[role].get(url, headers={"HX-Request": "true"} if data.draw(st.booleans()) else {})
        body = response.get_data().decode("utf-8", "replace")
        response.close()
        assert response.status_code < 500 or response.status_code == 503, (role, url)
        assert SCRIPT not in body, (role, url)

    get_something()
    assert time.monotonic() - started < 120


# Each one a different way to break a view that reads a number, a date or a name from the query string.
QUERY_EDGES = NUMBER_EDGES + [
    "0001-01-01", "9999-12-31", "2024-13-01", "9999-12-31T23:59", "", "-1", "0", "99999999999999999999999", "x",
    "\u202e", SCRIPT,
]


def test_every_edge_in_every_query_name_of_every_page(app, make_event, make_staff):
    """A sweep the random search above may miss: each page each role opens, with every name a view reads
    from the query string set to the same edge value, for every edge value."""
    world = World(app, make_event, make_staff)
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        url = world.url(rule) if "GET" in rule.methods and rule.endpoint != "static" else None
        if url is None or url.endswith("/logout"):
            continue
        for role in ("organizer", "guest", "kiosk", "anonymous"):
            with world.clients[role].get(url) as response:
                if response.status_code == 200:
                    pages.append((role, url))
                    break
    assert len(pages) > 60
    for value in QUERY_EDGES:
        query = urlencode(dict.fromkeys(QUERY_NAMES, value))
        for role, url in pages:
            with world.clients[role].get(f"{url}?{query}") as response:
                assert response.status_code < 500 or response.status_code == 503, (role, url, value)
                assert SCRIPT not in response.get_data(as_text=True), (role, url, value)
