"""`flask seed-demo`: a full demo event, its staff, and nothing sent."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Allergy, Announcement, BudgetLine, DietaryNeeds, Event, Hotel, Invitation, KioskDevice,
    LodgingRequest, MealRate, NeedsConsent, OutboundMail, Registration, RegistrationChange, Room, RoomNight, Session,
    Speaker, StaffRole, Station, Survey, Track, TransportLeg, User, Vehicle,
)
from portal.models.registration import STATES, TRANSITIONS

SIGN_IN_LINE = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", re.M)
PAIRING_LINE = re.compile(r"open (\S+)/kiosk/pair in another browser and type the pairing code ([A-Z0-9]{4}-[A-Z0-9]{4})")


@pytest.fixture
def app(make_app, tmp_path):
    # The demo's logo, cover and map go to a folder of this test's own.
    return make_app(EVENT_IMAGES_FOLDER=str(tmp_path / "event-images"))


def _snapshot():
    """Row counts and every registration's identity, to show a second run changed nothing."""
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, User, StaffRole, Invitation, Registration, RegistrationChange, OutboundMail, Session,
                      LodgingRequest, TransportLeg, KioskDevice)
    }
    rows = db.session.execute(
        select(Registration.id, Registration.ticket_code, Registration.state).order_by(Registration.id)
    ).all()
    return counts, rows


