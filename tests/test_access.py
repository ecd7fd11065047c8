"""Every route declares who may reach it, and each rule holds."""

from datetime import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.access import Rule
from portal.agenda import announcements
from portal.checkin import devices
from portal.database import utcnow
from portal.extensions import db
from portal.guests import services as guest_services
from portal.models import (
    BudgetLine, CannedReply, Event, Meal, OutboundMail, Registration, Room, RoomBlock, Speaker, StaffPermission,
    Station, SurveySection, Ticket, Track, User,
)
from tests.factories import (
    add_survey, at, csrf_token, example_url, file_leg, file_stay, make_session, make_small_block, make_vehicle,
    raise_ticket, registration_form, rules_of, submit,
)
from tests.sessions import sign_in_new_account

# Served by Flask itself, for everyone.
UNGUARDED = {"static"}


def test_every_route_declares_an_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNGUARDED:
            continue
        view = app.view_functions[rule.endpoint]
        if not isinstance(getattr(view, "access_rule", None), Rule):
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == []


def test_staff_routes_send_the_anonymous_to_sign_in(app, client, make_event):
    make_event()
    checked = 0
    for rule in rules_of(app, "staff"):
        if "GET" not in rule.methods:
            continue
        response = client.get(example_url(rule))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule
        checked += 1
    assert checked > 0


def test_staff_routes_refuse_a_signed_in_guest(app, client, auth, make_event, make_staff):
    make_event()
    guest = make_staff("guest@example.org")  # an account with no staff role
    auth.login_as(guest)
    checked = 0
    for rule in rules_of(app, "staff"):
        if "GET" not in rule.methods:
            continue
        response = client.get(example_url(rule))
        assert response.status_code in (403, 404), rule.rule
        checked += 1
    assert checked > 0


def test_kiosk_routes_refuse_a_browser_that_is_not_an_enrolled_kiosk(app, client, auth, make_event, make_staff):
    make_event()
    organizer = make_staff("boss@example.org", admin=True)
    for who in (None, organizer):
        if who:
            auth.login_as(who)
        token = csrf_token(client, "/kiosk/pair")
        for rule in rules_of(app, "kiosk"):
            if "GET" in rule.methods:
                # A screen leads the browser to pair; anything else (polls, manifests) is a plain 403.
                response = client.get(example_url(rule))
                if response.status_code == 303:
                    assert response.headers["Location"] == "/kiosk/pair", rule.rule
                else:
                    assert response.status_code == 403, rule.rule
            else:
                assert client.post(example_url(rule), data={"csrf_token": token}).status_code == 403, rule.rule


def test_guest_routes_send_the_anonymous_to_sign_in(app, client, make_event):
    make_event()
    for rule in rules_of(app, "guest"):
        if "GET" not in rule.methods:
            continue
        response = client.get(example_url(rule))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule


def test_signed_in_routes_send_the_anonymous_to_sign_in(app, client):
    for rule in rules_of(app, "signed_in"):
        if "GET" not in rule.methods:
            continue
        response = client.get(example_url(rule))
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def _register(app, client, event, email, name):
    sign_in_new_account(client, email)
    category = next(c for c in event.categories if c.open_to_public)
    response = submit(client, f"/e/{event.slug}/register", registration_form(
        email=email, name_original=name, name_latin="Guest " + name[-1:].upper(), surname="Guest",
        category=str(category.id)))
    assert response.status_code == 303
    with app.app_context():
        return db.session.scalar(select(Registration).where(Registration.email == email)).id


def test_guest_a_never_sees_guest_b(app, make_event):
    event = make_event()
    alice, bob = app.test_client(), app.test_client()
    _register(app, alice, event, "alice@example.org", "Alice A")
    _register(app, bob, event, "bob@example.org", "Bobby B")
    with app.app_context():
        bob_reg = db.session.scalar(select(Registration).where(Registration.email == "bob@example.org"))
        bob_codes = (bob_reg.ticket_code, bob_reg.confirmation_code, "bob@example.org")

    # Alice's pages show only Alice, and no guest URL takes another guest's id.
    for rule in rules_of(app, "guest"):
        if "GET" not in rule.methods:
            continue
        page = alice.get(example_url(rule)).get_data(as_text=True)
        for secret in bob_codes:
            assert secret not in page, rule.rule
        assert "registration_id" not in rule.arguments
    trip = alice.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "alice@example.org" in trip or "Alice A" in trip

    # Alice cannot cancel Bob: the cancel form acts only on the signed-in guest.
    submit(alice, f"/e/{event.slug}/me/cancel", {})
    with app.app_context():
        states = dict(db.session.execute(select(Registration.email, Registration.state)).all())
    assert states == {"alice@example.org": "cancelled", "bob@example.org": "confirmed"}


