"""The desk puts a help request in another category; one that turns out to be medical alerts the desk as a
new medical request does: a mail to everyone on duty and the alert on every console page, audited.
Out of "medical" only those who may read medical notes move a request, and a request that was ever
medical is purged with the medical ones whatever its category now."""

from sqlalchemy import func, select

from portal import outbox
from portal.extensions import db
from portal.models import AuditEntry, OutboundMail, Ticket, TicketChange, User
from tests.factories import purge_after_the_event, raise_as_guest, staff_console, submit, tables_holding

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

    # Saving "medical" again alerts nobody again; back to lodging (by one who may) alerts nobody either.
    before = len(mailbox.messages)
    submit(desk, f"{TICKET}/category", {"category": "medical"}, page=TICKET).close()
    medic, _page = staff_console(app, people["medic"], TICKET)
    submit(medic, f"{TICKET}/category", {"category": "lodging"}, page=TICKET).close()
    assert len(mailbox.messages) == before
    with app.app_context():
        assert db.session.scalar(select(Ticket.category)) == "lodging"


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


PHRASE = "Warfarin twice daily"
LOCKED = "Only the organizer or staff who may read medical notes can move a request out of Medical."


def _history(app) -> dict:
    """What the database holds of the ticket's category: now, its recorded changes, the audit log."""
    with app.app_context():
        return {
            "category": db.session.scalar(select(Ticket.category)),
            "changes": db.session.execute(select(TicketChange.old, TicketChange.new, User.email)
                                          .join(User, User.id == TicketChange.actor_id)
                                          .where(TicketChange.what == "category")).all(),
            "audit": db.session.execute(select(AuditEntry.detail, User.email)
                                        .join(User, User.id == AuditEntry.actor_id)
                                        .where(AuditEntry.action == "ticket.category")).all(),
        }


def test_the_desk_without_the_medical_permission_cannot_take_a_request_out_of_medical(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message="Dizzy, please come.")
    desk, page = staff_console(app, people["desk"], TICKET)
    # No control that could only be refused: the page says who may move it instead.
    assert LOCKED in page and "Save the category" not in page and 'name="category"' not in page
    before = _history(app)
    assert before == {"category": "medical", "changes": [], "audit": []}

    # A form from an older page, or a hand-made post: refused in words, nothing changes.
    refused = submit(desk, f"{TICKET}/category", {"category": "other"}, page=TICKET)
    assert refused.status_code == 303 and refused.headers["Location"] == TICKET
    shown = desk.get(TICKET).get_data(as_text=True)
    assert f'<p class="flash flash-error">{LOCKED}</p>' in shown and "The category is saved." not in shown
    assert _history(app) == before


def test_staff_who_may_read_medical_notes_move_a_request_out_of_medical_audited(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="medical", subject=SECRET, message="Dizzy, please come.")
    medic, page = staff_console(app, people["medic"], TICKET)
    assert LOCKED not in page and "Save the category" in page
    moved = submit(medic, f"{TICKET}/category", {"category": "other"}, page=TICKET)
    assert moved.status_code == 303
    shown = medic.get(moved.headers["Location"]).get_data(as_text=True)
    assert "The category is saved." in shown and "category: Medical → Something else" in shown.replace("：", ": ")
    assert _history(app) == {"category": "other", "changes": [("medical", "other", "medic@example.org")],
                             "audit": [("other", "medic@example.org")]}
    # Anyone on the desk may make it medical again: that raises the alert, as a new one would.
    desk, _page = staff_console(app, people["desk"], TICKET)
    assert submit(desk, f"{TICKET}/category", {"category": "medical"}, page=TICKET).status_code == 303
    assert _history(app)["category"] == "medical"


def test_a_request_once_medical_is_purged_after_it_was_moved_out(app, team, mailbox):
    event, people = team
    guest = raise_as_guest(app, event, category="medical", subject=f"{PHRASE}, feeling faint",
                           message=f"I take {PHRASE}; where is a pharmacy?")
    medic, _page = staff_console(app, people["medic"], TICKET)
    assert submit(medic, f"{TICKET}/category", {"category": "other"}, page=TICKET).status_code == 303
    reply = submit(medic, f"{TICKET}/reply", {"message": f"Noted your {PHRASE}; the pharmacy is on B1."},
                   page=TICKET)
    assert reply.status_code == 303
    reply.close()
    assert submit(guest, "/e/summit/me/help/1", {"message": f"Thanks, {PHRASE} found."}).status_code == 303
    with app.app_context():
        outbox.deliver()
    assert any(PHRASE in str(message) for message in mailbox.messages)
    # The request's words are in its subject, its thread and the mails about it, though it is "other" now.
    held = tables_holding(app, PHRASE)
    for place in ("ticket.subject", "ticket_message.body", "outbound_mail.subject", "outbound_mail.body_text"):
        assert place in held, place
    purge_after_the_event(app, people)

    assert tables_holding(app, PHRASE) == {}
    assert tables_holding(app, "warfarin") == {}
    with app.app_context():
        # The request itself stays, in the category it was moved to, for the event's counts.
        assert db.session.execute(select(Ticket.number, Ticket.category)).all() == [(1, "other")]
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)
                                 .where(OutboundMail.subject.contains("H-001"))) == 0


def test_a_request_that_was_briefly_dietary_is_purged_too(app, team, mailbox):
    event, people = team
    raise_as_guest(app, event, category="lodging", subject=f"{PHRASE} in the minibar?")
    desk, _page = staff_console(app, people["desk"], TICKET)
    # Dietary and back: anyone on the desk may; the purge still knows it was dietary.
    for category in ("dietary", "lodging"):
        assert submit(desk, f"{TICKET}/category", {"category": category}, page=TICKET).status_code == 303
    assert _history(app)["category"] == "lodging"
    purge_after_the_event(app, people)
    assert tables_holding(app, PHRASE) == {}
