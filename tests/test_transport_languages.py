"""Stations and meeting points in the guest's language: on My trip, in the mails, on the staff pages, through
the migration that made them bilingual."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal import create_app, outbox
from portal.extensions import db
from portal.models import Event, Registration, Station, TransportLeg, User, Vehicle
from portal.transport import services
from tests.factories import app_config, file_leg, leg_form, make_guest, submit

PUDONG_EN, PUDONG_ZH = "Shanghai Pudong International Airport", "上海浦东国际机场"
GATE_EN, GATE_ZH = "Arrivals hall, gate 5", "到达大厅5号门"


@pytest.fixture
def coordinator(make_event, make_staff, auth):
    event = make_event()
    make_staff("coord@example.org", event, roles=("transport",))
    auth.login_staff("coord@example.org")
    return event


def _pudong(app, event, name_zh=PUDONG_ZH) -> int:
    with app.app_context():
        station = Station(event_id=event.id, name_en=PUDONG_EN, name_zh=name_zh, code="PVG")
        db.session.add(station)
        db.session.commit()
        return station.id


def _van(app, event, meeting_point_zh=GATE_ZH) -> int:
    with app.app_context():
        vehicle = Vehicle(event_id=event.id, label="Van 1", driver_name="Mr Zhao", capacity=6,
                          meeting_point_en=GATE_EN, meeting_point_zh=meeting_point_zh)
        db.session.add(vehicle)
        db.session.commit()
        return vehicle.id


def _reads(app, guest, language: str) -> None:
    """The guest, and their account, read `language`."""
    with app.app_context():
        db.session.get(Registration, guest.registration_id).language = language
        db.session.get(User, guest.user_id).language = language
        db.session.commit()


def _seated(app, client, auth, event, email, language):
    """A guest reading `language` chooses Pudong from the list on their own page and is seated in the van."""
    station_id, vehicle_id = _pudong(app, event), _van(app, event)
    guest = make_guest(app, event, email)
    _reads(app, guest, language)
    auth.login_as(guest)
    answer = submit(client, f"/e/{event.slug}/me/transport/arrival",
                    leg_form(event, station="", station_choice=str(station_id)), page=f"/e/{event.slug}/me/transport")
    assert answer.status_code == 303
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg).where(TransportLeg.registration_id == guest.registration_id))
        assert leg.station_id == station_id
        services.assign(db.session.get(Event, event.id), [leg.id], vehicle_id, None)
        assert outbox.deliver()["sent"] == 1
    return guest


def test_a_chinese_guest_reads_the_station_and_meeting_point_in_chinese(app, client, auth, make_event, mailbox):
    event = make_event()
    _seated(app, client, auth, event, "wang@example.org", "zh_Hans")
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert PUDONG_ZH in trip and GATE_ZH in trip
    assert PUDONG_EN not in trip and GATE_EN not in trip
    [mail] = mailbox.to("wang@example.org")
    for part in ("plain", "html"):
        body = mail.get_body((part,)).get_content()
        assert PUDONG_ZH in body and GATE_ZH in body, part
        assert PUDONG_EN not in body and GATE_EN not in body, part


def test_an_english_guest_reads_them_in_english(app, client, auth, make_event, mailbox):
    event = make_event()
    _seated(app, client, auth, event, "smith@example.org", "en")
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert PUDONG_EN in trip and GATE_EN in trip and PUDONG_ZH not in trip and GATE_ZH not in trip
    body = mailbox.to("smith@example.org")[0].get_body(("plain",)).get_content()
    assert PUDONG_EN in body and GATE_EN in body and PUDONG_ZH not in body


def test_without_a_chinese_text_a_chinese_guest_reads_the_english(app, client, auth, make_event):
    event = make_event()
    station_id = _pudong(app, event, name_zh="")
    vehicle_id = _van(app, event, meeting_point_zh="")
    guest = make_guest(app, event, "li@example.org")
    _reads(app, guest, "zh_Hans")
    with app.app_context():
        leg = db.session.get(TransportLeg, file_leg(app, event, guest, station="pvg"))
        assert leg.station_id == station_id
        services.assign(db.session.get(Event, event.id), [leg.id], vehicle_id, None)
    auth.login_as(guest)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert PUDONG_EN in trip and GATE_EN in trip


def test_saving_the_same_journey_from_the_other_language_keeps_the_car(app, client, auth, make_event, mailbox):
    """The journey keeps the station's English name whatever the page's language: nothing changed, no new car."""
    event = make_event()
    guest = _seated(app, client, auth, event, "zhou@example.org", "en")
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    with app.app_context():
        station_id = db.session.scalar(select(Station.id))
    answer = submit(client, f"/e/{event.slug}/me/transport/arrival",
                    leg_form(event, station="", station_choice=str(station_id)), page=f"/e/{event.slug}/me/transport")
    assert answer.status_code == 303
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg).where(TransportLeg.registration_id == guest.registration_id))
        assert (leg.state, leg.station) == ("scheduled", PUDONG_EN)


def test_the_station_form_saves_both_names_and_shows_them_back(app, client, coordinator):
    stations = f"/staff/e/{coordinator.slug}/transport/stations"
    saved = submit(client, stations, {"name_en": PUDONG_EN, "name_zh": f" {PUDONG_ZH} ", "code": "pvg",
                                      "kind": "airport"})
    assert saved.status_code == 303
    with app.app_context():
        station = db.session.scalars(select(Station)).one()
        assert (station.name_en, station.name_zh, station.code) == (PUDONG_EN, PUDONG_ZH, "PVG")
    form = client.get(f"{stations}/{station.id}").get_data(as_text=True)
    assert f'value="{PUDONG_EN}"' in form and f'value="{PUDONG_ZH}"' in form
    # The Chinese name is optional, and taking it away leaves the English for everyone.
    assert submit(client, f"{stations}/{station.id}", {"name_en": PUDONG_EN, "name_zh": "", "code": "PVG",
                                                       "kind": "airport"}, page=stations).status_code == 303
    with app.app_context():
        assert db.session.get(Station, station.id).name_zh == ""


def test_a_chinese_name_already_on_the_list_is_refused_beside_it(app, client, coordinator):
    stations = f"/staff/e/{coordinator.slug}/transport/stations"
    _pudong(app, coordinator)
    again = submit(client, stations, {"name_en": "Pudong Airport", "name_zh": PUDONG_ZH, "code": "", "kind": "airport"})
    page = again.get_data(as_text=True)
    assert again.status_code == 422 and "That airport or station is already on the list." in page
    # Beside the Chinese name, the one that clashed.
    assert 'id="name_zh-error"' in page and 'id="name_en-error"' not in page
    with app.app_context():
        assert len(db.session.scalars(select(Station)).all()) == 1


def test_the_board_groups_by_station_whatever_name_the_guest_typed(app, client, coordinator):
    """Chosen from the list, typed as its code, typed in Chinese: one station, one group, in the reader's language."""
    event = coordinator
    station_id = _pudong(app, event)
    for n, typed in enumerate(("PVG", PUDONG_ZH, PUDONG_EN)):
        file_leg(app, event, make_guest(app, event, f"g{n}@example.org"), hour=9, minute=n, station=typed)
    with app.app_context():
        legs = db.session.scalars(select(TransportLeg)).all()
        assert {leg.station_id for leg in legs} == {station_id}
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            groups = services.board(db.session.get(Event, event.id), "arrival", 30)[0][1]
    assert [(place, len(group)) for _s, _e, place, group in groups] == [(PUDONG_ZH, 3)]
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    board = client.get(f"/staff/e/{event.slug}/transport").get_data(as_text=True)
    assert PUDONG_ZH in board


