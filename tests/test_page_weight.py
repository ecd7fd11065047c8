"""A guest page is small: first load under 60 KB gzipped with all it fetches; an htmx fragment a few KB.

Measured from the real responses: the page, then every stylesheet, script,
icon and image it references, each gzipped as a server would send it. What a
page loads only on a tap (the camera's QR decoder) is not part of its first load.
"""

import gzip
import re
from datetime import datetime, time, timedelta

import pytest

from portal.checkin import devices
from portal.extensions import db
from portal.models import Event, Registration, Room, Session, Track
from tests.factories import registration_form, submit
from tests.sessions import sign_in_new_account

FIRST_LOAD_BUDGET = 60 * 1024
FRAGMENT_BUDGET = 8 * 1024
REFERENCE = re.compile(
    r'<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]*href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def first_load(client, url: str, **headers) -> tuple[int, dict[str, int]]:
    """The gzipped bytes of `url` and of everything its HTML references, by URL."""
    page = client.get(url, headers=headers)
    assert page.status_code == 200, (url, page.status_code)
    html = page.get_data()
    sizes = {url: gzipped(html)}
    for asset in sorted(set(REFERENCE.findall(html.decode("utf-8")))):
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        sizes[asset] = gzipped(fetched.get_data())
        fetched.close()
    return sum(sizes.values()), sizes


@pytest.fixture
def programme(app, make_event):
    """An event with a day of twenty sessions, as a mid-sized programme has."""
    event = make_event()
    with app.app_context():
        row = db.session.get(Event, event.id)
        room = Room(event_id=event.id, name_en="Hall A", name_zh="A厅")
        track = Track(event_id=event.id, name_en="Trade", name_zh="贸易")
        db.session.add_all([room, track])
        start = datetime.combine(event.starts_on, time(9), tzinfo=row.zone)
        for n in range(20):
            at = start + timedelta(minutes=30 * n)
            db.session.add(Session(
                event_id=event.id, title_en=f"Trade and climate finance, part {n + 1}",
                title_zh=f"贸易与气候金融 第{n + 1}部分",
                description_en="Ministers and business leaders on what the next decade asks of trade. " * 3,
                starts_at=at, ends_at=at + timedelta(minutes=45), room=room, track=track,
                capacity=100 if n % 3 == 0 else None))
        db.session.commit()
    return event


def test_guest_pages_load_under_60_kb_gzipped_with_everything_they_fetch(client, programme):
    pages = {}
    for url in ("/e/summit/", "/e/summit/register", "/e/summit/agenda", "/login"):
        pages[url] = first_load(client, url)
    sign_in_new_account(client, "wang@example.org")
    pages["/e/summit/register"] = first_load(client, "/e/summit/register")
    response = submit(client, "/e/summit/register", registration_form(category=str(
        next(c.id for c in programme.categories if c.code == "delegate"))))
    assert response.status_code == 303
    for url in ("/e/summit/me", "/e/summit/me/agenda"):
        pages[url] = first_load(client, url)
    heavy = {url: (total, sizes) for url, (total, sizes) in pages.items() if total >= FIRST_LOAD_BUDGET}
    assert not heavy, heavy
    # The page itself, not only its assets, stays small.
    assert all(sizes[url] < 20 * 1024 for url, (_total, sizes) in pages.items())


def test_kiosk_start_and_welcome_load_under_60_kb_gzipped(app, client, make_event, make_staff):
    event = make_event()
    organizer = make_staff("organizer@example.org", event, roles=("organizer",))
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        _device, code = devices.create_device(event_row, "Entrance", "Hall", organizer)
    assert submit(client, "/kiosk/pair", {"code": code}).status_code == 303
    guest = client.application.test_client()
    sign_in_new_account(guest, "wang@example.org")
    submit(guest, "/e/summit/register", registration_form(category=str(
        next(c.id for c in event.categories if c.code == "delegate"))))
    with app.app_context():
        ticket_code = db.session.scalars(db.select(Registration.ticket_code)).one()

    start_total, start_sizes = first_load(client, "/kiosk/")
    assert start_total < FIRST_LOAD_BUDGET, start_sizes
    scanned = submit(client, "/kiosk/", {"ticket": ticket_code, "nonce": "n" * 22})
    assert scanned.status_code == 303 and "/kiosk/welcome/" in scanned.headers["Location"]
    welcome_total, welcome_sizes = first_load(client, scanned.headers["Location"])
    assert welcome_total < FIRST_LOAD_BUDGET, welcome_sizes


def test_htmx_fragments_are_a_few_kb(client, auth, programme, make_staff):
    # The agenda's filtered sessions, as the search box asks for them.
    fragment = client.get("/e/summit/agenda?q=trade", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Trade and climate finance" in body
    assert gzipped(fragment.get_data()) < FRAGMENT_BUDGET

    # The staff console's guest rows, a full page of them.
    make_staff("desk@example.org", programme, roles=("helpdesk",))
    for n in range(50):
        guest = client.application.test_client()
        sign_in_new_account(guest, f"guest{n}@example.org")
        submit(guest, "/e/summit/register", registration_form(
            email=f"guest{n}@example.org", category=str(
                next(c.id for c in programme.categories if c.code == "delegate"))))
    auth.login_staff("desk@example.org")
    rows = client.get("/staff/e/summit/guests", headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in rows.get_data(as_text=True)
    assert gzipped(rows.get_data()) < FRAGMENT_BUDGET


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_demo_event_home_with_its_cover_and_map_loads_under_60_kb_gzipped(app, client, tmp_path, language):
    # The budget events above have no pictures; the demo's cover and venue map are what a real one carries.
    app.config["EVENT_IMAGES_FOLDER"] = str(tmp_path / "event-images")
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert "Created the demo event" in output, output
    total, sizes = first_load(client, "/e/demo/", **{"Accept-Language": language})
    assert sum(url.startswith("/e/demo/images/") for url in sizes) == 3, sizes  # logo, cover, map
    assert total < FIRST_LOAD_BUDGET, sizes
