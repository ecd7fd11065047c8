"""Capacity holds when many guests register at the same instant, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal import lifecycle
from portal.extensions import db
from portal.guests import services
from portal.guests.services import Profile
from portal.models import Event, Registration
from portal.models.registration import CONFIRMED, WAITLISTED

GUESTS = 50
PLACES_LEFT = 10


def _profile(n: int) -> Profile:
    return Profile(
        name_original=f"Guest {n}", name_latin=f"Guest {n}", surname="Guest", honorific="",
        organization="", job_title="", country="CN", phone="+86 100 0000 0000", language="en",
    )


def _seed_confirmed(app, event_id: int, count: int) -> None:
    with app.app_context():
        event = db.session.get(Event, event_id)
        for n in range(count):
            user = services.find_or_create_user(f"early{n}@example.org", f"Early {n}", "en")
            services.register(event, user, _profile(n), None)


def test_fifty_registrations_for_the_last_ten_places(app, make_event):
    event = make_event(capacity=30)
    _seed_confirmed(app, event.id, 30 - PLACES_LEFT)
    start = threading.Barrier(GUESTS)

    def register(n: int) -> str:
        with app.app_context():
            user = services.find_or_create_user(f"guest{n}@example.org", f"Guest {n}", "en")
            db.session.commit()
            start.wait(timeout=30)
            registration = services.register(db.session.get(Event, event.id), user, _profile(n), None)
            return registration.state

    with ThreadPoolExecutor(max_workers=GUESTS) as pool:
        answers = list(pool.map(register, range(GUESTS)))

    # What each guest was told matches what the database holds.
    assert answers.count(CONFIRMED) == PLACES_LEFT
    assert answers.count(WAITLISTED) == GUESTS - PLACES_LEFT
    with app.app_context():
        counts = dict(db.session.execute(
            select(Registration.state, func.count()).group_by(Registration.state)
        ).all())
    assert counts == {CONFIRMED: 30, WAITLISTED: GUESTS - PLACES_LEFT}


def test_simultaneous_cancellations_promote_each_waitlisted_guest_once(app, make_event):
    event = make_event(capacity=5)
    _seed_confirmed(app, event.id, 5)
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        for n in range(5):
            user = services.find_or_create_user(f"waiting{n}@example.org", f"Waiting {n}", "en")
            services.register(event_row, user, _profile(n), None)
        confirmed_ids = db.session.scalars(
            select(Registration.id).where(Registration.state == CONFIRMED)
        ).all()
    start = threading.Barrier(len(confirmed_ids))

    def cancel(registration_id: int) -> None:
        with app.app_context():
            registration = db.session.get(Registration, registration_id)
            db.session.commit()  # hold no lock while waiting for the others
            start.wait(timeout=30)
            lifecycle.cancel(registration, actor=registration.user)

    with ThreadPoolExecutor(max_workers=len(confirmed_ids)) as pool:
        list(pool.map(cancel, confirmed_ids))

    with app.app_context():
        states = db.session.execute(select(Registration.email, Registration.state)).all()
    confirmed = sorted(email for email, state in states if state == CONFIRMED)
    assert confirmed == [f"waiting{n}@example.org" for n in range(5)]
