"""The desk puts a help request in another category; one that turns out to be medical alerts the desk as a
new medical request does: a mail to everyone on duty and the alert on every console page, audited."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Ticket
from tests.factories import raise_as_guest, staff_console, submit

SECRET = "Feeling faint since the flight"
TICKET = "/staff/e/summit/helpdesk/1"


def _alerts(mailbox):
    return {m["To"]: m for m in mailbox.messages if m["Subject"] == "Medical request H-001 at Future Summit"}


def test_a_request_found_to_be_medical_alerts_the_desk_like_a_new_one(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="lodging", subject=SECRET, message="Can someone come to room 1203?")
    assert _alerts(mailbox) == {}
    desk, page = staff_console(app, people["desk"], TICKET)
    assert 'name="category"' in page and "Save the category" in page

    response = submit(desk, f"{TICKET}/category", {"category": "medical"}, page=TICKET)
    response.close()  # the mails go out once the response is done
    assert response.status_code == 303
    alerted = _alerts(mailbox)
    assert sorted(alerted) == ["boss@example.org", "desk@example.org", "medic@example.org"]
    text = alerted["medic@example.org"].get_body(("plain",)).get_content()
    assert "H-001 is now a medical request" in text and SECRET in text
    # Without the medical permission the mail names the request, not what it is about.
    assert SECRET not in alerted["desk@example.org"].get_body(("plain",)).get_content()
    # Every console page of the desk shows it, without its subject.
    _organizer, page = staff_console(app, people["organizer"], "/staff/e/summit/")
    assert "Medical request H-001" in page and SECRET not in page.split('id="desk-alerts"')[1].split("</div>")[0]
    page = desk.get(TICKET).get_data(as_text=True)
    assert "category: Lodging → Medical" in page.replace("：", ": ")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.category, ticket.priority) == ("medical", "urgent")
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "ticket.category")) == "medical"

    # Saving "medical" again alerts nobody again; back to lodging alerts nobody either.
    before = len(mailbox.messages)
    for category in ("medical", "lodging"):
        submit(desk, f"{TICKET}/category", {"category": category}, page=TICKET).close()
    assert len(mailbox.messages) == before


def test_only_the_desk_changes_a_category(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="lodging", subject="Extra pillow")
    coordinator, _page = staff_console(app, people["coordinator"])
    token_page = staff_console(app, people["desk"], TICKET)[1]
    assert "Save the category" in token_page
    assert coordinator.post(f"{TICKET}/category", data={"category": "medical"}).status_code in (400, 403)
    desk, _page = staff_console(app, people["desk"])
    refused = submit(desk, f"{TICKET}/category", {"category": "nonsense"}, page=TICKET)
    assert refused.status_code == 303
    assert "Choose a category." in desk.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Ticket.category)) == "lodging"
    assert _alerts(mailbox) == {}
