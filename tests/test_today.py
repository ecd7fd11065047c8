"""The day's dashboard: registrations, check-ins against expected arrivals, open help requests, pending
lodging and transport, mail; fresh on every request, for every role of the event, swapped in by its poll."""

import re
from datetime import datetime, time, timedelta


from portal.database import utcnow
from portal.extensions import db
from portal.models import CheckIn, Event, OutboundMail, Registration
from tests.sessions import sign_in
from tests.factories import add_guest, submit


def _cells(page: str, table: str) -> list[list[str]]:
    body = re.search(rf'data-table="{table}".*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def _figure(page: str, name: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'data-figure="{name}">(.*?)</(?:dd|p)>', page, re.S).group(1)).strip()


def test_the_dashboard_counts_what_the_desk_watches(app, make_event, make_staff):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    day = event.starts_on
    zone_day = datetime.combine(day, time(9, 30))
    _, ann = add_guest(app, event, "ann@example.org")
    _, bo = add_guest(app, event, "bo@example.org")
    _, vip = add_guest(app, event, "vip@example.org", category="vip")
    add_guest(app, event, "pat@example.org", state="pending")
    add_guest(app, event, "cal@example.org", state="cancelled")
    with app.test_request_context():
        from portal.helpdesk import services as helpdesk
        from portal.transport import services as transport

        row = db.session.get(Event, event.id)
        at_930 = zone_day.replace(tzinfo=row.zone)
        # Ann and the VIP are expected between 9 and 10; Ann and Bo check in then.
        for registration_id in (ann, vip):
            transport.save_leg(row, db.session.get(Registration, registration_id), "arrival", transport.Journey(
                mode="flight", carrier="CA", number="1501", local_time=zone_day, station="PVG", terminal="T2",
                passengers=1, luggage=1))
        for registration_id in (ann, bo):
            db.session.add(CheckIn(registration_id=registration_id, event_id=event.id, at=at_930,
                                   staff_id=organizer.id))
        guest = db.session.get(Registration, bo)
        helpdesk.open_ticket(row, category="lodging", subject="Cold room", body="Cold.", source="portal",
                             registration=guest, now=utcnow() - timedelta(minutes=90))
        helpdesk.open_ticket(row, category="medical", subject="Dizzy", body="Dizzy.", source="portal",
                             registration=guest)
        db.session.add(OutboundMail(event_id=event.id, kind="x", recipient="x@example.org", subject="x",
                                    body_text="x", message_id="<failed@x>", state="failed"))
        db.session.commit()
    client = app.test_client()
    sign_in(client, organizer.id)
    response = client.get(f"/staff/e/{event.slug}/today?day={day.isoformat()}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)

    registrations = {r[0]: r[1:] for r in _cells(page, "registrations")}
    # Columns: pending, confirmed, waitlisted, cancelled, declined, total.
    assert registrations["Delegate"] == ["1", "2", "0", "1", "0", "4"]
    assert registrations["Total"] == ["1", "3", "0", "1", "0", "5"]

    checkins = {r[0]: r[1:] for r in _cells(page, "checkins")}
    header = _cells(page, "checkins")[0]
    delegate, vip_column = header.index("Delegate") - 1, header.index("VIP") - 1
    assert checkins["09:00"][delegate] == "2 / 1" and checkins["09:00"][vip_column] == "0 / 1"
    assert checkins["09:00"][-1] == "2 / 2"
    assert "2 checked in this day, 2 arrivals expected. 2 of 3 confirmed guests" in page

    tickets = {r[0]: r[1:] for r in _cells(page, "tickets")}
    assert tickets["Urgent"] == ["1", "0", "0", "0"]   # the medical one, just raised
    assert tickets["Normal"] == ["0", "0", "1", "0"]   # 90 minutes old
    assert "2 open requests." in page
    assert _figure(page, "mails-failed") == "1"

    # The poll gets the figures alone; a check-in since shows at once.
    with app.app_context():
        row = db.session.get(Event, event.id)
        db.session.add(CheckIn(registration_id=vip, event_id=event.id, at=zone_day.replace(tzinfo=row.zone),
                               staff_id=organizer.id))
        db.session.commit()
    fragment = client.get(f"/staff/e/{event.slug}/today?day={day.isoformat()}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.lstrip().startswith("{#") is False
    assert {r[0]: r[1:] for r in _cells(text, "checkins")}["09:00"][-1] == "3 / 2"


def test_every_role_of_the_event_sees_the_dashboard_and_nobody_else(app, make_event, make_staff):
    event = make_event()
    make_event(slug="other")
    for role in ("organizer", "lodging", "transport", "catering", "helpdesk"):
        user = make_staff(f"{role}@example.org", event, roles=(role,))
        client = app.test_client()
        sign_in(client, user.id)
        assert client.get(f"/staff/e/{event.slug}/today").status_code == 200, role
        assert client.get("/staff/e/other/today").status_code == 403, role
    anonymous = app.test_client()
    assert anonymous.get(f"/staff/e/{event.slug}/today").status_code == 302


def test_a_day_typed_by_hand_never_breaks_the_page(app, make_event, make_staff):
    event = make_event()
    user = make_staff("boss@example.org", event, roles=("organizer",))
    client = app.test_client()
    sign_in(client, user.id)
    for day in ("", "yesterday", "2026-02-30", "0001-01-01", "9999-12-31", "x" * 500):
        assert client.get(f"/staff/e/{event.slug}/today", query_string={"day": day}).status_code == 200, day


def test_the_dashboard_speaks_chinese(app, make_event, make_staff):
    event = make_event()
    user = make_staff("boss@example.org", event, roles=("organizer",))
    client = app.test_client()
    sign_in(client, user.id)

    submit(client, "/language", {"lang": "zh_Hans", "next": "/"}, page="/login")
    page = client.get(f"/staff/e/{event.slug}/today").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and "未结求助" in page and "本页每 30 秒自动更新。" in page
