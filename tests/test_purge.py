"""Purging an event's sensitive data also clears the free text it hides in: notes, medical help
requests, and the mails that carried them; nothing of a known phrase is left in any table."""

from datetime import date, timedelta

from sqlalchemy import func, select, update

from portal import outbox
from portal.extensions import db
from portal.helpdesk import services as helpdesk
from portal.models import Event, LodgingRequest, OutboundMail, Ticket, TransportLeg, User
from tests.factories import (
    add_needs_guest, file_leg, file_stay, give_consent, make_block, needs_form, submit, tables_holding,
)
from tests.sessions import sign_in

PHRASE = "Warfarin twice daily"


def test_the_purge_leaves_no_trace_of_a_sensitive_phrase(app, runner, make_event, make_staff, mailbox):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form(
        diet="other", diet_detail=f"Low vitamin K: {PHRASE}", medical_notes=PHRASE,
        accessibility_other=f"{PHRASE}, bruises easily")).status_code == 303
    block = make_block(app, event)
    file_stay(app, event, registration_id, block, notes=f"Near the lift please ({PHRASE})", accessible=True)
    file_leg(app, event, type("Guest", (), {"registration_id": registration_id}))
    with app.app_context():
        db.session.execute(update(TransportLeg).values(notes=f"Cool box on board: {PHRASE.lower()}"))
        db.session.commit()
    # A medical help request, the desk's answer, and an everyday request that must stay as it is.
    assert submit(guest, "/e/summit/me/help", {"category": "medical", "subject": PHRASE,
                                               "message": f"I take {PHRASE}; where is a pharmacy?"}).status_code == 303
    assert submit(guest, "/e/summit/me/help", {"category": "lodging", "subject": "Room is cold",
                                               "message": "The heating does not work."}).status_code == 303
    with app.test_request_context():
        medical = db.session.scalar(select(Ticket).where(Ticket.category == "medical"))
        helpdesk.reply(medical, db.session.get(User, organizer.id), f"Noted your {PHRASE}; the pharmacy is on B1.")
    with app.app_context():
        outbox.deliver()
        sent = db.session.scalars(select(OutboundMail.state)).all()
    assert sent and set(sent) == {"sent"}
    assert any(PHRASE in str(message) for message in mailbox.messages)
    before = tables_holding(app, PHRASE)
    for place in ("medical_notes.notes", "accessibility_needs.other", "dietary_needs.diet_detail",
                  "lodging_request.notes", "transport_leg.notes", "ticket.subject", "ticket_message.body",
                  "outbound_mail.body_text", "outbound_mail.subject"):
        assert place in before, place

    with app.app_context():
        db.session.execute(update(Event).values(starts_on=date.today() - timedelta(days=5),
                                                ends_on=date.today() - timedelta(days=3)))
        db.session.commit()
    result = runner.invoke(args=["purge-sensitive", "--event", "summit"])
    assert result.exit_code == 0, result.output
    assert "1 lodging notes" in result.output and "1 transport notes" in result.output
    assert "1 help requests" in result.output

    assert tables_holding(app, PHRASE) == {}
    assert tables_holding(app, "warfarin") == {}
    with app.app_context():
        # The rows the event's counts need stay; the everyday request and its mails keep their words.
        assert db.session.scalar(select(LodgingRequest.accessible)) is False
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2
        assert db.session.scalar(select(Ticket.subject).where(Ticket.category == "lodging")) == "Room is cold"
        assert db.session.scalar(select(func.count()).select_from(OutboundMail).where(
            OutboundMail.subject.contains("Room is cold"))) >= 1
