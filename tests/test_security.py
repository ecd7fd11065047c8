"""Security headers on every route, and a clean static analysis."""

import re
import secrets
import subprocess
import sys
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from portal import outbox
from portal.auth.services import send_sign_in_link
from portal.checkin import devices
from portal.database import utcnow
from portal.extensions import db
from portal.guests import services as guest_services
from portal.helpdesk import services as helpdesk
from portal.lodging import services as lodging
from portal.models import (
    Announcement, BudgetLine, CannedReply, Event, Meal, OutboundMail, Question, Registration, Room, RoomBlock, Session, Speaker,
    Station, Survey, SurveySection, Track, User, Vehicle,
)
from portal.transport import services as transport
from tests.factories import CSRF_INPUT, example_url, make_block, registration_form, scan, submit
from tests.sessions import sign_in_new_account

ROOT = Path(__file__).resolve().parent.parent


def _assert_hardened(response, where):
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), where
    assert "'unsafe-eval'" not in policy, where
    assert directives.get("frame-ancestors") in ("'none'", "'self'"), where
    assert directives.get("default-src") == "'self'", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where
    assert "HX-Request" in headers.get("Vary", ""), where


def test_every_get_route_answers_with_the_security_headers(app, client, make_event):
    make_event()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = example_url(rule) if rule.endpoint != "static" else "/static/css/app.css"
        with client.get(url) as response:
            _assert_hardened(response, rule.rule)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("url", ["/e/nothing/", "/e/summit/agenda?q=%00", "/login"])
def test_error_answers_are_hardened_too(client, make_event, url):
    make_event()
    _assert_hardened(client.get(url), url)


