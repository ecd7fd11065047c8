"""The guest's own data: a JSON download of everything about them, and erasing their account."""

import json

import pytest
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.guests import tickets
from portal.models import (
    AuditEntry, DietaryNeeds, Event, MedicalNotes, NeedsConsent, OutboundMail, Registration, RegistrationChange, User,
)
from tests.factories import add_needs_guest, give_consent, MEDICAL_NOTE, needs_form, submit


@pytest.fixture
def amira(app, client, auth, summit):
    user, registration_id = add_needs_guest(app, summit, email="amira@example.org", name="Amira Haddad")
    auth.login_as(user)
    give_consent(client)
    assert submit(client, "/e/summit/me/needs/edit", needs_form()).status_code == 303
    return user, registration_id


def test_the_download_holds_my_data_and_only_mine(app, client, summit, amira):
    user, registration_id = amira
    add_needs_guest(app, summit, email="bo@example.org", name="Bo Berg")
    with app.app_context():
        db.session.add(OutboundMail(kind="t", recipient="amira@example.org", subject="Welcome Amira", body_text="Hi",
                                    message_id="<m1@x>"))
        db.session.add(OutboundMail(kind="t", recipient="bo@example.org", subject="Welcome Bo", body_text="Hi",
                                    message_id="<m2@x>"))
        db.session.commit()
    assert "Download my data" in client.get("/e/summit/me/data").get_data(as_text=True)
    response = client.get("/e/summit/me/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "amira@example.org" and "password_hash" not in data["account"]
    assert [r["id"] for r in data["registrations"]] == [registration_id]
    assert data["registrations"][0]["history"][0]["to"] == "confirmed"
    needs = data["needs"][0]
    assert needs["dietary"]["diet"] == "halal" and needs["medical"]["notes"] == MEDICAL_NOTE
    assert {a["allergen"] for a in needs["allergies"]} == {"peanuts", "milk"}
    assert needs["consent"]["notice_version"]
    assert [m["subject"] for m in data["mail"]] == ["Welcome Amira"]
    text = response.get_data(as_text=True)
    assert "bo@example.org" not in text and "Bo Berg" not in text
    for section in ("agenda", "check_ins"):
        assert section in data
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.download"))
        assert entry.actor_id == user.id and entry.event_id == summit.id


def test_erasing_my_account_asks_first_then_erases_and_signs_me_out(app, client, summit, amira, make_staff):
    user, registration_id = amira
    _, waiting_id = add_needs_guest(app, summit, email="wait@example.org", name="Wait Listed", state="waitlisted")
    with app.app_context():
        db.session.get(Event, summit.id).capacity = 2
        db.session.add(OutboundMail(kind="t", recipient="amira@example.org", subject="Welcome", body_text="Amira",
                                    message_id="<m1@x>"))
        db.session.commit()
    page = client.get("/e/summit/me/data/erase").get_data(as_text=True)
    assert "cannot be undone" in page
    unconfirmed = submit(client, "/e/summit/me/data/erase", {})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).email == "amira@example.org"

    response = submit(client, "/e/summit/me/data/erase", {"understood": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    # Signed out: My trip asks to sign in.
    assert client.get("/e/summit/me").headers["Location"].startswith("/login")
    with app.app_context():
        erased = db.session.get(User, user.id)
        assert erased.email.endswith("@erased.invalid") and erased.display_name == "" and erased.password_hash is None
        registration = db.session.get(Registration, registration_id)
        # Kept for the counts, anonymous: state, category and country stay.
        assert registration.state == "cancelled" and registration.country == "CN" and registration.category_id
        assert registration.name_latin == "[erased]" and registration.phone == "" and "amira" not in registration.email
        assert db.session.scalar(select(func.count()).select_from(DietaryNeeds)) == 0
        assert db.session.scalar(select(func.count()).select_from(MedicalNotes)) == 0
        assert db.session.scalar(select(func.count()).select_from(NeedsConsent)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)
                                 .where(OutboundMail.recipient == "amira@example.org")) == 0
        # The freed place went to the waiting list.
        assert db.session.get(Registration, waiting_id).state == "confirmed"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erase"))
        assert entry.event_id == summit.id and entry.actor_id == user.id
        assert MEDICAL_NOTE not in json.dumps([e.detail for e in db.session.scalars(select(AuditEntry))])
        assert db.session.scalar(select(func.count()).select_from(RegistrationChange)
                                 .where(RegistrationChange.registration_id == registration_id)) >= 2


def test_a_staff_account_is_not_erased_online(app, client, auth, make_staff, summit):
    staff = make_staff("cora@example.org", summit, roles=("lodging",))
    with app.app_context():
        db.session.add(Registration(event_id=summit.id, user_id=staff.id, state="confirmed", email=staff.email,
                                    name_original="Cora", name_latin="Cora", consent_at=utcnow(),
                                    ticket_code=tickets.new_ticket_code(),
                                    confirmation_code=tickets.new_confirmation_code()))
        db.session.commit()
    auth.login_as(staff)
    assert client.get("/e/summit/me/data/erase").status_code == 403
    assert submit(client, "/e/summit/me/data/erase", {"understood": "y"}, page="/e/summit/me/data").status_code == 403
    with app.app_context():
        assert db.session.get(User, staff.id).email == "cora@example.org"
