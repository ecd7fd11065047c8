"""The database itself refuses what the services refuse: unknown states, a second active request,
a check-in by nobody or by both a kiosk and staff, a room night given back twice.

Each test writes past the services with raw SQL, as a bug or a hand-made fix would.
"""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.checkin import devices
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import Event, LodgingRequest, OutboundMail, RoomNight, TransportLeg, User
from portal.models import helpdesk, registration, transport
from portal.models import lodging as lodging_models
from tests.factories import ask_for_help, file_directly, file_leg, make_block, make_guest


def refused(app, sql: str, **values) -> None:
    """`sql` is refused by the database, and nothing of it stays."""
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text(sql), values)
            db.session.commit()
        db.session.rollback()


def accepted(app, sql: str, **values) -> None:
    with app.app_context():
        db.session.execute(text(sql), values)
        db.session.commit()


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def guest(app, event):
    return make_guest(app, event, "guest@example.org")


@pytest.mark.parametrize("table", ["registration", "lodging_request", "transport_leg", "ticket", "outbound_mail"])
def test_a_state_column_takes_only_its_states(app, event, guest, table):
    file_directly(app, event, guest, make_block(app, event))
    file_leg(app, event, guest)
    ask_for_help(app, event, guest, ["Lost badge"])
    with app.app_context():
        assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) >= 1
    refused(app, f"UPDATE {table} SET state = 'lost'")
    refused(app, f"UPDATE {table} SET state = ''")


def test_the_states_the_services_write_are_accepted(app, event, guest):
    # The constraint names the same states as the models: every one of them goes in.
    file_directly(app, event, guest, make_block(app, event))
    file_leg(app, event, guest)
    for state in registration.STATES:
        accepted(app, "UPDATE registration SET state = :state, admitted_over_capacity = false", state=state)
    for state in lodging_models.STATES:
        accepted(app, "UPDATE lodging_request SET state = :state", state=state)
    for state in transport.STATES:
        accepted(app, "UPDATE transport_leg SET state = :state", state=state)
    ask_for_help(app, event, guest, ["Lost badge"])
    for state in helpdesk.STATES:
        accepted(app, "UPDATE ticket SET state = :state", state=state)
    for state in OutboundMail.STATES:
        accepted(app, "UPDATE outbound_mail SET state = :state", state=state)


def test_a_leg_goes_only_to_or_from_the_event(app, event, guest):
    file_leg(app, event, guest)
    refused(app, "UPDATE transport_leg SET direction = 'sideways'")


def _copy_request(state: str) -> str:
    """A copy of the guest's requested stay, in `state`."""
    return (f"INSERT INTO lodging_request (event_id, registration_id, block_id, check_in, check_out, occupancy, "
            f"roommate_email, accessible, smoking, notes, state, confirmation_number, room_number, decision_note, "
            f"holds_rooms, review_reason, created_at, updated_at) "
            f"SELECT event_id, registration_id, block_id, check_in, check_out, occupancy, roommate_email, "
            f"accessible, smoking, notes, '{state}', '', '', '', false, '', created_at, updated_at "
            f"FROM lodging_request WHERE state = 'requested'")


def test_a_guest_has_one_active_lodging_request_at_most(app, event, guest):
    file_directly(app, event, guest, make_block(app, event))
    for state in ("requested", "confirmed", "waitlisted"):
        refused(app, _copy_request(state))
    # Requests that ended stay beside the active one.
    accepted(app, _copy_request("cancelled"))
    accepted(app, _copy_request("declined"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LodgingRequest)) == 3


def _copy_leg(state: str, direction: str = "direction") -> str:
    """A copy of the guest's requested leg, in `state` (and to the SQL `direction`)."""
    return (f"INSERT INTO transport_leg (event_id, registration_id, direction, mode, carrier, number, scheduled_at, "
            f"station, terminal, passengers, luggage, pickup_wanted, notes, state, created_at, updated_at) "
            f"SELECT event_id, registration_id, {direction}, mode, carrier, number, scheduled_at, station, "
            f"terminal, passengers, luggage, pickup_wanted, notes, '{state}', created_at, updated_at "
            f"FROM transport_leg WHERE state = 'requested'")


def test_a_guest_has_one_active_leg_each_way_at_most(app, event, guest):
    file_leg(app, event, guest, "arrival")
    refused(app, _copy_leg("requested"))
    refused(app, _copy_leg("scheduled"))
    accepted(app, _copy_leg("cancelled"))
    accepted(app, _copy_leg("requested", direction="'departure'"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TransportLeg)) == 3


@pytest.mark.parametrize("kiosk, staff", [(False, False), (True, True)])
def test_a_check_in_names_exactly_one_of_kiosk_and_staff(app, event, guest, make_staff, kiosk, staff):
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    with app.app_context():
        device, _code = devices.create_device(db.session.get(Event, event.id), "Kiosk 1", "",
                                              db.session.get(User, desk.id))
        device_id = device.id
    insert = ("INSERT INTO check_in (registration_id, event_id, kiosk_id, staff_id, at, nonce) "
              "SELECT id, event_id, :kiosk_id, :staff_id, consent_at, '' FROM registration")
    refused(app, insert, kiosk_id=device_id if kiosk else None, staff_id=desk.id if staff else None)
    accepted(app, insert, kiosk_id=device_id, staff_id=None)
    refused(app, "UPDATE check_in SET staff_id = :staff_id", staff_id=desk.id)
    refused(app, "UPDATE check_in SET kiosk_id = NULL")


def test_room_nights_given_back_twice_fail_loudly(app, event, guest, make_staff):
    block_id = make_block(app, event, rooms=3)
    request_id = file_directly(app, event, guest, block_id)
    coordinator = make_staff("rooms@example.org", event, roles=("lodging",))
    with app.app_context():
        lodging.confirm(db.session.get(Event, event.id), request_id, db.session.get(User, coordinator.id), "H-1")
    with app.app_context():
        request = db.session.get(LodgingRequest, request_id)
        assert request.holds_rooms
        lodging.release_nights(request)
        db.session.flush()
        # A bug that gives the same nights back again, past the guard on holds_rooms:
        request.holds_rooms = True
        with pytest.raises(IntegrityError):
            lodging.release_nights(request)
            db.session.flush()
        db.session.rollback()
        # Nothing was given back: both releases rolled back together.
        taken = db.session.scalars(select(RoomNight.taken).where(RoomNight.block_id == block_id)).all()
        assert sorted(taken) == [0, 0, 1, 1]
