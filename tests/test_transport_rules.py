"""Cars that cannot strand anyone, airports from the event's list, and where each car goes."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import Event, Station, TransportLeg, Vehicle
from portal.transport import services as transport
from tests.factories import (
    file_directly, file_leg, leg_form, make_block, make_guest, make_vehicle, read_csv, read_xlsx, submit,
)


@pytest.fixture
def coordinator(make_event, make_staff, auth, client):
    event = make_event()
    make_staff("coord@example.org", event, roles=("transport",))
    auth.login_staff("coord@example.org")
    return event


def set_car(app, vehicle_id, event, day_offset=0, leaves=None, arrives=None):
    """Give the car its times, on the event's clock ("HH:MM"), straight in the database."""
    with app.app_context():
        vehicle = db.session.get(Vehicle, vehicle_id)
        row = db.session.get(Event, event.id)
        day = event.starts_on + timedelta(days=day_offset)

        def instant(text):
            return transport.to_utc(row, datetime.combine(day, time.fromisoformat(text))) if text else None

        vehicle.departs_at, vehicle.arrives_at = instant(leaves), instant(arrives)
        db.session.commit()


def seat(client, event, leg_id, vehicle_id, direction="arrival"):
    return submit(client, f"/staff/e/{event.slug}/transport/assign?direction={direction}",
                  {"legs": str(leg_id), "vehicle": str(vehicle_id)},
                  page=f"/staff/e/{event.slug}/transport?direction={direction}")


def mails_to(app, mailbox, address):
    """What reached the SMTP server for `address` once the outbox has sent what it holds."""
    with app.app_context():
        outbox.deliver()
    return mailbox.to(address)


def state_of(app, leg_id):
    with app.app_context():
        leg = db.session.get(TransportLeg, leg_id)
        return leg.state, leg.vehicle_id


# The default pickup buffer is 45 minutes: a guest landing at 16:30 is met by a car leaving at 17:15 or later.
@pytest.mark.parametrize(("leaves", "accepted"), [("15:15", False), ("17:14", False), ("17:15", True)])
def test_a_pickup_leaves_only_after_landing_and_the_buffer(app, client, coordinator, mailbox, leaves, accepted):
    event = coordinator
    guest = make_guest(app, event, "late@example.org", name="Late Lander")
    leg_id = file_leg(app, event, guest, hour=16, minute=30)
    vehicle_id = make_vehicle(app, event)
    set_car(app, vehicle_id, event, leaves=leaves)
    answer = seat(client, event, leg_id, vehicle_id)
    if accepted:
        assert answer.status_code == 303
        assert state_of(app, leg_id) == ("scheduled", vehicle_id)
        assert len(mails_to(app, mailbox, "late@example.org")) == 1
        return
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    # The refusal sits beside the vehicle field, naming the guest and the earliest time.
    assert 'id="vehicle-error"' in page
    assert "Late Lander lands at" in page and "16:30" in page and "17:15 at the earliest" in page
    assert state_of(app, leg_id) == ("requested", None)
    assert mails_to(app, mailbox, "late@example.org") == []


# The default drop-off buffer is 120 minutes: for an 18:00 flight the car reaches the airport by 16:00.
@pytest.mark.parametrize(("leaves", "arrives", "accepted"), [
    ("15:00", "16:01", False), ("15:00", "16:00", True), ("16:01", None, False), ("16:00", None, True),
])
def test_a_drop_off_reaches_the_station_before_departure_less_the_buffer(app, client, coordinator, mailbox, leaves,
                                                                        arrives, accepted):
    event = coordinator
    guest = make_guest(app, event, "leaving@example.org", name="Early Flyer")
    leg_id = file_leg(app, event, guest, direction="departure", day_offset=1, hour=18)
    vehicle_id = make_vehicle(app, event)
    set_car(app, vehicle_id, event, day_offset=1, leaves=leaves, arrives=arrives)
    answer = seat(client, event, leg_id, vehicle_id, "departure")
    assert answer.status_code == (303 if accepted else 422)
    if not accepted:
        assert "must reach the airport or station by" in answer.get_data(as_text=True)
    assert state_of(app, leg_id) == (("scheduled", vehicle_id) if accepted else ("requested", None))
    assert len(mails_to(app, mailbox, "leaving@example.org")) == (1 if accepted else 0)


