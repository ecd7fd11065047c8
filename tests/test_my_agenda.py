"""My agenda: add and remove, capacity under concurrency, conflicts, the private calendar feed."""

import re
import threading
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from portal.agenda import services
from portal.extensions import db
from portal.models import AgendaEntry, Event, Registration
from tests.factories import at, csrf_token, hold, make_guest, make_room, make_session

FEED_URL = re.compile(r'value="(http://localhost/e/[^/]+/calendar/[^"]+\.ics)"')


def _post(client, event, path, **data):
    token = csrf_token(client, f"/e/{event.slug}/me/agenda")
    return client.post(path, data={"csrf_token": token, **data})


def _held(app, guest):
    with app.app_context():
        return set(db.session.scalars(select(AgendaEntry.session_id).where(
            AgendaEntry.registration_id == guest.registration_id)))


def test_add_and_remove_with_plain_forms(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "plain@example.org")
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    auth.login_as(guest)
    added = _post(client, event, f"/e/{event.slug}/me/agenda/{session_id}/add", next=f"/e/{event.slug}/agenda")
    assert added.status_code == 303 and added.headers["Location"] == f"/e/{event.slug}/agenda"
    assert _held(app, guest) == {session_id}
    mine = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    assert "Opening keynote" in mine and "Remove from my agenda" in mine
    # Twice is harmless.
    _post(client, event, f"/e/{event.slug}/me/agenda/{session_id}/add")
    assert _held(app, guest) == {session_id}
    removed = _post(client, event, f"/e/{event.slug}/me/agenda/{session_id}/remove", next="//evil.example")
    assert removed.status_code == 303 and removed.headers["Location"] == f"/e/{event.slug}/me/agenda"
    assert _held(app, guest) == set()


