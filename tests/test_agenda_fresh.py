"""The programme shows every change on the next load, in both languages, and each guest only their own state."""

import re

from sqlalchemy import update

from portal.extensions import db
from portal.models import Event, Registration, Room, Session, Speaker, Track
from tests.factories import AuthActions
from tests.factories import at, csrf_token, hold, make_guest, make_room, make_session, make_speaker, make_track

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _page(client, event, query=""):
    answer = client.get(f"/e/{event.slug}/agenda{query}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _card(page: str, title: str) -> str:
    """The <li> of the session titled `title` on a programme page."""
    start = page.index(f">{title}</a>")
    return page[page.rindex("<li", 0, start):page.index("</li>", start)]


def _header_token(page: str) -> str:
    """The CSRF token of the page's own sign-out form, made in the same request as the cards' forms."""
    return CSRF_INPUT.search(page[:page.index("<main")]).group(1)


def _signed_in(app, guest):
    client = app.test_client()
    AuthActions(client).login_as(guest)
    return client


def _change(app, model, row_id, **values):
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def test_an_edited_session_shows_at_once_in_both_languages(app, make_event):
    event = make_event()
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9), kind="keynote")
    english, chinese = app.test_client(), app.test_client()
    with chinese.session_transaction() as cookie:
        cookie["lang"] = "zh_Hans"
    assert "Opening keynote" in _page(english, event) and "Opening keynote（中文）" in _page(chinese, event)
    _change(app, Session, session_id, title_en="Welcome keynote", title_zh="欢迎主旨演讲", starts_at=at(event, 0, 10),
            ends_at=at(event, 0, 11), status="cancelled")
    card = _card(_page(english, event), "Welcome keynote")
    assert "Opening keynote" not in _page(english, event)
    assert "10:00" in card and "state-cancelled" in card and "Cancelled" in card
    card = _card(_page(chinese, event), "欢迎主旨演讲")
    assert "（中文）" not in _page(chinese, event)
    assert "10:00" in card and "state-cancelled" in card and "已取消" in card


def test_a_renamed_speaker_room_or_track_shows_at_once(app, client, make_event):
    event = make_event()
    speaker = make_speaker(app, event, "Li Wei")
    room, track = make_room(app, event, "Hall A"), make_track(app, event, "Finance")
    make_session(app, event, "Trade panel", at(event, 0, 9), speakers=[speaker], room=room, track=track)
    card = _card(_page(client, event), "Trade panel")
    assert "Li Wei" in card and "Hall A" in card and "Finance" in card
    _change(app, Speaker, speaker, name_en="Li Wei-Ming")
    _change(app, Room, room, name_en="Grand Hall")
    _change(app, Track, track, name_en="Markets")
    page = _page(client, event)
    card = _card(page, "Trade panel")
    assert "Li Wei-Ming" in card and "Grand Hall" in card and "Markets" in card
    assert '<option value="%d">Markets</option>' % track in page


def test_a_speaker_taken_off_a_session_leaves_its_card(app, client, make_event):
    event = make_event()
    first, second = make_speaker(app, event, "Anna First"), make_speaker(app, event, "Ben Second")
    session_id = make_session(app, event, "Trade panel", at(event, 0, 9), speakers=[first, second])
    assert "Ben Second" in _card(_page(client, event), "Trade panel")
    with app.app_context():
        session = db.session.get(Session, session_id)
        session.speakers = [db.session.get(Speaker, first)]
        db.session.commit()
    assert "Ben Second" not in _card(_page(client, event), "Trade panel")


def test_a_place_taken_shows_to_every_guest(app, make_event):
    event = make_event()
    first, second = make_guest(app, event, "first@example.org"), make_guest(app, event, "second@example.org")
    workshop = make_session(app, event, "Small workshop", at(event, 0, 9), capacity=2, kind="workshop")
    watcher = _signed_in(app, second)
    assert "2 places left" in _card(_page(watcher, event), "Small workshop")

    taker = _signed_in(app, first)
    token = csrf_token(taker, f"/e/{event.slug}/agenda")
    assert taker.post(f"/e/{event.slug}/me/agenda/{workshop}/add", data={"csrf_token": token}).status_code == 303
    assert "1 place left" in _card(_page(watcher, event), "Small workshop")
    hold(app, make_guest(app, event, "third@example.org"), workshop)
    card = _card(_page(watcher, event), "Small workshop")
    assert "Full" in card and "Sign up" not in card
    assert "Remove from my agenda" in _card(_page(taker, event), "Small workshop")


def test_an_invitation_given_or_withdrawn_shows_at_once(app, make_event):
    event = make_event()
    guest, other = make_guest(app, event, "guest@example.org"), make_guest(app, event, "other@example.org")
    secret = make_session(app, event, "Closed-door roundtable", at(event, 0, 16), visibility="invitation",
                          kind="roundtable")
    make_session(app, event, "Open panel", at(event, 0, 10))
    client, bystander = _signed_in(app, guest), _signed_in(app, other)
    for who in (client, bystander):
        assert "Closed-door" not in _page(who, event) and "Open panel" in _page(who, event)

    with app.app_context():
        db.session.get(Session, secret).invitees = [db.session.get(Registration, guest.registration_id)]
        db.session.commit()
    assert "Closed-door" in _page(client, event) and "Closed-door" in _page(client, event, "?kind=roundtable")
    assert "Closed-door" not in _page(bystander, event)
    assert "Closed-door" not in _page(bystander, event, "?kind=roundtable")
    assert "Closed-door" not in _page(app.test_client(), event)

    with app.app_context():
        db.session.get(Session, secret).invitees = []
        db.session.commit()
    assert "Closed-door" not in _page(client, event)