def test_the_buffers_are_the_events_and_a_car_moved_too_early_is_refused(app, client, coordinator, mailbox):
    event = coordinator
    guest = make_guest(app, event, "met@example.org", name="Met Guest")
    leg_id = file_leg(app, event, guest, hour=10)
    vehicle_id = make_vehicle(app, event)
    stations = f"/staff/e/{event.slug}/transport/stations"
    bad = submit(client, f"/staff/e/{event.slug}/transport/buffers",
                 {"pickup_buffer_minutes": "721", "dropoff_buffer_minutes": "90"}, page=stations)
    assert bad.status_code == 422 and "Enter from 0 to 720 minutes." in bad.get_data(as_text=True)
    assert submit(client, f"/staff/e/{event.slug}/transport/buffers",
                  {"pickup_buffer_minutes": "0", "dropoff_buffer_minutes": "90"}, page=stations).status_code == 303
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert (stored.pickup_buffer_minutes, stored.dropoff_buffer_minutes) == (0, 90)
        # The database keeps the range too.
        stored.pickup_buffer_minutes = -5
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    set_car(app, vehicle_id, event, leaves="10:00")
    assert seat(client, event, leg_id, vehicle_id).status_code == 303
    # Moving the seated guest's car to before they land is refused beside its time, and nobody is mailed.
    before = len(mails_to(app, mailbox, "met@example.org"))
    assert before == 1
    vehicle_page = f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}"
    moved = submit(client, vehicle_page, {"label": "Van 1", "capacity": "6",
                                          "departs_at": f"{event.starts_on.isoformat()}T09:59"})
    assert moved.status_code == 422
    page = moved.get_data(as_text=True)
    assert 'id="departs_at-error"' in page and "Met Guest lands at" in page
    assert f'value="{event.starts_on.isoformat()}T09:59"' in page  # what was typed is kept
    with app.app_context():
        assert transport.local(db.session.get(Event, event.id),
                               db.session.get(Vehicle, vehicle_id).departs_at).strftime("%H:%M") == "10:00"
    assert len(mails_to(app, mailbox, "met@example.org")) == before


