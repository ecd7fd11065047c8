"""My trip as a whole: every card on one page, each card one statement however much the guest has."""

import json
import re
from datetime import timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.guests.trip import trip_of
from portal.models import (
    AccessibilityNeeds, Allergy, CheckIn, DietaryNeeds, LodgingRequest, MedicalNotes, NeedsConsent,
    Registration, ScheduleNotice, SessionChange, Survey, SurveyParticipation,
)
from portal.needs.services import NOTICE_VERSION
from portal.surveys import services as surveys
from tests.factories import (
    add_survey, ask_for_help, at, counting_queries, file_directly, file_leg, make_block, make_guest, make_session,
)

# A statement that reads from a table behind a card.
READS_A_CARD = re.compile(
    r"\b(FROM|JOIN) (needs_consent|lodging_request|transport_leg|ticket|agenda_schedule_notice|survey)\b")


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


def notify(app, event, guest, title):
    """A change to a session the guest holds (the room moved), not read yet."""
    session_id = make_session(app, event, title, at(event, 0, 10))
    with app.app_context():
        change = SessionChange(event_id=event.id, session_id=session_id, changes=json.dumps(
            {"room": {"old": ["Lotus Hall", "莲花厅"], "new": ["Peony Room", "牡丹厅"]}}))
        db.session.add(change)
        db.session.flush()
        db.session.add(ScheduleNotice(registration_id=guest.registration_id, change_id=change.id))
        db.session.commit()


def one_of_each_card(app, event, guest, block_id):
    """A room, an arrival, a help request, a schedule change and a survey: every card has something."""
    file_directly(app, event, guest, block_id)
    file_leg(app, event, guest, "arrival")
    ask_for_help(app, event, guest, ["Lost badge"])
    notify(app, event, guest, "Opening keynote")
    add_survey(app, event, [("yes_no", "Again?", {})])


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
    one_of_each_card(app, event, guest, block_id)
    page, few = my_trip(app, client, event)
    assert "Lakeside Hotel" in page and "CA1501" in page.replace(" ", "") and "Lost badge" in page
    assert "Halal" in page and "Fish (Mild)" in page and "step-free access" in page
    assert "A session in your agenda has changed." in page and "Peony Room" in page
    assert "How was it?" in page and "Answer the survey" in page

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
    for title in ("Trade panel", "Closing dinner"):
        notify(app, event, guest, title)
    add_survey(app, event, [("yes_no", "Again?", {})], audience="categories", categories=["delegate"])
    page, many = my_trip(app, client, event)
    assert page.count('data-testid="roommate-ask"') == 3 and "Host 2 asks to share a room" in page
    assert "Milk (Mild)" in page and "Soy (Mild)" in page
    # Each allergy once, in the order of the list of allergens, although the help card's rows join them.
    assert "Peanuts (Mild), Milk (Mild), Fish (Mild), Soy (Mild)" in page
    # The help card lists the three newest requests only, newest first.
    assert "Question 5" in page and "Question 3" in page and "Question 2" not in page
    assert page.index("Question 5") < page.index("Question 4") < page.index("Question 3")
    assert "3 changes to sessions in your agenda." in page and "Closing dinner" in page
    assert len(few) == len(many), (few, many)


def test_my_trip_with_nothing_yet_shows_the_empty_cards_for_the_same_statements(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "guest@example.org", name="Guest")
    auth.login_as(guest)
    page, empty = my_trip(app, client, event)
    assert "No room requested yet." in page and "Not given yet." in page
    assert "Need anything? The help desk answers here and by e-mail." in page
    assert 'data-testid="schedule-notices"' not in page and 'id="survey-heading"' not in page
    # Each card reads its own part: needs, lodging, transport, help requests, schedule changes, survey.
    assert len([s for s in empty if READS_A_CARD.search(s)]) == 6, empty
    one_of_each_card(app, event, guest, make_block(app, event))
    page, full = my_trip(app, client, event)
    assert "Lost badge" in page and "A session in your agenda has changed." in page and "How was it?" in page
    # A survey to show costs one statement more (its title and whether it is answered).
    assert len(full) == len(empty) + 1, (empty, full)


