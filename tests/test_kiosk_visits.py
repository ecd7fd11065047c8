"""The kiosk's visits: a confirmation code in the scan field, one help ticket per visit, revoked and unpaired kiosks."""

import pytest
from sqlalchemy import select

from portal.checkin import devices
from portal.extensions import db
from portal.models import KioskDevice, Ticket
from tests.factories import check_ins, csrf_token, make_registration as make_guest, scan, submit
from tests.sessions import sign_in


@pytest.mark.parametrize("typed", ["{code}", "{spaced}"])
def test_a_confirmation_code_typed_in_the_scan_field_checks_the_guest_in(app, kiosk, typed):
    guest = make_guest(app, kiosk.event)
    code = guest["code"]
    response = scan(kiosk, typed.format(code=code, spaced=" " + code.lower()[:4] + "-" + code.lower()[4:] + " "))
    assert response.status_code == 303 and "/kiosk/welcome/" in response.headers["Location"]
    assert "Welcome, Mr Wang Xiaoming" in kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert check_ins(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Ticket)) is None


def test_two_visits_that_end_at_the_desk_get_two_tickets_with_what_was_typed(app, kiosk):
    first = scan(kiosk, "WRONG-CODE-1")
    assert first.headers["Location"] == "/kiosk/help"
    assert "H-001" in kiosk.get("/kiosk/help").get_data(as_text=True)
    kiosk.get("/kiosk/reset")
    scan(kiosk, "another thing")
    assert "H-002" in kiosk.get("/kiosk/help").get_data(as_text=True)
    with app.app_context():
        tickets = db.session.scalars(select(Ticket).order_by(Ticket.number)).all()
        assert [t.reference for t in tickets] == ["H-001", "H-002"]
        assert "Typed or scanned: WRONG-CODE-1" in tickets[0].messages[0].body
        assert "Typed or scanned: another thing" in tickets[1].messages[0].body
        assert len(tickets[0].messages) == len(tickets[1].messages) == 1


def test_an_unknown_guests_ticket_is_in_the_language_the_kiosk_spoke(app, kiosk):
    submit(kiosk, "/kiosk/language", {"lang": "zh_Hans"}, page="/kiosk/language")
    scan(kiosk, "WRONG-CODE-1")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.language == "zh_Hans" and "未能签到" in ticket.subject


def test_the_same_scan_sent_again_finds_its_own_ticket(app, kiosk):
    scan(kiosk, "WRONG-CODE-1", nonce="same-visit-nonce-0123456789")
    scan(kiosk, "WRONG-CODE-1", nonce="same-visit-nonce-0123456789")
    with app.app_context():
        [ticket] = db.session.scalars(select(Ticket)).all()
        assert ticket.kiosk_nonce == "same-visit-nonce-0123456789"


def test_the_database_holds_one_ticket_per_kiosk_visit(app, kiosk):
    scan(kiosk, "WRONG-CODE-1", nonce="same-visit-nonce-0123456789")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        copy = Ticket(event_id=ticket.event_id, number=99, contact_name="x", category="other", priority="high",
                      subject="x", source="handoff", kiosk_id=ticket.kiosk_id, kiosk_nonce=ticket.kiosk_nonce)
        db.session.add(copy)
        with pytest.raises(Exception):
            db.session.commit()
        db.session.rollback()


def test_a_note_added_by_a_kiosk_names_its_author(app, kiosk, make_staff):
    guest = make_guest(app, kiosk.event, state="waitlisted")
    scan(kiosk, guest["ticket"])
    kiosk.get("/kiosk/reset")
    scan(kiosk, guest["ticket"])
    desk = make_staff("desk@example.org", kiosk.event, roles=("helpdesk",))
    staff = app.test_client()
    sign_in(staff, desk.id)
    page = staff.get(f"/staff/e/{kiosk.event.slug}/helpdesk/1").get_data(as_text=True)
    assert "Internal note" in page
    assert "· ·" not in " ".join(page.split())
    assert "Hall A" in page


def test_an_unpaired_browser_is_led_to_pairing(client, organizer):
    response = client.get("/kiosk/")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/pair"
    assert client.get("/kiosk/find").headers["Location"] == "/kiosk/pair"


def test_a_revoked_kiosk_says_it_is_out_of_service(app, kiosk, organizer):
    guest = make_guest(app, kiosk.event)
    token = csrf_token(kiosk, "/kiosk/")
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, kiosk.device_id), organizer)
    for response in (kiosk.get("/kiosk/"), kiosk.post("/kiosk/", data={"csrf_token": token, "ticket": guest["ticket"]}),
                     kiosk.get("/kiosk/announcements?shown=")):
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "This kiosk is out of service" in page and "/kiosk/pair" in page
        assert "Wang" not in page
    assert check_ins(app) == 0


def test_the_out_of_service_screen_is_in_chinese_too(app, kiosk, organizer):
    submit(kiosk, "/kiosk/language", {"lang": "zh_Hans"})
    with app.app_context():
        devices.revoke(db.session.get(KioskDevice, kiosk.device_id), organizer)
    page = kiosk.get("/kiosk/").get_data(as_text=True)
    assert 'lang="zh-Hans"' in page and "This kiosk is out of service" not in page
