"""Every order of everything (issue 17, item 9): a hypothesis state machine that registers, cancels,
declines, reinstates, admits, requests and confirms rooms, shares them, signs up for a one-place-short
session, seats guests in a small car, erases accounts and moves the capacity and a reservation, all
through the services the pages call, and after every step checks what must always hold.

Each example is a fresh event in the test's database; EXAMPLES × STEPS steps run per database.
"""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from portal import lifecycle
from portal.privacy import erasure
from portal.agenda import services as agenda
from portal.extensions import db
from portal.guests import services as guest_services
from portal.guests.services import Profile, RegistrationError
from portal.lodging import services as lodging
from portal.models import (
    AgendaEntry, Category, Event, Hotel, LodgingRequest, Registration, RegistrationChange, RoomBlock, RoomNight,
    Session, StaffRole, TransportLeg, User, Vehicle,
)
from portal.models.lodging import ACTIVE_STATES as STAY_ACTIVE
from portal.models.registration import ACTIVE_STATES, CONFIRMED
from portal.models.transport import ACTIVE_STATES as LEG_ACTIVE, SCHEDULED
from portal.rules import RuleRefused
from portal.staff import services as staff_services
from portal.transport import services as transport

EXAMPLES, STEPS = 25, 30
GUESTS = 6
REFUSALS = (RegistrationError, RuleRefused, agenda.AgendaError,
            lifecycle.CapacityError, erasure.ErasureRefused)
_events = itertools.count(1)
guest = st.integers(0, GUESTS - 1)


