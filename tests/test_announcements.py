"""Announcements: on every page of their event, emergencies first, gone once ended, emergency mail."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from portal.agenda import announcements
from portal.database import utcnow
from portal.extensions import db
from portal.models import Announcement, OutboundMail
from tests.factories import make_guest, queries_for, submit


@pytest.fixture
def organizer(app, client, auth, make_event, make_staff):
    event = make_event()
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))
    return event


def _post(client, event, **values):
    data = {"level": "info", "text_en": "Lunch moves to the garden.", "text_zh": "午餐改在花园。", **values}
    return submit(client, f"/staff/e/{event.slug}/announcements", data)


def _strip(app, event):
    """What a guest's open page fetches every 10 seconds."""
    answer = app.test_client().get(f"/e/{event.slug}/announcements", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "<html" not in answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_an_announcement_shows_on_every_page_of_its_event_only(app, client, organizer, make_event):
    event = organizer
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    assert _post(client, event).status_code == 303
    visitor = app.test_client()
    for path in (f"/e/{event.slug}/", f"/e/{event.slug}/agenda", f"/e/{event.slug}/register"):
        page = visitor.get(path).get_data(as_text=True)
        assert "Lunch moves to the garden." in page, path
        assert 'hx-trigger="every 10s"' in page
    assert "Lunch moves" in _strip(app, event)
    assert "Lunch moves" not in visitor.get(f"/e/{other.slug}/").get_data(as_text=True)
    assert "Lunch moves" not in visitor.get("/").get_data(as_text=True)
    with_zh = app.test_client()
    with_zh.get("/", headers={"Accept-Language": "zh-CN"})
    assert "午餐改在花园。" in with_zh.get(f"/e/{event.slug}/", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)


def test_an_emergency_tops_the_page(app, client, organizer):
    event = organizer
    _post(client, event, text_en="Coffee at ten.")
    _post(client, event, level="emergency", text_en="Leave the building by the east exit.",
          text_zh="请从东门撤离。")
    page = app.test_client().get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    emergency = page.index("Leave the building")
    assert emergency < page.index("Coffee at ten.") < page.index('class="site-header"')
    assert emergency < page.index("<main")


def test_ending_removes_it_everywhere(app, client, organizer):
    event = organizer
    _post(client, event, level="emergency", text_en="Leave the building.")
    assert "Leave the building." in _strip(app, event)
    with app.app_context():
        announcement_id = db.session.scalar(select(Announcement.id))
    ended = submit(client, f"/staff/e/{event.slug}/announcements/{announcement_id}/end", {},
                   page=f"/staff/e/{event.slug}/announcements")
    assert ended.status_code == 303
    assert "Leave the building." not in _strip(app, event)
    assert "Leave the building." not in app.test_client().get(f"/e/{event.slug}/").get_data(as_text=True)


def test_the_window_decides_what_shows(app, make_event):
    event = make_event()
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            Announcement(event_id=event.id, level="info", text_en="Later", text_zh="稍后",
                         starts_at=now + timedelta(hours=1)),
            Announcement(event_id=event.id, level="info", text_en="Over", text_zh="已过",
                         starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)),
            Announcement(event_id=event.id, level="important", text_en="Now", text_zh="现在",
                         starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)),
        ])
        db.session.commit()
    strip = _strip(app, event)
    assert "Now" in strip and "Later" not in strip and "Over" not in strip


def test_an_emergency_can_be_mailed_to_every_confirmed_guest_at_once(app, client, organizer, mailbox):
    event = organizer
    confirmed = [make_guest(app, event, f"guest{i}@example.org") for i in range(4)]
    make_guest(app, event, "waiting@example.org", state="waitlisted")
    make_guest(app, event, "gone@example.org", state="cancelled")
    answer = _post(client, event, level="emergency", text_en="Typhoon: sessions move online.",
                   text_zh="台风：会议改为线上。", email_guests="y")
    assert answer.status_code == 303
    answer.close()
    with app.app_context():
        rows = db.session.scalars(select(OutboundMail).where(OutboundMail.kind == "announcement")).all()
    assert sorted(r.recipient for r in rows) == sorted(g.email for g in confirmed)
    for guest in confirmed:
        (message,) = mailbox.to(guest.email)
        assert "Typhoon" in message.get_body(preferencelist=("plain",)).get_content()
    assert mailbox.to("waiting@example.org") == [] and mailbox.to("gone@example.org") == []


