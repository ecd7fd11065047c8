"""What a help request that is or was medical says (subject, thread, notes, the mails about it)
shows only to the organizer and staff with the medical-data permission, wherever it would show:
the alert strip and its poll, the queue, the ticket, the staff guest page, the desk's alert mail and
the kiosk's lobby screen. Everyone else sees that it is a medical request and its number."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.helpdesk import services
from portal.models import AuditEntry, Event, OutboundMail, Registration, Ticket, User
from tests.factories import (
    make_registration, purge_after_the_event, raise_as_guest, raise_ticket, scan, staff_console, submit,
    tables_holding,
)

SECRET = "Insulin pump failing"
MESSAGE = "My glucose is at 3.1, please hurry."
NOTE = "Called the first-aider about the insulin."
TICKET = "/staff/e/summit/helpdesk/1"
PLACEHOLDER = "Only the organizer and the medical staff they name can read this."
MAIL_PLACEHOLDER = "Mail about a help request"


def medical_then_other(app, event, people):
    """A guest raises a medical request; the medic adds a note and moves it to "other"."""
    raise_as_guest(app, event, category="medical", subject=SECRET, message=MESSAGE)
    medic, _page = staff_console(app, people["medic"], TICKET)
    assert submit(medic, f"{TICKET}/reply", {"message": NOTE, "kind": "internal"}, page=TICKET).status_code == 303
    assert submit(medic, f"{TICKET}/category", {"category": "other"}, page=TICKET).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Ticket.category)) == "other"


def strip(page: str) -> str:
    return page.split('id="desk-alerts"')[1].split("</div>")[0]


def test_the_alert_strip_never_names_a_request_that_was_medical(app, team, mailbox):
    event, people = team
    medical_then_other(app, event, people)
    # Still urgent and nobody's: every console page of the desk shows it, without its subject.
    for who in ("desk", "medic", "organizer"):
        client, page = staff_console(app, people[who], "/staff/e/summit/guests")
        assert "Urgent request H-001" in strip(page) and SECRET not in page, who
        poll = client.get("/staff/e/summit/alerts", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "Urgent request H-001" in poll and SECRET not in poll, who
    # An ordinary urgent request still shows its subject there.
    raise_ticket(app, event, category="lodging", subject="Locked out of room 1203", priority="urgent")
    _client, page = staff_console(app, people["desk"], "/staff/e/summit/guests")
    assert "Locked out of room 1203" in strip(page)


def test_the_queue_and_the_ticket_keep_a_medical_request_to_those_who_may_read_it(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message=MESSAGE)
    desk, queue = staff_console(app, people["desk"], "/staff/e/summit/helpdesk")
    assert "Medical request H-001" in queue and SECRET not in queue
    # The poll that announces a new urgent request names it the same way.
    fragment = desk.get("/staff/e/summit/helpdesk?since=0", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Medical request H-001" in fragment.split('id="queue-announce"')[1] and SECRET not in fragment
    page = desk.get(TICKET).get_data(as_text=True)
    assert "Medical request H-001" in page and PLACEHOLDER in page
    assert SECRET not in page and MESSAGE not in page
    for who in ("medic", "organizer"):
        _client, queue = staff_console(app, people[who], "/staff/e/summit/helpdesk")
        assert SECRET in queue, who
        _client, page = staff_console(app, people[who], TICKET)
        assert SECRET in page and MESSAGE in page and PLACEHOLDER not in page, who


def test_a_request_moved_out_of_medical_keeps_its_words_from_the_rest_of_the_desk(app, team, mailbox):
    event, people = team
    medical_then_other(app, event, people)
    desk, queue = staff_console(app, people["desk"], "/staff/e/summit/helpdesk")
    assert "Medical request H-001" in queue and SECRET not in queue
    page = desk.get(TICKET).get_data(as_text=True)
    assert "Something else" in page and PLACEHOLDER in page
    for words in (SECRET, MESSAGE, NOTE):
        assert words not in page, words
    # The desk still works it: a note of its own is added, and shows as the rest of the thread does.
    assert submit(desk, f"{TICKET}/reply", {"message": "Guest is at the desk.", "kind": "internal"},
                  page=TICKET).status_code == 303
    assert "Guest is at the desk." not in desk.get(TICKET).get_data(as_text=True)
    for who in ("medic", "organizer"):
        _client, page = staff_console(app, people[who], TICKET)
        for words in (SECRET, MESSAGE, NOTE, "Guest is at the desk."):
            assert words in page, (who, words)
    # An ordinary request shows its words to the whole desk.
    raise_ticket(app, event, category="lodging", subject="Extra pillow", body="A firm one.")
    page = desk.get("/staff/e/summit/helpdesk/2").get_data(as_text=True)
    assert "Extra pillow" in page and "A firm one." in page and PLACEHOLDER not in page


def test_the_staff_guest_page_shows_neither_the_request_nor_the_mails_about_it(app, team, mailbox):
    event, people = team
    medical_then_other(app, event, people)
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    url = f"/staff/e/summit/guests/{registration_id}"
    # The guest's own mail ("Your request H-001: ...") is listed on their page.
    for who in ("desk", "coordinator"):
        _client, page = staff_console(app, people[who], url)
        assert "Wang Xiaoming" in page and SECRET not in page, who
        assert MAIL_PLACEHOLDER in page.split('id="mail-heading"')[1], who
    _client, page = staff_console(app, people["desk"], url)
    assert "Medical request H-001" in page.split('data-testid="guest-tickets"')[1]
    for who in ("organizer", "medic"):
        _client, page = staff_console(app, people[who], url)
        assert f"#1 {SECRET}" in page and f"Your request H-001: {SECRET}" in page, who
        assert MAIL_PLACEHOLDER not in page, who


def test_a_coordinator_reads_no_help_request_in_the_mails_on_a_guest_page(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="dietary", subject="Peanut allergy, severe", message="No satay, please.")
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    url = f"/staff/e/summit/guests/{registration_id}"
    # Coordinators do not see the guest's help requests, nor the desk's mails about them.
    _client, page = staff_console(app, people["coordinator"], url)
    mails = page.split('id="mail-heading"')[1]
    assert "Peanut allergy" not in page and MAIL_PLACEHOLDER in mails
    assert "Your place at Future Summit is confirmed" in mails
    for who in ("desk", "organizer"):
        _client, page = staff_console(app, people[who], url)
        assert "Your request H-001: Peanut allergy, severe" in page and MAIL_PLACEHOLDER not in page, who


def test_the_alert_mail_about_a_request_once_medical_names_it_only_to_those_allowed(app, team, mailbox):
    event, people = team
    medical_then_other(app, event, people)
    medic, _page = staff_console(app, people["medic"], TICKET)
    assert submit(medic, f"{TICKET}/priority", {"priority": "normal"}, page=TICKET).status_code == 303
    mailbox.messages.clear()
    # Urgent again: the desk is alerted, as for any request that becomes urgent.
    desk, _page = staff_console(app, people["desk"], TICKET)
    response = submit(desk, f"{TICKET}/priority", {"priority": "urgent"}, page=TICKET)
    response.close()  # the mails go out once the response is done
    alerts = {m["To"]: m for m in mailbox.messages if m["Subject"] == "Urgent request H-001 at Future Summit"}
    assert sorted(alerts) == ["boss@example.org", "desk@example.org", "medic@example.org"]
    desk_mail = alerts["desk@example.org"]
    for part in ("plain", "html"):
        assert SECRET not in desk_mail.get_body((part,)).get_content()
    assert "has just become urgent" in desk_mail.get_body(("plain",)).get_content()
    for address in ("boss@example.org", "medic@example.org"):
        assert SECRET in alerts[address].get_body(("plain",)).get_content(), address


def test_the_kiosk_looks_up_a_request_once_medical_without_its_subject(app, kiosk, organizer):
    event = kiosk.event
    guest = make_registration(app, event)
    with app.test_request_context():
        ticket = services.raise_ticket(db.session.get(Event, event.id), category="medical", subject=SECRET,
                                       body=MESSAGE, source="portal",
                                       registration=db.session.get(Registration, guest["id"]))
        services.set_category(ticket, "other", db.session.get(User, organizer.id))
        services.raise_ticket(db.session.get(Event, event.id), category="lodging", subject="Extra pillow",
                              body="b", source="portal", registration=db.session.get(Registration, guest["id"]))
    url = scan(kiosk, guest["ticket"]).headers["Location"]
    assert url.startswith("/kiosk/welcome/")
    found = kiosk.get(url + "/help?number=H-001").get_data(as_text=True)
    looked_up = re.search(r'data-testid="looked-up">(.*?)</p>', found, re.S).group(1)
    assert "Medical request H-001" in looked_up and SECRET not in found
    # Their other request, on the same lobby screen, says what it is about.
    found = kiosk.get(url + "/help?number=H-002").get_data(as_text=True)
    assert "Extra pillow" in found


def test_a_retried_mail_about_a_request_leaves_its_words_out_of_the_audit_log(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message=MESSAGE)
    with app.app_context():
        mail = db.session.scalar(select(OutboundMail).where(OutboundMail.kind == "ticket_received"))
        assert SECRET in mail.subject
        mail.state, mail.last_error = "failed", "550 mailbox full"
        db.session.commit()
        mail_id = mail.id
    organizer, _page = staff_console(app, people["organizer"], "/staff/e/summit/outbox?state=failed")
    response = submit(organizer, f"/staff/e/summit/outbox/{mail_id}/retry", {}, page="/staff/e/summit/outbox")
    assert response.status_code == 303
    response.close()
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.retry"))
        assert (entry.subject, entry.detail) == ("wang@example.org", "ticket_received")
    # Nothing the purge leaves behind (the audit log stays) holds what the guest wrote.
    purge_after_the_event(app, people)
    assert tables_holding(app, SECRET) == {}
