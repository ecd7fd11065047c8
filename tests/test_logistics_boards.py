"""The coordinators' lodging and transport boards: access, decisions, exports, constant query counts."""

from datetime import datetime, time, timedelta

from flask_babel import force_locale, gettext, pgettext
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import Event, LodgingRequest, RoomBlock, TransportLeg
from portal.transport import services as transport
from tests.factories import (
    counting_queries, file_directly, file_leg, make_block, make_guest, make_vehicle, read_csv, read_xlsx, submit,
)




@pytest.fixture
def coordinator(make_event, make_staff, auth, client):
    event = make_event()
    make_staff("coord@example.org", event, roles=("lodging", "transport"))
    auth.login_staff("coord@example.org")
    return event


def test_helpdesk_and_guests_are_kept_out(app, client, auth, make_event, make_staff):
    event = make_event()
    make_staff("desk@example.org", event, roles=("helpdesk",))
    auth.login_staff("desk@example.org")
    for url in ("lodging", "lodging/inventory", "lodging/rooming", "lodging/hotels", "transport",
                "transport/vehicles", "lodging/requests.csv", "transport/legs.xlsx"):
        assert client.get(f"/staff/e/{event.slug}/{url}").status_code == 403, url
    page = client.get(f"/staff/e/{event.slug}/").get_data(as_text=True)
    assert f"/staff/e/{event.slug}/lodging" not in page


def test_coordinator_sets_up_a_hotel_and_a_block(app, client, coordinator):
    event = coordinator
    answer = submit(client, f"/staff/e/{event.slug}/lodging/hotels",
                    {"name_en": "Lakeside", "name_zh": "湖畔", "address_en": "1 Lake Road"})
    assert answer.status_code == 303
    with app.app_context():
        hotel_id = db.session.scalar(select(RoomBlock.id).limit(1))
        from portal.models import Hotel
        hotel_id = db.session.scalar(select(Hotel.id))
    data = {"hotel": str(hotel_id), "room_type_en": "Twin", "room_type_zh": "双床房", "nightly_rate": "650",
            "currency": "cny", "payer": "guest", "arrival_from": event.starts_on.isoformat(),
            "departure_until": (event.starts_on + timedelta(days=3)).isoformat(), "rooms": "8"}
    bad = submit(client, f"/staff/e/{event.slug}/lodging/blocks/new",
                 {**data, "departure_until": event.starts_on.isoformat()})
    assert bad.status_code == 422 and "must be after the first check-in date" in bad.get_data(as_text=True)
    unknown = submit(client, f"/staff/e/{event.slug}/lodging/blocks/new", {**data, "hotel": "424242"})
    assert unknown.status_code == 422 and "Choose a hotel from the list." in unknown.get_data(as_text=True)
    answer = submit(client, f"/staff/e/{event.slug}/lodging/blocks/new", data)
    assert answer.status_code == 303
    with app.app_context():
        block = db.session.scalar(select(RoomBlock))
        assert block.currency == "CNY" and [n.total for n in block.nights] == [8, 8, 8]
        block_id, first = block.id, block.nights[0].night
    answer = submit(client, f"/staff/e/{event.slug}/lodging/blocks/{block_id}/inventory",
                    {f"night-{first.isoformat()}": "3"}, page=f"/staff/e/{event.slug}/lodging/inventory")
    assert answer.status_code == 303
    with app.app_context():
        assert [n.total for n in db.session.get(RoomBlock, block_id).nights] == [3, 8, 8]