@pytest.mark.parametrize("values, message", [
    ({"level": "info", "email_guests": "y"}, "Only an emergency is e-mailed to every guest."),
    ({"text_en": ""}, "Enter the English text."),
    ({"level": "panic"}, "Not a valid choice"),
    ({"starts_at": "2030-01-02T10:00", "ends_at": "2030-01-02T09:00"}, "The end must be after the start."),
    ({"starts_at": "yesterday"}, "Not a valid datetime value"),
])
def test_bad_announcements_are_refused_beside_the_field(app, client, organizer, values, message):
    event = organizer
    answer = _post(client, event, **values)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_the_strip_polls_read_announcements_once_per_worker_while_its_copy_lasts(app, make_event):
    event = make_event()
    guest_page = app.test_client()
    first = queries_for(app, guest_page, f"/e/{event.slug}/announcements")
    statements = []

    def record(_conn, _cursor, sql, *_rest):
        statements.append(sql)

    with app.app_context():
        engine = db.engine
    # Counted by hand: counting_queries drops the worker's copy, which is what this test keeps.
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        assert guest_page.get(f"/e/{event.slug}/announcements").status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    assert any("FROM announcement" in sql for sql in first)
    assert statements and not any("announcement" in sql for sql in statements)


def test_a_post_in_another_worker_reaches_this_one_when_its_copy_runs_out(make_app, make_event):
    this, other = make_app(ANNOUNCEMENT_CACHE_SECONDS=0.3), make_app(ANNOUNCEMENT_CACHE_SECONDS=0.3)
    event = make_event()
    assert "Evacuate" not in _strip(this, event)
    with other.app_context():
        db.session.add(Announcement(event_id=event.id, level="emergency", text_en="Evacuate hall B.",
                                    text_zh="疏散B厅。", starts_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    # The other worker forgot its copy at commit; this one holds its own for at most its lifetime.
    assert "Evacuate" in _strip(other, event)
    time.sleep(0.4)
    assert "Evacuate hall B." in _strip(this, event)
    kiosk_view = this.test_request_context()
    with kiosk_view:
        assert [a.text_en for a in announcements.for_kiosk(event.id).emergencies] == ["Evacuate hall B."]


def test_an_announcement_due_to_start_shows_from_its_start_even_when_read_earlier(app, make_event):
    event = make_event()
    start = utcnow() + timedelta(seconds=2)
    with app.app_context():
        db.session.add(Announcement(event_id=event.id, level="important", text_en="Doors open", text_zh="开门",
                                    starts_at=start))
        db.session.commit()
    with app.test_request_context():
        assert announcements.showing(slug=event.slug, now=start - timedelta(seconds=1)) == []
        assert [a.text_en for a in announcements.showing(slug=event.slug, now=start)] == ["Doors open"]


def _region(html: str, name: str) -> tuple[str, str] | None:
    """The opening tag's attributes and the content of the strip's region `name` (urgent, notices)."""
    found = re.search(rf'<div id="announcements-{name}"([^>]*)>(.*?)</div>', html, re.S)
    return (found.group(1), found.group(2)) if found else None


def _poll_url(html: str) -> str:
    return re.search(r'id="announcements-poll" hidden hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_emergencies_are_said_at_once_and_other_notices_politely(app, client, organizer):
    """An emergency in the assertive region (role="alert"), a routine or important notice in the polite
    one (role="status"): the shuttle's gate does not interrupt a screen reader like an evacuation."""
    event = organizer
    _post(client, event, text_en="The shuttle leaves from gate 2.")
    _post(client, event, level="important", text_en="Lunch moves to the terrace.")
    _post(client, event, level="emergency", text_en="Evacuate the building.", text_zh="请撤离大楼。")
    page = app.test_client().get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    (urgent_tag, urgent), (notices_tag, notices) = _region(page, "urgent"), _region(page, "notices")
    assert 'role="alert"' in urgent_tag and 'role="status"' in notices_tag
    assert "Evacuate the building." in urgent and "gate 2" not in urgent and "terrace" not in urgent
    assert "gate 2" in notices and "terrace" in notices and "Evacuate" not in notices
    # One alert on the page, and the emergency still comes first.
    assert page.count('role="alert"') == 1
    assert page.index("Evacuate the building.") < page.index("Lunch moves") < page.index("gate 2")


def test_without_notices_both_regions_are_there_and_empty(app, make_event):
    """The live regions exist from the first load, so the first notice to arrive is said."""
    event = make_event()
    page = app.test_client().get(f"/e/{event.slug}/").get_data(as_text=True)
    assert _region(page, "urgent") == (' role="alert"', "")
    assert _region(page, "notices") == (' role="status"', "")
    assert 'hx-trigger="every 10s"' in page


def test_the_poll_refills_only_the_region_that_changed(app, client, organizer):
    """The poll carries what the page shows; 204 while nothing changed, else new content for the changed
    region only, never the region itself, so neither speaks again about what it already said."""
    event = organizer
    visitor = app.test_client()
    page = visitor.get(f"/e/{event.slug}/").get_data(as_text=True)
    poll = _poll_url(page)
    assert visitor.get(poll, headers={"HX-Request": "true"}).status_code == 204

    # A routine notice: only the polite region's content comes.
    assert _post(client, event).status_code == 303
    changed = visitor.get(poll, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    fragment = changed.get_data(as_text=True)
    assert _region(fragment, "urgent") is None
    attributes, content = _region(fragment, "notices")
    assert 'hx-swap-oob="innerHTML"' in attributes and "Lunch moves to the garden." in content
    assert "role=" not in fragment and "<html" not in fragment
    poll = _poll_url(fragment)
    assert visitor.get(poll, headers={"HX-Request": "true"}).status_code == 204

    # An emergency: only the assertive region's content; the notice already said is not sent again.
    assert _post(client, event, level="emergency", text_en="Evacuate the building.").status_code == 303
    fragment = visitor.get(poll, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _region(fragment, "notices") is None
    attributes, content = _region(fragment, "urgent")
    assert 'hx-swap-oob="innerHTML"' in attributes and "Evacuate the building." in content
    assert "Lunch moves" not in fragment
    again = _poll_url(fragment)
    assert again != poll
    assert visitor.get(again, headers={"HX-Request": "true"}).status_code == 204
    # A poll that says nothing gets both regions.
    for shown in ("", "."):
        answer = visitor.get(f"/e/{event.slug}/announcements", query_string={"shown": shown},
                             headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "Evacuate" in _region(answer, "urgent")[1] and "Lunch" in _region(answer, "notices")[1]
    # The page itself, asked for without htmx, is always the whole page.
    whole = visitor.get(again)
    assert whole.status_code == 200 and 'role="alert"' in whole.get_data(as_text=True)


def test_a_poll_in_the_other_language_refills_both_regions(app, client, organizer):
    """What a page shows is named in its language: a page in Chinese gets Chinese, not a 204."""
    event = organizer
    _post(client, event, level="emergency", text_en="Evacuate the building.", text_zh="请撤离大楼。")
    _post(client, event)
    english = app.test_client().get(f"/e/{event.slug}/").get_data(as_text=True)
    chinese = app.test_client()
    chinese.get("/", headers={"Accept-Language": "zh-CN"})
    answer = chinese.get(_poll_url(english), headers={"HX-Request": "true", "Accept-Language": "zh-CN"})
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "请撤离大楼。" in _region(text, "urgent")[1] and "午餐改在花园。" in _region(text, "notices")[1]


def test_a_page_from_before_the_two_regions_reloads_only_when_its_notices_changed(app, client, organizer):
    """A page left open across an upgrade sends its one-part key and has no region to refill: while
    what it shows is current it gets 204, after a change it reloads (HX-Refresh) to show it."""
    event = organizer
    _post(client, event)
    visitor = app.test_client()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        old_key = announcements.key_of_one_region(announcements.showing(slug=event.slug))
    url = f"/e/{event.slug}/announcements?shown={old_key}"
    same = visitor.get(url, headers={"HX-Request": "true"})
    assert same.status_code == 204 and "HX-Refresh" not in same.headers
    _post(client, event, level="emergency", text_en="Evacuate the building.")
    changed = visitor.get(url, headers={"HX-Request": "true"})
    assert changed.status_code == 204 and changed.headers["HX-Refresh"] == "true"
    # Without htmx it is the page, as ever.
    assert "Evacuate the building." in visitor.get(url).get_data(as_text=True)
