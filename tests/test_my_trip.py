"""My trip as a whole: every card on one page, in a few statements however much the guest has."""

from portal.extensions import db
from portal.helpdesk import services as helpdesk
from portal.models import (
    AccessibilityNeeds, Allergy, DietaryNeeds, Event, LodgingRequest, MedicalNotes, NeedsConsent, Registration, User,
)
from portal.needs.services import NOTICE_VERSION
from tests.conftest import counting_queries
from tests.test_agenda import make_guest
from tests.test_lodging import file_directly, make_block
from tests.test_transport import file_leg


def state_needs(app, guest, allergens):
    with app.app_context():
        rid = guest.registration_id
        db.session.add_all([
            NeedsConsent(registration_id=rid, notice_version=NOTICE_VERSION, notice_text="The notice."),
            DietaryNeeds(registration_id=rid, diet="halal"),
            AccessibilityNeeds(registration_id=rid, step_free=True),
            MedicalNotes(registration_id=rid, notes="Asthma", emergency_name="Li Na"),
            *(Allergy(registration_id=rid, allergen=allergen, severity="mild") for allergen in allergens),
        ])
        db.session.commit()


def ask_for_help(app, event, guest, subjects):
    with app.app_context():
        registration = db.session.get(Registration, guest.registration_id)
        for subject in subjects:
            helpdesk.raise_ticket(db.session.get(Event, event.id), category="other", subject=subject,
                                  body="Could someone help me, please?", source="portal",
                                  registration=registration, author=db.session.get(User, guest.user_id))


def my_trip(app, client, event):
    with counting_queries(app) as statements, client.get(f"/e/{event.slug}/me") as response:
        assert response.status_code == 200
        return response.get_data(as_text=True), statements


def test_my_trip_costs_the_same_statements_however_much_the_guest_has(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event, rooms=5)
    guest = make_guest(app, event, "guest@example.org", name="Guest")
    auth.login_as(guest)
    state_needs(app, guest, ["fish"])
    file_directly(app, event, guest, block_id)
    file_leg(app, event, guest, "arrival")
    ask_for_help(app, event, guest, ["Lost badge"])
    page, few = my_trip(app, client, event)
    assert "Lakeside Hotel" in page and "CA1501" in page.replace(" ", "") and "Lost badge" in page
    assert "Halal" in page and "Fish (Mild)" in page and "step-free access" in page

    # More of everything: allergies, a departure, guests asking to share the room, more help requests.
    with app.app_context():
        db.session.add_all(Allergy(registration_id=guest.registration_id, allergen=allergen, severity="mild")
                           for allergen in ("milk", "peanuts", "soy"))
        db.session.commit()
    file_leg(app, event, guest, "departure", day_offset=2)
    for n in range(3):
        host = make_guest(app, event, f"host{n}@example.org", name=f"Host {n}")
        request_id = file_directly(app, event, host, block_id, occupancy=2)
        with app.app_context():
            # Written directly: the service lets a guest share one room at a time, the card shows any number.
            db.session.get(LodgingRequest, request_id).roommate_id = guest.registration_id
            db.session.commit()
    ask_for_help(app, event, guest, [f"Question {n}" for n in range(6)])
    page, many = my_trip(app, client, event)
    assert page.count('data-testid="roommate-ask"') == 3 and "Host 2 asks to share a room" in page
    assert "Milk (Mild)" in page and "Soy (Mild)" in page
    # The help card lists the three newest requests only.
    assert "Question 5" in page and "Question 3" in page and "Question 2" not in page
    assert len(few) == len(many), (few, many)


def test_my_trip_with_nothing_yet_reads_less_and_shows_the_empty_cards(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "guest@example.org", name="Guest")
    auth.login_as(guest)
    page, empty = my_trip(app, client, event)
    assert "No room requested yet." in page and "Not given yet." in page
    assert "Need anything? The help desk answers here and by e-mail." in page
    block_id = make_block(app, event)
    file_directly(app, event, guest, block_id)
    file_leg(app, event, guest, "arrival")
    ask_for_help(app, event, guest, ["Lost badge"])
    page, full = my_trip(app, client, event)
    # One statement more for each card that has something to show, never more.
    assert len(full) == len(empty) + 3, (empty, full)
