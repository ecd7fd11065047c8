"""The help desk for guests: raising, following and answering tickets in the portal and at a kiosk,
the kiosk hand-off, ratings, and what a guest may never see."""

import re
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.helpdesk import services
from portal.models import Event, Registration, Ticket, TicketChange, TicketMessage, TicketRating, User
from tests.factories import (
    csrf_token, deliver, make_registration, new_kiosk, pair, raise_in_portal, scan, sign_in_guest, staff_reply, submit,
)

NOTE = "Internal: the guest was rude to the driver, keep an eye"


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def guest(app, client, event):
    made = make_registration(app, event)
    sign_in_guest(app, client, made)
    return made


# -- Raising in the portal -----------------------------------------------------------------------

def test_a_guest_raises_a_ticket_and_gets_its_number(app, client, guest, mailbox):
    response = raise_in_portal(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me/help/1"
    page = client.get("/e/summit/me/help/1").get_data(as_text=True)
    assert "H-001" in page and "Room is cold" in page and "The heating does not work." in page
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.number, ticket.state, ticket.priority, ticket.category) == (1, "new", "normal", "lodging")
        assert ticket.registration_id == guest["id"] and ticket.contact_email == guest["email"]
    deliver(app)
    [mail] = [m for m in mailbox.to(guest["email"]) if "H-001" in m["Subject"]]
    assert "H-001" in client.get("/e/summit/me").get_data(as_text=True)


def test_a_medical_ticket_is_urgent(app, client, guest):
    raise_in_portal(client, category="medical", subject="Allergy", message="I need an epipen")
    with app.app_context():
        assert db.session.scalar(select(Ticket.priority)) == "urgent"


def test_numbers_are_per_event_and_never_repeat(app, client, guest, make_event):
    for _ in range(3):
        raise_in_portal(client)
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    with app.app_context():
        with app.test_request_context():
            ticket = services.raise_ticket(db.session.get(Event, other.id), category="other", subject="x",
                                           body="y", source="desk", name="Li", phone="+86 1380000")
            assert ticket.reference == "H-001"
        numbers = db.session.scalars(select(Ticket.number).where(Ticket.event_id == guest_event_id(app))).all()
    assert sorted(numbers) == [1, 2, 3]


def guest_event_id(app):
    return db.session.scalar(select(Event.id).where(Event.slug == "summit"))


def test_numbers_stay_unique_when_raised_at_once(app, event):
    """Many requests raised at the same moment get distinct numbers 1..n."""
    count = 8
    barrier = threading.Barrier(count)
    errors = []

    def worker(i):
        try:
            with app.test_request_context(method="POST"):
                row = db.session.get(Event, event.id)
                db.session.rollback()
                barrier.wait()
                services.raise_ticket(row, category="other", subject=f"s{i}", body="b", source="desk",
                                      name=f"G{i}", phone="+86 13800000000")
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert sorted(db.session.scalars(select(Ticket.number))) == list(range(1, count + 1))


