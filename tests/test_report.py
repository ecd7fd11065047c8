"""The post-event report: every figure against a small dataset computed by hand, printable, constant queries."""

import re
from datetime import date, timedelta, timezone


from portal.extensions import db
from tests.factories import build_dataset, queries_for
from tests.factories import organizer_client
from tests.sessions import sign_in

UTC = timezone.utc


def figures(html: str) -> dict[str, str]:
    return {name: value.strip() for name, value in re.findall(r'data-figure="([^"]+)">([^<]*)<', html)}


def test_the_report_matches_a_hand_computed_dataset(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    ids = build_dataset(app, event)
    staff = organizer_client(app, event, make_staff)
    page = staff.get(f"/staff/e/{event.slug}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = figures(html)
    assert {k: shown[k] for k in ("invited", "registered", "confirmed", "checked_in", "no_shows")} == {
        "invited": "3", "registered": "5", "confirmed": "3", "checked_in": "2", "no_shows": "1"}
    # By category: VIP 1/1/1/0, Delegate 3 registered, 2 confirmed, 1 checked in, 1 no-show, Press 1/0/0/0.
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>',
                      html)
    assert ("VIP", "1", "1", "1", "0") in rows and ("Delegate", "3", "2", "1", "1") in rows
    assert ("Press", "1", "0", "0", "0") in rows
    first, second = (f"{day:%b} {day.day}, {day.year}" for day in (event.starts_on, event.starts_on + timedelta(days=1)))
    assert f'<th scope="row">{first}</th><td>1</td>' in html and f'<th scope="row">{second}</th><td>1</td>' in html

    assert (shown["rooms_confirmed"], shown["pickups_scheduled"], shown["pickups_completed"]) == ("3", "1", "1")
    assert (shown["diet-vegan"], shown["diet-halal"]) == ("2", "1") and "diet-kosher" not in shown
    assert (shown["tickets"], shown["tickets-lodging"], shown["tickets-medical"]) == ("3", "2", "1")
    assert shown["median_first_response"] == "3.0 min"  # 60, 180, 300 seconds

    survey = ids["survey"]
    assert shown[f"nps-{survey}"] == "0.0"  # one promoter (10), one detractor (6)
    assert (shown[f"area-{survey}-venue"], shown[f"area-{survey}-transport"]) == ("4.5", "3.0")
    assert shown[f"session-{ids['keynote']}"] == "4.5"

    # 800 × (3 + 2) nights for the organizer in CNY; 150 × 2 for the guest in USD; requested stays do not count.
    assert shown["cost-organizer-CNY"] == "4,000.00" and shown["cost-guest-USD"] == "300.00"
    assert shown["passengers"] == "3"

    # Printable: the print stylesheet is linked, and nothing names a guest or a sensitive note.
    assert re.search(r'href="/static/css/print-report.css\?v=[0-9a-f]+" media="print"', html)
    stylesheet = staff.get("/static/css/print-report.css")
    assert stylesheet.status_code == 200 and b"@media print" in stylesheet.data
    stylesheet.close()
    for private in ("Ana Vip", "ana@example.org", "asthma", "Insulin"):
        assert private not in html


def test_the_report_is_the_organizers(app, make_event, make_staff):
    event = make_event()
    coordinator = make_staff("coord@example.org", event, roles=("transport", "helpdesk"))
    client = app.test_client()
    sign_in(client, coordinator.id)
    assert client.get(f"/staff/e/{event.slug}/report").status_code == 403
    assert client.get(f"/staff/e/{event.slug}/archive").status_code == 403
    assert organizer_client(app, event, make_staff).get(f"/staff/e/{event.slug}/report").status_code == 200


def test_the_report_keeps_a_constant_number_of_queries(app, make_event, make_staff):
    small = make_event(slug="small")
    large = make_event(slug="large", name_en="Large")
    build_dataset(app, small)
    build_dataset(app, large, scale=25)
    staff = organizer_client(app, small, make_staff)
    with app.app_context():
        from portal.models import StaffRole, User
        from sqlalchemy import select

        boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        db.session.add(StaffRole(user_id=boss.id, event_id=large.id, role="organizer"))
        db.session.commit()
    # The first page after a role is granted notes it in the session (portal/auth/sessions.py); count after.
    staff.get("/staff/").close()
    assert len(queries_for(app, staff, "/staff/e/small/report")) == len(queries_for(app, staff, "/staff/e/large/report"))


def test_no_shows_are_counted_only_once_the_event_has_ended(app, make_event, make_staff):
    event = make_event(starts_on=date.today(), ends_on=date.today() + timedelta(days=1))
    build_dataset(app, event)
    html = organizer_client(app, event, make_staff).get(f"/staff/e/{event.slug}/report").get_data(as_text=True)
    # Cai has not checked in yet, but the event is still on: not a no-show.
    assert figures(html)["no_shows"] == "counted after the event"
    assert ("Delegate", "3", "2", "1", "1") not in re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>', html)