def test_a_station_taken_off_the_list_leaves_each_guest_its_name_in_their_language(app, client, coordinator):
    event = coordinator
    station_id = _pudong(app, event)
    chinese, english = make_guest(app, event, "zh@example.org"), make_guest(app, event, "en@example.org")
    _reads(app, chinese, "zh_Hans")
    legs = {file_leg(app, event, guest, station="PVG"): name for guest, name in ((chinese, PUDONG_ZH),
                                                                                   (english, PUDONG_EN))}
    stations = f"/staff/e/{event.slug}/transport/stations"
    assert submit(client, f"{stations}/{station_id}/delete", {}, page=stations).status_code == 303
    with app.app_context():
        for leg_id, name in legs.items():
            leg = db.session.get(TransportLeg, leg_id)
            assert (leg.station_id, leg.station) == (None, name)


def test_the_vehicle_form_saves_both_meeting_points(app, client, coordinator):
    vehicles = f"/staff/e/{coordinator.slug}/transport/vehicles"
    saved = submit(client, vehicles, {"label": "Van 2", "capacity": "6", "meeting_point_en": GATE_EN,
                                      "meeting_point_zh": GATE_ZH, "currency": "CNY"})
    assert saved.status_code == 303
    with app.app_context():
        vehicle = db.session.scalars(select(Vehicle)).one()
        assert (vehicle.meeting_point_en, vehicle.meeting_point_zh) == (GATE_EN, GATE_ZH)
    form = client.get(f"{vehicles}/{vehicle.id}").get_data(as_text=True)
    assert f'value="{GATE_EN}"' in form and f'value="{GATE_ZH}"' in form


