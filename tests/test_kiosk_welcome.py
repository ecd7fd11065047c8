"""The kiosk's welcome screen: the guest's hotel and room, and their shuttle today; nothing of anyone else."""

from datetime import datetime, time, timedelta

import pytest

from portal.checkin.welcome import cards_for
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import Event, Registration, TransportLeg
from portal.transport import services as transport
from tests.factories import (
    confirm_stay, file_stay, local_now, make_registration, make_small_block, new_kiosk, pair, scan, seat,
)


@pytest.fixture
def kiosk(app, client, event, make_staff):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    _, code = new_kiosk(app, event, organizer)
    assert pair(client, code).status_code == 303
    return client


def welcome_text(kiosk, guest) -> str:
    response = scan(kiosk, guest["ticket"])
    assert response.status_code == 303
    return kiosk.get(response.headers["Location"]).get_data(as_text=True)


def test_a_checked_in_guest_sees_their_hotel_and_pickup_today_not_the_room_number(app, kiosk, event):
    guest = make_registration(app, event)
    block_id = make_small_block(app, event)
    confirm_stay(app, event, file_stay(app, event, guest["id"], block_id, start=-1, nights=3))
    now = local_now(event)
    seat(app, event, guest["id"], "arrival", now + timedelta(hours=2), "Van 7")
    seat(app, event, guest["id"], "departure", now + timedelta(days=1), "Coach 2")

    text = welcome_text(kiosk, guest)
    assert "Your hotel" in text and "Lakeside Hotel" in text and "Deluxe king" in text
    # A public screen: the room number stays with the guest's phone and the hotel's desk.
    assert "1203" not in text
    check_in, check_out = event.starts_on - timedelta(days=1), event.starts_on + timedelta(days=2)
    assert f"{check_in:%b} {check_in.day}, {check_in.year}" in text
    assert f"{check_out:%b} {check_out.day}, {check_out.year}" in text
    assert "Your pickup" in text and "Van 7" in text and "Meet Van 7 at exit B" in text
    assert (now + timedelta(hours=2)).strftime("%H:%M") in text
    # Tomorrow's departure is tomorrow's business.
    assert "Coach 2" not in text and "Your departure shuttle" not in text
    # A public screen: no confirmation number, no phone of hotel or driver, no flight.
    for private in ("LH-77", "+86 571", "+86 139", "Mr Zhao", "CA 1501", "浙A"):
        assert private not in text


def test_a_guest_who_reads_chinese_is_told_the_meeting_point_in_chinese(app, kiosk, event):
    guest = make_registration(app, event, language="zh_Hans")
    leg_id = seat(app, event, guest["id"], "arrival", local_now(event) + timedelta(hours=2), "Van 7")
    with app.app_context():
        db.session.get(TransportLeg, leg_id).vehicle.meeting_point_zh = "到达大厅B出口"
        db.session.commit()
    text = welcome_text(kiosk, guest)
    assert "集合地点：到达大厅B出口" in text and "Meet Van 7 at exit B" not in text


def test_tomorrows_pickup_is_not_todays_and_tomorrow_it_is(app, kiosk, event):
    guest = make_registration(app, event)
    now = local_now(event)
    seat(app, event, guest["id"], "departure", now + timedelta(days=1), "Coach 2",
         departs_at=now + timedelta(days=1, hours=-3))
    text = welcome_text(kiosk, guest)
    assert "Coach 2" not in text and "shuttle" not in text and "pickup" not in text.lower()
    with app.app_context():
        registration = db.session.get(Registration, guest["id"])
        [card] = [c for c in cards_for(registration, event.starts_on + timedelta(days=1))
                  if c.template == "kiosk/_card_shuttle.html"]
        assert card.context["departure"] and card.context["vehicle"] == "Coach 2"
        # The car's own departure time, not the flight's.
        assert card.context["at"] == (now + timedelta(hours=-3)).strftime("%H:%M")


def test_a_pickup_that_left_this_morning_is_over(app, kiosk, event):
    guest = make_registration(app, event)
    now = local_now(event)
    seat(app, event, guest["id"], "arrival", datetime.combine(now.date(), time(6, 30)), "Early van")
    assert "Early van" not in welcome_text(kiosk, guest)


def test_a_guest_without_a_room_or_a_car_sees_no_such_card(app, kiosk, event):
    guest = make_registration(app, event)
    other = make_registration(app, event, email="zhao@example.org", surname="Zhao", name_latin="Zhao Lei")
    block_id = make_small_block(app, event)
    confirm_stay(app, event, file_stay(app, event, other["id"], block_id, start=0, nights=1))
    seat(app, event, other["id"], "arrival", local_now(event) + timedelta(hours=1), "Van 9")
    # A pickup asked for but not yet seated in a car is no shuttle yet.
    with app.app_context():
        transport.save_leg(db.session.get(Event, event.id), db.session.get(Registration, guest["id"]), "arrival",
                           transport.Journey(mode="train", carrier="", number="G7", station="Hangzhou East",
                                             local_time=local_now(event) + timedelta(hours=1)))
    text = welcome_text(kiosk, guest)
    assert "Welcome, Mr Wang Xiaoming" in text
    for absent in ("Your hotel", "Lakeside", "Your pickup", "Van 9", "shuttle"):
        assert absent not in text


def test_a_stay_that_starts_later_is_not_shown_today(app, kiosk, event):
    guest = make_registration(app, event)
    confirm_stay(app, event, file_stay(app, event, guest["id"], make_small_block(app, event), start=1, nights=1))
    assert "Lakeside" not in welcome_text(kiosk, guest)


@pytest.mark.parametrize("ending", ["declined", "cancelled", "waitlisted", "requested"])
def test_only_a_confirmed_stay_shows(app, kiosk, event, ending):
    guest = make_registration(app, event)
    request_id = file_stay(app, event, guest["id"], make_small_block(app, event), start=0, nights=2)
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        if ending != "requested":
            lodging.confirm(event_row, request_id, None, "LH-1", "808")
        if ending == "declined":
            lodging.decline(event_row, request_id, None, "The hotel took the room back.")
        elif ending == "waitlisted":
            lodging.waitlist(event_row, request_id, None)
        elif ending == "cancelled":
            lodging.cancel_request(event_row, db.session.get(Registration, guest["id"]))
    text = welcome_text(kiosk, guest)
    assert "Your hotel" not in text and "Lakeside" not in text and "Room 808" not in text  # bare digits also occur in timestamped URLs


def test_a_roommate_sees_the_shared_hotel_but_not_who_they_share_it_with(app, kiosk, event):
    host = make_registration(app, event, email="host@example.org", surname="Host", name_latin="Hilda Host")
    mate = make_registration(app, event, email="mate@example.org", surname="Mate", name_latin="Max Mate")
    request_id = file_stay(app, event, host["id"], make_small_block(app, event), start=0, nights=2, occupancy=2,
                           roommate_email="mate@example.org")
    with app.app_context():
        lodging.answer_roommate(db.session.get(Event, event.id), db.session.get(Registration, mate["id"]),
                                request_id, accept=True)
    confirm_stay(app, event, request_id, room="505")
    text = welcome_text(kiosk, mate)
    assert "Lakeside Hotel" in text and "505" not in text
    assert "Hilda" not in text and "host@example.org" not in text