def test_queue_confirm_needs_a_number_then_mails_the_guest(app, client, coordinator, mailbox):
    event = coordinator
    block_id = make_block(app, event)
    guest = make_guest(app, event, "queue@example.org", name="Queue Guest")
    request_id = file_directly(app, event, guest, block_id)
    page = client.get(f"/staff/e/{event.slug}/lodging")
    assert page.status_code == 200 and "Queue Guest" in page.get_data(as_text=True)
    url = f"/staff/e/{event.slug}/lodging/requests/{request_id}/decide"
    missing = submit(client, url, {"action": "confirm", f"r{request_id}-room_number": "12"},
                     page=f"/staff/e/{event.slug}/lodging")
    assert missing.status_code == 422 and "Enter the hotel&#39;s confirmation number." in missing.get_data(as_text=True)
    done = submit(client, url, {"action": "confirm", f"r{request_id}-confirmation_number": "HX-9",
                                f"r{request_id}-room_number": "1201"}, page=f"/staff/e/{event.slug}/lodging")
    assert done.status_code == 303
    done.close()
    with app.app_context():
        stored = db.session.get(LodgingRequest, request_id)
        assert (stored.state, stored.confirmation_number, stored.room_number) == ("confirmed", "HX-9", "1201")
    [mail] = mailbox.to("queue@example.org")
    assert "HX-9" in mail.get_body(("plain",)).get_content()


def test_lodging_exports_open_and_hold_the_rows(app, client, coordinator):
    event = coordinator
    block_id = make_block(app, event)
    guests = [make_guest(app, event, f"g{i}@example.org", name=f"Guest {i}") for i in range(3)]
    ids = [file_directly(app, event, g, block_id, notes="=HYPERLINK(\"http://evil\")") for g in guests]
    with app.app_context():
        lodging.confirm(db.session.get(Event, event.id), ids[0], None, "C-0", "101")
    rows = read_csv(client.get(f"/staff/e/{event.slug}/lodging/requests.csv"))
    assert rows[0][:2] == ["Guest", "Name in Latin letters"] and len(rows) == 4
    assert rows[1][-1].startswith("'=")  # a guest's note never runs as a formula
    sheet = read_xlsx(client.get(f"/staff/e/{event.slug}/lodging/rooming.xlsx"))
    assert sheet[0][0] == "Guest" and len(sheet) == 2 and sheet[1][0] == "Guest 0"
    assert "C-0" in sheet[1]
    inventory = read_xlsx(client.get(f"/staff/e/{event.slug}/lodging/inventory.xlsx"))
    assert inventory[0] == ["Hotel", "Room type", "Night", "Rooms", "Taken", "Free"] and len(inventory) == 5
    assert inventory[2][3:] == [10, 1, 9]
    assert client.get(f"/staff/e/{event.slug}/lodging/requests.pdf").status_code == 404


def test_exports_speak_the_exporting_users_language(app, client, coordinator):
    event = coordinator
    make_block(app, event)
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    rows = read_csv(client.get(f"/staff/e/{event.slug}/lodging/inventory.csv"))
    # Whatever the catalog holds today, the headers are the Chinese catalog's words.
    with app.test_request_context(), force_locale("zh_Hans"):
        expected = [gettext(h) for h in ("Hotel", "Room type", "Night")] + [pgettext("hotel rooms", "Rooms")] + [
            gettext(h) for h in ("Taken", "Free")]
    assert rows[0] == expected


