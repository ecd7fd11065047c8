"""Every route declares who may reach it, and each rule holds."""

from datetime import time

import pytest
from sqlalchemy import select

from portal.access import Rule
from portal.extensions import db
from portal.models import Meal, Registration, StaffPermission, Ticket
from tests.factories import csrf_token, example_url, raise_ticket, registration_form, rules_of, submit
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
# reaches only their own area (rooms, cars, the kitchen). {guest} is a registration of the event.
# Columns: organizer, lodging, transport, catering, helpdesk, admin.
ROLES = ("organizer", "lodging", "transport", "catering", "helpdesk", "admin")
ROLE_MATRIX = {
    "/staff/e/summit/team": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/medical-access": (303, 403, 403, 403, 403, 303),
    "/staff/organizers": (403, 403, 403, 403, 403, 200),
    "/staff/e/summit/": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/today": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests/{guest}": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/guests/new": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests/{guest}/badge": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests/{guest}/lodging": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/guests/{guest}/transport/arrival": (200, 403, 200, 403, 403, 200),
    # Entering needs shows every part, medical notes too: without the medical permission, organizers only.
    "/staff/e/summit/guests/{guest}/needs": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/lodging": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/lodging/hotels": (200, 200, 403, 403, 403, 200),
    "/staff/e/summit/transport": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/transport/stations": (200, 403, 200, 403, 403, 200),
    "/staff/e/summit/catering": (200, 403, 403, 200, 403, 200),
    "/staff/e/summit/catering/counts.csv": (200, 403, 403, 200, 403, 200),
    "/staff/e/summit/catering/meals": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/catering/meals/{meal}": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/check-in": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/check-in/board": (200, 200, 200, 200, 200, 200),
    "/staff/e/summit/helpdesk": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/alerts": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/audit": (200, 403, 403, 403, 403, 200),
    "/staff/e/summit/settings": (200, 403, 403, 403, 403, 200),
    # The guest list as a file: names, addresses and phones, for the organizer and the desk.
    "/staff/e/summit/guests.csv": (200, 403, 403, 403, 200, 200),
    "/staff/e/summit/guests.xlsx": (200, 403, 403, 403, 200, 200),
    # The budget and what the event cost: the organizer's.
    "/staff/e/summit/costs": (200, 403, 403, 403, 403, 200),
    # Purging sensitive data after the event: the organizer's.
    "/staff/e/summit/purge": (200, 403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(app, client, auth, make_event, make_staff, role):
    event = make_event()
    person = (make_staff("root@example.org", admin=True) if role == "admin"
              else make_staff(f"{role}@example.org", event, roles=(role,)))
    guest_id = _register(app, app.test_client(), event, "wang@example.org", "Wang W")
    with app.app_context():
        reception = Meal(event_id=event.id, day=event.starts_on, served_at=time(18), name_en="Welcome reception")
        db.session.add(reception)
        db.session.commit()
        meal_id = reception.id
    auth.login_as(person)
    column = ROLES.index(role)
    for url, expected in ROLE_MATRIX.items():
        url = url.format(guest=guest_id, meal=meal_id)
        assert client.get(url).status_code == expected[column], (url, role)


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