def test_the_survey_card_says_whether_the_guest_answered(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "guest@example.org", name="Guest")
    auth.login_as(guest)
    survey = add_survey(app, event, [("yes_no", "Again?", {})])
    assert "Tell us how the event went for you" in my_trip(app, client, event)[0]
    with app.app_context():
        participation = SurveyParticipation(survey_id=survey["id"], registration_id=guest.registration_id)
        db.session.add(participation)
        db.session.commit()
        page = my_trip(app, client, event)[0]
        assert "Your answers are saved as a draft." in page and "Continue the survey" in page
        participation.submitted = True
        db.session.commit()
    page = my_trip(app, client, event)[0]
    assert "Thank you for your answers." in page and "Continue the survey" not in page
    assert "Answer the survey" not in page


def _asked_one_by_one(event_id, registration):
    """The survey a guest is asked, found as survey_for_guest found it before it asked in one statement."""
    now = utcnow()
    candidates = db.session.scalars(select(Survey).where(Survey.event_id == event_id).order_by(Survey.id.desc()))
    for survey in sorted((s for s in candidates if s.is_open(now)), key=lambda s: s.opened_at or s.opens_at,
                         reverse=True):
        if surveys.in_audience(survey, registration):
            return survey.id
    return None


def test_the_survey_asked_is_the_newest_open_one_whose_audience_takes_the_guest_in(app, make_event):
    event = make_event()
    guests = {
        "delegate, checked in": make_guest(app, event, "in@example.org"),
        "delegate": make_guest(app, event, "out@example.org"),
        "vip": make_guest(app, event, "vip@example.org", category="vip"),
        "vip, pending": make_guest(app, event, "pending@example.org", state="pending", category="vip"),
    }
    now = utcnow()
    with app.app_context():
        checked_in = guests["delegate, checked in"]
        # Checked in at the desk; the guest's own account stands in for the member of staff.
        db.session.add(CheckIn(registration_id=checked_in.registration_id, event_id=event.id,
                               staff_id=checked_in.user_id, at=now))
        db.session.commit()
    ids = {name: add_survey(app, event, [("yes_no", "Again?", {})], audience=audience, open_=False,
                            categories=categories)["id"]
           for name, audience, categories in (
               ("everyone", "confirmed", ()), ("came", "checked_in", ()), ("vips", "categories", ["vip"]),
               ("later", "confirmed", ()), ("ended", "confirmed", ()), ("past its date", "confirmed", ()))}
    windows = {  # opened_at, closed_at, opens_at, closes_at
        "everyone": (now - timedelta(hours=3), None, None, None),
        "came": (None, None, now - timedelta(hours=2), now + timedelta(hours=1)),
        "vips": (now - timedelta(hours=1), None, None, None),
        "later": (None, None, now + timedelta(hours=1), None),
        "ended": (now - timedelta(minutes=5), now - timedelta(minutes=1), None, None),
        "past its date": (now - timedelta(minutes=30), None, None, now - timedelta(minutes=1)),
    }
    with app.app_context():
        for name, (opened_at, closed_at, opens_at, closes_at) in windows.items():
            survey = db.session.get(Survey, ids[name])
            survey.opened_at, survey.closed_at = opened_at, closed_at
            survey.opens_at, survey.closes_at = opens_at, closes_at
        db.session.commit()

    def asked():
        with app.app_context():
            found = {}
            for name, guest in guests.items():
                registration = db.session.get(Registration, guest.registration_id)
                found[name] = surveys.asked_survey_id(registration.event, registration)
                assert found[name] == _asked_one_by_one(event.id, registration), name
                # My trip asks the same question inside its one statement.
                card = trip_of(registration).survey
                assert (card["survey"].id if card else None) == found[name], name
            return found

    assert asked() == {"delegate, checked in": ids["came"], "delegate": ids["everyone"], "vip": ids["vips"],
                       "vip, pending": None}
    with app.app_context():
        db.session.get(Survey, ids["vips"]).closed_at = utcnow()
        db.session.get(Survey, ids["came"]).opened_at = utcnow()  # opened by hand as well: now the newest
        db.session.get(Survey, ids["later"]).opens_at = utcnow() - timedelta(hours=4)
        db.session.commit()
    assert asked() == {"delegate, checked in": ids["came"], "delegate": ids["everyone"], "vip": ids["everyone"],
                       "vip, pending": None}
    with app.app_context():
        db.session.get(Survey, ids["everyone"]).closed_at = utcnow()
        db.session.commit()
    assert asked() == {"delegate, checked in": ids["came"], "delegate": ids["later"], "vip": ids["later"],
                       "vip, pending": None}
