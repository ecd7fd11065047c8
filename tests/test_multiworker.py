"""The races, over HTTP, against a real gunicorn with 4 worker processes and Redis as the limiter store.

Each worker has its own engine and its own memory, so only the database (and
Redis) can keep the promises: one check-in per guest however many kiosks scan,
no place given twice, one person taking a ticket. The server runs on the test
database (SQLite file, or PostgreSQL with TEST_DATABASE_URL).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bench.browser import Browser
from portal.extensions import db
from portal.helpdesk import services as helpdesk
from portal.models import CheckIn, Event, Registration, Ticket
from portal.models.registration import CONFIRMED, WAITLISTED
from tests.factories import (
    add_confirmed_guests, flush_limiter_store, gunicorn, paired_kiosks, registration_form, scan_over_http,
    STAFF_PASSWORD,
)

pytestmark = pytest.mark.slow


def test_one_ticket_scanned_fifty_times_at_five_kiosks_in_four_workers_is_one_check_in(
        app, make_event, database_uri):
    flush_limiter_store()
    event = make_event()
    guests = add_confirmed_guests(app, event.id, 3)
    with gunicorn(database_uri) as port:
        kiosks = paired_kiosks(app, port, event.id, 5)
        for round_, (registration_id, ticket_code) in enumerate(guests):
            start = threading.Barrier(50)

            def one(n: int) -> tuple[int, str]:
                kiosk, token = kiosks[n % len(kiosks)]
                start.wait(timeout=30)
                return scan_over_http(kiosk, token, ticket_code)

            with ThreadPoolExecutor(max_workers=50) as pool:
                answers = list(pool.map(one, range(50)))
            # Every scan is answered with the welcome screen; none errs, none is sent to the desk.
            assert all(status == 303 and "/kiosk/welcome/" in where for status, where in answers), answers
            with app.app_context():
                made = db.session.scalar(select(func.count()).select_from(CheckIn).where(
                    CheckIn.registration_id == registration_id))
            assert made == 1, f"round {round_}: {made} check-ins"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_fifty_registrations_for_ten_places_across_four_workers(app, make_event, make_staff, database_uri):
    flush_limiter_store()
    event = make_event(capacity=10)
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    # Accounts whose address is proved (public registration proves it first; tests/test_accounts.py).
    racers = [make_staff(f"racer{n}@example.org").email for n in range(50)]
    with gunicorn(database_uri) as port:
        guests = []
        for email in racers:
            browser = Browser(port)
            browser.sign_in(email, STAFF_PASSWORD)
            guests.append((browser, browser.csrf("/e/summit/register")))
        start = threading.Barrier(50)

        def register(n: int) -> int:
            browser, token = guests[n]
            form = registration_form(email=f"racer{n}@example.org", name_latin="Racer Guest", surname="Racer",
                                     category=str(delegate))
            start.wait(timeout=30)
            status, _headers, _body = browser.request("POST", "/e/summit/register", {"csrf_token": token, **form})
            return status

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(register, range(50)))
    assert statuses == [303] * 50
    with app.app_context():
        counts = dict(db.session.execute(
            select(Registration.state, func.count()).where(Registration.event_id == event.id)
            .group_by(Registration.state)).all())
    assert counts == {CONFIRMED: 10, WAITLISTED: 40}


def test_staff_taking_the_same_tickets_at_once_in_four_workers_one_wins_each(app, make_event, make_staff,
                                                                              database_uri):
    flush_limiter_store()
    event = make_event()
    desk = [make_staff(f"desk{n}@example.org", event, roles=("helpdesk",)) for n in range(6)]
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        numbers = [helpdesk.open_ticket(event_row, category="other", subject=f"Lost umbrella {n}",
                                        body="A black umbrella.", source="desk", name="Walk-up",
                                        phone="+86 100").number for n in range(5)]
        db.session.commit()
    with gunicorn(database_uri) as port:
        staff = []
        for member in desk:
            browser = Browser(port)
            browser.sign_in(member.email, STAFF_PASSWORD)
            staff.append((browser, browser.csrf(f"/staff/e/summit/helpdesk/{numbers[0]}")))
        for number in numbers:
            start = threading.Barrier(len(staff))

            def take(member: tuple[Browser, str]) -> str:
                browser, token = member
                start.wait(timeout=30)
                status, headers, _ = browser.request("POST", f"/staff/e/summit/helpdesk/{number}/take",
                                                     {"csrf_token": token})
                assert status == 303
                return headers["Location"]

            with ThreadPoolExecutor(max_workers=len(staff)) as pool:
                places = list(pool.map(take, staff))
            # The winner goes to the ticket; everyone else back to the queue, told who has it.
            winners = [p for p in places if p.endswith(f"/helpdesk/{number}")]
            assert len(winners) == 1, places
            with app.app_context():
                ticket = db.session.scalar(select(Ticket).where(Ticket.event_id == event.id,
                                                                Ticket.number == number))
                assert ticket.assignee_id is not None and ticket.state == "open"
                assert sum(1 for c in ticket.changes if c.what == "assignee") == 1