def test_a_draft_event_is_invisible_to_guests(app, client, make_event):
    make_event(slug="secret", status="draft")
    assert client.get("/e/secret/").status_code == 404
    assert client.get("/e/secret/register").status_code == 404
    assert b"secret" not in client.get("/").data


@pytest.mark.parametrize("path", ["/healthz", "/", "/login"])
def test_anonymous_routes_answer_everyone(client, path):
    assert client.get(path).status_code == 200


# Console pages and who reaches them: an event's team is its organizers' work, the organizers
# of every event an admin's; the desk registers walk-ins and prints badges; each coordinator
# reaches only their own area (rooms, cars, the kitchen). Every page of the console is here (a test
# below fails for one that is not); {names} are things of the event made by _one_of_each.
# Columns: organizer, lodging, transport, catering, helpdesk, admin.
ROLES = ("organizer", "lodging", "transport", "catering", "helpdesk", "admin")
ROLE_MATRIX = {
    "/staff/": (200, 200, 200, 200, 200, 200),
    "/staff/events/new": (403, 403, 403, 403, 403, 200),
    "/staff/e/summit/team": (200, 403, 403, 403, 403, 200),
    # The invitation form lives on the team page; its own URL leads there.
    "/staff/e/summit/team/invite": (302, 403, 403, 403, 403, 302),
    "/staff/e/summit/medical-access": (303, 403, 403, 403, 403, 303),
    "/staff/organizers": (403, 403, 403, 403, 403, 200),
    "/staff/e/summit/": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/today": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests/{guest}": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests/new": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests/{guest}/edit": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests/{guest}/badge": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests/{guest}/lodging": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/guests/{guest}/transport/arrival": (200, 403, 200, 403, 403, 200),
    # Entering needs shows every part, medical notes too: without the medical permission, organizers only.
    "/staff/e/summit/guests/{guest}/needs": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/invitations": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/invitations/import": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/categories": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/categories/{category}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/lodging": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/hotels": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/hotels/{hotel}": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/blocks/new": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/blocks/{block}": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/inventory": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/inventory.csv": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/requests.csv": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/rooming": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/rooming.csv": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/transport": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/legs.csv": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/stations": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/stations/{station}": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/vehicles": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/vehicles/{vehicle}": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/vehicles/{vehicle}/manifest": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/vehicles/{vehicle}/manifest.csv": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/catering": (200, 403, 403, 200, 403, 200),
    "/staff/e/summit/catering/counts.csv": (200, 403, 403, 200, 403, 200),
    "/staff/e/summit/catering/{day}/lunch.csv": (200, 403, 403, 200, 403, 200),
    "/staff/e/summit/catering/meals": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/catering/meals/{meal}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/check-in": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/check-in/board": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/helpdesk": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/helpdesk/{ticket}": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/helpdesk/canned": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/helpdesk/canned/{canned}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/helpdesk/metrics": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/helpdesk/metrics.csv": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/helpdesk/targets": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/alerts": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/agenda": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/sessions/new": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/sessions/{session}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/rooms": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/rooms/{room}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/speakers": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/speakers/{speaker}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/tracks": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/agenda/tracks/{track}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/announcements": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/questions/new": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/questions/{question}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/sections/{section}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/remind": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/waiting": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/waiting.csv": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/surveys/{survey}/results": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/kiosks": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/kiosks/{kiosk}/pairing": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/look": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/mail": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/outbox": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/audit": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/settings": (200, 403, 403, 403, 403, 200),
    # The guest list as a file: names, addresses and phones, for the organizer and the desk.
    "/staff/e/summit/guests.csv": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests.xlsx": (200, 403, 403, 403, 200, 200),
    # The report, the budget and what the event cost, the archive and the purge: the organizer's.
    "/staff/e/summit/report": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/costs": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/costs/lines/{line}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/archive": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/purge": (200, 403, 403, 403, 403, 200),
}

