"""Urgent and medical help requests alert the desk at once: a mail to its organizers and help-desk staff,
and an alert on every console page they have open, naming a medical request without its details for
anyone without the medical-data permission."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Ticket, TicketChange
from tests.factories import raise_as_guest, staff_console, submit
from tests.factories import make_registration as make_guest

SECRET = "Chest pain since breakfast"


def test_a_medical_request_mails_the_desk_with_details_only_for_those_allowed(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message="Please send someone.")
    alerts = {m["To"]: m for m in mailbox.messages if "request H-001 at" in m["Subject"]}
    assert sorted(alerts) == ["boss@example.org", "desk@example.org", "medic@example.org"]
    for address in ("boss@example.org", "medic@example.org"):
        assert SECRET in alerts[address].get_body(("plain",)).get_content()
    desk_mail = alerts["desk@example.org"]
    assert desk_mail["Subject"] == "Medical request H-001 at Future Summit"
    assert SECRET not in desk_mail.get_body(("plain",)).get_content()
    assert SECRET not in desk_mail.get_body(("html",)).get_content()
    assert "http://localhost/staff/e/summit/helpdesk/1" in desk_mail.get_body(("plain",)).get_content()


def test_an_ordinary_request_alerts_nobody(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="lodging", subject="Extra pillow")
    assert [m["To"] for m in mailbox.messages if "request H-001 at" in m["Subject"]] == []
    _client, page = staff_console(app, people["desk"])
    assert 'id="desk-alerts"' in page and "cannot wait" not in page


def test_every_console_page_shows_the_alert_until_someone_takes_the_request(app, team):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message="Please send someone.")
    desk, page = staff_console(app, people["desk"])
    assert "Medical request H-001" in page and SECRET not in page
    # Even to those allowed to read it, the strip (on every page, printed ones too) never names it.
    _medic, page = staff_console(app, people["medic"], "/staff/e/summit/")
    assert "Medical request H-001" in page and SECRET not in page
    # Not on the desk: no alert, and the poll refuses them.
    coordinator, page = staff_console(app, people["coordinator"])
    assert "desk-alerts" not in page
    assert coordinator.get("/staff/e/summit/alerts").status_code == 403

    # The poll gets nothing to swap while the alerts stay as they are.
    seen = page_seen(desk.get("/staff/e/summit/guests").get_data(as_text=True))
    poll = {"HX-Request": "true"}
    assert desk.get(f"/staff/e/summit/alerts?seen={seen}", headers=poll).status_code == 204
    # Someone takes it: the next poll takes the alert away.
    organizer, _page = staff_console(app, people["organizer"])
    assert submit(organizer, "/staff/e/summit/helpdesk/1/take", {}, page="/staff/e/summit/helpdesk/1").status_code == 303
    after = desk.get(f"/staff/e/summit/alerts?seen={seen}", headers=poll)
    assert after.status_code == 200
    assert 'id="desk-alerts"' in after.get_data(as_text=True)
    assert "H-001" not in after.get_data(as_text=True)
    assert "<html" not in after.get_data(as_text=True)


def test_an_urgent_request_shows_its_subject_to_the_whole_desk(app, team, mailbox):
    event, people = team
    with app.test_request_context():
        from portal.helpdesk import services
        from portal.models import Event, Registration

        made = make_guest(app, event)
        row = db.session.get(Event, event.id)
        registration = db.session.get(Registration, made["id"])
        services.raise_ticket(row, category="transport", subject="Stuck at the airport", body="No car came.",
                              source="portal", registration=registration, priority="urgent")
        from portal import outbox
        outbox.deliver()
    alerted = sorted(m["To"] for m in mailbox.messages if "Urgent request H-001" in m["Subject"])
    assert alerted == ["boss@example.org", "desk@example.org", "medic@example.org"]
    _client, page = staff_console(app, people["desk"])
    assert "Urgent request H-001" in page and "Stuck at the airport" in page
    # Without JavaScript the alert page itself lists them too.
    client, _ = staff_console(app, people["desk"])
    page = client.get("/staff/e/summit/alerts").get_data(as_text=True)
    assert "Help requests that cannot wait" in page and "Urgent request H-001" in page


def page_seen(page: str) -> str:
    import re

    return re.search(r'/staff/e/summit/alerts\?seen=(\w+)', page).group(1)


def test_a_request_made_urgent_later_alerts_the_desk_like_a_new_one(app, team, mailbox):

    event, people = team
    raise_as_guest(app, event, category="lodging", subject="Locked out of my room", message="My card stopped working.")
    assert [m for m in mailbox.messages if "request H-001 at" in m["Subject"]] == []
    desk, page = staff_console(app, people["desk"])
    assert "H-001" not in page.split('id="desk-alerts"')[1].split("</div>")[0]

    # The desk reads it: a diabetic guest whose insulin is in the room. They make it urgent.
    response = submit(desk, "/staff/e/summit/helpdesk/1/priority", {"priority": "urgent"},
                      page="/staff/e/summit/helpdesk/1")
    response.close()  # the mails go out once the response is done
    assert response.status_code == 303
    alerted = {m["To"]: m for m in mailbox.messages if m["Subject"] == "Urgent request H-001 at Future Summit"}
    assert sorted(alerted) == ["boss@example.org", "desk@example.org", "medic@example.org"]
    assert "H-001 has just become urgent" in alerted["boss@example.org"].get_body(("plain",)).get_content()
    # Every console page of the desk shows it, until someone takes it.
    _organizer, page = staff_console(app, people["organizer"], "/staff/e/summit/")
    assert "Urgent request H-001" in page and "Locked out of my room" in page
    coordinator, page = staff_console(app, people["coordinator"])
    assert "Urgent request H-001" not in page

    # Lowered and raised again, it alerts again; saving "urgent" twice does not.
    before = len(mailbox.messages)
    for priority in ("high", "urgent", "urgent"):
        submit(desk, "/staff/e/summit/helpdesk/1/priority", {"priority": priority},
               page="/staff/e/summit/helpdesk/1").close()
    assert len(mailbox.messages) == before + 3


def test_a_taken_request_made_urgent_mails_the_desk_but_leaves_the_strip_to_others(app, team, mailbox):

    event, people = team
    raise_as_guest(app, event, category="transport", subject="Driver not at the gate")
    desk, _page = staff_console(app, people["desk"])
    assert submit(desk, "/staff/e/summit/helpdesk/1/take", {}, page="/staff/e/summit/helpdesk/1").status_code == 303
    submit(desk, "/staff/e/summit/helpdesk/1/priority", {"priority": "urgent"},
           page="/staff/e/summit/helpdesk/1").close()
    assert len([m for m in mailbox.messages if m["Subject"] == "Urgent request H-001 at Future Summit"]) == 3
    # Someone already has it: the strip names only requests nobody has taken.
    _organizer, page = staff_console(app, people["organizer"])
    assert "Urgent request H-001" not in page


def test_a_guest_who_says_their_request_has_become_urgent_alerts_the_desk(app, team, mailbox):

    event, people = team
    guest = raise_as_guest(app, event, category="transport", subject="Waiting for my car", message="Flight landed.")
    page = guest.get("/e/summit/me/help/1").get_data(as_text=True)
    assert "It has become urgent" in page
    response = submit(guest, "/e/summit/me/help/1", {"message": "Still nobody, I must be at the venue by 9.",
                                                      "urgent": "y"})
    response.close()
    assert response.status_code == 303
    alerted = sorted(m["To"] for m in mailbox.messages if m["Subject"] == "Urgent request H-001 at Future Summit")
    assert alerted == ["boss@example.org", "desk@example.org", "medic@example.org"]
    _desk, page = staff_console(app, people["desk"])
    assert "Urgent request H-001" in page
    # Once urgent, the box is gone; replying again alerts nobody again.
    page = guest.get("/e/summit/me/help/1").get_data(as_text=True)
    assert "It has become urgent" not in page
    before = len(mailbox.messages)
    submit(guest, "/e/summit/me/help/1", {"message": "Any news?", "urgent": "y"}).close()
    assert len([m for m in mailbox.messages[before:] if "Urgent request" in m["Subject"]]) == 0
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.priority == "urgent"
        change = db.session.scalar(select(TicketChange).where(TicketChange.what == "priority"))
        assert (change.old, change.new) == ("normal", "urgent")