class Everything:
    """An event with one real row of every kind a POST route names, and a browser for each kind of rule:
    anyone, a signed-in guest, an admin (every staff role), and a paired kiosk."""

    def __init__(self, app, make_event, make_staff, mailbox):
        self.app = app
        event = make_event()
        delegate = next(c.id for c in event.categories if c.code == "delegate")
        self.clients = {"anonymous": app.test_client(), "guest": app.test_client(), "staff": app.test_client(),
                        "kiosk": app.test_client()}
        guest = self.clients["guest"]
        sign_in_new_account(guest, "wang@example.org")
        assert submit(guest, "/e/summit/register", registration_form(category=str(delegate))).status_code == 303
        admin = make_staff("root@example.org", admin=True)
        colleague = make_staff("desk@example.org", event, roles=("helpdesk",))
        assert submit(self.clients["staff"], "/login", {"email": "root@example.org",
                                                         "password": "correct horse battery"}).status_code == 303
        block_id = make_block(app, event)
        with app.test_request_context():
            row = db.session.get(Event, event.id)
            registration = db.session.scalars(select(Registration)).one()
            asker = Registration(event_id=event.id, user=User(email="ann@example.org", display_name="Ann"),
                                 category_id=delegate, state="confirmed", name_original="Ann",
                                 name_latin="Ann", surname="Ann", email="ann@example.org", consent_at=utcnow(),
                                 ticket_code=secrets.token_urlsafe(32), confirmation_code="ANN00001")
            starts = datetime.combine(event.starts_on, datetime.min.time(), tzinfo=row.zone) + timedelta(hours=9)
            session = Session(event_id=event.id, title_en="Opening", title_zh="开幕", starts_at=starts,
                              ends_at=starts + timedelta(hours=1), capacity=50)
            survey = Survey(event_id=event.id, title_en="How was it?", title_zh="如何？")
            things = [asker, session, survey,
                      Room(event_id=event.id, name_en="Hall", name_zh="厅"),
                      Track(event_id=event.id, name_en="Trade", name_zh="贸易"),
                      Speaker(event_id=event.id, name_en="Ada", name_zh="Ada"),
                      Announcement(event_id=event.id, text_en="Lunch", text_zh="午餐"),
                      CannedReply(event_id=event.id, title_en="Thanks", body_en="Thank you."),
                      Vehicle(event_id=event.id, label="Van 1", capacity=6),
                      Station(event_id=event.id, name_en="Shanghai Pudong", code="PVG"),
                      Meal(event_id=event.id, day=event.starts_on, served_at=time(18), name_en="Welcome"),
                      BudgetLine(event_id=event.id, category="venue", label="Hall hire", amount=Decimal("1000"))]
            db.session.add_all(things)
            db.session.flush()
            section = SurveySection(survey_id=survey.id, title_en="Venue")
            question = Question(survey_id=survey.id, kind="rating", text_en="Rate it", text_zh="评分", position=0)
            db.session.add_all([section, question])
            ticket = helpdesk.open_ticket(row, category="other", subject="Umbrella", body="Lost it.",
                                          source="portal", registration=registration)
            resolved = helpdesk.open_ticket(row, category="other", subject="Key", body="Found it.",
                                            source="portal", registration=registration)
            db.session.flush()
            helpdesk.change_state(resolved, "resolved", admin_user := db.session.get(User, admin.id))
            invitation, self.invitation_token = guest_services.create_invitation(
                row, "invited@example.org", "Ivy", row.categories[0], "en")
            device, code = devices.create_device(row, "Entrance", "Hall", admin_user)
            db.session.commit()
            send_sign_in_link(registration.email)
            db.session.commit()
            request_id = lodging.file_request(row, asker, lodging.Stay(
                block_id=block_id, check_in=event.starts_on, check_out=event.starts_on + timedelta(days=1),
                occupancy=2, roommate_email=registration.email)).id
            leg_id = transport.save_leg(row, registration, "arrival", transport.Journey(
                mode="flight", carrier="CA", number="1501", local_time=datetime.combine(event.starts_on, time(9)),
                station="PVG", terminal="T2", passengers=1, luggage=1)).id
            mail_id = db.session.scalar(select(OutboundMail.id).where(OutboundMail.event_id == event.id).limit(1))
            outbox.deliver()  # the sign-in link and the rating link, by mail
            self.ids = {
                "slug": "summit", "registration_id": registration.id, "session_id": session.id,
                "survey_id": survey.id, "section_id": section.id, "question_id": question.id,
                "announcement_id": things[6].id, "canned_id": things[7].id, "vehicle_id": things[8].id, "station_id": things[9].id,
                "meal_id": things[10].id, "day": event.starts_on.isoformat(), "meal": "lunch",
                "rooms": things[3].id, "tracks": things[4].id, "speakers": things[5].id,
                "number": ticket.number, "category_id": row.categories[0].id, "block_id": block_id,
                "hotel_id": db.session.scalar(select(RoomBlock.hotel_id).where(RoomBlock.id == block_id)),
                "request_id": request_id, "leg_id": leg_id, "device_id": device.id, "invitation_id": invitation.id,
                "mail_id": mail_id, "user_id": colleague.id, "line_id": things[11].id,
            }
        self.tokens = {"/login/link/": _link_in(mailbox, "/login/link/"),
                       "/register/": self.invitation_token, "/help/rate/": _link_in(mailbox, "/help/rate/")}
        kiosk = self.clients["kiosk"]
        assert submit(kiosk, "/kiosk/pair", {"code": code}).status_code == 303
        welcome = scan(kiosk, registration_ticket(app))
        self.ids["nonce"] = welcome.headers["Location"].rsplit("/", 1)[1]

    def url(self, rule) -> str:
        """The rule's URL with real values; a part this world has no value for fails the test."""
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif name == "item_id":
                values[name] = self.ids[rule.rule.split("/agenda/")[1].split("/")[0]]
            elif name == "token":
                values[name] = next(token for part, token in self.tokens.items() if part in rule.rule)
            elif name in self.ids:
                values[name] = self.ids[name]
            else:
                pytest.fail(f"no real value for <{name}> in {rule.rule}: give the world one")
        return rule.build(values, append_unknown=False)[1]


def _link_in(mailbox, path: str) -> str:
    for message in mailbox.messages:
        found = re.search(re.escape(path) + r"([\w.\-]+)", message.get_body(("plain",)).get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no mail with a {path} link")


def registration_ticket(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Registration.ticket_code).where(Registration.email == "wang@example.org"))


# Routes without a CSRF token, because they take only a JSON body (the kiosk's offline queue).
JSON_ONLY = {"kiosk.offline_sync"}

CLIENT_FOR = {"anonymous": "anonymous", "signed_in": "guest", "guest": "guest", "staff": "staff", "kiosk": "kiosk"}