@pytest.mark.parametrize("data, message", [
    ({"message": ""}, "Write your message."),
    ({"message": "   "}, "Write your message."),
    ({"message": "x" * 5001}, "At most 5000 characters."),
    ({"subject": ""}, "Give your request a short subject."),
    ({"subject": "s" * 201}, "At most 200 characters."),
    ({"category": "spaceship"}, "Not a valid choice"),
])
def test_bad_input_keeps_what_was_typed_and_stores_nothing(app, client, guest, data, message):
    response = raise_in_portal(client, **data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    if data.get("message", "").strip():
        assert data["message"][:100] in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


# -- Following and answering ---------------------------------------------------------------------

def test_the_guest_sees_public_replies_and_never_internal_notes(app, client, guest, desk, mailbox):
    raise_in_portal(client)
    staff_reply(app, 1, desk.email, NOTE, internal=True)
    staff_reply(app, 1, desk.email, "A technician is on his way.")
    deliver(app)
    page = client.get("/e/summit/me/help/1").get_data(as_text=True)
    assert "A technician is on his way." in page
    assert NOTE not in page and "keep an eye" not in page
    for url in ("/e/summit/me", "/e/summit/me/help"):
        assert "keep an eye" not in client.get(url).get_data(as_text=True)
    mails = mailbox.to(guest["email"])
    assert any("A technician is on his way." in m.get_body(("plain",)).get_content() for m in mails)
    for mail in mails:
        for part in mail.walk():
            if part.get_content_maintype() == "text":
                assert "keep an eye" not in part.get_content()
    with app.app_context():
        assert db.session.scalar(select(Ticket.state)) == "open"


def test_the_guest_reply_reopens_a_resolved_ticket(app, client, guest, desk):
    raise_in_portal(client)
    staff_reply(app, 1, desk.email, "Fixed.", then="resolved")
    with app.app_context():
        assert db.session.scalar(select(Ticket.state)) == "resolved"
    response = submit(client, "/e/summit/me/help/1", {"message": "Still cold!"})
    assert response.status_code == 303
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.state == "open" and ticket.resolved_at is None
        changes = [(c.old, c.new) for c in ticket.changes if c.what == "state"]
        assert changes[-1] == ("resolved", "open")
        assert db.session.scalar(select(TicketChange.actor_id).order_by(TicketChange.id.desc()).limit(1)) is not None


@pytest.mark.parametrize("message, expected", [("", "Write your message."), ("x" * 5001, "At most 5000")])
def test_an_empty_or_oversized_reply_is_refused_clearly(app, client, guest, message, expected):
    raise_in_portal(client)
    response = submit(client, "/e/summit/me/help/1", {"message": message})
    assert response.status_code == 422 and expected in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 1


def test_a_closed_ticket_takes_no_reply(app, client, guest, desk):
    raise_in_portal(client)
    with app.test_request_context():
        ticket = db.session.scalar(select(Ticket))
        services.change_state(ticket, "closed", db.session.get(User, desk.id))
    page = client.get("/e/summit/me/help/1").get_data(as_text=True)
    assert "This request is closed" in page and 'name="message"' not in page
    response = submit(client, "/e/summit/me/help/1", {"message": "hello?"}, page="/e/summit/me/help")
    assert response.status_code == 422 and "This request is closed" in response.get_data(as_text=True)


def test_a_guest_sees_only_their_own_tickets(app, client, guest, event):
    raise_in_portal(client, subject="Alice's secret", message="my room number is 1204")
    bob_client = app.test_client()
    bob = make_registration(app, event, email="bob@example.org", name_latin="Bob Brown", surname="Brown")
    sign_in_guest(app, bob_client, bob)
    assert bob_client.get("/e/summit/me/help/1").status_code == 404
    assert submit(bob_client, "/e/summit/me/help/1", {"message": "x"}, page="/e/summit/me/help").status_code == 404
    for url in ("/e/summit/me/help", "/e/summit/me"):
        text = bob_client.get(url).get_data(as_text=True)
        assert "Alice's secret" not in text and "room number is 1204" not in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 1


def test_a_ticket_number_of_another_event_is_not_found(app, client, guest, make_event):
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    other_guest = make_registration(app, other, email="wang@example.org")
    other_client = app.test_client()
    sign_in_guest(app, other_client, other_guest)
    raise_in_portal(other_client, slug="other", subject="Other event")
    assert client.get("/e/summit/me/help/1").status_code == 404
    assert other_client.get("/e/other/me/help/1").status_code == 200


# -- Rating --------------------------------------------------------------------------------------

RATE_LINK = re.compile(r"https?://[^/\s]+(/e/summit/help/rate/[A-Za-z0-9_.\-]+)")


def test_resolving_mails_a_single_use_rating_link(app, client, guest, desk, mailbox):
    raise_in_portal(client)
    staff_reply(app, 1, desk.email, "Done.", then="resolved")
    deliver(app)
    [mail] = [m for m in mailbox.to(guest["email"]) if "resolved" in m["Subject"]]
    path = RATE_LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    anonymous = app.test_client()
    page = anonymous.get(path + "?score=4").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="4"', page)  # the score clicked in the mail is chosen
    first = submit(anonymous, path, {"score": "4", "comment": "Quick and kind"})
    assert first.status_code == 303
    assert "Thank you for your rating" in anonymous.get(first.headers["Location"]).get_data(as_text=True)
    again = anonymous.post(path, data={"csrf_token": csrf_token(anonymous, "/login"), "score": "1"})
    assert again.status_code == 200 and "already been rated" in again.get_data(as_text=True)
    assert "already been rated" in anonymous.get(path).get_data(as_text=True)
    with app.app_context():
        rating = db.session.scalar(select(TicketRating))
        assert (rating.score, rating.comment) == (4, "Quick and kind")
        assert path.rsplit("/", 1)[1] not in rating.token_hash


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "eyJ0.forged.sig"])
def test_a_bad_rating_link_gets_a_clear_page(client, event, token):
    response = client.get(f"/e/summit/help/rate/{token}")
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)


def test_a_rating_needs_a_score(app, client, guest, desk, mailbox):
    raise_in_portal(client)
    staff_reply(app, 1, desk.email, "Done.", then="resolved")
    deliver(app)
    [mail] = [m for m in mailbox.to(guest["email"]) if "resolved" in m["Subject"]]
    path = RATE_LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    response = submit(client, path, {"score": "9"})
    assert response.status_code == 422
    response = submit(client, path, {"comment": "no score"})
    assert response.status_code == 422 and "Choose a rating" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TicketRating.rated_at)) is None


# -- At the kiosk --------------------------------------------------------------------------------

@pytest.fixture
def kiosk(app, make_staff, event):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    device_id, code = new_kiosk(app, event, organizer)
    client = app.test_client()
    assert pair(client, code).status_code == 303
    client.device_id = device_id
    return client


