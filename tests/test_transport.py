"""Transport: the guest's arrival and departure, their validation, scheduling, and privacy."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import outbox
from portal.extensions import db
from portal.models import Event, TransportLeg, Vehicle
from portal.rules import RuleRefused
from portal.transport import services
from tests.factories import csrf_token, file_leg, leg_form, make_guest, make_vehicle, submit


def legs_of(app, guest):
    with app.app_context():
        return db.session.scalars(select(TransportLeg).where(
            TransportLeg.registration_id == guest.registration_id).order_by(TransportLeg.id)).all()


def test_a_guest_gives_arrival_and_departure_in_the_events_time(app, client, auth, make_event):
    event = make_event(timezone="Asia/Shanghai")
    guest = make_guest(app, event, "travel@example.org")
    auth.login_as(guest)
    page = f"/e/{event.slug}/me/transport"
    assert client.get(page).status_code == 200
    answer = submit(client, f"/e/{event.slug}/me/transport/arrival", leg_form(event), page=page)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/e/{event.slug}/me"
    answer = submit(client, f"/e/{event.slug}/me/transport/departure",
                    leg_form(event, "departure", day_offset=2, hour="18:00", **{"pickup_wanted": None}), page=page)
    assert answer.status_code == 303
    arrival, departure = legs_of(app, guest)
    assert arrival.scheduled_at == datetime.combine(event.starts_on, time(10, 30), ZoneInfo("Asia/Shanghai"))
    assert arrival.scheduled_at.utcoffset() == timedelta(0) and arrival.scheduled_at.hour == 2
    assert (arrival.passengers, arrival.luggage, arrival.pickup_wanted) == (2, 3, True)
    assert departure.pickup_wanted is False
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "MU 5101" in trip and f"{event.starts_on:%b} {event.starts_on.day}, {event.starts_on.year}, 10:30" in trip
    # The edit form shows the stored time back on the event's clock.
    assert f'value="{event.starts_on.isoformat()}T10:30"' in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize(("direction", "overrides", "expected"), [
    ("departure", {"hour": "08:00"}, "Your departure must be after your arrival."),
    ("arrival", {"day_offset": 60}, "Enter a date from"),
    ("arrival", {"local_time": "tomorrow-ish"}, "Not a valid datetime value"),
    ("arrival", {"passengers": "0"}, "Enter from 1 to 20 passengers."),
    ("arrival", {"station": ""}, "Enter the airport or station."),
    ("arrival", {"notes": "n" * 1001}, "At most 1000 characters."),
    ("arrival", {"number": "9" * 21}, "At most 20 characters."),
    ("arrival", {"mode": "rocket"}, "Not a valid choice"),
])
def test_bad_travel_details_are_named_and_nothing_changes(app, client, auth, make_event, direction, overrides,
                                                          expected):
    event = make_event()
    guest = make_guest(app, event, "bad@example.org")
    file_leg(app, event, guest, hour=9)
    before = [(leg.direction, leg.scheduled_at, leg.notes) for leg in legs_of(app, guest)]
    auth.login_as(guest)
    data = leg_form(event, direction, **{k: v for k, v in overrides.items() if k in ("day_offset", "hour")})
    data.update({f"{direction}-{k}": v for k, v in overrides.items() if k not in ("day_offset", "hour")})
    answer = submit(client, f"/e/{event.slug}/me/transport/{direction}", data, page=f"/e/{event.slug}/me/transport")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and expected in text and 'aria-invalid="true"' in text
    assert [(leg.direction, leg.scheduled_at, leg.notes) for leg in legs_of(app, guest)] == before


def test_a_guest_never_sees_or_touches_another_guests_journeys(app, client, auth, make_event):
    event = make_event()
    alice = make_guest(app, event, "alice@example.org")
    bob = make_guest(app, event, "bob@example.org")
    with app.app_context():
        pass
    file_leg(app, event, alice, station="Alice Secret Station")
    auth.login_as(bob)
    for url in ("/me", "/me/transport", "/me/transport/card"):
        assert "Alice Secret Station" not in client.get(f"/e/{event.slug}{url}",
                                                         headers={"HX-Request": "true"}).get_data(as_text=True)
    submit(client, f"/e/{event.slug}/me/transport/arrival/cancel", {}, page=f"/e/{event.slug}/me/transport")
    assert legs_of(app, alice)[0].state == "requested"


def test_htmx_edits_the_card_in_place(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "inplace@example.org")
    auth.login_as(guest)
    editor = client.get(f"/e/{event.slug}/me/transport", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in editor and 'id="transport-card"' in editor
    token = csrf_token(client, f"/e/{event.slug}/me/transport")
    card = client.post(f"/e/{event.slug}/me/transport/arrival", data={"csrf_token": token, **leg_form(event)},
                       headers={"HX-Request": "true"})
    text = card.get_data(as_text=True)
    assert card.status_code == 200 and "<html" not in text and "MU 5101" in text and "<form" not in text


def test_scheduling_mails_the_guest_and_a_changed_flight_needs_a_new_car(app, client, auth, make_event, mailbox):
    event = make_event()
    guest = make_guest(app, event, "pickup@example.org")
    leg_id = file_leg(app, event, guest)
    vehicle_id = make_vehicle(app, event)
    with app.app_context():
        services.assign(db.session.get(Event, event.id), [leg_id], vehicle_id, None)
        assert outbox.deliver()["sent"] == 1
    [mail] = mailbox.to("pickup@example.org")
    body = mail.get_body(("plain",)).get_content()
    assert "Van 1" in body and "Mr Zhao" in body and "Exit B" in body
    auth.login_as(guest)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Scheduled" in trip and "Mr Zhao" in trip
    submit(client, f"/e/{event.slug}/me/transport/arrival", leg_form(event, hour="13:00"),
           page=f"/e/{event.slug}/me/transport")
    [leg] = legs_of(app, guest)
    assert (leg.state, leg.vehicle_id) == ("requested", None)
    # A vehicle change reaches every guest seated in it.
    with app.app_context():
        services.assign(db.session.get(Event, event.id), [leg_id], vehicle_id, None)
        vehicle = db.session.get(Vehicle, vehicle_id)
        services.save_vehicle(db.session.get(Event, event.id), vehicle,
                              {"label": "Van 1", "plate": "", "driver_name": "Ms Qian", "driver_phone": "",
                               "meeting_point_en": "Exit C", "meeting_point_zh": "", "departs_at": None,
                               "capacity": 6}, None)
        outbox.deliver()
    assert "Ms Qian" in mailbox.to("pickup@example.org")[-1].get_body(("plain",)).get_content()


def test_a_vehicle_cannot_shrink_below_its_passengers(app, make_event):
    event = make_event()
    guest = make_guest(app, event, "big@example.org")
    leg_id = file_leg(app, event, guest, passengers=4)
    vehicle_id = make_vehicle(app, event, capacity=6)
    with app.app_context():
        loaded = db.session.get(Event, event.id)
        services.assign(loaded, [leg_id], vehicle_id, None)
        with pytest.raises(RuleRefused) as refused:
            services.save_vehicle(loaded, db.session.get(Vehicle, vehicle_id),
                                  {"label": "Van 1", "capacity": 3}, None)
        db.session.rollback()
        assert refused.value.code == "below-seated"
        assert db.session.get(Vehicle, vehicle_id).capacity == 6