def test_guests_choose_from_the_list_and_spellings_share_one_group(app, client, auth, coordinator, make_staff):
    event = coordinator
    stations = f"/staff/e/{event.slug}/transport/stations"
    assert submit(client, stations, {"name_en": "Shanghai Pudong International Airport", "code": "pvg",
                                     "kind": "airport"}).status_code == 303
    duplicate = submit(client, stations, {"name_en": "shanghai pudong international airport", "kind": "airport"})
    assert duplicate.status_code == 422 and "already on the list" in duplicate.get_data(as_text=True)
    with app.app_context():
        station = db.session.scalars(select(Station)).one()
        station_id = station.id
        assert station.code == "PVG"
    typed = make_guest(app, event, "typed@example.org", name="Typed Guest")
    file_leg(app, event, typed, hour=9, minute=5, station="pvg")   # typed by hand: matched by its code
    chooser = make_guest(app, event, "chooser@example.org", name="Chooser Guest")
    auth.login_as(chooser)
    page = f"/e/{event.slug}/me/transport"
    form = client.get(page).get_data(as_text=True)
    assert "Shanghai Pudong International Airport (PVG)" in form and "Other (write it below)" in form
    missing = submit(client, f"/e/{event.slug}/me/transport/arrival",
                     leg_form(event, hour="09:20", station="", station_choice="other"), page=page)
    assert missing.status_code == 422 and "Enter the airport or station." in missing.get_data(as_text=True)
    unknown = submit(client, f"/e/{event.slug}/me/transport/arrival",
                     leg_form(event, hour="09:20", station="", station_choice="99999"), page=page)
    assert unknown.status_code == 422 and "Choose an airport or station from the list" in unknown.get_data(
        as_text=True)
    assert submit(client, f"/e/{event.slug}/me/transport/arrival",
                  leg_form(event, hour="09:20", station="", station_choice=str(station_id)),
                  page=page).status_code == 303
    other = make_guest(app, event, "other@example.org", name="Other Guest")
    auth.login_as(other)
    assert submit(client, f"/e/{event.slug}/me/transport/arrival",
                  leg_form(event, hour="09:25", station="Hongqiao Railway Station", station_choice="other"),
                  page=page).status_code == 303
    # The edit form shows the guest's choice back.
    assert '<option selected value="other">' in client.get(page).get_data(as_text=True)
    with app.app_context():
        legs = {leg.registration.email: leg for leg in db.session.scalars(select(TransportLeg))}
        assert legs["chooser@example.org"].station_id == station_id
        assert legs["typed@example.org"].station_id == station_id
        assert legs["other@example.org"].station_id is None
        groups = transport.board(db.session.get(Event, event.id), "arrival", 30)[0][1]
        by_place = {place: sorted(leg.registration.name_latin for leg in group) for _s, _e, place, group in groups}
    assert by_place == {"Shanghai Pudong International Airport": ["Chooser Guest", "Typed Guest"],
                        "Hongqiao Railway Station": ["Other Guest"]}


def test_a_station_added_later_gathers_the_journeys_typed_before(app, client, coordinator):
    event = coordinator
    for n, text in enumerate(("PVG", "Shanghai Pudong", " shanghai  pudong ")):
        file_leg(app, event, make_guest(app, event, f"g{n}@example.org"), hour=9, station=text)
    stations = f"/staff/e/{event.slug}/transport/stations"
    assert submit(client, stations, {"name_en": "Shanghai Pudong", "code": "PVG", "kind": "airport"}).status_code == 303
    with app.app_context():
        groups = transport.board(db.session.get(Event, event.id), "arrival", 30)[0][1]
    assert [(place, len(group)) for _s, _e, place, group in groups] == [("Shanghai Pudong", 3)]


def test_a_station_named_twice_is_refused_beside_the_name_in_any_script(app, client, coordinator):
    """SQLite's lower() folds ASCII only: a second "Ürümqi Diwopu" must be refused, not a 500."""
    stations = f"/staff/e/{coordinator.slug}/transport/stations"
    assert submit(client, stations, {"name_en": "Ürümqi Diwopu", "code": "URC", "kind": "airport"}).status_code == 303
    for typed in ("Ürümqi Diwopu", "ÜRÜMQI DIWOPU"):
        again = submit(client, stations, {"name_en": typed, "code": "", "kind": "airport"})
        assert again.status_code == 422, typed
        assert typed in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Station.id))) == 1