def test_seed_demo_builds_a_full_event_and_is_safe_to_run_twice(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "http://localhost/login" in first.output

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert event.status == "published" and event.public_registration
        assert event.name_en and event.name_zh and event.venue_zh and event.privacy_notice_zh
        # Running from today, in the event's own time zone: the kiosk's "today" has a programme.
        today = datetime.now(UTC).astimezone(event.zone).date()
        assert event.starts_on == today and event.ends_on == today + timedelta(days=2)
        assert event.registration_is_open()
        registrations = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
        assert len(registrations) >= 200
        assert {r.state for r in registrations} == set(STATES)
        assert {r.category.code for r in registrations} == {"vip", "speaker", "delegate", "press"}
        # Full, with people waiting for a place.
        confirmed = [r for r in registrations if r.state == "confirmed"]
        assert len(confirmed) == event.capacity
        assert any(r.state == "waitlisted" for r in registrations)
        # Names in their own script beside the Latin one, not only Latin names.
        scripts = {r.name_original for r in registrations if r.name_original != r.name_latin}
        assert any(re.search(r"[\u4e00-\u9fff]", n) for n in scripts)
        assert any(re.search(r"[\u0600-\u06ff]", n) for n in scripts)
        assert any(re.search(r"[\u0400-\u04ff]", n) for n in scripts)
        assert any(re.search(r"[\uac00-\ud7af]", n) for n in scripts)
        assert len({r.country for r in registrations}) >= 15
        # Tickets are secret and unique; confirmation codes unique within the event.
        assert len({r.ticket_code for r in registrations}) == len(registrations)
        assert all(len(r.ticket_code) >= 22 and r.ticket_code != str(r.id) for r in registrations)
        assert len({r.confirmation_code for r in registrations}) == len(registrations)
        # Every registration has the history that led to its state.
        for r in registrations:
            assert r.changes and r.changes[0].from_state == "" and r.changes[-1].to_state == r.state
            steps = [c.at for c in r.changes]
            assert steps == sorted(steps) and steps[-1] < utcnow()
            # Each step one the state machine allows.
            assert all(c.from_state == p.to_state and c.to_state in TRANSITIONS[p.to_state]
                       for p, c in zip(r.changes, r.changes[1:]))
        assert all(r.decision_reason for r in registrations if r.state == "declined")
        open_invitations = db.session.scalar(
            select(func.count()).select_from(Invitation).where(
                Invitation.event_id == event.id, Invitation.accepted_at.is_(None))
        )
        assert open_invitations > 0
        roles = db.session.execute(
            select(StaffRole.role, func.count()).where(StaffRole.event_id == event.id).group_by(StaffRole.role)
        ).all()
        assert dict(roles) == {"organizer": 1, "lodging": 1, "transport": 1, "catering": 1, "helpdesk": 1}
        # The coordinator's list of airports and stations, and every seeded journey on it.
        stations = db.session.execute(select(Station.kind, Station.code).where(Station.event_id == event.id)).all()
        assert ("airport", "PVG") in stations and any(kind == "station" for kind, _code in stations)
        legs = db.session.scalars(select(TransportLeg).where(TransportLeg.event_id == event.id)).all()
        assert legs and all(leg.station_id is not None for leg in legs)
        assert {leg.mode for leg in legs} == {"flight", "train"}
        assert db.session.scalar(select(func.count()).select_from(User).where(User.is_admin)) == 1
        # Seeding tells nobody anything: not one mail queued.
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0
        before = _snapshot()

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    with app.app_context():
        assert _snapshot() == before


def test_demo_staff_sign_in_with_the_printed_passwords(app, client, runner, auth):
    output = runner.invoke(args=["seed-demo"]).output
    accounts = {role: (email, password) for role, email, password in SIGN_IN_LINE.findall(output)}
    assert set(accounts) == {"admin", "organizer", "coordinator", "helpdesk"}
    assert all(len(password) >= 10 for _, password in accounts.values())

    email, password = accounts["organizer"]
    response = auth.login_staff(email, password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert email in client.get("/account").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert user.roles_for(event.id) == {"organizer"}
        assert user.last_sign_in_at is not None


def test_demo_passwords_are_drawn_for_this_install_and_shown_once(app, runner, auth):
    first = runner.invoke(args=["seed-demo"])
    printed = {role: password for role, _email, password in SIGN_IN_LINE.findall(first.output)}
    assert set(printed) == {"admin", "organizer", "coordinator", "helpdesk"}
    # Not the passwords every copy of the code used to share.
    assert not {"demo-admin-2027", "demo-organizer-2027", "demo-coordinator-2027",
                "demo-helpdesk-2027"} & set(printed.values())
    assert len(set(printed.values())) == 4

    # `make run` again: it succeeds, and shows no password.
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and SIGN_IN_LINE.findall(again.output) == []
    assert "--new-passwords" in again.output

    renewed = runner.invoke(args=["seed-demo", "--new-passwords"])
    assert renewed.exit_code == 0
    fresh = {role: password for role, _email, password in SIGN_IN_LINE.findall(renewed.output)}
    assert set(fresh) == set(printed) and not set(fresh.values()) & set(printed.values())
    assert auth.login_staff("organizer@demo.example.org", printed["organizer"]).status_code != 303
    assert auth.login_staff("organizer@demo.example.org", fresh["organizer"]).status_code == 303


def test_seed_demo_refuses_a_database_that_holds_real_events(app, runner, make_event):
    make_event(slug="summit")
    with app.app_context():
        before = _snapshot()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert "holds real events (summit)" in refused.output and "--force" in refused.output
    assert SIGN_IN_LINE.findall(refused.output) == []
    with app.app_context():
        assert _snapshot() == before

    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0 and len(SIGN_IN_LINE.findall(forced.output)) == 4
    with app.app_context():
        assert set(db.session.scalars(select(Event.slug))) == {"summit", "demo"}
    # Once the demo is there, running it again (as `make run` does) changes nothing and succeeds.
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def test_the_demo_event_shows_the_whole_product(app, client, runner, tmp_path):
    output = runner.invoke(args=["seed-demo"]).output
    assert "Created the demo event" in output and "at http://localhost/e/demo/" in output

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))

        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        # A programme with rooms, tracks and speakers, sessions every day, some in guests' agendas.
        sessions = db.session.scalars(select(Session).where(Session.event_id == event.id)).all()
        assert count(Room, Room.event_id == event.id) >= 3 and count(Track, Track.event_id == event.id) >= 3
        assert count(Speaker, Speaker.event_id == event.id) >= 6
        days = {s.starts_at.astimezone(event.zone).date() for s in sessions}
        assert days == {event.starts_on + timedelta(days=n) for n in range(3)}
        assert {s.kind for s in sessions} >= {"keynote", "panel", "workshop", "meal"}
        assert all(s.room is not None for s in sessions) and any(s.speakers for s in sessions)
        assert {s.visibility for s in sessions} == {"public", "categories", "invitation"}
        assert count(AgendaEntry) > 100
        # Hotels with room blocks, stays confirmed within what the blocks hold.
        assert count(Hotel, Hotel.event_id == event.id) == 2
        stays = db.session.scalars(select(LodgingRequest).where(LodgingRequest.event_id == event.id)).all()
        assert {s.state for s in stays} == {"confirmed", "requested"}
        assert all(s.registration.state == "confirmed" for s in stays)
        assert db.session.scalar(select(func.sum(RoomNight.taken))) == sum(
            (s.check_out - s.check_in).days for s in stays if s.state == "confirmed")
        # Vehicles and pickups; some guests ride today, after now.
        assert count(Vehicle, Vehicle.event_id == event.id) >= 4
        # A budget to set the cost against: every vehicle and the three daily meals have a rate.
        assert count(BudgetLine, BudgetLine.event_id == event.id) >= 4
        assert count(Vehicle, Vehicle.event_id == event.id, Vehicle.rate.is_(None)) == 0
        assert count(MealRate, MealRate.event_id == event.id) == 3
        legs = db.session.scalars(select(TransportLeg).where(TransportLeg.event_id == event.id)).all()
        assert {leg.direction for leg in legs} == {"arrival", "departure"}
        seated_today = [leg for leg in legs if leg.vehicle is not None
                        and (leg.vehicle.departs_at or leg.scheduled_at) > utcnow()
                        and (leg.vehicle.departs_at or leg.scheduled_at).astimezone(event.zone).date()
                        <= event.starts_on + timedelta(days=1)]
        assert seated_today
        # Diets behind the guest's consent, some allergies.
        diets = db.session.scalars(select(DietaryNeeds)).all()
        assert len(diets) > 10 and len({d.diet for d in diets}) >= 3 and count(Allergy) > 0
        assert count(NeedsConsent) == len(diets)
        # Announcements showing now, an open survey, a kiosk waiting to be paired.
        assert sum(a.is_active() for a in db.session.scalars(select(Announcement))) >= 1
        (survey,) = db.session.scalars(select(Survey).where(Survey.event_id == event.id)).all()
        assert survey.is_open() and len(survey.questions) >= 3
        (kiosk,) = db.session.scalars(select(KioskDevice).where(KioskDevice.event_id == event.id)).all()
        assert kiosk.pairing_code_hash and kiosk.credential_hash is None
        # Its look: a readable accent colour and images stored as an upload would be.
        assert event.accent_colour and event.logo_image and event.cover_image and event.map_image
        assert event.getting_there_zh and event.wifi and event.dress_code_zh and event.contacts_zh
        with Image.open(tmp_path / "event-images" / event.logo_image) as logo:
            assert logo.size[0] <= 480 and logo.size[1] <= 160

    # The printed pairing code pairs a browser as the lobby kiosk.
    base, code = PAIRING_LINE.search(output).groups()
    assert base == "http://localhost"
    kiosk = app.test_client()
    page = kiosk.get("/kiosk/pair").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    paired = kiosk.post("/kiosk/pair", data={"csrf_token": token, "code": code})
    assert paired.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(KioskDevice.credential_hash)) is not None
    # And the printed confirmation code checks a guest in there.
    typed = re.search(r"confirmation code ([A-Z0-9]{8});", output).group(1)
    with app.app_context():
        guest = db.session.scalar(select(Registration).where(Registration.confirmation_code == typed))
        assert guest.state == "confirmed"

    # The home page shows it all, in both languages.
    home = client.get("/e/demo/").get_data(as_text=True)
    assert "Programme highlights" in home and "Speakers" in home and "Practical information" in home
    assert "Summit-Guest" in home and "/e/demo/look.css" in home
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    home = client.get("/e/demo/").get_data(as_text=True)
    assert "精彩议程" in home and "乘坐地铁2号线" in home and "商务正装" in home
    assert "The programme is not published yet" not in client.get("/e/demo/agenda").get_data(as_text=True)


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_chinese_guest_of_the_demo_reads_chinese(app, client, runner, auth):
    """Stations, meeting points, announcements and practical information: the demo writes each in Chinese too."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        stations = db.session.scalars(select(Station).where(Station.event_id == event.id)).all()
        assert stations and all(CJK.search(s.name_zh) and s.name_zh != s.name_en for s in stations)
        vehicles = db.session.scalars(select(Vehicle).where(Vehicle.event_id == event.id)).all()
        assert all(CJK.search(v.meeting_point_zh) and CJK.search(v.label) for v in vehicles)
        announcements = db.session.scalars(select(Announcement).where(Announcement.event_id == event.id)).all()
        assert all(CJK.search(a.text_zh) for a in announcements)
        # A guest who reads Chinese, seated in a car for their arrival.
        leg = db.session.scalars(
            select(TransportLeg).join(Registration, Registration.id == TransportLeg.registration_id)
            .where(TransportLeg.event_id == event.id, TransportLeg.vehicle_id.is_not(None),
                   TransportLeg.direction == "arrival", Registration.language == "zh_Hans")
            .order_by(TransportLeg.id)).first()
        assert leg is not None
        user = db.session.get(User, leg.registration.user_id)
        station, meeting = leg.listed_station, leg.vehicle
    auth.login_as(user)
    trip = client.get("/e/demo/me").get_data(as_text=True)
    assert station.name_zh in trip and meeting.meeting_point_zh in trip
    assert station.name_en not in trip and meeting.meeting_point_en not in trip
    assert announcements[0].text_zh in trip or announcements[1].text_zh in trip
    home = client.get("/e/demo/").get_data(as_text=True)
    assert "密码" in home and "乘坐地铁2号线" in home and "商务正装" in home and "嘉宾服务台" in home
