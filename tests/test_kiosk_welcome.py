"""The kiosk's welcome screen: the guest's hotel and room, and their shuttle today; nothing of anyone else."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.checkin.welcome import cards_for
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import Event, Hotel, Registration, RoomBlock, RoomNight, Vehicle
from portal.transport import services as transport
from tests.test_kiosk import make_guest, new_kiosk, pair, scan


def zone_at_noon() -> str:
    """A time zone in which it is now between 12:00 and 13:00: "today" and "tomorrow" never blur in a test run."""
    offset = 12 - datetime.now(UTC).hour  # -11 … +12, all real zones
    return f"Etc/GMT{-offset:+d}"  # the Etc zones count the other way round


def local_now(event) -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None, second=0, microsecond=0)


@pytest.fixture
def event(make_event):
    zone = zone_at_noon()
    today = datetime.now(ZoneInfo(zone)).date()
    return make_event(timezone=zone, starts_on=today, ends_on=today + timedelta(days=2))


@pytest.fixture
def kiosk(app, client, event, make_staff):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    _, code = new_kiosk(app, event, organizer)
    assert pair(client, code).status_code == 303
    return client


def make_block(app, event, rooms=5) -> int:
    """A hotel block from yesterday to three days on, in the event's own days."""
    with app.app_context():
        hotel = Hotel(event_id=event.id, name_en="Lakeside Hotel", name_zh="湖畔酒店", address_en="1 Lake Road",
                      address_zh="湖滨路1号", contact_phone="+86 571 0000 0000")
        db.session.add(hotel)
        db.session.flush()
        start = event.starts_on - timedelta(days=1)
        block = RoomBlock(event_id=event.id, hotel_id=hotel.id, room_type_en="Deluxe king", room_type_zh="豪华大床房",
                          nightly_rate=Decimal("880.00"), arrival_from=start, departure_until=start + timedelta(days=4))
        block.nights = [RoomNight(night=start + timedelta(days=n), total=rooms, taken=0) for n in range(4)]
        db.session.add(block)
        db.session.commit()
        return block.id


def file_stay(app, event, registration_id, block_id, start=0, nights=2, **stay) -> int:
    """The guest asks for a room through the lodging service; `start` counts days from today."""
    with app.app_context():
        check_in = event.starts_on + timedelta(days=start)
        request = lodging.file_request(
            db.session.get(Event, event.id), db.session.get(Registration, registration_id),
            lodging.Stay(block_id=block_id, check_in=check_in, check_out=check_in + timedelta(days=nights), **stay))
        return request.id


def confirm_stay(app, event, request_id, room="1203", number="LH-77"):
    with app.app_context():
        lodging.confirm(db.session.get(Event, event.id), request_id, None, number, room)


def seat(app, event, registration_id, direction, at: datetime, label, departs_at: datetime | None = None) -> int:
    """The guest files a journey at local time `at` and a coordinator seats it in a new vehicle."""
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        leg = transport.save_leg(event_row, db.session.get(Registration, registration_id), direction,
                                 transport.Journey(mode="flight", carrier="CA", number="1501", local_time=at,
                                                   station="Xiaoshan Airport", terminal="T3"))
        vehicle = Vehicle(event_id=event.id, label=label, plate="浙A·12345", driver_name="Mr Zhao",
                          driver_phone="+86 139 1111 2222", capacity=6, meeting_point=f"Meet {label} at exit B",
                          departs_at=transport.to_utc(event_row, departs_at) if departs_at else None)
        db.session.add(vehicle)
        db.session.commit()
        transport.assign(event_row, [leg.id], vehicle.id, None)
        return leg.id


def welcome_text(kiosk, guest) -> str:
    response = scan(kiosk, guest["ticket"])
    assert response.status_code == 303
    return kiosk.get(response.headers["Location"]).get_data(as_text=True)


def test_a_checked_in_guest_sees_their_hotel_and_pickup_today_not_the_room_number(app, kiosk, event):
    guest = make_guest(app, event)
    block_id = make_block(app, event)
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


def test_tomorrows_pickup_is_not_todays_and_tomorrow_it_is(app, kiosk, event):
    guest = make_guest(app, event)
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
    guest = make_guest(app, event)
    now = local_now(event)
    seat(app, event, guest["id"], "arrival", datetime.combine(now.date(), time(6, 30)), "Early van")
    assert "Early van" not in welcome_text(kiosk, guest)


def test_a_guest_without_a_room_or_a_car_sees_no_such_card(app, kiosk, event):
    guest = make_guest(app, event)
    other = make_guest(app, event, email="zhao@example.org", surname="Zhao", name_latin="Zhao Lei")
    block_id = make_block(app, event)
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
    guest = make_guest(app, event)
    confirm_stay(app, event, file_stay(app, event, guest["id"], make_block(app, event), start=1, nights=1))
    assert "Lakeside" not in welcome_text(kiosk, guest)


@pytest.mark.parametrize("ending", ["declined", "cancelled", "waitlisted", "requested"])
def test_only_a_confirmed_stay_shows(app, kiosk, event, ending):
    guest = make_guest(app, event)
    request_id = file_stay(app, event, guest["id"], make_block(app, event), start=0, nights=2)
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
    host = make_guest(app, event, email="host@example.org", surname="Host", name_latin="Hilda Host")
    mate = make_guest(app, event, email="mate@example.org", surname="Mate", name_latin="Max Mate")
    request_id = file_stay(app, event, host["id"], make_block(app, event), start=0, nights=2, occupancy=2,
                           roommate_email="mate@example.org")
    with app.app_context():
        lodging.answer_roommate(db.session.get(Event, event.id), db.session.get(Registration, mate["id"]),
                                request_id, accept=True)
    confirm_stay(app, event, request_id, room="505")
    text = welcome_text(kiosk, mate)
    assert "Lakeside Hotel" in text and "505" not in text
    assert "Hilda" not in text and "host@example.org" not in text
