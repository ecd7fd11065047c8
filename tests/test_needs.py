"""The guest's needs: separate consent first, then diet, allergies, accessibility, medical; withdrawal erases."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AccessibilityNeeds, Allergy, AuditEntry, DietaryNeeds, MedicalNotes, NeedsConsent, Registration,
)
from portal.needs import services
from tests.factories import add_needs_guest, give_consent, MEDICAL_NOTE, needs_form, stored_counts, submit


@pytest.fixture
def guest(app, client, auth, summit):
    user, registration_id = add_needs_guest(app, summit)
    auth.login_as(user)
    return registration_id


def test_the_form_waits_for_a_separate_consent(app, client, guest):
    response = client.get("/e/summit/me/needs/edit")
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/me/needs/consent"
    page = client.get("/e/summit/me/needs/consent").get_data(as_text=True)
    assert "only the organizer and staff they" in page and 'name="agree"' in page

    # Posting the consent form without ticking the box stores nothing.
    refused = submit(client, "/e/summit/me/needs/consent", {"notice_version": services.NOTICE_VERSION})
    assert refused.status_code == 422
    assert "Tick the box to give your consent" in refused.get_data(as_text=True)
    assert stored_counts(app)["needs_consent"] == 0

    give_consent(client)
    with app.app_context():
        consent = db.session.scalar(select(NeedsConsent))
        assert consent.registration_id == guest and consent.active
        assert consent.notice_version == services.NOTICE_VERSION and "medical" in consent.notice_text


def test_saving_without_consent_stores_nothing_and_says_why(app, client, guest):
    response = submit(client, "/e/summit/me/needs/edit", needs_form(), page="/e/summit/me")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was stored" in body and "Give your consent first" in body
    # What was typed comes back in the form, not in the database.
    assert MEDICAL_NOTE in body
    assert all(count == 0 for count in stored_counts(app).values())


def test_a_guest_states_every_need_and_sees_it_on_my_trip(app, client, guest):
    give_consent(client)
    response = submit(client, "/e/summit/me/needs/edit", needs_form())
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/me/needs"
    with app.app_context():
        assert db.session.scalar(select(DietaryNeeds.diet)) == "halal"
        assert {(a.allergen, a.severity) for a in db.session.scalars(select(Allergy))} == {
            ("peanuts", "anaphylactic"), ("milk", "mild")}
        access = db.session.scalar(select(AccessibilityNeeds))
        assert access.wheelchair and not access.step_free
        medical = db.session.scalar(select(MedicalNotes))
        assert medical.notes == MEDICAL_NOTE and medical.emergency_phone == "+86 139 1111 2222"
    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "Your halal meals are arranged." in trip
    assert "Peanuts (Anaphylactic)" in trip and "wheelchair" in trip
    # The card says medical notes are on file without printing them.
    assert MEDICAL_NOTE not in trip

    # Changing replaces: an allergy unticked is gone, an emptied section is deleted.
    response = submit(client, "/e/summit/me/needs/edit", needs_form(
        diet="none", allergens=["egg"], severity_egg="severe", severity_peanuts="", severity_milk="",
        wheelchair=None, medical_notes="", emergency_name="", emergency_phone="", emergency_relation=""))
    assert response.status_code == 303
    with app.app_context():
        assert [(a.allergen, a.severity) for a in db.session.scalars(select(Allergy))] == [("egg", "severe")]
        assert db.session.scalar(select(func.count()).select_from(AccessibilityNeeds)) == 0
        assert db.session.scalar(select(func.count()).select_from(MedicalNotes)) == 0


def test_the_form_shows_what_is_stored(app, client, guest):
    give_consent(client)
    submit(client, "/e/summit/me/needs/edit", needs_form(other_allergy="Kiwi", severity_other="severe"))
    page = client.get("/e/summit/me/needs/edit").get_data(as_text=True)
    assert '<input checked id="allergens-0" name="allergens" type="checkbox" value="peanuts">' in page
    assert '<select id="severity_peanuts" name="severity_peanuts"><option value="">How severe?</option>' \
           '<option value="mild">Mild</option><option value="severe">Severe</option>' \
           '<option selected value="anaphylactic">' in page
    assert 'value="Kiwi"' in page and MEDICAL_NOTE in page


@pytest.mark.parametrize("overrides, message", [
    ({"medical_notes": "x" * 2001}, "At most 2000 characters."),
    ({"diet_detail": "x" * 301}, "At most 300 characters."),
    ({"accessibility_other": "x" * 1001}, "At most 1000 characters."),
    ({"allergens": ["peanuts", "cucumber"], "severity_cucumber": "mild"}, "Choose allergens from the list"),
    ({"allergens": ["peanuts", "egg"]}, "Say how severe each allergy is: Egg."),
    ({"severity_peanuts": "deadly"}, "Not a valid choice"),
    ({"diet": "carnivore"}, "Not a valid choice"),
    ({"diet": "other", "diet_detail": "  "}, "Tell us which diet you follow."),
    ({"other_allergy": "Kiwi"}, "Say how severe this allergy is."),
    ({"emergency_phone": ""}, "Give a phone number for your emergency contact."),
    ({"emergency_phone": "call me"}, "Enter a phone number such as"),
])
def test_bad_input_is_explained_and_nothing_half_written(app, client, guest, overrides, message):
    give_consent(client)
    assert submit(client, "/e/summit/me/needs/edit", needs_form(diet="vegan", medical_notes="First notes")).status_code == 303
    before = stored_counts(app)
    response = submit(client, "/e/summit/me/needs/edit", needs_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored_counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(DietaryNeeds.diet)) == "vegan"
        assert db.session.scalar(select(MedicalNotes.notes)) == "First notes"


def test_withdrawing_consent_erases_everything_at_once(app, client, guest):
    give_consent(client)
    submit(client, "/e/summit/me/needs/edit", needs_form())
    confirm = client.get("/e/summit/me/needs/withdraw").get_data(as_text=True)
    assert "will be erased" in confirm
    response = submit(client, "/e/summit/me/needs/withdraw", {})
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/me/needs"
    counts = stored_counts(app)
    assert counts.pop("needs_consent") == 1 and all(count == 0 for count in counts.values())
    with app.app_context():
        assert db.session.scalar(select(NeedsConsent.withdrawn_at)) is not None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "needs.consent_withdrawn"))
        assert "medical 1" in entry.detail and "allergies 2" in entry.detail

    # Data still posted (an old tab) after withdrawal: refused, explained, nothing stored.
    again = submit(client, "/e/summit/me/needs/edit", needs_form(), page="/e/summit/me")
    assert again.status_code == 422 and "you withdrew" in again.get_data(as_text=True)
    counts = stored_counts(app)
    assert counts.pop("needs_consent") == 1 and all(count == 0 for count in counts.values())
    assert "State my needs" in client.get("/e/summit/me").get_data(as_text=True)


def test_consent_may_be_given_again_after_withdrawal(app, client, guest):
    give_consent(client)
    submit(client, "/e/summit/me/needs/withdraw", {}, page="/e/summit/me/needs/withdraw")
    give_consent(client)
    assert submit(client, "/e/summit/me/needs/edit", needs_form()).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(NeedsConsent.withdrawn_at)) is None


def test_changes_close_at_the_cut_off(app, client, auth, make_event):
    summit = make_event(changes_close_at=utcnow() - timedelta(hours=1))
    user, registration_id = add_needs_guest(app, summit)
    auth.login_as(user)
    with app.app_context():
        db.session.add(NeedsConsent(registration_id=registration_id, notice_version=services.NOTICE_VERSION,
                                    notice_text="n"))
        db.session.commit()
    response = submit(client, "/e/summit/me/needs/edit", needs_form(), page="/e/summit/me")
    assert response.status_code == 422 and "Changes are closed" in response.get_data(as_text=True)
    assert stored_counts(app)["dietary_needs"] == 0
    # Withdrawal is always possible.
    assert submit(client, "/e/summit/me/needs/withdraw", {}).status_code == 303


def test_htmx_edits_the_card_in_place(app, client, guest):
    headers = {"HX-Request": "true"}
    card = client.get("/e/summit/me/needs/consent", headers=headers).get_data(as_text=True)
    assert card.lstrip().startswith('<section class="card needs-card" id="needs-card"') and "<html" not in card
    give_consent(client)
    form = client.get("/e/summit/me/needs/edit", headers=headers)
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body and 'hx-target="#needs-card"' in body
    token = body.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    bad = client.post("/e/summit/me/needs/edit", headers=headers,
                      data={"csrf_token": token, **needs_form(medical_notes="x" * 3000)})
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
    saved = client.post("/e/summit/me/needs/edit", headers=headers, data={"csrf_token": token, **needs_form()},
                        follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "<html" not in text and "Your halal meals are arranged." in text
    # A boosted navigation gets the whole page.
    page = client.get("/e/summit/me/needs", headers={**headers, "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in page


def test_the_kiosk_says_meals_are_arranged_and_nothing_more(app, client, guest, summit):
    give_consent(client)
    submit(client, "/e/summit/me/needs/edit", needs_form())
    from portal.checkin.welcome import cards_for
    with app.test_request_context("/kiosk/"):
        registration = db.session.get(Registration, guest)
        cards = [c for c in cards_for(registration, summit.starts_on) if c.template == "needs/_kiosk_card.html"]
        assert [str(c.context["line"]) for c in cards] == ["Your halal meals are arranged."]
        from flask import render_template_string
        html = render_template_string('{% for card in cards %}{% include card.template %}{% endfor %}', cards=cards)
        assert "halal" in html and "Peanut" not in html and MEDICAL_NOTE not in html
        # Not a meal day: no card.
        assert not [c for c in cards_for(registration, summit.starts_on - timedelta(days=1))
                    if c.template == "needs/_kiosk_card.html"]