def test_manifests_and_the_board_show_pick_up_drop_off_flight_and_phone(app, client, coordinator):
    event = coordinator
    block_id = make_block(app, event)
    housed = make_guest(app, event, "housed@example.org", name="Housed Guest")
    request_id = file_directly(app, event, housed, block_id)
    with app.app_context():
        lodging.confirm(db.session.get(Event, event.id), request_id, None, "C-1")
    walker = make_guest(app, event, "walker@example.org", name="Venue Guest")
    with app.app_context():
        from portal.models import Registration
        db.session.get(Registration, housed.registration_id).phone = "+86 138 0000 1111"
        db.session.commit()
    arriving = file_leg(app, event, housed, hour=9)
    file_leg(app, event, walker, hour=9, minute=10)
    leaving = file_leg(app, event, housed, direction="departure", day_offset=2, hour=20)
    vehicle_id = make_vehicle(app, event)
    assert seat(client, event, arriving, vehicle_id).status_code == 303
    board = client.get(f"/staff/e/{event.slug}/transport?direction=arrival").get_data(as_text=True)
    assert "Drop-off" in board and "Lakeside Hotel" in board and "West Lake Conference Centre" in board
    assert "+86 138 0000 1111" in board and "CA 1501" in board
    manifest = client.get(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}/manifest").get_data(as_text=True)
    for text in ("Pick-up", "Drop-off", "PVG · T2", "Lakeside Hotel", "+86 138 0000 1111", "CA 1501"):
        assert text in manifest, text
    rows = read_csv(client.get(f"/staff/e/{event.slug}/transport/vehicles/{vehicle_id}/manifest.csv"))
    header = rows[0]
    row = dict(zip(header, rows[1]))
    assert (row["Phone"], row["Flight or train"], row["Pick-up"], row["Drop-off"]) == (
        "+86 138 0000 1111", "CA 1501", "PVG · T2", "Lakeside Hotel")
    departures = read_xlsx(client.get(f"/staff/e/{event.slug}/transport/legs.xlsx?direction=departure"))
    row = dict(zip(departures[0], departures[1]))
    assert (row["Pick-up"], row["Drop-off"]) == ("Lakeside Hotel", "PVG · T2")
    assert leaving


def test_stations_pages_are_for_transport_staff_only(app, client, auth, make_event, make_staff):
    event = make_event()
    make_staff("desk@example.org", event, roles=("helpdesk",))
    auth.login_staff("desk@example.org")
    for url in ("transport/stations",):
        assert client.get(f"/staff/e/{event.slug}/{url}").status_code == 403


def test_a_longer_buffer_names_the_guests_whose_car_now_strands_them(app, client, coordinator):
    event = coordinator
    guest = make_guest(app, event, "tight@example.org", name="Tight Connection")
    leg_id = file_leg(app, event, guest, hour=10)
    vehicle_id = make_vehicle(app, event, label="Coach 2")
    set_car(app, vehicle_id, event, leaves="11:00")
    assert seat(client, event, leg_id, vehicle_id).status_code == 303
    board = client.get(f"/staff/e/{event.slug}/transport?direction=arrival").get_data(as_text=True)
    assert "no longer keeps to the buffers" not in board
    assert submit(client, f"/staff/e/{event.slug}/transport/buffers",
                  {"pickup_buffer_minutes": "90", "dropoff_buffer_minutes": "120"},
                  page=f"/staff/e/{event.slug}/transport/stations").status_code == 303
    board = client.get(f"/staff/e/{event.slug}/transport?direction=arrival").get_data(as_text=True)
    warning = board.split("no longer keeps to the buffers")[1].split("</div>")[0]
    assert "Tight Connection" in warning and "Coach 2" in warning
    # The seat is kept: the coordinator decides, the guest is not moved behind their back.
    assert state_of(app, leg_id) == ("scheduled", vehicle_id)


def test_a_station_taken_off_the_list_leaves_the_journeys_their_words(app, client, coordinator):
    event = coordinator
    stations = f"/staff/e/{event.slug}/transport/stations"
    assert submit(client, stations, {"name_en": "Hongqiao", "code": "SHA", "kind": "airport"}).status_code == 303
    leg_id = file_leg(app, event, make_guest(app, event, "sha@example.org"), station="sha")
    with app.app_context():
        station_id = db.session.get(TransportLeg, leg_id).station_id
        assert station_id is not None
    assert submit(client, f"{stations}/{station_id}/delete", {}, page=stations).status_code == 303
    with app.app_context():
        leg = db.session.get(TransportLeg, leg_id)
        assert (leg.station_id, leg.station) == (None, "Hongqiao")
        assert db.session.get(Station, station_id) is None
    assert client.post(f"{stations}/{station_id}/delete", data={}).status_code in (400, 404)
