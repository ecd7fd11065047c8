"""The check-in service: once per registration under concurrency, retries, states, undo, badges."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.checkin import devices, services
from portal.checkin.services import ALREADY_CHECKED_IN, CHECKED_IN, SEE_HELP_DESK
from portal.extensions import db
from portal.models import AuditEntry, CheckIn, Event, KioskDevice
from portal.models.registration import CANCELLED, DECLINED, PENDING, WAITLISTED
from tests.factories import make_registration

# The number: the same ticket, 50 scans at once, from several kiosks (KIOSKS of them).
SCANS = 50
KIOSKS = 5


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def staff(make_staff, event):
    return make_staff("desk@example.org", event, roles=("helpdesk",))


def _kiosks(app, event, staff, count: int) -> list[int]:
    ids = []
    with app.app_context():
        for n in range(count):
            device, code = devices.create_device(db.session.get(Event, event.id), f"Kiosk {n}", "", staff)
            devices.pair(code)
            ids.append(device.id)
    return ids


def test_many_kiosks_scanning_the_same_ticket_at_once_make_one_check_in(app, make_app, event, staff):
    guest = make_registration(app, event)
    kiosk_ids = _kiosks(app, event, staff, KIOSKS)
    # One app (one engine, one connection pool) per kiosk, as if each kiosk reached another
    # worker: all 50 scans then hold a connection of their own and race in the database at once.
    workers = [app] + [make_app() for _ in range(KIOSKS - 1)]
    start = threading.Barrier(SCANS)

    def scan(n: int) -> tuple[str, str, int]:
        worker, kiosk_id, nonce = workers[n % KIOSKS], kiosk_ids[n % KIOSKS], f"nonce-{n:02d}-abcdefghijkl"
        with worker.app_context():
            event_row = db.session.get(Event, event.id)
            kiosk = db.session.get(KioskDevice, kiosk_id)
            registration_id = services.find_by_ticket(event_row, guest["ticket"]).id
            # Release the read (on SQLite every transaction outside a request holds the write lock).
            db.session.commit()
            start.wait(timeout=60)
            outcome = services.check_in(event_row, registration_id, kiosk=kiosk, nonce=nonce).outcome
            return outcome, nonce, kiosk_id

    with ThreadPoolExecutor(max_workers=SCANS) as pool:
        answers = list(pool.map(scan, range(SCANS)))

    outcomes = [outcome for outcome, _, _ in answers]
    assert outcomes.count(CHECKED_IN) == 1
    assert outcomes.count(ALREADY_CHECKED_IN) == SCANS - 1
    [(_, winning_nonce, winning_kiosk)] = [answer for answer in answers if answer[0] == CHECKED_IN]
    assert len({kiosk for _, _, kiosk in answers}) == KIOSKS
    with app.app_context():
        # One check-in, made by the scan that was told "checked in", at its kiosk.
        [arrival] = db.session.scalars(select(CheckIn)).all()
        assert (arrival.nonce, arrival.kiosk_id) == (winning_nonce, winning_kiosk)
        assert db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "checkin.create")) == 1


def test_a_retry_with_the_same_nonce_is_answered_as_the_first(app, event, staff):
    guest = make_registration(app, event)
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        first = services.check_in(event_row, guest["id"], staff=staff, nonce="same-nonce-0123456789")
        retry = services.check_in(event_row, guest["id"], staff=staff, nonce="same-nonce-0123456789")
        other = services.check_in(event_row, guest["id"], staff=staff, nonce="other-nonce-0123456789")
        assert (first.outcome, retry.outcome, other.outcome) == (CHECKED_IN, CHECKED_IN, ALREADY_CHECKED_IN)
        assert first.check_in_id == retry.check_in_id == other.check_in_id


@pytest.mark.parametrize("state", [CANCELLED, WAITLISTED, DECLINED, PENDING])
def test_only_confirmed_registrations_check_in(app, event, state):
    guest = make_registration(app, event, state=state)
    with app.app_context():
        arrival = services.check_in(db.session.get(Event, event.id), guest["id"])
        assert arrival.outcome == SEE_HELP_DESK
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_an_unknown_or_foreign_registration_goes_to_the_help_desk(app, event, make_event):
    other = make_event(slug="other")
    guest = make_registration(app, other)
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        assert services.check_in(event_row, None).outcome == SEE_HELP_DESK
        assert services.check_in(event_row, guest["id"]).outcome == SEE_HELP_DESK
        assert services.find_by_ticket(event_row, guest["ticket"]) is None
        assert services.find_by_confirmation_code(event_row, guest["code"]) is None


def test_staff_check_in_and_undo_are_audited(app, event, staff):
    guest = make_registration(app, event)
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        assert services.check_in(event_row, guest["id"], staff=staff).outcome == CHECKED_IN
        assert services.undo_check_in(event_row, guest["id"], staff, "checked in the wrong Wang")
        assert not services.undo_check_in(event_row, guest["id"], staff, "again")
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
        undo = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "checkin.undo"))
        assert undo.actor_id == staff.id and undo.detail == "checked in the wrong Wang"
        # Undone, the guest can check in again.
        assert services.check_in(event_row, guest["id"], staff=staff).outcome == CHECKED_IN


def test_surname_lookup_needs_exactly_one_match(app, event):
    make_registration(app, event)
    make_registration(app, event, email="wang2@example.org", name_original="王芳", name_latin="Wang Fang")
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        # Two Wangs with the same last four digits: neither is chosen.
        assert services.find_by_surname_and_phone(event_row, "Wang", "1234") is None
        assert services.find_by_surname_and_phone(event_row, "王", "1234") is None
    make_registration(app, event, email="zhao@example.org", name_original="赵敏", name_latin="Zhao Min", surname="Zhao",
                      phone="138-0000-4321")
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        assert services.find_by_surname_and_phone(event_row, "ZHAO", "4321").name_latin == "Zhao Min"
        assert services.find_by_surname_and_phone(event_row, "赵", "4321").name_latin == "Zhao Min"
        assert services.find_by_surname_and_phone(event_row, "Zhao", "1234") is None
        assert services.find_by_surname_and_phone(event_row, "%", "4321") is None
