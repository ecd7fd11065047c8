"""Staff acting for a guest: a walk-in registered, checked in and badged at the desk; lodging by phone."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import (
    Allergy, AuditEntry, BadgePrint, CheckIn, LodgingRequest, Registration, RegistrationChange, RoomNight, TransportLeg,
    NeedsConsent, StaffPermission, Station, User,
)
from tests.factories import submit
from tests.factories import make_block, stay_form
from tests.factories import needs_form
from tests.factories import add_guests


def walk_in_form(event, **overrides):
    data = {
        "name_original": "Salem Al Zoubi", "name_latin": "Salem Al Zoubi", "surname": "Al Zoubi",
        "honorific": "", "organization": "Ministry of Economy", "job_title": "", "country": "AE",
        "phone": "+971 50 000 0000", "language": "en", "email": "salem@example.org",
        "category": str(next(c.id for c in event.categories if c.code == "delegate")),
        "source": "At the registration desk", "consent": "y", "check_in": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)).all()


def test_the_help_desk_registers_checks_in_and_badges_a_walk_in(app, client, auth, make_staff, summit, mailbox):
    desk = make_staff("hana@example.org", summit, roles=("helpdesk",))
    auth.login_as(desk)
    response = submit(client, "/staff/e/summit/guests/new", walk_in_form(summit))
    response.close()  # the confirmation goes out once the response is closed
    assert response.status_code == 303
    badge_url = response.headers["Location"]
    assert re.fullmatch(r"/staff/e/summit/guests/\d+/badge", badge_url)
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == "salem@example.org"))
        assert registration.state == "confirmed"
        assert db.session.scalar(select(CheckIn.staff_id).where(CheckIn.registration_id == registration.id)) \
            == desk.id
        change = db.session.scalar(select(RegistrationChange).where(
            RegistrationChange.registration_id == registration.id))
        assert (change.actor_id, change.reason) == (desk.id, "At the registration desk")
        registration_id = registration.id
    assert _audit(app, "registration.on_behalf") == ["At the registration desk; consent given through staff"]
    assert len(mailbox.to("salem@example.org")) == 1

    page = client.get(badge_url)
    assert "Salem Al Zoubi" in page.get_data(as_text=True) and "Not printed yet." in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    for _ in range(2):
        assert submit(client, badge_url, {}).status_code == 303
    with app.app_context():
        prints = db.session.scalars(select(BadgePrint.reprint).where(BadgePrint.registration_id == registration_id)
                                    .order_by(BadgePrint.id)).all()
    assert prints == [False, True]
    guest_page = client.get(f"/staff/e/summit/guests/{registration_id}").get_data(as_text=True)
    assert "Checked in" in guest_page and "Badge printed 2 times, last " in guest_page
    assert "At the registration desk" in guest_page  # the history says where the details came from


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"source": ""}, "source", "Say where the details came from."),
    ({"consent": None}, "consent", "Staff may enter a guest's details only with their consent."),
    ({"email": "nope"}, "email", "Enter an e-mail address such as name@example.org."),
    ({"phone": "call me"}, "phone", "Enter a phone number such as +86 138 0000 0000."),
    ({"category": "0"}, "category", "Choose a category."),  # the first choice is no category, not VIP
])
def test_a_bad_walk_in_is_explained_beside_the_field_and_nothing_is_stored(app, client, auth, make_staff, summit,
                                                                           mailbox, overrides, field, message):
    auth.login_as(make_staff("hana@example.org", summit, roles=("helpdesk",)))
    response = submit(client, "/staff/e/summit/guests/new", walk_in_form(summit, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page), page
    assert 'value="Ministry of Economy"' in page
    with app.app_context():
        assert db.session.scalar(select(Registration)) is None
    assert mailbox.messages == []


def test_an_address_already_registered_is_refused_beside_the_email(app, client, auth, make_staff, summit):
    add_guests(app, summit, 1, prefix="salem")
    auth.login_as(make_staff("hana@example.org", summit, roles=("helpdesk",)))
    response = submit(client, "/staff/e/summit/guests/new", walk_in_form(summit, email="salem0@example.org"))
    assert response.status_code == 422
    assert re.search(r'id="email-error">[^<]*already registered', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(CheckIn)) is None
    assert _audit(app, "registration.on_behalf") == []


def test_a_walk_in_to_a_full_event_waits_and_is_not_checked_in(app, client, auth, make_event, make_staff):
    gala = make_event(slug="gala", capacity=1)
    add_guests(app, gala, 1)
    auth.login_as(make_staff("olivia@example.org", gala, roles=("organizer",)))
    response = submit(client, "/staff/e/gala/guests/new", walk_in_form(gala))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(tuple("0123456789"))  # the guest page, not the badge
    with app.app_context():
        assert db.session.scalar(select(Registration.state).where(Registration.email == "salem@example.org")) \
            == "waitlisted"
        assert db.session.scalar(select(CheckIn)) is None
    # The desk asked for a check-in; the page says it did not happen, and why.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not checked in: only a confirmed guest can be checked in." in page


def test_the_walk_in_form_takes_no_category_for_granted(app, client, auth, make_staff, summit):
    auth.login_as(make_staff("hana@example.org", summit, roles=("helpdesk",)))
    page = client.get("/staff/e/summit/guests/new").get_data(as_text=True)
    first = re.search(r'<select[^>]*name="category"[^>]*>\s*<option([^>]*)>([^<]*)<', page)
    assert first.group(2) == "Choose a category" and 'value="0"' in first.group(1)
    assert "selected" not in first.group(1) or 'value="0"' in first.group(1)


def test_in_an_event_that_needs_approval_the_organizers_walk_in_is_admitted_and_checked_in(
        app, client, auth, make_event, make_staff, mailbox):
    forum = make_event(slug="forum", approval_required=True)
    organizer = make_staff("olivia@example.org", forum, roles=("organizer",))
    auth.login_as(organizer)
    assert "registering with a check-in gives yours" in client.get("/staff/e/forum/guests/new").get_data(as_text=True)
    response = submit(client, "/staff/e/forum/guests/new", walk_in_form(forum))
    response.close()
    assert re.fullmatch(r"/staff/e/forum/guests/\d+/badge", response.headers["Location"])
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == "salem@example.org"))
        assert registration.state == "confirmed"
        assert db.session.scalar(select(CheckIn.staff_id).where(CheckIn.registration_id == registration.id)) \
            == organizer.id
        code = registration.confirmation_code
    with app.app_context():
        approvals = db.session.execute(select(AuditEntry.subject, AuditEntry.detail)
                                       .where(AuditEntry.action == "registration.approve")).all()
    assert approvals == [(code, "At the registration desk")]
    assert len(mailbox.to("salem@example.org")) == 1  # confirmed, not "pending" first


def test_in_an_event_that_needs_approval_the_desks_walk_in_waits_for_an_organizer(
        app, client, auth, make_event, make_staff):
    forum = make_event(slug="forum", approval_required=True)
    auth.login_as(make_staff("hana@example.org", forum, roles=("helpdesk",)))
    assert "the guest waits for it and is checked in once approved" in \
        client.get("/staff/e/forum/guests/new").get_data(as_text=True)
    response = submit(client, "/staff/e/forum/guests/new", walk_in_form(forum))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Registration.state)) == "pending"
        assert db.session.scalar(select(CheckIn)) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not checked in: only a confirmed guest can be checked in." in page


def test_a_coordinator_enters_lodging_by_phone_then_moves_it_to_another_block(app, client, auth, make_staff,
                                                                             summit, mailbox):
    first, second = make_block(app, summit), make_block(app, summit)
    [guest_id] = add_guests(app, summit, 1)
    coordinator = make_staff("cora@example.org", summit, roles=("lodging",))
    auth.login_as(coordinator)
    url = f"/staff/e/summit/guests/{guest_id}/lodging"
    source = "By phone from the minister's office"
    response = submit(client, url, {**stay_form(summit, first), "source": source, "consent": "y"})
    assert response.status_code == 303
    with app.app_context():
        request = db.session.scalar(select(LodgingRequest))
        assert (request.block_id, request.state) == (first, "requested")
        # The hotel confirms it: the block's nights are taken.
        lodging.confirm(summit, request.id, db.session.get(User, coordinator.id), "H-1")
        assert db.session.scalar(select(RoomNight.taken).where(RoomNight.block_id == first,
                                                               RoomNight.night == summit.starts_on)) == 1
    page = client.get(url).get_data(as_text=True)
    assert 'value="High floor, please."' not in page and "High floor, please." in page  # the textarea keeps it

    moved = submit(client, url, {**stay_form(summit, second, check_out=(summit.starts_on + timedelta(days=1))
                                             .isoformat()), "source": source, "consent": "y"})
    assert moved.status_code == 303
    with app.app_context():
        request = db.session.scalar(select(LodgingRequest))
        assert (request.block_id, request.state, request.check_out) == (
            second, "requested", summit.starts_on + timedelta(days=1))
        # The nights the confirmed stay held went back to the first block.
        assert db.session.scalar(select(RoomNight.taken).where(RoomNight.block_id == first,
                                                               RoomNight.night == summit.starts_on)) == 0
    details = _audit(app, "lodging.on_behalf")
    assert len(details) == 2 and all(d.startswith(source + "; consent given through staff") for d in details)
    guest_page = client.get(f"/staff/e/summit/guests/{guest_id}").get_data(as_text=True)
    assert "Change or move the request" in guest_page


def test_the_blocks_on_offer_say_their_dates_in_words(app, client, auth, make_staff, summit):
    make_block(app, summit)
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("cora@example.org", summit, roles=("lodging",)))
    page = client.get(f"/staff/e/summit/guests/{guest_id}/lodging").get_data(as_text=True)
    first, last = summit.starts_on - timedelta(days=1), summit.starts_on + timedelta(days=3)
    assert f"{first:%b} {first.day}, {first.year} to {last:%b} {last.day}, {last.year}" in page
    assert f"{first.isoformat()} to" not in page


def test_the_staff_lodging_form_speaks_of_the_guest_not_me(app, client, auth, make_staff, summit):
    make_block(app, summit)
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("cora@example.org", summit, roles=("lodging",)))
    page = client.get(f"/staff/e/summit/guests/{guest_id}/lodging").get_data(as_text=True)
    assert "I need an accessible room" not in page and "Just me" not in page
    assert "An accessible room" in page and "The guest alone" in page


def test_a_lodging_refusal_is_shown_beside_its_field(app, client, auth, make_staff, summit):
    block = make_block(app, summit)
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("cora@example.org", summit, roles=("lodging",)))
    response = submit(client, f"/staff/e/summit/guests/{guest_id}/lodging", {
        **stay_form(summit, block, check_out=summit.starts_on.isoformat()), "source": "Mail", "consent": "y"})
    assert response.status_code == 422
    assert re.search(r'id="check_out-error">[^<]*must be after the check-in date', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(LodgingRequest)) is None
    assert _audit(app, "lodging.on_behalf") == []


@pytest.mark.parametrize(("role", "walk_in", "lodging_page"), [
    ("organizer", 200, 200), ("helpdesk", 200, 403), ("lodging", 403, 200), ("transport", 403, 403),
    ("catering", 403, 403)])
def test_who_acts_for_a_guest(app, client, auth, make_staff, summit, role, walk_in, lodging_page):
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff(f"{role}@example.org", summit, roles=(role,)))
    assert client.get("/staff/e/summit/guests/new").status_code == walk_in
    assert client.get(f"/staff/e/summit/guests/{guest_id}/lodging").status_code == lodging_page
    guest_page = client.get(f"/staff/e/summit/guests/{guest_id}").get_data(as_text=True)
    assert ('data-testid="guest-lodging"' in guest_page) == (lodging_page == 200)
    assert ('data-testid="guest-tickets"' in guest_page) == (role in ("organizer", "helpdesk"))


def test_a_coordinator_enters_an_arrival_sent_by_mail(app, client, auth, make_staff, summit):
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("cora@example.org", summit, roles=("transport",)))
    url = f"/staff/e/summit/guests/{guest_id}/transport/arrival"
    arrival = {"mode": "flight", "carrier": "EK", "number": "302",
               "local_time": f"{summit.starts_on.isoformat()}T09:30", "station": "PVG", "terminal": "T2",
               "passengers": "1", "luggage": "2", "pickup_wanted": "y", "notes": "",
               "source": "By mail from the embassy", "consent": "y"}
    bad = submit(client, url, {**arrival, "passengers": "0"})
    assert bad.status_code == 422
    assert re.search(r'id="passengers-error">[^<]*from 1 to 20', bad.get_data(as_text=True))
    assert submit(client, url, arrival).status_code == 303
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg))
        assert (leg.direction, leg.number, leg.station, leg.state) == ("arrival", "302", "PVG", "requested")
    [detail] = _audit(app, "transport.on_behalf")
    assert detail.startswith("By mail from the embassy; consent given through staff; arrival")
    page = client.get(f"/staff/e/summit/guests/{guest_id}").get_data(as_text=True)
    assert "EK 302" in page
    # Reopening the form shows what is stored.
    assert 'value="302"' in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("page", ["transport/arrival", "lodging"])
def test_a_refusal_for_a_cancelled_guest_names_the_guest_not_you(app, client, auth, make_staff, summit, page):
    block = make_block(app, summit)
    [guest_id] = add_guests(app, summit, 1, state="cancelled")
    auth.login_as(make_staff("cora@example.org", summit, roles=("organizer",)))
    form = {"mode": "flight", "carrier": "EK", "number": "302", "local_time": f"{summit.starts_on.isoformat()}T09:30",
            "station": "PVG", "passengers": "1", "luggage": "1"} if page != "lodging" else stay_form(summit, block)
    response = submit(client, f"/staff/e/summit/guests/{guest_id}/{page}", {**form, "source": "Mail", "consent": "y"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The registration of Guest 0 is not active: nothing was saved." in text
    assert "Your registration" not in text


def test_the_staff_leg_form_offers_the_coordinators_station_list(app, client, auth, make_staff, summit):
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("cora@example.org", summit, roles=("transport",)))
    assert submit(client, "/staff/e/summit/transport/stations",
                  {"name_en": "Shanghai Pudong International Airport", "code": "PVG", "kind": "airport"}
                  ).status_code == 303
    with app.app_context():
        station_id = db.session.scalar(select(Station.id))
    url = f"/staff/e/summit/guests/{guest_id}/transport/arrival"
    form = client.get(url).get_data(as_text=True)
    assert "Shanghai Pudong International Airport (PVG)" in form and "Other (write it below)" in form
    arrival = {"mode": "flight", "carrier": "EK", "number": "302", "local_time": f"{summit.starts_on}T09:30",
               "terminal": "T2", "passengers": "1", "luggage": "1", "pickup_wanted": "y", "notes": "",
               "source": "By phone from the embassy", "consent": "y"}
    # "Other" with nothing written is a message beside the field, the rest kept.
    missing = submit(client, url, {**arrival, "station_choice": "other", "station": ""})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert re.search(r'id="station-error">[^<]*Enter the airport or station', text) and 'value="302"' in text
    assert submit(client, url, {**arrival, "station_choice": str(station_id), "station": ""}).status_code == 303
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg))
        assert (leg.station_id, leg.station) == (station_id, "Shanghai Pudong International Airport")
    [detail] = _audit(app, "transport.on_behalf")
    assert detail.endswith("Shanghai Pudong International Airport")
    # Reopened, the form shows the listed station chosen; "other" keeps the typed words.
    assert f'<option selected value="{station_id}">' in client.get(url).get_data(as_text=True)
    assert submit(client, url, {**arrival, "station_choice": "other", "station": "Hongqiao Railway Station"}
                  ).status_code == 303
    assert '<option selected value="other">' in client.get(url).get_data(as_text=True)
    with app.app_context():
        leg = db.session.scalar(select(TransportLeg).where(TransportLeg.state != "cancelled"))
        assert (leg.station_id, leg.station) == (None, "Hongqiao Railway Station")


def test_the_organizer_enters_needs_by_phone_with_consent_through_staff(app, client, auth, make_staff, summit):
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("olivia@example.org", summit, roles=("organizer",)))
    url = f"/staff/e/summit/guests/{guest_id}/needs"
    form = {**needs_form(), "behalf-source": "By phone from the minister's office", "behalf-consent": "y"}
    refused = submit(client, url, {**form, "behalf-consent": ""})
    assert refused.status_code == 422
    assert re.search(r'id="behalf-consent-error">[^<]*only with their consent', refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(NeedsConsent)) is None
    assert submit(client, url, form).status_code == 303
    with app.app_context():
        consent = db.session.scalar(select(NeedsConsent))
        assert consent.active and "consent given through staff" in consent.notice_text
        assert {(a.allergen, a.severity) for a in db.session.scalars(select(Allergy))} == {
            ("peanuts", "anaphylactic"), ("milk", "mild")}
    assert _audit(app, "needs.on_behalf") == ["By phone from the minister's office; consent given through staff"]
    assert "halal" in client.get(url).get_data(as_text=True).lower()


@pytest.mark.parametrize(("roles", "medical", "expected"), [
    (("lodging", "catering"), False, 403), (("lodging", "catering"), True, 200), (("catering",), True, 403),
    (("lodging",), True, 403), (("helpdesk",), True, 403)])
def test_only_who_may_read_every_part_enters_needs(app, client, auth, make_staff, summit, roles, medical, expected):
    [guest_id] = add_guests(app, summit, 1)
    person = make_staff("cora@example.org", summit, roles=roles)
    if medical:
        with app.app_context():
            db.session.add(StaffPermission(user_id=person.id, event_id=summit.id, permission="medical"))
            db.session.commit()
    auth.login_as(person)
    assert client.get(f"/staff/e/summit/guests/{guest_id}/needs").status_code == expected


@pytest.mark.parametrize("role", ["organizer", "lodging", "transport", "catering", "helpdesk"])
def test_the_guest_page_shows_the_sessions_the_guest_booked(app, client, auth, make_staff, summit, role):
    from tests.factories import at, make_guest, make_session

    guest = make_guest(app, summit, "wang@example.org", name="Wang Wei")
    keynote = make_session(app, summit, "Opening keynote", at(summit, 0, 9))
    make_session(app, summit, "Trade panel", at(summit, 0, 11))
    roundtable = make_session(app, summit, "Closed roundtable", at(summit, 1, 15))
    guest_client = app.test_client()
    from tests.sessions import sign_in
    sign_in(guest_client, guest.user_id)
    for session_id in (roundtable, keynote):
        assert submit(guest_client, f"/e/summit/me/agenda/{session_id}/add", {},
                      page="/e/summit/agenda").status_code == 303
    auth.login_as(make_staff(f"{role}@example.org", summit, roles=(role,)))
    page = client.get(f"/staff/e/summit/guests/{guest.registration_id}").get_data(as_text=True)
    sessions = re.search(r'data-testid="guest-sessions".*?</section>', page, re.S).group(0)
    assert "Opening keynote" in sessions and "Closed roundtable" in sessions and "Trade panel" not in sessions
    assert sessions.index("Opening keynote") < sessions.index("Closed roundtable")


@pytest.mark.parametrize(("roles", "link"), [(("organizer",), True), (("catering",), False)])
def test_the_guest_page_has_one_needs_card_with_the_link_for_who_may_enter(app, client, auth, make_staff, summit,
                                                                          roles, link):
    [guest_id] = add_guests(app, summit, 1)
    auth.login_as(make_staff("olivia@example.org", summit, roles=roles))
    page = client.get(f"/staff/e/summit/guests/{guest_id}").get_data(as_text=True)
    assert len(re.findall(r"<h2[^>]*>Needs</h2>", page)) == 1
    card = re.search(r'<section[^>]*aria-labelledby="needs-heading".*?</section>', page, re.S).group(0)
    assert (f'href="/staff/e/summit/guests/{guest_id}/needs"' in card) is link
    assert ("Enter or change the needs for the guest" in page) is link


@pytest.mark.parametrize("page", ["", "/needs", "/lodging", "/transport/arrival", "/badge"])
def test_staff_pages_title_a_guest_by_the_name_they_write_in_chinese(app, client, auth, make_staff, summit, page):
    [guest_id] = add_guests(app, summit, 1, name_original="王小明", name_latin="Wang Xiaoming")
    auth.login_as(make_staff("olivia@example.org", summit, roles=("organizer",)))
    url = f"/staff/e/summit/guests/{guest_id}{page}"
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    text = client.get(url).get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "王小明" in heading and "王小明" in title and "Wang Xiaoming" not in title
    assert 'lang="zh"' not in heading  # a Chinese name on a Chinese page needs no mark
    with client.session_transaction() as session:
        session["lang"] = "en"
    text = client.get(url).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "Wang Xiaoming" in title and "王小明" not in title
    if page:  # the guest's own page shows both names in its heading
        heading = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
        assert '<span lang="en">' not in heading and "Wang Xiaoming" in heading and "王小明" not in heading
