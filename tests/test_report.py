"""The post-event report: every figure against a small dataset computed by hand, printable, constant queries."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal


from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, DietaryNeeds, Hotel, Invitation, LodgingRequest, MedicalNotes, RoomBlock, Session, SessionRating,
    Ticket, TransportLeg, Vehicle,
)
from tests.conftest import queries_for, submit
from tests.survey_fixtures import add_guest, add_survey, sign_in

UTC = timezone.utc


def build_dataset(app, event, scale: int = 0) -> dict:
    """The known event; `scale` adds that many more of everything without changing the query shapes."""
    day1 = datetime.combine(event.starts_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)  # 10:00 Shanghai
    ids = {}
    p = "" if event.slug == "summit" else f"{event.slug}-"  # account e-mails are unique across events
    ids["ana"] = add_guest(app, event, f"{p}ana@example.org", category="vip", checked_in=day1, name="Ana Vip")
    ids["ben"] = add_guest(app, event, f"{p}ben@example.org", checked_in=day1 + timedelta(days=1), name="Ben Delegate")
    ids["cai"] = add_guest(app, event, f"{p}cai@example.org", name="Cai Noshow")
    ids["dee"] = add_guest(app, event, f"{p}dee@example.org", category="press", state="cancelled", name="Dee Press")
    ids["eve"] = add_guest(app, event, f"{p}eve@example.org", state="waitlisted", name="Eve Waiting")
    for i in range(scale):
        add_guest(app, event, f"{p}extra{i}@example.org", checked_in=day1 + timedelta(hours=i), name=f"Extra {i}")
    with app.app_context():
        for n, email in enumerate([f"{p}ana@example.org", f"{p}ben@example.org", f"{p}zoe@example.org"]):
            db.session.add(Invitation(event_id=event.id, email=email, name=email, token_hash=f"{p}{n}".ljust(64, "0"),
                                      expires_at=utcnow() + timedelta(days=9)))
        hotel = Hotel(event_id=event.id, name_en="Lakeside", name_zh="湖畔")
        organizer_block = RoomBlock(event_id=event.id, hotel=hotel, room_type_en="King", room_type_zh="大床",
                                    nightly_rate=Decimal("800.00"), currency="CNY", payer="organizer",
                                    arrival_from=event.starts_on - timedelta(days=2),
                                    departure_until=event.ends_on + timedelta(days=2))
        guest_block = RoomBlock(event_id=event.id, hotel=hotel, room_type_en="Twin", room_type_zh="双床",
                                nightly_rate=Decimal("150.00"), currency="USD", payer="guest",
                                arrival_from=event.starts_on - timedelta(days=2),
                                departure_until=event.ends_on + timedelta(days=2))
        db.session.add_all([hotel, organizer_block, guest_block])
        db.session.flush()
        start = event.starts_on

        def stay(who, block, nights, state):
            db.session.add(LodgingRequest(event_id=event.id, registration_id=ids[who][1], block_id=block.id,
                                          check_in=start, check_out=start + timedelta(days=nights), state=state))
        stay("ana", organizer_block, 3, "confirmed")
        stay("ben", organizer_block, 2, "confirmed")
        stay("cai", guest_block, 2, "confirmed")
        stay("eve", organizer_block, 4, "requested")
        van = Vehicle(event_id=event.id, label="Van 1", capacity=6)
        db.session.add(van)
        db.session.flush()

        def leg(who, direction, state, passengers):
            db.session.add(TransportLeg(event_id=event.id, registration_id=ids[who][1], direction=direction,
                                        mode="flight", scheduled_at=day1, passengers=passengers, state=state,
                                        vehicle_id=van.id if state != "requested" else None))
        leg("ana", "arrival", "scheduled", 1)
        leg("ben", "arrival", "completed", 2)
        leg("cai", "departure", "requested", 1)
        db.session.add_all([DietaryNeeds(registration_id=ids["ana"][1], diet="vegan"),
                            DietaryNeeds(registration_id=ids["ben"][1], diet="vegan"),
                            DietaryNeeds(registration_id=ids["cai"][1], diet="halal"),
                            DietaryNeeds(registration_id=ids["dee"][1], diet="kosher"),  # cancelled: not counted
                            MedicalNotes(registration_id=ids["ana"][1], notes="Severe asthma, inhaler in bag")])
        for number, (category, seconds, subject) in enumerate(
                [("lodging", 60, "Late check-in"), ("lodging", 180, "Extra pillow"),
                 ("medical", 300, "Insulin must be kept cold")], start=1):
            db.session.add(Ticket(event_id=event.id, number=number, category=category, priority="normal",
                                  subject=subject, first_response_seconds=seconds, registration_id=ids["ana"][1]))
        keynote = Session(event_id=event.id, title_en="Opening keynote", title_zh="开幕",
                          starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=2))
        db.session.add(keynote)
        db.session.flush()
        for who, score in (("ana", 5), ("ben", 4)):
            db.session.add(AgendaEntry(registration_id=ids[who][1], session_id=keynote.id))
            db.session.add(SessionRating(registration_id=ids[who][1], session_id=keynote.id, score=score,
                                         comment="Great" if score == 5 else ""))
        db.session.commit()
        ids["keynote"] = keynote.id
    survey = add_survey(app, event, [
        ("rating_1_5", "The venue", {"area": "venue"}),
        ("rating_1_5", "The shuttles", {"area": "transport"}),
        ("nps_0_10", "Recommend us?", {}),
        ("short_text", "One word", {}),
    ])
    venue, shuttles, recommend, word = (f"q{i}" for i in survey["questions"])
    for who, values in (("ana", {venue: "5", shuttles: "3", recommend: "10", word: "Splendid"}),
                        ("ben", {venue: "4", recommend: "6"})):
        client = app.test_client()
        sign_in(client, ids[who][0])
        assert submit(client, f"/e/{event.slug}/me/survey", {**values, "action": "submit"}).status_code == 303
    ids["survey"] = survey["id"]
    return ids


def organizer(app, event, make_staff):
    user = make_staff("boss@example.org", event, roles=("organizer",))
    client = app.test_client()
    sign_in(client, user.id)
    return client


def figures(html: str) -> dict[str, str]:
    return {name: value.strip() for name, value in re.findall(r'data-figure="([^"]+)">([^<]*)<', html)}


def test_the_report_matches_a_hand_computed_dataset(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    ids = build_dataset(app, event)
    staff = organizer(app, event, make_staff)
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
    first, second = event.starts_on.isoformat(), (event.starts_on + timedelta(days=1)).isoformat()
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
    assert 'href="/static/css/print-report.css" media="print"' in html
    stylesheet = staff.get("/static/css/print-report.css")
    assert stylesheet.status_code == 200 and b"@media print" in stylesheet.data
    stylesheet.close()
    for private in ("Ana Vip", "ana@example.org", "asthma", "Insulin"):
        assert private not in html


def test_the_report_is_the_organizers(app, make_event, make_staff):
    event = make_event()
    coordinator = make_staff("coord@example.org", event, roles=("coordinator", "helpdesk"))
    client = app.test_client()
    sign_in(client, coordinator.id)
    assert client.get(f"/staff/e/{event.slug}/report").status_code == 403
    assert client.get(f"/staff/e/{event.slug}/archive").status_code == 403
    assert organizer(app, event, make_staff).get(f"/staff/e/{event.slug}/report").status_code == 200




def test_the_report_keeps_a_constant_number_of_queries(app, make_event, make_staff):
    small = make_event(slug="small")
    large = make_event(slug="large", name_en="Large")
    build_dataset(app, small)
    build_dataset(app, large, scale=25)
    staff = organizer(app, small, make_staff)
    with app.app_context():
        from portal.models import StaffRole, User
        from sqlalchemy import select

        boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        db.session.add(StaffRole(user_id=boss.id, event_id=large.id, role="organizer"))
        db.session.commit()
    # The first page after a role is granted notes it in the session (portal/auth/sessions.py); count after.
    staff.get("/staff/").close()
    assert len(queries_for(app, staff, "/staff/e/small/report")) == len(queries_for(app, staff, "/staff/e/large/report"))
