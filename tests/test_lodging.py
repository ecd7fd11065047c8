"""Lodging: the guest's request and roommate, the coordinator's decisions, rooms per night under concurrency."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import outbox
from portal.extensions import db
from portal.lodging import services
from portal.rules import RuleRefused
from portal.models import Event, LodgingRequest, RoomNight
from tests.factories import csrf_token, file_directly, make_block, make_guest, stay_form, submit


def requests_of(app, guest):
    with app.app_context():
        return db.session.scalars(select(LodgingRequest).where(
            LodgingRequest.registration_id == guest.registration_id).order_by(LodgingRequest.id)).all()


def taken(app, block_id):
    with app.app_context():
        return {n.night: n.taken for n in db.session.scalars(select(RoomNight).where(RoomNight.block_id == block_id))}


def test_a_guest_requests_a_room_and_sees_it_on_my_trip(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event)
    guest = make_guest(app, event, "guest@example.org")
    auth.login_as(guest)
    page = client.get(f"/e/{event.slug}/me/lodging")
    assert page.status_code == 200 and "Lakeside Hotel" in page.get_data(as_text=True)
    answer = submit(client, f"/e/{event.slug}/me/lodging", stay_form(event, block_id))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/e/{event.slug}/me"
    [request] = requests_of(app, guest)
    assert (request.state, request.check_in, request.notes) == ("requested", event.starts_on, "High floor, please.")
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Lakeside Hotel" in trip and "Requested" in trip and "Change my lodging" in trip
    # A change keeps one request, never two.
    submit(client, f"/e/{event.slug}/me/lodging", stay_form(event, block_id, notes="Quiet room"))
    [request] = requests_of(app, guest)
    assert request.notes == "Quiet room"



@pytest.mark.parametrize("language, pattern", [
    ("zh_Hans", r"湖畔酒店 · 豪华大床房 · .*· \d{4}年\d+月\d+日 至 \d{4}年\d+月\d+日<"),
    ("en", r"Lakeside Hotel · Deluxe king · .* · [A-Z][a-z]{2} \d+, \d{4} to [A-Z][a-z]{2} \d+, \d{4}<"),
])
def test_the_room_choices_give_their_dates_as_the_language_writes_them(app, client, auth, make_event, language,
                                                                       pattern):
    event = make_event()
    make_block(app, event)
    auth.login_as(make_guest(app, event, "guest@example.org"))
    with client.session_transaction() as session:
        session["lang"] = language
    page = client.get(f"/e/{event.slug}/me/lodging").get_data(as_text=True)
    assert re.search(pattern, page), re.findall(r"<option[^>]*>([^<]*)<", page)
    assert not re.search(r"\d{4}-\d\d-\d\d<", page)

def test_htmx_gets_the_editor_and_then_the_card(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event)
    guest = make_guest(app, event, "htmx@example.org")
    auth.login_as(guest)
    editor = client.get(f"/e/{event.slug}/me/lodging", headers={"HX-Request": "true"})
    text = editor.get_data(as_text=True)
    assert "<html" not in text and 'id="lodging-card"' in text and "<form" in text
    assert "HX-Request" in editor.headers["Vary"]
    token = csrf_token(client, f"/e/{event.slug}/me/lodging")
    card = client.post(f"/e/{event.slug}/me/lodging", data={"csrf_token": token, **stay_form(event, block_id)},
                       headers={"HX-Request": "true"})
    text = card.get_data(as_text=True)
    assert card.status_code == 200 and "<html" not in text and "Requested" in text and "<select" not in text
    boosted = client.get(f"/e/{event.slug}/me/lodging", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


@pytest.mark.parametrize(("change", "field_message"), [
    ({"check_out": "__same__"}, "The check-out date must be after the check-in date."),
    ({"check_in": "__before__"}, "choose dates within it"),
    ({"check_out": "__after__"}, "choose dates within it"),
    ({"roommate_email": "Bad@Example.org", "occupancy": "2"}, "Enter the other guest&#39;s address, not your own."),
    ({"roommate_email": "mate@example.org", "occupancy": "1"}, "Choose two guests sharing to name a roommate."),
    ({"notes": "x" * 1001}, "At most 1000 characters."),
    ({"block": "999999"}, "that one is not offered"),
    ({"block": "abc"}, "that one is not offered"),
    ({"check_in": "not a date"}, "Not a valid date value"),
])
def test_bad_input_is_named_beside_the_field_and_nothing_is_stored(app, client, auth, make_event, change,
                                                                  field_message):
    event = make_event()
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    make_guest(app, other, "other-event@example.org")
    make_guest(app, event, "mate@example.org")
    block_id = make_block(app, event)
    guest = make_guest(app, event, "bad@example.org")
    auth.login_as(guest)
    dates = {"__same__": event.starts_on.isoformat(),
             "__before__": (event.starts_on - timedelta(days=5)).isoformat(),
             "__after__": (event.starts_on + timedelta(days=9)).isoformat()}
    data = stay_form(event, block_id, **{k: dates.get(v, v) for k, v in change.items()})
    answer = submit(client, f"/e/{event.slug}/me/lodging", data)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert field_message in text
    assert 'aria-invalid="true"' in text
    # What was typed is still there.
    assert data["check_in"] in text or data["check_in"] == "not a date"
    assert requests_of(app, guest) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LodgingRequest)) == 0


def test_after_the_cut_off_a_guest_cannot_change_lodging(app, client, auth, make_event):
    from portal.database import utcnow

    event = make_event(changes_close_at=utcnow() - timedelta(hours=1))
    block_id = make_block(app, event)
    guest = make_guest(app, event, "late@example.org")
    auth.login_as(guest)
    page = client.get(f"/e/{event.slug}/me/lodging").get_data(as_text=True)
    assert "Changes to lodging are closed" in page
    token = csrf_token(client, f"/e/{event.slug}/me")
    answer = client.post(f"/e/{event.slug}/me/lodging", data={"csrf_token": token, **stay_form(event, block_id)})
    assert answer.status_code == 422 and requests_of(app, guest) == []


def test_roommate_confirms_on_my_trip_and_the_shared_stay_takes_one_room(app, client, auth, make_event, mailbox,
                                                                        make_staff):
    event = make_event()
    block_id = make_block(app, event, rooms=3)
    guest = make_guest(app, event, "host@example.org", name="Host")
    mate = make_guest(app, event, "mate@example.org", name="Mate")
    auth.login_as(guest)
    answer = submit(client, f"/e/{event.slug}/me/lodging",
                    stay_form(event, block_id, occupancy="2", roommate_email="Mate@Example.org"))
    assert answer.status_code == 303
    answer.close()
    assert any("Host asks to share a room" in m["Subject"] for m in mailbox.to("mate@example.org"))
    [request] = requests_of(app, guest)
    assert request.roommate_confirmed_at is None
    # The coordinator cannot confirm before the roommate agrees.
    with app.app_context():
        boss = make_staff("boss@example.org", event, roles=("lodging",))
        with pytest.raises(RuleRefused) as refused:
            services.confirm(db.session.get(Event, event.id), request.id, boss, "H-1")
        assert refused.value.code == "roommate-unconfirmed"
        db.session.rollback()
    auth.login_as(mate)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Host asks to share a room with you" in trip
    # The roommate sees no button into the host's own request, only the answer form.
    answer = submit(client, f"/e/{event.slug}/me/lodging/shares/{request.id}", {"answer": "accept"},
                    page=f"/e/{event.slug}/me")
    assert answer.status_code == 303
    [request] = requests_of(app, guest)
    assert request.roommate_confirmed_at is not None
    with app.app_context():
        services.confirm(db.session.get(Event, event.id), request.id, None, "H-77", "1203")
    nights = taken(app, block_id)
    assert sorted(nights.values()) == [0, 0, 1, 1]  # one room for two guests, on the two nights only
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "You share Host" in trip and "H-77" in trip


def test_a_guest_never_sees_another_guests_request(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event)
    alice = make_guest(app, event, "alice@example.org")
    bob = make_guest(app, event, "bob@example.org")
    request_id = file_directly(app, event, alice, block_id, notes="Alice's secret note")
    auth.login_as(bob)
    for url in (f"/e/{event.slug}/me", f"/e/{event.slug}/me/lodging", f"/e/{event.slug}/me/lodging/card"):
        assert "Alice's secret note" not in client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    # Bob cannot answer for a share he was not asked into, nor cancel Alice's request.
    answer = submit(client, f"/e/{event.slug}/me/lodging/shares/{request_id}", {"answer": "decline"},
                    page=f"/e/{event.slug}/me")
    assert answer.status_code == 303
    submit(client, f"/e/{event.slug}/me/lodging/cancel", {}, page=f"/e/{event.slug}/me/lodging")
    [request] = requests_of(app, alice)
    assert request.state == "requested"


def test_coordinator_decisions_mail_the_guest_in_their_language_and_return_nights(app, make_event, mailbox):
    event = make_event()
    block_id = make_block(app, event, rooms=1)
    guest = make_guest(app, event, "zh@example.org")
    with app.app_context():
        from portal.models import Registration

        db.session.get(Registration, guest.registration_id).language = "zh_Hans"
        db.session.commit()
    request_id = file_directly(app, event, guest, block_id)
    with app.app_context():
        loaded = db.session.get(Event, event.id)
        services.confirm(loaded, request_id, None, "CONF-1", "808")
        assert outbox.deliver()["sent"] == 1
    assert sorted(taken(app, block_id).values()) == [0, 0, 1, 1]
    [mail] = mailbox.to("zh@example.org")
    body = mail.get_body(("plain",)).get_content()
    assert "CONF-1" in body and "湖畔酒店" in body
    with app.app_context():
        services.confirm(db.session.get(Event, event.id), request_id, None, "CONF-1", "910")  # a change
        services.decline(db.session.get(Event, event.id), request_id, None, "Hotel overbooked")
        assert outbox.deliver()["sent"] == 2
    assert sorted(taken(app, block_id).values()) == [0, 0, 0, 0]
    assert "Hotel overbooked" in mailbox.to("zh@example.org")[-1].get_body(("plain",)).get_content()


def test_a_full_night_refuses_the_confirmation_and_takes_nothing(app, make_event):
    event = make_event()
    block_id = make_block(app, event, rooms=1)
    first, second = make_guest(app, event, "one@example.org"), make_guest(app, event, "two@example.org")
    one = file_directly(app, event, first, block_id, check_in=event.starts_on,
                        check_out=event.starts_on + timedelta(days=1))
    two = file_directly(app, event, second, block_id, check_in=event.starts_on - timedelta(days=1),
                        check_out=event.starts_on + timedelta(days=2))
    with app.app_context():
        services.confirm(db.session.get(Event, event.id), one, None, "A")
        with pytest.raises(RuleRefused) as refused:
            services.confirm(db.session.get(Event, event.id), two, None, "B")
        db.session.rollback()
    assert refused.value.code == "block-full" and refused.value.detail["nights"] == [event.starts_on]
    assert sorted(taken(app, block_id).values()) == [0, 0, 0, 1]


def test_cancelling_returns_the_nights(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event, rooms=2)
    guest = make_guest(app, event, "cancel@example.org")
    request_id = file_directly(app, event, guest, block_id)
    with app.app_context():
        services.confirm(db.session.get(Event, event.id), request_id, None, "X")
    auth.login_as(guest)
    answer = submit(client, f"/e/{event.slug}/me/lodging/cancel", {"cancel-csrf_token": csrf_token(
        client, f"/e/{event.slug}/me/lodging")}, page=f"/e/{event.slug}/me/lodging")
    assert answer.status_code == 303
    assert requests_of(app, guest)[0].state == "cancelled"
    assert sum(taken(app, block_id).values()) == 0


def test_fifty_confirmations_at_once_for_ten_rooms_left(app, make_event):
    event = make_event()
    block_id = make_block(app, event, rooms=12)
    early = [make_guest(app, event, f"early{i}@example.org") for i in range(2)]
    for guest in early:
        with app.app_context():
            pass
        request_id = file_directly(app, event, guest, block_id)
        with app.app_context():
            services.confirm(db.session.get(Event, event.id), request_id, None, "EARLY")
    guests = [make_guest(app, event, f"rush{i}@example.org") for i in range(50)]
    request_ids = [file_directly(app, event, guest, block_id) for guest in guests]
    barrier = threading.Barrier(len(request_ids))
    outcomes, errors = [], []

    def confirm(request_id):
        try:
            with app.app_context():
                loaded = db.session.get(Event, event.id)
                # On SQLite a transaction opened outside a request holds the write lock: end it first.
                db.session.commit()
                barrier.wait()
                try:
                    services.confirm(loaded, request_id, None, f"C{request_id}")
                    outcomes.append("confirmed")
                except RuleRefused as error:
                    db.session.rollback()
                    outcomes.append(error.code)
                finally:
                    db.session.remove()
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=confirm, args=(rid,)) for rid in request_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count("confirmed") == 10 and outcomes.count("block-full") == 40
    with app.app_context():
        confirmed = db.session.scalar(select(func.count()).select_from(LodgingRequest).where(
            LodgingRequest.state == "confirmed"))
        nights = db.session.scalars(select(RoomNight).where(RoomNight.block_id == block_id,
                                                            RoomNight.night.in_([event.starts_on,
                                                                                 event.starts_on + timedelta(days=1)]))).all()
    assert confirmed == 12
    assert [n.taken for n in nights] == [12, 12]


# -- The roommate field reveals nobody -----------------------------------------------------------

CSRF_VALUE = re.compile(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]+')


def _answer_for(client, event, block_id, address):
    """What the guest sees after naming `address` as roommate, on the page and in the htmx card,
    with the address itself taken out."""
    data = stay_form(event, block_id, occupancy="2", roommate_email=address)
    saved = submit(client, f"/e/{event.slug}/me/lodging", data)
    saved.close()
    token = csrf_token(client, f"/e/{event.slug}/me/lodging")
    card = client.post(f"/e/{event.slug}/me/lodging", data={"csrf_token": token, **data},
                       headers={"HX-Request": "true"})
    trip = client.get(f"/e/{event.slug}/me")
    editor = client.get(f"/e/{event.slug}/me/lodging")
    seen = [saved.status_code, saved.headers.get("Location"), card.status_code]
    for response in (card, trip, editor):
        page = response.get_data(as_text=True).replace(address, "ADDRESS")
        seen.append(CSRF_VALUE.sub(r"\1", page))  # the token carries the second it was made
    return seen


def test_the_roommate_field_answers_the_same_whoever_holds_the_address(app, client, auth, make_event, make_staff,
                                                                      mailbox):
    event = make_event()
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    block_id = make_block(app, event)
    host = make_guest(app, event, "host@example.org", name="Hana Host")
    make_guest(app, event, "guest@example.org", name="Gustav Registered")  # a guest of this event
    make_guest(app, other, "elsewhere@example.org", name="Elsa Elsewhere")  # an account, not of this event
    make_staff("staffer@example.org", event, roles=("helpdesk",))  # an account without any registration
    busy = make_guest(app, event, "busy@example.org", name="Bruno Busy")  # a guest with a room of their own
    file_directly(app, event, busy, block_id)
    auth.login_as(host)

    answers = {address: _answer_for(client, event, block_id, address) for address in (
        "nobody@example.org", "guest@example.org", "elsewhere@example.org", "staffer@example.org",
        "busy@example.org")}
    first = answers["nobody@example.org"]
    assert first[:3] == [303, f"/e/{event.slug}/me", 200]
    for address, seen in answers.items():
        assert seen == first, address
    for name in ("Gustav", "Elsa", "Bruno", "staffer"):
        assert all(name not in page for page in first[3:])
    # Only a guest of this event is asked by mail; nobody else is written to.
    asked = {m["To"] for m in mailbox.messages if "asks to share a room" in m["Subject"]}
    assert asked == {"guest@example.org", "busy@example.org"}


def test_the_roommate_name_shows_once_they_accept(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event)
    host = make_guest(app, event, "host@example.org", name="Hana Host")
    mate = make_guest(app, event, "mate@example.org", name="Mika Mate")
    auth.login_as(host)
    submit(client, f"/e/{event.slug}/me/lodging", stay_form(event, block_id, occupancy="2",
                                                             roommate_email="Mate@Example.org")).close()
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Mika Mate" not in trip and "mate@example.org" in trip and "their name shows here once they accept" in trip
    [request] = requests_of(app, host)
    assert (request.roommate_id, request.roommate_email) == (None, "mate@example.org")

    auth.login_as(mate)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Hana Host asks to share a room with you" in trip
    assert submit(client, f"/e/{event.slug}/me/lodging/shares/{request.id}", {"answer": "accept"},
                  page=f"/e/{event.slug}/me").status_code == 303
    [request] = requests_of(app, host)
    assert request.roommate_id == mate.registration_id and request.roommate_confirmed_at is not None

    auth.login_as(host)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Mika Mate" in trip and "once they accept" not in trip


def test_a_guest_who_registers_later_finds_the_question_on_my_trip(app, client, auth, make_event):
    event = make_event()
    block_id = make_block(app, event)
    host = make_guest(app, event, "host@example.org", name="Hana Host")
    auth.login_as(host)
    submit(client, f"/e/{event.slug}/me/lodging", stay_form(event, block_id, occupancy="2",
                                                             roommate_email="late@example.org")).close()
    late = make_guest(app, event, "late@example.org", name="Lena Late")
    auth.login_as(late)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Hana Host asks to share a room with you" in trip
    [request] = requests_of(app, host)
    # A guest with a room of their own is told so when they try to accept, not the one who asked.
    file_directly(app, event, late, block_id)
    refused = submit(client, f"/e/{event.slug}/me/lodging/shares/{request.id}", {"answer": "accept"},
                     page=f"/e/{event.slug}/me", follow_redirects=True)
    assert "You already have a room of your own" in refused.get_data(as_text=True)
    assert requests_of(app, host)[0].roommate_id is None
    # Saying no takes the address off the request.
    submit(client, f"/e/{event.slug}/me/lodging/shares/{request.id}", {"answer": "decline"},
           page=f"/e/{event.slug}/me").close()
    assert requests_of(app, host)[0].roommate_email == ""
    assert "asks to share a room" not in client.get(f"/e/{event.slug}/me").get_data(as_text=True)
