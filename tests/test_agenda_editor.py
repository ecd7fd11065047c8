"""The organizer's agenda editor, and schedule changes reaching exactly the guests who hold a session."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OutboundMail, Room, ScheduleNotice, Session, SessionChange, Speaker
from tests.factories import at, hold, make_guest, make_room, make_session, make_speaker, submit


def _local(value):
    return value.strftime("%Y-%m-%dT%H:%M")


def _session_form(event, **overrides):
    data = {
        "title_en": "Future of trade", "title_zh": "贸易的未来", "kind": "panel", "visibility": "public",
        "status": "scheduled", "room": "0", "track": "0",
        "starts_at": _local(at(event, 0, 10)), "ends_at": _local(at(event, 0, 11)),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def organizer(app, client, auth, make_event, make_staff):
    event = make_event()
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))
    return event


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_organizer_builds_the_programme(app, client, organizer):
    event = organizer
    base = f"/staff/e/{event.slug}/agenda"
    assert submit(client, f"{base}/rooms", {"name_en": "Lotus Hall", "name_zh": "莲花厅", "capacity": "120",
                                            "floor": "3"}).status_code == 303
    assert submit(client, f"{base}/speakers", {"name_en": "Ada Lovelace", "name_zh": "阿达",
                                               "organization_en": "Analytical Engines"}).status_code == 303
    assert submit(client, f"{base}/tracks", {"name_en": "Finance", "name_zh": "金融"}).status_code == 303
    with app.app_context():
        room = db.session.scalar(select(Room.id))
        speaker = db.session.scalar(select(Speaker.id))
    answer = submit(client, f"{base}/sessions/new", _session_form(event, room=str(room), speakers=str(speaker)),
                    page=f"{base}/sessions/new")
    assert answer.status_code == 303
    page = client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    assert "Future of trade" in page and "Lotus Hall" in page and "Ada Lovelace" in page
    assert "Future of trade" in client.get(base).get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"ends_at": "__start_minus_hour__"}, "The end must be after the start."),
    ({"starts_at": "__past__", "ends_at": "__past_end__"}, "A new session cannot start in the past."),
    ({"speakers": "999999"}, "one of them is unknown"),
    ({"speakers": "abc"}, "one of them is unknown"),
    ({"room": "abc"}, "Invalid Choice"),
    ({"title_en": ""}, "Enter the English title."),
    ({"starts_at": "not a time"}, "Not a valid datetime value"),
    ({"capacity": "0"}, "Enter a number of places from 1 to 100000."),
    ({"visibility": "invitation", "invitees": "nobody@example.org"}, "nobody@example.org"),
    ({"visibility": "categories"}, "Choose at least one category"),
    ({"kind": "party"}, "Not a valid choice"),
])
def test_bad_session_input_is_refused_beside_the_field(app, client, organizer, overrides, message):
    event = organizer
    values = dict(overrides)
    for key, value in values.items():
        if value == "__start_minus_hour__":
            values[key] = _local(at(event, 0, 9))
        elif value == "__past__":
            values[key] = _local(at(event, -60, 9))
        elif value == "__past_end__":
            values[key] = _local(at(event, -60, 10))
    url = f"/staff/e/{event.slug}/agenda/sessions/new"
    answer = submit(client, url, _session_form(event, **values))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422, text[:2000]
    assert message in text
    assert 'value="Future of trade"' in text or values.get("title_en") == ""  # input kept
    assert _count(app, Session) == 0


def test_a_double_booked_room_warns_then_saves_on_confirmation(app, client, organizer):
    event = organizer
    room = make_room(app, event, "Lotus Hall")
    make_session(app, event, "Existing panel", at(event, 0, 10), minutes=90, room=room)
    url = f"/staff/e/{event.slug}/agenda/sessions/new"
    form = _session_form(event, room=str(room))
    warned = submit(client, url, form)
    assert warned.status_code == 422 and "The room is already booked for Existing panel" in warned.get_data(as_text=True)
    assert _count(app, Session) == 1
    saved = submit(client, url, {**form, "confirm_overlap": "y"})
    assert saved.status_code == 303 and _count(app, Session) == 2
    assert "is booked twice" in client.get(f"/staff/e/{event.slug}/agenda").get_data(as_text=True)


def test_a_speaker_booked_twice_is_flagged(app, client, organizer):
    event = organizer
    speaker = make_speaker(app, event, "Ada Lovelace")
    make_session(app, event, "Morning talk", at(event, 0, 10), speakers=[speaker])
    warned = submit(client, f"/staff/e/{event.slug}/agenda/sessions/new",
                    _session_form(event, speakers=str(speaker)))
    assert warned.status_code == 422
    assert "Ada Lovelace already speaks at Morning talk" in warned.get_data(as_text=True)


def test_the_editor_is_for_organizers_only(app, client, auth, make_event, make_staff):
    event = make_event()
    auth.login_as(make_staff("hana@example.org", event, roles=("helpdesk",)))
    assert client.get(f"/staff/e/{event.slug}/agenda").status_code == 403
    assert client.get(f"/staff/e/{event.slug}/announcements").status_code == 403


def test_moving_a_session_mails_each_holder_once_and_nobody_else(app, client, auth, make_event, make_staff,
                                                                   mailbox):
    event = make_event()
    old_room, new_room = make_room(app, event, "Lotus Hall"), make_room(app, event, "Peony Room")
    speaker = make_speaker(app, event, "Ada Lovelace", "阿达")
    session_id = make_session(app, event, "Future of trade", at(event, 0, 10), room=old_room, speakers=[speaker])
    other_id = make_session(app, event, "Unrelated", at(event, 1, 10))
    holders = [make_guest(app, event, f"holder{i}@example.org") for i in range(3)]
    bystander = make_guest(app, event, "bystander@example.org")
    for guest in holders:
        hold(app, guest, session_id)
    hold(app, bystander, other_id)
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))

    url = f"/staff/e/{event.slug}/agenda/sessions/{session_id}"
    edit = submit(client, url, _session_form(
        event, title_en="Future of trade", room=str(new_room), speakers=str(speaker),
        starts_at=_local(at(event, 0, 14)), ends_at=_local(at(event, 0, 15)),
    ))
    assert edit.status_code == 303
    edit.close()  # the mail goes out once the response is closed
    # Saving again with nothing changed tells nobody anything.
    submit(client, url, _session_form(
        event, room=str(new_room), speakers=str(speaker),
        starts_at=_local(at(event, 0, 14)), ends_at=_local(at(event, 0, 15)),
    )).close()

    for guest in holders:
        (message,) = mailbox.to(guest.email)
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Future of trade" in message["Subject"]
        assert "10:00" in body and "14:00" in body and "Lotus Hall" in body and "Peony Room" in body
    assert mailbox.to(bystander.email) == [] and mailbox.to("olivia@example.org") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionChange)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)
                                 .where(OutboundMail.kind == "session_changed")) == 3

    # The notice waits on My trip until read.
    auth.login_as(holders[0])
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "A session in your agenda has changed." in trip and "Peony Room" in trip
    assert submit(client, f"/e/{event.slug}/me/agenda/notices/read", {}, page=f"/e/{event.slug}/me").status_code == 303
    assert "A session in your agenda has changed." not in client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScheduleNotice)
                                 .where(ScheduleNotice.read_at.is_(None))) == 2

    # The public change log lists it.
    log = app.test_client().get(f"/e/{event.slug}/agenda/changes").get_data(as_text=True)
    assert "Future of trade" in log and "Peony Room" in log


def test_cancelling_is_published_and_invitation_only_changes_stay_private(app, client, auth, make_event,
                                                                           make_staff, mailbox):
    event = make_event()
    invited = make_guest(app, event, "invited@example.org")
    secret = make_session(app, event, "Closed roundtable", at(event, 0, 16), visibility="invitation",
                          invitees=[invited.registration_id])
    hold(app, invited, secret)
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))
    answer = submit(client, f"/staff/e/{event.slug}/agenda/sessions/{secret}", _session_form(
        event, title_en="Closed roundtable", visibility="invitation", invitees="invited@example.org",
        status="cancelled", starts_at=_local(at(event, 0, 16)), ends_at=_local(at(event, 0, 17))))
    assert answer.status_code == 303
    answer.close()
    (message,) = mailbox.to("invited@example.org")
    assert "Cancelled" in message.get_body(preferencelist=("plain",)).get_content()
    assert "Closed roundtable" not in app.test_client().get(f"/e/{event.slug}/agenda/changes").get_data(as_text=True)


def test_deleting_a_room_tells_the_holders(app, client, auth, make_event, make_staff, mailbox):
    event = make_event()
    room = make_room(app, event, "Lotus Hall")
    session_id = make_session(app, event, "Future of trade", at(event, 0, 10), room=room)
    guest = make_guest(app, event, "holder@example.org")
    hold(app, guest, session_id)
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))
    answer = submit(client, f"/staff/e/{event.slug}/agenda/rooms/{room}/delete", {},
                    page=f"/staff/e/{event.slug}/agenda/rooms")
    assert answer.status_code == 303 and _count(app, Room) == 0
    answer.close()
    assert len(mailbox.to("holder@example.org")) == 1


def test_a_speaker_or_room_posted_without_its_optional_fields_is_saved_with_empty_texts(app, client, organizer):
    # Found by the fuzz test: a post leaving out name_zh stored NULL and answered 500.
    event = organizer
    base = f"/staff/e/{event.slug}/agenda"
    assert submit(client, f"{base}/speakers", {"name_en": "Ada"}).status_code == 303
    assert submit(client, f"{base}/rooms", {"name_en": "Hall Z", "name_zh": "Z厅"}).status_code == 303
    with app.app_context():
        speaker = db.session.scalar(select(Speaker).where(Speaker.name_en == "Ada"))
        room = db.session.scalar(select(Room).where(Room.name_en == "Hall Z"))
        assert (speaker.name_zh, speaker.bio_en) == ("", "") and (room.floor, room.directions_en) == ("", "")
