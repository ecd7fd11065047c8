"""Lodging, transport and help requests in the guest's data download and in account erasure."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import outbox
from portal.extensions import db
from portal.helpdesk import services as helpdesk
from portal.lodging import services as lodging
from portal.models import (
    AuditEntry, Event, LodgingRequest, Registration, RoomNight, Ticket, TicketMessage, TicketRating, TransportLeg, User,
)
from tests.factories import confirm_stay, file_stay, local_now, make_guest, make_small_block, seat, submit

INTERNAL_NOTE = "Guest seemed upset; VIP protocol."


def raise_ticket(app, event, registration_id, subject, body) -> int:  # noqa: F811
    with app.app_context():
        ticket = helpdesk.raise_ticket(db.session.get(Event, event.id), category="lodging", subject=subject,
                                       body=body, source="portal",
                                       registration=db.session.get(Registration, registration_id))
        return ticket.id


def reply(app, ticket_id, staff, body, **kwargs):
    with app.app_context():
        helpdesk.reply(db.session.get(Ticket, ticket_id), db.session.get(User, staff.id), body, **kwargs)


def guest_writes(app, ticket_id, user_id, body):
    with app.app_context():
        helpdesk.guest_reply(db.session.get(Ticket, ticket_id), db.session.get(User, user_id), body)


def taken(app, block_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(RoomNight.taken).where(RoomNight.block_id == block_id)
                                       .order_by(RoomNight.night)))


def erase(client):
    response = submit(client, "/e/summit/me/data/erase", {"understood": "y"}, page="/e/summit/me/data/erase")
    assert response.status_code == 303
    return response


@pytest.fixture
def trip(app, event, desk):  # noqa: F811
    """Amira with a confirmed room, two journeys seated in cars and a help request; Bo with his own of each."""
    amira = make_guest(app, event, "amira@example.org", name="Amira Haddad")
    bo = make_guest(app, event, "bo@example.org", name="Bo Berg")
    block_id = make_small_block(app, event)
    mine = file_stay(app, event, amira.registration_id, block_id, start=0, nights=2, notes="Quiet room, please.")
    confirm_stay(app, event, mine, room="1203", number="LH-77")
    file_stay(app, event, bo.registration_id, block_id, start=0, nights=1, notes="Bo wants a bathtub.")
    now = local_now(event)
    arrival = seat(app, event, amira.registration_id, "arrival", now + timedelta(hours=2), "Van 7")
    departure = seat(app, event, amira.registration_id, "departure", now + timedelta(days=1), "Coach 2")
    seat(app, event, bo.registration_id, "arrival", now + timedelta(hours=3), "Van 8")
    ticket = raise_ticket(app, event, amira.registration_id, "Lost my charger", "Black Anker charger, room 1203.")
    reply(app, ticket, desk, INTERNAL_NOTE, internal=True)
    reply(app, ticket, desk, "We found it at the front desk.")
    guest_writes(app, ticket, amira.id, "Thank you, Amira will pick it up.")
    raise_ticket(app, event, bo.registration_id, "Bo's taxi", "Bo needs a taxi at 6.")
    with app.app_context():
        db.session.add(TicketRating(ticket_id=ticket, token_hash="0" * 64, score=5, comment="Amira is happy",
                                    rated_at=db.func.now()))
        db.session.commit()
    return dict(amira=amira, bo=bo, block_id=block_id, stay=mine, legs={arrival, departure}, ticket=ticket)


def test_the_download_holds_my_rooms_journeys_and_help_requests_and_nothing_of_others(app, client, auth, trip):
    auth.login_as(trip["amira"])
    response = client.get("/e/summit/me/data.json")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    data = json.loads(text)

    [stay] = data["lodging"]["requests"]
    assert stay["id"] == trip["stay"] and stay["state"] == "confirmed" and stay["hotel"] == "Lakeside Hotel"
    assert stay["room_number"] == "1203" and stay["confirmation_number"] == "LH-77"
    assert stay["notes"] == "Quiet room, please." and data["lodging"]["shared_with_me"] == []

    assert {leg["id"] for leg in data["transport"]} == trip["legs"]
    arrival = next(leg for leg in data["transport"] if leg["direction"] == "arrival")
    assert arrival["state"] == "scheduled" and arrival["vehicle"]["label"] == "Van 7"
    assert arrival["vehicle"]["meeting_point_en"] == "Meet Van 7 at exit B"

    [ticket] = data["help_requests"]
    assert ticket["reference"] == "H-001" and ticket["subject"] == "Lost my charger"
    assert [(m["from"], m["body"]) for m in ticket["messages"]] == [
        ("me", "Black Anker charger, room 1203."), ("help desk", "We found it at the front desk."),
        ("me", "Thank you, Amira will pick it up.")]
    assert ticket["ratings"] == [{"score": 5, "comment": "Amira is happy", "rated_at": ticket["ratings"][0]["rated_at"]}]

    # Never an internal note, a rating link, or anything of Bo's; and the driver's phone (which the
    # scheduling mail told Amira, so it is in her mail section) is no fact the transport section holds.
    for absent in (INTERNAL_NOTE, "VIP protocol", "0" * 64, "bathtub", "Van 8", "taxi", "bo@example.org", "Bo Berg"):
        assert absent not in text
    assert "+86 139" not in json.dumps(data["transport"], ensure_ascii=False)


def test_the_roommate_sees_the_shared_stay_but_not_the_other_guests_notes(app, client, auth, event):  # noqa: F811
    host = make_guest(app, event, "host@example.org", name="Hilda Host")
    mate = make_guest(app, event, "mate@example.org", name="Max Mate")
    request_id = file_stay(app, event, host.registration_id, make_small_block(app, event), occupancy=2,
                           roommate_email="mate@example.org", notes="Hilda snores.")
    auth.login_as(mate)
    [shared] = json.loads(client.get("/e/summit/me/data.json").get_data(as_text=True))["lodging"]["shared_with_me"]
    assert shared["hotel"] == "Lakeside Hotel" and shared["state"] == "requested" and shared["i_agreed_at"] is None
    # The host's notes are nowhere; their name only in the mail that asked Amira, not in the lodging section.
    data = json.loads(client.get("/e/summit/me/data.json").get_data(as_text=True))
    assert "snores" not in json.dumps(data, ensure_ascii=False, default=str)
    assert "Hilda" not in json.dumps(data["lodging"], default=str) and "host@" not in json.dumps(data["lodging"], default=str)
    assert data["lodging"]["requests"] == [] and request_id


def test_erasure_returns_the_nights_frees_the_seats_and_anonymises_help_requests(app, client, auth, event, trip):  # noqa: F811
    assert taken(app, trip["block_id"]) == [0, 1, 1, 0]  # Amira's two nights; Bo's request holds none yet
    with app.app_context():
        # Asked at a kiosk before she was identified: only her e-mail ties it to her.
        walk_up = helpdesk.open_ticket(db.session.get(Event, event.id), category="other",
                                       subject="Lost badge", body="I am Amira Haddad", source="kiosk",
                                       name="Amira H.", email="Amira@Example.org").id
        db.session.commit()
    auth.login_as(trip["amira"])
    erase(client)
    with app.app_context():
        walked = db.session.get(Ticket, walk_up)
        assert (walked.contact_name, walked.contact_email, walked.messages[0].body) == ("[erased]", "", "[erased]")
        registration_id = trip["amira"].registration_id
        assert db.session.scalar(select(func.count()).select_from(LodgingRequest)
                                 .where(LodgingRequest.registration_id == registration_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(TransportLeg)
                                 .where(TransportLeg.registration_id == registration_id)) == 0
        # Bo's own request and journey are untouched.
        assert db.session.scalar(select(func.count()).select_from(LodgingRequest)) == 1
        assert db.session.scalar(select(func.count()).select_from(TransportLeg)) == 1

        ticket = db.session.get(Ticket, trip["ticket"])
        assert (ticket.contact_name, ticket.contact_email, ticket.contact_phone, ticket.subject) == (
            "[erased]", "", "", "[erased]")
        # The counts the desk's metrics read stay: the ticket, its messages, its times, its score.
        assert ticket.category == "lodging" and ticket.first_response_at is not None
        bodies = [(m.kind, m.body) for m in ticket.messages]
        assert bodies == [("guest", "[erased]"), ("internal", INTERNAL_NOTE),
                          ("public", "We found it at the front desk."), ("guest", "[erased]")]
        assert all(m.author_name == "" for m in ticket.messages if m.kind == "guest")
        rating = db.session.scalar(select(TicketRating).where(TicketRating.ticket_id == ticket.id))
        assert rating.score == 5 and rating.comment == ""
        bos = db.session.scalar(select(Ticket).where(Ticket.contact_email == "bo@example.org"))
        assert bos.contact_name == "Bo Berg" and bos.messages[0].body == "Bo needs a taxi at 6."

        actions = {e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == trip["amira"].id))}
        assert {"lodging.erased", "transport.erased", "helpdesk.erased", "privacy.erase"} <= actions
        everything = json.dumps([(e.subject, e.detail) for e in db.session.scalars(select(AuditEntry))])
        assert "charger" not in everything and "Quiet room" not in everything
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 6
    # Amira's nights went back to the block.
    assert taken(app, trip["block_id"]) == [0, 0, 0, 0]


def test_erasing_a_roommate_leaves_the_other_guest_the_room_alone_flagged_for_the_coordinators(
        app, client, auth, event, mailbox):  # noqa: F811
    host = make_guest(app, event, "host@example.org", name="Hilda Host")
    mate = make_guest(app, event, "mate@example.org", name="Max Mate")
    block_id = make_small_block(app, event)
    request_id = file_stay(app, event, host.registration_id, block_id, occupancy=2, roommate_email="mate@example.org")
    with app.app_context():
        lodging.answer_roommate(db.session.get(Event, event.id), db.session.get(Registration, mate.registration_id),
                                request_id, accept=True)
    confirm_stay(app, event, request_id, room="505", number="LH-5")
    assert taken(app, block_id) == [0, 1, 1, 0]
    auth.login_as(mate)
    erase(client)
    with app.app_context():
        request = db.session.get(LodgingRequest, request_id)
        assert request.registration_id == host.registration_id
        assert request.roommate_id is None and request.roommate_confirmed_at is None
        # Erasure leaves through the one release path: the host keeps the room, for one, and the
        # coordinators are asked to tell the hotel.
        assert request.state == "confirmed" and request.occupancy == 1 and request.holds_rooms
        assert request.review_reason == "roommate-left"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.cancel"))
        assert entry.actor_id == mate.id and f"shared lodging_request:{request_id}" in entry.detail
        outbox.deliver()
    assert taken(app, block_id) == [0, 1, 1, 0]
    told = mailbox.to("host@example.org")[-1]
    assert "no longer coming" in told.get_body(("plain",)).get_content()


def test_a_guest_with_nothing_downloads_empty_sections_and_erases_cleanly(app, client, auth, event):  # noqa: F811
    guest = make_guest(app, event, "quiet@example.org", name="Quiet Guest")
    auth.login_as(guest)
    data = json.loads(client.get("/e/summit/me/data.json").get_data(as_text=True))
    assert data["lodging"] == {"requests": [], "shared_with_me": []}
    assert data["transport"] == [] and data["help_requests"] == []
    erase(client)
    with app.app_context():
        assert db.session.get(User, guest.id).email.endswith("@erased.invalid")