def test_arrivals_board_groups_by_window_and_station_and_seats_several_at_once(app, client, coordinator, mailbox):
    event = coordinator
    vehicle_id = make_vehicle(app, event, capacity=3)
    a = make_guest(app, event, "a@example.org", name="Arriving A")
    b = make_guest(app, event, "b@example.org", name="Arriving B")
    c = make_guest(app, event, "c@example.org", name="Arriving C")
    legs = [file_leg(app, event, a, hour=9, minute=5), file_leg(app, event, b, hour=9, minute=25),
            file_leg(app, event, c, hour=9, minute=40, passengers=2)]
    board = client.get(f"/staff/e/{event.slug}/transport?direction=arrival").get_data(as_text=True)
    assert "09:00–09:30" in board and "09:30–10:00" in board
    hourly = client.get(f"/staff/e/{event.slug}/transport?direction=arrival&window=60").get_data(as_text=True)
    assert "09:00–10:00" in hourly and "09:30–10:00" not in hourly
    assert "09:00–09:30" in client.get(f"/staff/e/{event.slug}/transport?window=abc").get_data(as_text=True)
    too_many = submit(client, f"/staff/e/{event.slug}/transport/assign?direction=arrival",
                      {"legs": [str(i) for i in legs], "vehicle": str(vehicle_id)},
                      page=f"/staff/e/{event.slug}/transport")
    assert too_many.status_code == 422 and "3 free seats" in too_many.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TransportLeg).where(TransportLeg.state == "scheduled")) is None
    seated = submit(client, f"/staff/e/{event.slug}/transport/assign?direction=arrival",
                    {"legs": [str(legs[0]), str(legs[1])], "vehicle": str(vehicle_id)},
                    page=f"/staff/e/{event.slug}/transport")
    assert seated.status_code == 303
    seated.close()
    with app.app_context():
        states = {leg.id: (leg.state, leg.vehicle_id) for leg in db.session.scalars(select(TransportLeg))}
    assert states[legs[0]] == states[legs[1]] == ("scheduled", vehicle_id) and states[legs[2]][0] == "requested"
    assert mailbox.to("a@example.org") and mailbox.to("b@example.org") and not mailbox.to("c@example.org")
    manifest = client.get(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}/manifest").get_data(as_text=True)
    assert "Arriving A" in manifest and "Arriving B" in manifest and "Arriving C" not in manifest
    sheet = read_xlsx(client.get(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}/manifest.xlsx"))
    assert len(sheet) == 3 and {row[6] for row in sheet[1:]} == {"Arriving A", "Arriving B"}
    assert isinstance(sheet[1][1], datetime) and sheet[1][1].time() == time(9, 5)
    rows = read_csv(client.get(f"/staff/e/{event.slug}/transport/legs.csv?direction=arrival"))
    assert len(rows) == 4 and rows[1][1].endswith("09:05")


def test_unknown_vehicle_or_leg_is_a_message_not_a_500(app, client, coordinator):
    event = coordinator
    make_vehicle(app, event)
    guest = make_guest(app, event, "x@example.org")
    leg = file_leg(app, event, guest)
    for data in ({"legs": [str(leg)], "vehicle": "99999"}, {"legs": ["99999"], "vehicle": "1"},
                 {"legs": ["abc"], "vehicle": "1"}, {"vehicle": "1"}):
        answer = submit(client, f"/staff/e/{event.slug}/transport/assign", data, page=f"/staff/e/{event.slug}/transport")
        assert answer.status_code == 422, data


@pytest.mark.parametrize("board", ["lodging", "lodging/rooming", "lodging/inventory", "transport?direction=arrival",
                                   "transport/vehicles"])
def test_board_query_counts_do_not_grow_with_the_data(app, client, coordinator, board):
    event = coordinator
    block_id = make_block(app, event, rooms=100)
    vehicle_id = make_vehicle(app, event, capacity=50)

    def add(n, start):
        for i in range(start, start + n):
            guest = make_guest(app, event, f"q{i}@example.org")
            request_id = file_directly(app, event, guest, block_id)
            leg = file_leg(app, event, guest, hour=8 + i % 10)
            with app.app_context():
                lodging.confirm(db.session.get(Event, event.id), request_id, None, f"C{i}")
                transport.assign(db.session.get(Event, event.id), [leg], vehicle_id, None)

    add(2, 0)
    client.get(f"/staff/e/{event.slug}/{board}")
    with counting_queries(app) as small:
        assert client.get(f"/staff/e/{event.slug}/{board}").status_code == 200
    add(8, 2)
    with counting_queries(app) as large:
        assert client.get(f"/staff/e/{event.slug}/{board}").status_code == 200
    assert len(large) == len(small), board