def test_a_category_session_follows_the_guests_category_and_state(app, make_event):
    event = make_event()
    guest = make_guest(app, event, "guest@example.org", category="delegate")
    make_session(app, event, "VIP breakfast", at(event, 0, 7), visibility="categories", categories=["vip"])
    client = _signed_in(app, guest)
    assert "VIP breakfast" not in _page(client, event)
    with app.app_context():
        registration = db.session.get(Registration, guest.registration_id)
        registration.category_id = next(c.id for c in db.session.get(Event, event.id).categories if c.code == "vip")
        db.session.commit()
    assert "VIP breakfast" in _page(client, event)
    _change(app, Registration, guest.registration_id, state="cancelled")
    assert "VIP breakfast" not in _page(client, event)


def test_a_bulk_update_shows_at_once(app, client, make_event):
    event = make_event()
    make_session(app, event, "Opening keynote", at(event, 0, 9))
    assert "Opening keynote" in _page(client, event)
    with app.app_context():
        db.session.execute(update(Session).values(title_en="Renamed in bulk"))
        db.session.commit()
    assert "Renamed in bulk" in _page(client, event)


def test_one_guests_state_never_reaches_another(app, make_event):
    event = make_event()
    holder, other = make_guest(app, event, "holder@example.org"), make_guest(app, event, "other@example.org")
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    hold(app, holder, session_id)
    visitor, first, second = app.test_client(), _signed_in(app, holder), _signed_in(app, other)
    for _ in range(2):
        pages = {who: _page(client, event, "?q=keynote" if who == "search" else "")
                 for who, client in (("visitor", visitor), ("holder", first), ("other", second))}
        assert "In my agenda" in _card(pages["holder"], "Opening keynote")
        assert "Add to my agenda" in _card(pages["other"], "Opening keynote")
        assert "In my agenda" not in pages["other"] and "/remove" not in pages["other"]
        assert "<form" not in _card(pages["visitor"], "Opening keynote")
        tokens = {who: set(CSRF_INPUT.findall(_card(page, "Opening keynote"))) for who, page in pages.items()}
        assert len(tokens["holder"]) == len(tokens["other"]) == 1 and tokens["holder"] != tokens["other"]
        for who in ("holder", "other"):
            assert tokens[who] == {_header_token(pages[who])}
    # The form returns to the page it is on.
    searched = _page(second, event, "?q=keynote")
    assert f'name="next" value="/e/{event.slug}/agenda?q=keynote"' in _card(searched, "Opening keynote")


def test_each_language_and_zone_shows_its_own_words_and_times(app, client, make_event):
    event = make_event()
    make_session(app, event, "Opening keynote", at(event, 0, 9), kind="keynote")
    english = _card(_page(client, event), "Opening keynote")
    with client.session_transaction() as cookie:
        cookie["lang"] = "zh_Hans"
    chinese = _card(_page(client, event), "Opening keynote（中文）")
    assert "Keynote" in english and "主旨演讲" in chinese
    paris = _card(_page(client, event, "?tz=Europe/Paris"), "Opening keynote（中文）")
    assert "法国时间" in paris and "02:00" in paris  # the zone named in the page's language
    assert "local-time" not in _card(_page(app.test_client(), event), "Opening keynote")


def test_my_agenda_shows_an_edit_at_once(app, make_event):
    event = make_event()
    guest = make_guest(app, event, "guest@example.org")
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    hold(app, guest, session_id)
    client = _signed_in(app, guest)
    assert "Opening keynote" in _page(client, event)
    _change(app, Session, session_id, title_en="Welcome keynote")
    mine = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    assert "Welcome keynote" in mine and "Remove from my agenda" in mine


def test_each_guest_sees_only_their_own_rating(app, make_event):
    from datetime import timedelta

    from portal.database import utcnow
    from portal.models import SessionRating

    event = make_event(starts_on=utcnow().date() - timedelta(days=1), ends_on=utcnow().date() + timedelta(days=1))
    first, second = make_guest(app, event, "first@example.org"), make_guest(app, event, "second@example.org")
    ended = make_session(app, event, "Opening keynote", utcnow() - timedelta(hours=2))
    for guest in (first, second):
        hold(app, guest, ended)
    with app.app_context():
        db.session.add(SessionRating(registration_id=first.registration_id, session_id=ended, score=4,
                                     comment="Inspiring <b>talk</b>"))
        db.session.commit()
    clients = {"first": _signed_in(app, first), "second": _signed_in(app, second)}
    for _ in range(2):
        pages = {who: _page(client, event, "?day=all") for who, client in clients.items()}
        cards = {who: _card(page, "Opening keynote") for who, page in pages.items()}
        assert "Your rating: 4 of 5" in cards["first"] and "Inspiring &lt;b&gt;talk&lt;/b&gt;" in cards["first"]
        assert "Rate this session" in cards["second"] and "Inspiring" not in cards["second"]
        for who, card in cards.items():
            assert set(CSRF_INPUT.findall(card)) == {_header_token(pages[who])}
        assert f'value="/e/{event.slug}/agenda?day=all"' in cards["second"]
    assert "Opening keynote" in _page(app.test_client(), event, "?day=all")
    assert "session-rating" not in _page(app.test_client(), event, "?day=all")