def test_a_post_without_its_csrf_token_is_refused_on_every_route(app, make_event, make_staff, mailbox):
    world = Everything(app, make_event, make_staff, mailbox)
    foreign = {name: _token(client) for name, client in world.clients.items()}
    with app.app_context():
        before = _row_counts()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        kind = app.view_functions[rule.endpoint].access_rule.kind
        client = world.clients[CLIENT_FOR[kind]]
        url = world.url(rule)
        if "GET" in rule.methods and kind != "kiosk" and rule.endpoint != "auth.use_link":
            # The browser, the ids and the tokens are real: the page lets it in (or sends it on a step).
            assert client.get(url).status_code < 400, url
        someone_elses = next(token for name, token in foreign.items() if client is not world.clients[name])
        for data in ({}, {"csrf_token": someone_elses}):
            response = client.post(url, data=data)
            if rule.endpoint in JSON_ONLY:
                # Exempt from the token: it takes only a JSON body, which no other site's form can send.
                assert response.status_code == 400, url
            elif rule.endpoint.startswith("kiosk."):
                # The kiosk starts again calmly, on the screen the form came from.
                assert response.status_code == 303, url
                assert response.headers["Location"] in ("/kiosk/?expired=1", "/kiosk/pair"), url
            else:
                assert response.status_code == 400, (url, response.status_code)
                page = response.get_data(as_text=True)
                assert "This form has expired" in page or "表单已过期" in page, url
        checked += 1
    assert checked > 95
    with app.app_context():
        assert _row_counts() == before


EXPORT_LISTS = {"catering": ("counts", "guests"), "surveys": ("answers", "summary", "waiting")}


def test_every_csv_export_says_its_charset_once(app, make_event, make_staff, mailbox):
    world = Everything(app, make_event, make_staff, mailbox)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "fmt" not in rule.arguments:
            continue
        area = rule.rule.split("/")[4]
        for list_name in EXPORT_LISTS.get(area, ("",)):
            world.ids.update(fmt="csv", list_name=list_name)
            response = world.clients["staff"].get(world.url(rule))
            assert response.status_code == 200, rule.rule
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8", rule.rule
            checked += 1
    assert checked >= 10


def _token(client) -> str:
    """A valid CSRF token of this browser's session."""
    for page in ("/kiosk/", "/account", "/login"):
        match = CSRF_INPUT.search(client.get(page).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page with a form")


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.mark.slow
def test_bandit_finds_nothing_of_medium_severity_or_worse():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "bandit"), "-q", "-r", "portal", "kiosk", "-ll", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_for_someone_signed_in_or_a_kiosk_is_never_stored(app, make_event, make_staff):
    """Back after signing out, or after the guest leaves a kiosk, must find no copy in the browser."""
    from tests.sessions import sign_in
    from tests.factories import rules_of
    from tests.factories import make_guest
    from tests.factories import new_kiosk, pair
    from portal.web import SHARED_FILES

    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    guest, staff, kiosk = app.test_client(), app.test_client(), app.test_client()
    sign_in(guest, make_guest(app, event, "amira@example.org").user_id)
    sign_in(staff, organizer.id)
    assert pair(kiosk, new_kiosk(app, event, organizer)[1]).status_code == 303
    checked = 0
    for kind, client in (("guest", guest), ("signed_in", guest), ("anonymous", guest), ("staff", staff),
                         ("kiosk", kiosk)):
        for rule in rules_of(app, kind):
            if "GET" not in rule.methods or rule.endpoint in SHARED_FILES:
                continue  # an event's style sheet and images: the same for everyone, checked below
            with client.get(example_url(rule)) as response:
                assert "no-store" in response.headers.get("Cache-Control", ""), (kind, rule.rule, response.status_code)
            checked += 1
    assert checked > 60
    # What the browser may keep: the static files, and public pages for someone not signed in.
    anonymous = app.test_client()
    for client, url in ((anonymous, "/static/css/app.css"), (guest, "/static/css/app.css"), (anonymous, "/e/summit/"),
                        (guest, "/e/summit/look.css?v=")):
        with client.get(url) as response:
            assert "no-store" not in response.headers.get("Cache-Control", ""), url