def test_a_changed_chinese_meeting_point_tells_the_guests_in_the_car(app, client, auth, make_event, mailbox):
    event = make_event()
    guest = _seated(app, client, auth, event, "wu@example.org", "zh_Hans")
    with app.app_context():
        vehicle = db.session.scalars(select(Vehicle)).one()
        services.save_vehicle(db.session.get(Event, event.id), vehicle, {
            "label": "Van 1", "plate": "", "driver_name": "Mr Zhao", "driver_phone": "", "capacity": 6,
            "meeting_point_en": GATE_EN, "meeting_point_zh": "到达大厅3号门", "departs_at": None}, None)
        assert outbox.deliver()["sent"] == 1
    assert "到达大厅3号门" in mailbox.to(guest.email)[-1].get_body(("plain",)).get_content()


def test_the_migration_keeps_each_station_and_meeting_point_in_both_languages(tmp_path, smtp_server):
    """On a SQLite database of its own: the text stored before 0027 is each language's after it, and back."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'before.sqlite3'}", smtp_server.port))
    with app.app_context():
        upgrade(revision="0026_one_first_print")
        db.session.add(Event(id=1, slug="summit", name_en="S", name_zh="S", starts_on=date(2030, 1, 1),
                             ends_on=date(2030, 1, 2), timezone="UTC", venue_en="", venue_zh="", status="published"))
        db.session.flush()
        # As 0026 stored them, by hand: the models now know other columns.
        db.session.execute(text("INSERT INTO station (id, event_id, name, code, kind) "
                                "VALUES (1, 1, 'Shanghai Pudong', 'PVG', 'airport'), (2, 1, '虹桥站', '', 'station')"))
        db.session.execute(text("INSERT INTO vehicle (id, event_id, label, plate, driver_name, driver_phone, capacity, "
                                "meeting_point, currency, created_at) VALUES (1, 1, 'Van 1', '', '', '', 4, "
                                "'Gate 5', 'CNY', '2029-01-01 00:00:00')"))
        db.session.commit()
        upgrade(revision="heads")
        assert db.session.execute(select(Station.id, Station.name_en, Station.name_zh).order_by(Station.id)).all() \
            == [(1, "Shanghai Pudong", "Shanghai Pudong"), (2, "虹桥站", "虹桥站")]
        assert db.session.execute(select(Vehicle.meeting_point_en, Vehicle.meeting_point_zh)).one() \
            == ("Gate 5", "Gate 5")
        db.session.execute(text("UPDATE station SET name_zh = '上海浦东' WHERE id = 1"))
        db.session.commit()
        downgrade(revision="0026_one_first_print")
        assert db.session.execute(text("SELECT name FROM station ORDER BY id")).scalars().all() \
            == ["Shanghai Pudong", "虹桥站"]
        assert db.session.execute(text("SELECT meeting_point FROM vehicle")).scalar() == "Gate 5"
        db.session.rollback()
        db.engine.dispose()