class Lifecycle(RuleBasedStateMachine):
    """One event: capacity 3, VIPs may keep places; a block of 2 rooms for 3 nights; a 2-place session; a 2-seat car."""

    def __init__(self, app):
        super().__init__()
        self.app = app
        number = next(_events)
        today = date.today()
        event = Event(slug=f"life-{number}", name_en="Life", name_zh="生活", starts_on=today + timedelta(days=20),
                      ends_on=today + timedelta(days=22), timezone="Asia/Shanghai", status="published",
                      public_registration=True, capacity=3, privacy_notice_en="x", privacy_notice_zh="x")
        event.categories = Category.defaults()
        db.session.add(event)
        db.session.flush()
        self.event_id = event.id
        self.staff = User(email=f"boss{number}@example.org", display_name="Boss", language="en")
        db.session.add(self.staff)
        db.session.flush()
        db.session.add(StaffRole(user_id=self.staff.id, event_id=event.id, role="lodging"))
        hotel = Hotel(event_id=event.id, name_en="Lake", name_zh="湖")
        db.session.add(hotel)
        db.session.flush()
        block = RoomBlock(event_id=event.id, hotel_id=hotel.id, room_type_en="King", room_type_zh="大床",
                          nightly_rate=Decimal("1.00"), arrival_from=event.starts_on,
                          departure_until=event.starts_on + timedelta(days=3))
        block.nights = [RoomNight(night=event.starts_on + timedelta(days=n), total=2, taken=0) for n in range(3)]
        db.session.add(block)
        starts = datetime.combine(event.starts_on, time(10), tzinfo=event.zone)
        session = Session(event_id=event.id, title_en="Workshop", title_zh="工作坊", starts_at=starts,
                          ends_at=starts + timedelta(hours=1), capacity=2)
        vehicle = Vehicle(event_id=event.id, label="Car", capacity=2)
        db.session.add_all([session, vehicle])
        db.session.commit()
        self.block_id, self.session_id, self.vehicle_id = block.id, session.id, vehicle.id
        self.users = [f"g{number}-{i}@example.org" for i in range(GUESTS)]
        self.erased = set()

    # -------------------------------------------------------------- helpers

    def _event(self) -> Event:
        return db.session.get(Event, self.event_id, populate_existing=True)

    def _registration(self, i) -> Registration | None:
        return db.session.scalar(select(Registration).join(User).where(
            Registration.event_id == self.event_id, User.email == self.users[i]).execution_options(
            populate_existing=True))

    def _try(self, action) -> None:
        try:
            action()
        except REFUSALS:
            db.session.rollback()
        db.session.expire_all()

    def _actor(self) -> User:
        return db.session.get(User, self.staff.id)

    # -------------------------------------------------------------- rules

    @initialize()
    def everyone_registers(self):
        for i in range(GUESTS):
            self.register(i)

    @rule(i=guest)
    def register(self, i):
        if i in self.erased:
            return
        category = db.session.scalar(select(Category).where(Category.event_id == self.event_id,
                                                            Category.code == ("vip" if i < 2 else "delegate")))
        user = guest_services.find_or_create_user(self.users[i], f"Guest {i}", "en")
        profile = Profile(name_original=f"Guest {i}", name_latin=f"Guest {i}", surname="Guest", honorific="",
                          organization="", job_title="", country="CN", phone="", language="en")
        self._try(lambda: guest_services.register(self._event(), user, profile, category))

    @rule(i=guest, by_guest=st.booleans())
    def cancel(self, i, by_guest):
        registration = self._registration(i)
        if registration is not None:
            actor = registration.user if by_guest else self._actor()
            self._try(lambda: lifecycle.cancel(registration, actor, "" if by_guest else "staff"))

    @rule(i=guest)
    def decline(self, i):
        registration = self._registration(i)
        if registration is not None:
            self._try(lambda: lifecycle.decide(registration, False, self._actor(), "no"))

    @rule(i=guest)
    def reinstate(self, i):
        registration = self._registration(i)
        if registration is not None:
            self._try(lambda: lifecycle.reinstate(registration, self._actor(), "back"))

    @rule(i=guest)
    def admit(self, i):
        registration = self._registration(i)
        if registration is not None:
            self._try(lambda: lifecycle.admit(registration, self._actor(), "chosen"))

    @rule(i=guest, first=st.integers(0, 1), nights=st.integers(1, 2), mate=st.none() | guest)
    def request_room(self, i, first, nights, mate):
        registration = self._registration(i)
        if registration is None:
            return
        event = self._event()
        check_in = event.starts_on + timedelta(days=first)
        stay = lodging.Stay(block_id=self.block_id, check_in=check_in, check_out=check_in + timedelta(days=nights),
                            occupancy=2 if mate is not None else 1,
                            roommate_email=self.users[mate] if mate is not None else "")
        self._try(lambda: lodging.file_request(event, registration, stay))

    @rule(i=guest)
    def accept_share(self, i):
        registration = self._registration(i)
        if registration is None:
            return
        asked = db.session.scalar(select(LodgingRequest.id).where(
            LodgingRequest.roommate_id == registration.id, LodgingRequest.state.in_(STAY_ACTIVE)))
        if asked is not None:
            self._try(lambda: lodging.answer_roommate(self._event(), registration, asked, True))

    @rule(pick=st.integers(0, 20), decision=st.sampled_from(["confirm", "waitlist", "decline"]))
    def decide_room(self, pick, decision):
        ids = db.session.scalars(select(LodgingRequest.id).where(
            LodgingRequest.event_id == self.event_id, LodgingRequest.state.in_(STAY_ACTIVE))
            .order_by(LodgingRequest.id)).all()
        if not ids:
            return
        request_id, event = ids[pick % len(ids)], self._event()
        if decision == "confirm":
            self._try(lambda: lodging.confirm(event, request_id, self._actor(), "H-1", "", "note"))
        else:
            self._try(lambda: getattr(lodging, decision)(event, request_id, self._actor(), "full"))

    @rule(i=guest)
    def sign_up(self, i):
        registration = self._registration(i)
        if registration is not None:
            self._try(lambda: agenda.add_to_agenda(self._event(), registration, self.session_id))

    @rule(i=guest)
    def seat(self, i):
        registration = self._registration(i)
        if registration is None:
            return
        event = self._event()

        def ride():
            leg = transport.save_leg(event, registration, "arrival", transport.Journey(
                mode="flight", carrier="CA", number="1", local_time=datetime.combine(event.starts_on, time(8)),
                station="Airport"))
            transport.assign(event, [leg.id], self.vehicle_id, self._actor())

        self._try(ride)

    @rule(i=guest)
    def erase(self, i):
        user = db.session.scalar(select(User).where(User.email == self.users[i]))
        if user is not None:
            self._try(lambda: erasure.erase_account(user))
            self.erased.add(i)

    @rule(capacity=st.none() | st.integers(1, 5))
    def set_capacity(self, capacity):
        self._try(lambda: staff_services.update_event(self._event(), {"capacity": capacity}, self._actor()))

    @rule(places=st.integers(0, 2), release=st.booleans())
    def reserve_for_vips(self, places, release):
        event = self._event()
        vip = db.session.scalar(select(Category).where(Category.event_id == self.event_id, Category.code == "vip"))

        def keep():
            if release:
                lifecycle.release_unused(event, vip, self._actor())
            else:
                lifecycle.reserve(event, vip, places, self._actor())
                db.session.commit()

        self._try(keep)

    # -------------------------------------------------------------- what must always hold

    def _registrations(self) -> list[Registration]:
        return db.session.scalars(select(Registration).where(Registration.event_id == self.event_id)).all()

    @invariant()
    def nights_taken_are_the_confirmed_stays(self):
        stays = db.session.scalars(select(LodgingRequest).where(LodgingRequest.block_id == self.block_id)).all()
        for stay in stays:
            assert stay.holds_rooms == (stay.state == "confirmed"), (stay.id, stay.state)
        for row in db.session.scalars(select(RoomNight).where(RoomNight.block_id == self.block_id)):
            held = sum(1 for s in stays if s.holds_rooms and row.night in s.nights)
            assert row.taken == held <= row.total, (row.night, row.taken, held)

    @invariant()
    def nothing_is_held_by_an_inactive_registration(self):
        inactive = [r.id for r in self._registrations() if r.state not in ACTIVE_STATES]
        if not inactive:
            return
        assert db.session.scalar(select(func.count()).select_from(LodgingRequest).where(
            LodgingRequest.state.in_(STAY_ACTIVE),
            LodgingRequest.registration_id.in_(inactive) | LodgingRequest.roommate_id.in_(inactive))) == 0
        assert db.session.scalar(select(func.count()).select_from(AgendaEntry).where(
            AgendaEntry.registration_id.in_(inactive))) == 0
        assert db.session.scalar(select(func.count()).select_from(TransportLeg).where(
            TransportLeg.registration_id.in_(inactive), TransportLeg.state.in_(LEG_ACTIVE))) == 0

    @invariant()
    def places_and_seats_never_exceed_capacity(self):
        holders = db.session.scalar(select(func.count()).select_from(AgendaEntry).where(
            AgendaEntry.session_id == self.session_id))
        assert holders <= 2
        seated = db.session.scalars(select(TransportLeg).where(TransportLeg.vehicle_id == self.vehicle_id)).all()
        assert all(leg.state == SCHEDULED for leg in seated)
        assert sum(leg.passengers for leg in seated) <= 2

    @invariant()
    def confirmed_guests_fit_the_capacity_and_those_admitted_over_it(self):
        event = self._event()
        registrations = self._registrations()
        confirmed = [r for r in registrations if r.state == CONFIRMED]
        over = [r for r in confirmed if r.admitted_over_capacity]
        assert all(r.state == CONFIRMED for r in registrations if r.admitted_over_capacity)
        if event.capacity is not None:
            assert len(confirmed) <= event.capacity + len(over)

    @invariant()
    def roommates_agree_on_both_sides(self):
        shared = db.session.scalars(select(LodgingRequest).where(
            LodgingRequest.event_id == self.event_id, LodgingRequest.state.in_(STAY_ACTIVE),
            LodgingRequest.roommate_confirmed_at.is_not(None))).all()
        for stay in shared:
            mate = db.session.get(Registration, stay.roommate_id)
            assert mate.state in ACTIVE_STATES and stay.occupancy == 2
            others = db.session.scalar(select(func.count()).select_from(LodgingRequest).where(
                LodgingRequest.state.in_(STAY_ACTIVE), LodgingRequest.id != stay.id,
                (LodgingRequest.registration_id == mate.id) | (LodgingRequest.roommate_id == mate.id)))
            assert others == 0, stay.id

    @invariant()
    def every_state_has_its_history(self):
        for registration in self._registrations():
            last = db.session.scalar(select(RegistrationChange.to_state).where(
                RegistrationChange.registration_id == registration.id)
                .order_by(RegistrationChange.id.desc()).limit(1))
            assert last == registration.state, registration.id

    def teardown(self):
        db.session.rollback()
        db.session.remove()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_every_order_of_lifecycle_steps_keeps_every_booking_true(app):
    with app.app_context():
        run_state_machine_as_test(lambda: Lifecycle(app), settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