# The console's actions that have no page of their own, posted empty (with a valid CSRF token): a role
# that may not act is refused (403); one that may gets the action's answer (done: 303, or the form
# back with what is missing: 422). {colleague} is a catering coordinator of the event.
POST_MATRIX = {
    "/staff/e/summit/team/{colleague}": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/guests/{guest}/approve": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/guests/{guest}/admit": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/guests/{guest}/cancel": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/guests/{guest}/decline": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/guests/{guest}/reinstate": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/guests/{guest}/resend": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/invitations/{invitation}/resend": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/categories/{category}/release": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/categories/{category}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/lodging/blocks/{block}/inventory": (303, 303, 403, 403, 403, 303),
    "/staff/e/summit/lodging/requests/{request}/decide": (303, 303, 403, 403, 403, 303),
    "/staff/e/summit/transport/assign": (422, 403, 422, 403, 403, 422),
    "/staff/e/summit/transport/buffers": (422, 403, 422, 403, 403, 422),
    "/staff/e/summit/transport/legs/{leg}/complete": (303, 403, 303, 403, 403, 303),
    "/staff/e/summit/transport/legs/{leg}/unassign": (303, 403, 303, 403, 403, 303),
    "/staff/e/summit/transport/stations/{station}/delete": (303, 403, 303, 403, 403, 303),
    "/staff/e/summit/catering/meals/times": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/catering/meals/{meal}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/check-in/{guest}": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/check-in/{guest}/admit": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/check-in/{guest}/undo": (422, 403, 403, 403, 422, 422),
    "/staff/e/summit/helpdesk/{ticket}/take": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/helpdesk/{ticket}/assign": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/helpdesk/{ticket}/priority": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/helpdesk/{ticket}/category": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/helpdesk/{ticket}/state": (303, 403, 403, 403, 303, 303),
    "/staff/e/summit/helpdesk/{ticket}/reply": (422, 403, 403, 403, 422, 422),
    "/staff/e/summit/helpdesk/canned/{canned}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/agenda/rooms/{room}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/agenda/speakers/{speaker}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/agenda/tracks/{track}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/announcements/{announcement}/end": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/surveys/{survey}/open": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/surveys/{survey}/close": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/surveys/{survey}/sections": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/surveys/{survey}/sections/{section}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/surveys/{survey}/questions/{question}/delete": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/kiosks": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/kiosks/{kiosk}/offline": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/kiosks/{kiosk}/revoke": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/outbox/{mail}/retry": (303, 403, 403, 403, 403, 303),
    "/staff/e/summit/costs/meal-rates": (422, 403, 403, 403, 403, 422),
    "/staff/e/summit/costs/lines/{line}/delete": (303, 403, 403, 403, 403, 303),
}


def _one_of_each(app, event, guest_id: int, organizer_id: int) -> dict:
    """One of every thing a console URL names, so each page answers as it does in use (not 404)."""
    block = make_small_block(app, event)
    with app.app_context():
        row = db.session.get(Event, event.id)
        organizer = db.session.get(User, organizer_id)
        meal = Meal(event_id=event.id, day=event.starts_on, served_at=time(18), name_en="Welcome reception")
        station = Station(event_id=event.id, name_en="Shanghai Pudong International Airport", code="PVG")
        line = BudgetLine(event_id=event.id, category="transport", label="Shuttles", amount=Decimal("100.00"))
        canned = CannedReply(event_id=event.id, title_en="Taxi", body_en="Door 3.")
        room = Room(event_id=event.id, name_en="Hall A", name_zh="A厅")
        track = Track(event_id=event.id, name_en="Policy", name_zh="政策")
        speaker = Speaker(event_id=event.id, name_en="Ann Lee", name_zh="李安")
        mail = OutboundMail(event_id=event.id, kind="x", recipient="x@example.org", subject="x", body_text="x",
                            message_id="<matrix@example.org>", state="failed")
        db.session.add_all([meal, station, line, canned, room, track, speaker, mail])
        db.session.flush()
        device, _code = devices.create_device(row, "Hall A", "North entrance", organizer)
        notice = announcements.post(row, organizer, level="info", text_en="Hello", text_zh="你好",
                                    starts_at=utcnow(), ends_at=None)
        invitation, _token = guest_services.create_invitation(row, "invitee@example.org", "Invitee",
                                                               row.categories[0], "en")
        db.session.flush()
        ids = {"meal": meal.id, "station": station.id, "line": line.id, "canned": canned.id, "room": room.id,
               "track": track.id, "speaker": speaker.id, "mail": mail.id, "kiosk": device.id,
               "announcement": notice.id, "invitation": invitation.id, "block": block,
               "hotel": db.session.get(RoomBlock, block).hotel_id, "category": row.categories[0].id,
               "day": event.starts_on.isoformat()}
        db.session.commit()
    ids["vehicle"] = make_vehicle(app, event)
    ids["session"] = make_session(app, event, "Opening", at(event, 0, 9))
    ids["leg"] = file_leg(app, event, SimpleNamespace(registration_id=guest_id))
    ids["request"] = file_stay(app, event, guest_id, block)
    [ids["ticket"]] = raise_ticket(app, event, guest={"id": guest_id})
    survey = add_survey(app, event, [("rating_1_5", "How was the venue?", {})])
    ids["survey"], ids["question"] = survey["id"], survey["questions"][0]
    with app.app_context():
        section = SurveySection(survey_id=ids["survey"], title_en="Venue")
        db.session.add(section)
        db.session.commit()
        ids["section"] = section.id
    return ids


