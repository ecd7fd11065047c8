"""`flask seed-demo`: a full demo event, its staff, and nothing sent."""

import re

from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Event, Invitation, OutboundMail, Registration, RegistrationChange, StaffRole, User,
)
from portal.models.registration import STATES, TRANSITIONS

SIGN_IN_LINE = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", re.M)


def _snapshot():
    """Row counts and every registration's identity, to show a second run changed nothing."""
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, User, StaffRole, Invitation, Registration, RegistrationChange, OutboundMail)
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
        assert event.starts_on > event.created_at.date()
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
        assert dict(roles) == {"organizer": 1, "coordinator": 1, "helpdesk": 1}
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