def test_htmx_swaps_the_button_in_place(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "htmx@example.org")
    session_id = make_session(app, event, "Workshop", at(event, 0, 9), capacity=3, kind="workshop")
    auth.login_as(guest)
    token = csrf_token(client, f"/e/{event.slug}/agenda")
    answer = client.post(f"/e/{event.slug}/me/agenda/{session_id}/add", data={"csrf_token": token},
                         headers={"HX-Request": "true"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in text and text.lstrip().startswith("<form")
    assert "Remove from my agenda" in text and "2 places left" in text



@pytest.mark.parametrize("language, add, remove", [
    ("zh_Hans", "加入我的议程<span class=\"visually-hidden\">：Opening keynote（中文）</span>",
     "从我的议程中移除<span class=\"visually-hidden\">：Opening keynote（中文）</span>"),
    ("en", "Add to my agenda<span class=\"visually-hidden\">: Opening keynote</span>",
     "Remove from my agenda<span class=\"visually-hidden\">: Opening keynote</span>"),
])
def test_the_buttons_name_their_session_with_the_languages_colon(app, client, auth, make_event, language, add,
                                                                 remove):
    event = make_event()
    guest = make_guest(app, event, "colon@example.org")
    keynote = make_session(app, event, "Opening keynote", at(event, 0, 9))
    auth.login_as(guest)
    with client.session_transaction() as session:
        session["lang"] = language
    assert add in client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    token = csrf_token(client, f"/e/{event.slug}/agenda")
    swapped = client.post(f"/e/{event.slug}/me/agenda/{keynote}/add", data={"csrf_token": token},
                          headers={"HX-Request": "true"})
    assert remove in swapped.get_data(as_text=True)

def test_a_full_session_refuses_and_says_so(app, client, auth, make_event):
    event = make_event()
    first = make_guest(app, event, "first@example.org")
    late = make_guest(app, event, "late@example.org")
    session_id = make_session(app, event, "Masterclass", at(event, 0, 9), capacity=1, kind="workshop")
    hold(app, first, session_id)
    auth.login_as(late)
    assert "Full" in client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    token = csrf_token(client, f"/e/{event.slug}/agenda")
    answer = client.post(f"/e/{event.slug}/me/agenda/{session_id}/add", data={"csrf_token": token},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 422 and "This session is full." in answer.get_data(as_text=True)
    plain = client.post(f"/e/{event.slug}/me/agenda/{session_id}/add", data={"csrf_token": token},
                        follow_redirects=True)
    assert "This session is full." in plain.get_data(as_text=True)
    assert _held(app, late) == set()


def test_a_waitlisted_guest_cannot_take_a_limited_place(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "wait@example.org", state="waitlisted")
    session_id = make_session(app, event, "Masterclass", at(event, 0, 9), capacity=5)
    auth.login_as(guest)
    answer = _post(client, event, f"/e/{event.slug}/me/agenda/{session_id}/add")
    assert answer.status_code == 303 and _held(app, guest) == set()


def test_fifty_sign_ups_at_once_for_the_last_five_places(app, make_event):
    event = make_event()
    session_id = make_session(app, event, "Roundtable", at(event, 0, 9), capacity=10, kind="roundtable")
    early = [make_guest(app, event, f"early{i}@example.org") for i in range(5)]
    for guest in early:
        hold(app, guest, session_id)
    guests = [make_guest(app, event, f"rush{i}@example.org") for i in range(50)]
    barrier = threading.Barrier(len(guests))
    outcomes, errors = [], []

    def sign_up(guest):
        try:
            with app.app_context():
                loaded_event = db.session.get(Event, event.id)
                registration = db.session.get(Registration, guest.registration_id)
                # On SQLite a transaction opened outside a request holds the write lock: let it go
                # before waiting, or the first thread would block every other one at the barrier.
                db.session.commit()
                barrier.wait()
                try:
                    services.add_to_agenda(loaded_event, registration, session_id)
                    outcomes.append("in")
                except services.AgendaError as error:
                    db.session.rollback()
                    outcomes.append(str(error))
                finally:
                    db.session.remove()
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=sign_up, args=(guest,)) for guest in guests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count("in") == 5 and outcomes.count("full") == 45
    with app.app_context():
        holders = db.session.scalar(select(func.count()).select_from(AgendaEntry)
                                    .where(AgendaEntry.session_id == session_id))
    assert holders == 10


def test_overlapping_sessions_are_flagged(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "busy@example.org")
    first = make_session(app, event, "Morning panel", at(event, 0, 9), minutes=90)
    second = make_session(app, event, "Side workshop", at(event, 0, 10), minutes=60)
    third = make_session(app, event, "Afternoon talk", at(event, 0, 14))
    hold(app, guest, first)
    hold(app, guest, third)
    auth.login_as(guest)
    token = csrf_token(client, f"/e/{event.slug}/agenda")
    answer = client.post(f"/e/{event.slug}/me/agenda/{second}/add", data={"csrf_token": token},
                         headers={"HX-Request": "true"})
    assert "Overlaps with: Morning panel" in answer.get_data(as_text=True)
    mine = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    assert "Some sessions in your agenda overlap" in mine
    assert mine.count("Overlaps with:") == 2  # the two overlapping ones, not the afternoon talk


def _feed_url(client, event):
    answer = _post(client, event, f"/e/{event.slug}/me/agenda/feed")
    assert answer.status_code == 303
    page = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    match = FEED_URL.search(page)
    assert match, "the feed address is shown once after it is made"
    assert not FEED_URL.search(client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True))
    return match.group(1).removeprefix("http://localhost")


def test_the_calendar_feed_holds_exactly_my_sessions_at_the_right_instants(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "cal@example.org")
    other = make_guest(app, event, "other@example.org")
    room = make_room(app, event, "Hall B")
    mine = make_session(app, event, "Opening keynote", at(event, 0, 9), minutes=45, room=room)
    also = make_session(app, event, "Gala dinner", at(event, 1, 19), minutes=120, kind="meal")
    secret = make_session(app, event, "Closed roundtable", at(event, 0, 15), visibility="invitation",
                          invitees=[other.registration_id])
    not_mine = make_session(app, event, "Someone else's", at(event, 0, 11))
    hold(app, guest, mine)
    hold(app, guest, also)
    hold(app, other, secret)
    hold(app, other, not_mine)
    auth.login_as(guest)
    url = _feed_url(client, event)

    anonymous = app.test_client()
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    entries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"Opening keynote", "Gala dinner"}
    start = entries["Opening keynote"].decoded("dtstart").astimezone(UTC)
    end = entries["Opening keynote"].decoded("dtend").astimezone(UTC)
    # 09:00 in Shanghai (UTC+8) is 01:00 UTC.
    day = event.starts_on
    assert start == datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == 45 * 60
    assert str(entries["Opening keynote"]["location"]) == "Hall B"
    assert calendar.walk("VTIMEZONE"), "times carry their time zone definition"
    assert b"Closed roundtable" not in feed.data

    # Revoked: the old URL is gone for good.
    assert _post(client, event, f"/e/{event.slug}/me/agenda/feed/revoke").status_code == 303
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(f"/e/{event.slug}/calendar/not-a-token.ics").status_code == 404


def test_renewing_the_feed_retires_the_old_address(app, client, auth, make_event):
    event = make_event()
    guest = make_guest(app, event, "renew@example.org")
    auth.login_as(guest)
    old = _feed_url(client, event)
    new = _feed_url(client, event)
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_a_feed_token_works_only_for_its_own_event(app, client, auth, make_event):
    event = make_event()
    other_event = make_event(slug="other", name_en="Other", name_zh="其他")
    guest = make_guest(app, event, "scope@example.org")
    auth.login_as(guest)
    url = _feed_url(client, event)
    assert client.get(url.replace(f"/e/{event.slug}/", f"/e/{other_event.slug}/")).status_code == 404


def test_one_session_download(app, client, make_event):
    event = make_event()
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    answer = client.get(f"/e/{event.slug}/agenda/{session_id}.ics")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    (entry,) = Calendar.from_ical(answer.data).walk("VEVENT")
    assert str(entry["summary"]) == "Opening keynote"