def test_a_walk_up_asks_for_help_at_the_kiosk_and_leaves_with_the_number(app, kiosk):
    assert "Ask for help" in kiosk.get("/kiosk/").get_data(as_text=True)
    response = submit(kiosk, "/kiosk/ask", {"name": "Anna Berg", "contact": "+46 70 123 45 67",
                                            "category": "lost_found", "message": "I lost my passport\nin hall B"})
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/help"
    page = kiosk.get("/kiosk/help").get_data(as_text=True)
    assert "H-001" in page and "help desk" in page
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.source, ticket.registration_id, ticket.kiosk_id) == ("kiosk", None, kiosk.device_id)
        assert (ticket.contact_name, ticket.contact_phone, ticket.subject) == (
            "Anna Berg", "+46 70 123 45 67", "I lost my passport")
    # The next person at the kiosk sees nothing of it.
    kiosk.get("/kiosk/reset")
    assert "H-001" not in kiosk.get("/kiosk/help").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"contact": ""}, "Enter a phone number or an e-mail address"),
    ({"contact": "12"}, "Enter a phone number or an e-mail address"),
    ({"contact": "anna@"}, "valid e-mail"),
    ({"name": ""}, "Enter your name."),
    ({"message": ""}, "Write your message."),
    ({"message": "m" * 5001}, "At most 5000 characters."),
])
def test_a_walk_up_with_bad_input_gets_errors_beside_the_fields(app, kiosk, data, message):
    values = {"name": "Anna Berg", "contact": "anna@example.org", "category": "other", "message": "Help"}
    values.update(data)
    response = submit(kiosk, "/kiosk/ask", values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def welcome(kiosk, guest) -> str:
    location = scan(kiosk, guest["ticket"]).headers["Location"]
    assert location.startswith("/kiosk/welcome/")
    return location


def test_an_identified_guest_asks_and_sees_only_their_own_requests_by_number(app, kiosk, event, make_event):
    stranger = make_registration(app, event, email="bob@example.org", name_latin="Bob Brown", surname="Brown",
                                 phone="+1 555 0100 9999")
    with app.test_request_context():
        services.raise_ticket(db.session.get(Event, event.id), category="other", subject="Bob's problem",
                              body="b", source="desk", registration=db.session.get(Registration, stranger["id"]))
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    with app.test_request_context():
        services.raise_ticket(db.session.get(Event, other.id), category="other", subject="Elsewhere",
                              body="b", source="desk", name="X", phone="+1 555 0100 1234")
    guest = make_registration(app, event)
    url = welcome(kiosk, guest)
    assert "Ask for help" in kiosk.get(url).get_data(as_text=True)
    response = submit(kiosk, url + "/help", {"category": "transport", "message": "When is the shuttle?"})
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/help"
    assert "H-002" in kiosk.get("/kiosk/help").get_data(as_text=True)
    with app.app_context():
        mine = db.session.scalar(select(Ticket).where(Ticket.number == 2, Ticket.event_id == event.id))
        assert mine.registration_id == guest["id"] and mine.source == "kiosk"

    url = welcome(kiosk, guest)
    found = kiosk.get(url + "/help?number=h-002").get_data(as_text=True)
    assert "H-002" in found and "When is the shuttle?" in found and "New" in found
    for number in ("H-001", "1", "H-999", "nonsense", "H-" + "9" * 20):
        page = kiosk.get(url + "/help?number=" + number)
        assert page.status_code == 422, number
        assert "Bob" not in page.get_data(as_text=True)
        assert "We could not find a request of yours" in page.get_data(as_text=True) or "At most" in page.get_data(as_text=True)
    # Without the visit, nobody's requests are shown.
    kiosk.get("/kiosk/reset")
    assert kiosk.get(url + "/help?number=H-002").headers["Location"] == "/kiosk/"


@pytest.mark.parametrize("state", ["cancelled", "waitlisted"])
def test_a_refused_check_in_opens_one_ticket_and_shows_its_number(app, kiosk, event, state):
    guest = make_registration(app, event, state=state)
    assert scan(kiosk, guest["ticket"]).headers["Location"] == "/kiosk/help"
    page = kiosk.get("/kiosk/help").get_data(as_text=True)
    assert "H-001" in page and "Wang" not in page
    scan(kiosk, guest["ticket"])  # tries again
    with app.app_context():
        [ticket] = db.session.scalars(select(Ticket)).all()
        assert (ticket.category, ticket.priority, ticket.source) == ("other", "high", "handoff")
        assert ticket.registration_id == guest["id"]
        assert state in ticket.messages[0].body.lower() or "waiting list" in ticket.messages[0].body
        assert [m.kind for m in ticket.messages] == ["guest", "internal"]


def test_an_unknown_scan_opens_a_ticket_for_the_desk(app, kiosk):
    assert scan(kiosk, "not-a-ticket-at-all-123").headers["Location"] == "/kiosk/help"
    assert "H-001" in kiosk.get("/kiosk/help").get_data(as_text=True)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.registration_id is None and ticket.kiosk_id == kiosk.device_id
        assert "could not find" in ticket.messages[0].body