def _staff_of(make_staff, event, role):
    return (make_staff("root@example.org", admin=True) if role == "admin"
            else make_staff(f"{role}@example.org", event, roles=(role,)))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(app, client, auth, make_event, make_staff, role):
    event = make_event()
    person = _staff_of(make_staff, event, role)
    organizer = person if role == "organizer" else make_staff("boss@example.org", event, roles=("organizer",))
    guest_id = _register(app, app.test_client(), event, "wang@example.org", "Wang W")
    things = _one_of_each(app, event, guest_id, organizer.id)
    auth.login_as(person)
    column = ROLES.index(role)
    for url, expected in ROLE_MATRIX.items():
        url = url.format(guest=guest_id, **things)
        assert client.get(url).status_code == expected[column], (url, role)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_take_exactly_its_actions(app, client, auth, make_event, make_staff, role):
    event = make_event()
    person = _staff_of(make_staff, event, role)
    organizer = person if role == "organizer" else make_staff("boss@example.org", event, roles=("organizer",))
    colleague = make_staff("colleague@example.org", event, roles=("catering",))
    guest_id = _register(app, app.test_client(), event, "wang@example.org", "Wang W")
    things = _one_of_each(app, event, guest_id, organizer.id)
    auth.login_as(person)
    token = csrf_token(client, "/staff/")
    column = ROLES.index(role)
    for url, expected in POST_MATRIX.items():
        url = url.format(guest=guest_id, colleague=colleague.id, **things)
        assert client.post(url, data={"csrf_token": token}).status_code == expected[column], (url, role)


def test_the_matrices_name_every_console_route(app):
    """A new console route fails here until its row says who reaches it."""
    adapter = app.url_map.bind("localhost")
    placeholders = {name: 1 for name in ("guest", "colleague", "meal", "station", "line", "canned", "room", "track",
                                         "speaker", "mail", "kiosk", "announcement", "invitation", "block", "hotel",
                                         "category", "vehicle", "session", "leg", "request", "ticket", "survey",
                                         "question", "section")}
    placeholders["day"] = "2027-05-10"
    covered = set()
    for matrix, method in ((ROLE_MATRIX, "GET"), (POST_MATRIX, "POST")):
        for url in matrix:
            endpoint, _values = adapter.match(url.format(**placeholders), method=method)
            covered.add(endpoint)
    staff = {rule.endpoint for rule in rules_of(app, "staff")}
    assert sorted(staff - covered) == []
# Taking a help request out of "medical" (POST .../helpdesk/<number>/category): the desk reaches the
# route, but only those who may read medical notes move the request; the rest of the desk is told
# why and the request stays medical. (status, category afterwards) per role; "helpdesk+medical" is
# a desk member with the event's medical-data permission.
MEDICAL_MOVE_MATRIX = {
    "organizer": (303, "other"),
    "lodging": (403, "medical"),
    "transport": (403, "medical"),
    "catering": (403, "medical"),
    "helpdesk": (303, "medical"),
    "helpdesk+medical": (303, "other"),
    "admin": (303, "other"),
}


@pytest.mark.parametrize("role", MEDICAL_MOVE_MATRIX)
def test_only_medical_readers_take_a_request_out_of_medical(app, client, auth, make_event, make_staff, role):
    event = make_event()
    [number] = raise_ticket(app, event, category="medical", subject="Chest pain")
    if role == "admin":
        person = make_staff("root@example.org", admin=True)
    else:
        person = make_staff("staff@example.org", event, roles=(role.split("+")[0],))
    if role.endswith("+medical"):
        with app.app_context():
            db.session.add(StaffPermission(user_id=person.id, event_id=event.id, permission="medical"))
            db.session.commit()
    auth.login_as(person)
    token = csrf_token(client, "/staff/e/summit/")
    response = client.post(f"/staff/e/summit/helpdesk/{number}/category",
                           data={"csrf_token": token, "category": "other"})
    with app.app_context():
        category = db.session.scalar(select(Ticket.category).where(Ticket.number == number))
    assert (response.status_code, category) == MEDICAL_MOVE_MATRIX[role]


def test_every_role_the_team_page_offers_is_in_the_matrix():
    from portal.models import StaffRole
    assert set(StaffRole.ROLES) | {"admin"} == set(ROLES)
    assert set(ROLES) | {"helpdesk+medical"} == set(MEDICAL_MOVE_MATRIX)
