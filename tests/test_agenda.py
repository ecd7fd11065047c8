"""The guest agenda: by day, filters and search, who sees which session, constant query counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AgendaEntry, Session, SessionRating
from tests.factories import at, counting_queries, make_guest, make_room, make_session, make_speaker, make_track


def test_the_agenda_lists_sessions_by_day_in_the_event_time_zone(app, client, make_event):
    event = make_event()
    room = make_room(app, event)
    speaker = make_speaker(app, event, "Ada Lovelace", "阿达")
    make_session(app, event, "Opening keynote", at(event, 0, 9), speakers=[speaker], room=room, kind="keynote")
    make_session(app, event, "Closing dinner", at(event, 1, 19), kind="meal")
    page = client.get(f"/e/{event.slug}/agenda?day=all")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Opening keynote" in text and "Closing dinner" in text
    assert "09:00" in text and "19:00" in text  # shown in Asia/Shanghai, not UTC (01:00, 11:00)
    assert "Ada Lovelace" in text and "Hall A" in text
    assert text.index("Opening keynote") < text.index("Closing dinner")


def test_the_agenda_opens_on_one_day_and_links_to_the_whole_programme(app, client, make_event):
    # The event in the fixture is in the future: the page opens on its first day with a session.
    event = make_event()
    make_session(app, event, "Second-day keynote", at(event, 1, 9))
    make_session(app, event, "Third-day dinner", at(event, 2, 19))
    text = client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    assert "Second-day keynote" in text and "Third-day dinner" not in text
    second_day = (event.starts_on + timedelta(days=1)).isoformat()
    assert f'<option value="{second_day}" selected>' in text  # the day picker says which day it is
    assert f"/e/{event.slug}/agenda?day=all" in text
    every_day = client.get(f"/e/{event.slug}/agenda?day=all").get_data(as_text=True)
    assert "Second-day keynote" in every_day and "Third-day dinner" in every_day
    assert '<option value="all" selected>' in every_day
    # An empty day (an older link or form) and any other filter also mean every day.
    assert "Third-day dinner" in client.get(f"/e/{event.slug}/agenda?day=").get_data(as_text=True)
    assert "Third-day dinner" in client.get(f"/e/{event.slug}/agenda?kind=panel").get_data(as_text=True)


def test_during_the_event_the_agenda_opens_on_today(app, client, make_event):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    event = make_event(starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1))
    make_session(app, event, "Yesterday's panel", at(event, 0, 10))
    make_session(app, event, "Today's panel", at(event, 1, 10))
    make_session(app, event, "Tomorrow's panel", at(event, 2, 10))
    text = client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    assert "Today&#39;s panel" in text
    assert "Yesterday&#39;s panel" not in text and "Tomorrow&#39;s panel" not in text


def test_filters_and_search_work_without_javascript(app, client, make_event):
    event = make_event()
    finance = make_track(app, event, "Finance")
    speaker = make_speaker(app, event, "Grace Hopper", "格蕾丝")
    make_session(app, event, "Markets outlook", at(event, 0, 9), track=finance, kind="panel")
    make_session(app, event, "Lunch", at(event, 0, 12), kind="meal")
    make_session(app, event, "Compilers", at(event, 1, 10), speakers=[speaker], kind="workshop")

    def titles(query):
        page = client.get(f"/e/{event.slug}/agenda?{query}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        return {t for t in ("Markets outlook", "Lunch", "Compilers") if t in text}

    assert titles("kind=meal") == {"Lunch"}
    assert titles(f"track={finance}") == {"Markets outlook"}
    assert titles(f"day={event.starts_on.isoformat()}") == {"Markets outlook", "Lunch"}
    assert titles("q=hopper") == {"Compilers"}  # by speaker
    assert titles("q=%E6%A0%BC%E8%95%BE") == {"Compilers"}  # 格蕾, the Chinese name
    assert titles("q=outlook") == {"Markets outlook"}
    assert titles("q=100%25") == set()


@pytest.mark.parametrize("query", ["day=2024-13-45", "track=abc", "track=99999999999999999999", "kind=<script>",
                                   "q=" + "x" * 5000, "day=&track=&kind=&q="])
def test_malformed_filters_are_ignored(app, client, make_event, query):
    event = make_event()
    make_session(app, event, "Opening", at(event, 0, 9))
    assert client.get(f"/e/{event.slug}/agenda?{query}").status_code == 200


def test_an_htmx_filter_gets_only_the_sessions_fragment(app, client, make_event):
    event = make_event()
    make_session(app, event, "Opening", at(event, 0, 9))
    fragment = client.get(f"/e/{event.slug}/agenda?q=open", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and 'id="agenda-sessions"' in text
    assert "Opening" in text and "HX-Request" in fragment.headers["Vary"]
    boosted = client.get(f"/e/{event.slug}/agenda", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_session_detail_shows_speakers_and_room(app, client, make_event):
    event = make_event()
    speaker = make_speaker(app, event, "Ada Lovelace")
    room = make_room(app, event, "Lotus Room")
    session_id = make_session(app, event, "Engines", at(event, 0, 14), speakers=[speaker], room=room)
    page = client.get(f"/e/{event.slug}/agenda/{session_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ada Lovelace" in text and "Lotus Room" in text and "14:00" in text
    assert client.get(f"/e/{event.slug}/agenda/999999").status_code == 404


def test_invitation_only_sessions_never_reach_a_guest_who_is_not_invited(app, client, auth, make_event):
    event = make_event()
    invited = make_guest(app, event, "invited@example.org")
    outsider = make_guest(app, event, "outsider@example.org")
    secret = make_session(app, event, "Closed-door roundtable", at(event, 0, 16), visibility="invitation",
                          invitees=[invited.registration_id], kind="roundtable")
    make_session(app, event, "Open panel", at(event, 0, 10))

    for who in (None, outsider):
        if who:
            auth.login_as(who)
        page = client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
        assert "Closed-door" not in page and "Open panel" in page
        assert "Closed-door" not in client.get(f"/e/{event.slug}/agenda?q=closed").get_data(as_text=True)
        assert "Closed-door" not in client.get(f"/e/{event.slug}/agenda?kind=roundtable").get_data(as_text=True)
        assert client.get(f"/e/{event.slug}/agenda/{secret}").status_code == 404
        assert client.get(f"/e/{event.slug}/agenda/{secret}.ics").status_code == 404
    # Nor can the outsider sign up by posting its id.
    add = client.post(f"/e/{event.slug}/me/agenda/{secret}/add",
                      data={"csrf_token": _token(client, event)})
    assert add.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(AgendaEntry.id).where(AgendaEntry.session_id == secret)) is None

    auth.login_as(invited)
    assert "Closed-door" in client.get(f"/e/{event.slug}/agenda?q=closed").get_data(as_text=True)
    assert client.get(f"/e/{event.slug}/agenda/{secret}").status_code == 200


def _token(client, event):
    from tests.factories import csrf_token

    return csrf_token(client, f"/e/{event.slug}/me/agenda")


def test_category_sessions_only_for_those_categories(app, client, auth, make_event):
    event = make_event()
    vip = make_guest(app, event, "vip@example.org", category="vip")
    delegate = make_guest(app, event, "delegate@example.org", category="delegate")
    make_session(app, event, "VIP breakfast", at(event, 0, 7), visibility="categories", categories=["vip"],
                 kind="meal")
    assert "VIP breakfast" not in client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    auth.login_as(delegate)
    assert "VIP breakfast" not in client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    auth.login_as(vip)
    assert "VIP breakfast" in client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)


def test_a_draft_event_has_no_public_agenda(app, client, make_event):
    event = make_event(status="draft")
    make_session(app, event, "Opening", at(event, 0, 9))
    assert client.get(f"/e/{event.slug}/agenda").status_code == 404


def _fill(app, event, start, count, speakers):
    room, track = make_room(app, event, f"Room {start}"), make_track(app, event, f"Track {start}")
    for i in range(start, start + count):
        make_session(app, event, f"Session {i}", at(event, i % 3, 8 + i % 10), speakers=speakers,
                     room=room, track=track, capacity=50 if i % 2 else None)


@pytest.mark.parametrize("signed_in", [False, True])
def test_agenda_query_count_does_not_grow_with_sessions(app, client, auth, make_event, signed_in):
    event = make_event()
    speakers = [make_speaker(app, event, f"Speaker {i}") for i in range(3)]
    guest = make_guest(app, event, "counter@example.org")
    if signed_in:
        auth.login_as(guest)
    other = make_guest(app, event, "other@example.org")
    counts = {"": [], "?day=all": []}  # the first day, as the page opens, and the whole programme
    for start, size in ((0, 6), (6, 60)):  # six: the first day holds sessions with and without a capacity
        _fill(app, event, start, size, speakers)
        with app.app_context():  # entries of the guest and another (places taken) and the guest's ratings
            for session_id in db.session.scalars(select(Session.id).where(Session.id > start)).all()[::2]:
                for who in (guest, other):
                    db.session.add(AgendaEntry(registration_id=who.registration_id, session_id=session_id))
                db.session.add(SessionRating(registration_id=guest.registration_id, session_id=session_id, score=4))
            db.session.commit()
        for query, seen in counts.items():
            client.get(f"/e/{event.slug}/agenda{query}")  # warm
            with counting_queries(app) as statements:
                page = client.get(f"/e/{event.slug}/agenda{query}")
            assert page.status_code == 200
            seen.append(len(statements))
    assert all(seen[0] == seen[1] for seen in counts.values()), counts


def test_my_agenda_query_count_does_not_grow_with_sessions(app, client, auth, make_event):
    event = make_event()
    speakers = [make_speaker(app, event, f"Speaker {i}") for i in range(3)]
    guest = make_guest(app, event, "mine@example.org")
    for other in range(5):
        make_guest(app, event, f"other{other}@example.org")
    auth.login_as(guest)
    counts = []
    for start, size in ((0, 3), (3, 40)):
        _fill(app, event, start, size, speakers)
        with app.app_context():
            held = db.session.scalars(select(AgendaEntry.session_id).where(
                AgendaEntry.registration_id == guest.registration_id)).all()
            for session_id in db.session.scalars(select(Session.id)).all():
                if session_id not in held:
                    db.session.add(AgendaEntry(registration_id=guest.registration_id, session_id=session_id))
            db.session.commit()
        client.get(f"/e/{event.slug}/me/agenda")
        with counting_queries(app) as statements:
            page = client.get(f"/e/{event.slug}/me/agenda")
        assert page.status_code == 200 and f"Session {start + size - 1}" in page.get_data(as_text=True)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
