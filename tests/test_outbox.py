"""The outbox: mail survives an SMTP outage and is never sent twice."""

import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from portal import outbox
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEntry, OutboundMail, Registration, Ticket
from tests.factories import MailSink
from tests.factories import csrf_token, flask_environment, free_port, registration_form, ROOT, submit
from tests.sessions import sign_in_new_account


def _make_due(app):
    """Skip the backoff wait, as the clock would."""
    with app.app_context():
        db.session.execute(update(OutboundMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_registrations_succeed_while_smtp_is_down_and_every_mail_arrives_once_after(make_app, make_event):
    port = free_port()  # nothing listens here yet: SMTP is down
    app = make_app(smtp_port=port)
    event = make_event()
    category = next(c for c in event.categories if c.open_to_public)
    emails = [f"guest{n}@example.org" for n in range(3)]
    for email in emails:
        client = app.test_client()
        sign_in_new_account(client, email)
        response = submit(client, "/e/summit/register", registration_form(email=email, category=str(category.id)))
        assert response.status_code == 303
        response.close()  # the inline sender tries, and fails

    with app.app_context():
        rows = db.session.scalars(select(OutboundMail)).all()
        assert len(db.session.scalars(select(Registration)).all()) == 3
        assert [r.state for r in rows] == ["pending"] * 3
        assert all(r.attempts == 1 and "Connection" in r.last_error for r in rows)
        assert all(r.next_attempt_at > utcnow() for r in rows)

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _make_due(app)
        with app.app_context():
            assert outbox.deliver()["sent"] == 3
            _make_due(app)
            assert outbox.deliver() == {"sent": 0, "retry": 0, "failed": 0}
            assert {r.state for r in db.session.scalars(select(OutboundMail))} == {"sent"}
    finally:
        controller.stop()
    assert sorted(m["To"] for m in sink.messages) == emails


def test_two_senders_never_send_the_same_mail(app, mailbox):
    with app.app_context(), app.test_request_context():
        for n in range(40):
            outbox.queue("test", f"guest{n}@example.org", "sign_in", "en", token=f"t{n}", minutes=30)
        db.session.commit()
    start = threading.Barrier(2)

    def sender(name):
        with app.app_context():
            start.wait(timeout=10)
            return outbox.deliver(worker=name)

    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(sender(f"sender-{n}"))) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = Counter(m["Message-ID"] for m in mailbox.messages)
    assert len(ids) == 40 and set(ids.values()) == {1}
    assert sum(r["sent"] for r in results) == 40
    with app.app_context():
        assert {r.state for r in db.session.scalars(select(OutboundMail))} == {"sent"}


def test_a_temporary_refusal_is_retried_with_growing_backoff(app, mailbox):
    mailbox.refuse = True
    with app.app_context(), app.test_request_context():
        outbox.queue("test", "guest@example.org", "sign_in", "zh_Hans", token="t", minutes=30)
        db.session.commit()
    waits = []
    with app.app_context():
        for _ in range(3):
            before = utcnow()
            assert outbox.deliver()["retry"] == 1
            row = db.session.scalar(select(OutboundMail))
            waits.append((row.next_attempt_at - before).total_seconds())
            db.session.rollback()  # SQLite: let the next writer in
            _make_due(app)
        mailbox.refuse = False
        assert outbox.deliver()["sent"] == 1
        row = db.session.scalar(select(OutboundMail))
        assert row.state == "sent" and row.attempts == 4
    assert waits[0] < waits[1] < waits[2]
    assert len(mailbox.messages) == 1


def test_mail_is_written_in_the_recipients_language(app, mailbox):
    with app.app_context(), app.test_request_context():
        outbox.queue("test", "a@example.org", "sign_in", "zh_Hans", token="t", minutes=30)
        outbox.queue("test", "b@example.org", "sign_in", "en", token="t", minutes=30)
        db.session.commit()
        outbox.deliver()
    chinese, english = mailbox.to("a@example.org")[0], mailbox.to("b@example.org")[0]
    assert chinese["Subject"] != english["Subject"]
    assert english["Subject"] == "Your sign-in link"
    assert chinese.get_body(("plain",)).get_content() != english.get_body(("plain",)).get_content()


# -- One bad mail never stops the sender ---------------------------------------------------------

class PickySink(MailSink):
    """A real SMTP server that refuses some recipients for good and notes every envelope."""

    def __init__(self):
        super().__init__()
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 no such mailbox here"
        if address.startswith("later@"):
            return "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def picky_smtp():
    sink = PickySink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def _poison(**values) -> OutboundMail:
    """A row as an older version, or any other writer, may have left it in the outbox."""
    row = dict(kind="test", recipient="guest@example.org", subject="Hello", body_text="Hello.\n", body_html="",
               inline_parts="[]", message_id=f"<{secrets.token_hex(8)}@localhost>", state="pending",
               next_attempt_at=utcnow())
    row.update(values)
    return OutboundMail(**row)


@pytest.mark.slow
def test_a_poison_mail_among_good_ones_stops_neither_of_two_senders(make_app, database_uri):
    app = make_app(MAIL_SEND_INLINE=False)
    poison = {
        "header": _poison(subject="Hello\r\nBcc: x@evil.example"),
        "refused": _poison(recipient="refused@example.org"),
        "broken part": _poison(inline_parts="{not json"),
    }
    with app.app_context(), app.test_request_context():
        for n in range(30):
            if n in (1, 15, 29):
                db.session.add(poison[("header", "refused", "broken part")[(n > 1) + (n > 15)]])
                db.session.flush()
            outbox.queue("test", f"good{n}@example.org", "sign_in", "en", token=f"t{n}", minutes=30)
        db.session.commit()
        poison_ids = {name: row.id for name, row in poison.items()}

    with picky_smtp() as sink:
        senders = [subprocess.Popen(
            [sys.executable, "-m", "flask", "send-mail", "--interval", "0.2"], cwd=ROOT,
            env=flask_environment(database_uri, sink.port), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True) for _ in range(2)]
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with app.app_context():
                    waiting = db.session.scalar(select(func.count()).select_from(OutboundMail)
                                                .where(OutboundMail.state == "pending"))
                if not waiting or any(s.poll() is not None for s in senders):
                    break
                time.sleep(0.2)
            time.sleep(0.5)  # a round more: a sender that was to die on a poison row has had its chance
            still_running = [s.poll() is None for s in senders]
        finally:
            for sender in senders:
                sender.terminate()
            outputs = [sender.communicate(timeout=10) for sender in senders]
    assert still_running == [True, True], outputs

    # Every good mail arrived exactly once, and to its recipient alone.
    ids = Counter(m["Message-ID"] for m in sink.messages)
    assert len(ids) == 30 and set(ids.values()) == {1}
    assert sorted(rcpts[0] for rcpts in sink.envelopes) == sorted(f"good{n}@example.org" for n in range(30))
    assert all(len(rcpts) == 1 for rcpts in sink.envelopes)
    with app.app_context():
        rows = {row.id: row for row in db.session.scalars(select(OutboundMail))}
        assert {row.state for id_, row in rows.items() if id_ not in poison_ids.values()} == {"sent"}
        failed = {name: rows[id_] for name, id_ in poison_ids.items()}
        assert {row.state for row in failed.values()} == {"failed"}
        assert "BadHeaderError" in failed["header"].last_error
        assert "550" in failed["refused"].last_error and "no such mailbox" in failed["refused"].last_error
        assert "JSONDecodeError" in failed["broken part"].last_error
        # Each was tried once: failed for good is not tried again.
        assert [row.attempts for row in failed.values()] == [1, 1, 1]
    assert all("Traceback" not in err for _out, err in outputs), outputs


def test_a_temporary_refusal_of_a_recipient_is_retried_not_failed(make_app):
    with picky_smtp() as sink:
        app = make_app(smtp_port=sink.port, MAIL_SEND_INLINE=False)
        with app.app_context(), app.test_request_context():
            outbox.queue("test", "later@example.org", "sign_in", "en", token="t", minutes=30)
            db.session.commit()
        with app.app_context():
            assert outbox.deliver() == {"sent": 0, "retry": 1, "failed": 0}
            row = db.session.scalar(select(OutboundMail))
            assert row.state == "pending" and "450" in row.last_error and row.next_attempt_at > utcnow()


def test_a_subject_typed_with_a_line_break_goes_out_on_one_line(app, client, make_event, mailbox):
    from tests.factories import sign_in_guest
    from tests.factories import make_registration

    event = make_event()
    sign_in_guest(app, client, make_registration(app, event))
    response = submit(client, "/e/summit/me/help", {
        "category": "other", "subject": "Hello\r\nBcc: x@evil.example", "message": "Line one.\r\nLine two."})
    assert response.status_code == 303
    response.close()
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.subject == "Hello Bcc: x@evil.example"
        mail = db.session.scalar(select(OutboundMail).where(OutboundMail.kind == "ticket_received"))
        assert mail.state == "sent"
    [message] = [m for m in mailbox.messages if m["Message-ID"] == mail.message_id]
    assert message["Subject"] == f"Your request {ticket.reference}: Hello Bcc: x@evil.example"
    assert "Bcc" not in message and message["To"] == "wang@example.org"


# -- The outbox page: failed mails, their reason, and a retry -------------------------------------

def test_the_organizer_sees_failed_mails_with_the_reason_and_retries_one(app, client, auth, make_event,
                                                                         make_staff, mailbox):
    event = make_event()
    organizer = make_staff("olivia@example.org", event, roles=("organizer",))
    with app.app_context():
        good = _poison(event_id=event.id, recipient="fixed@example.org", subject="Your visa letter",
                       state="failed", attempts=1, last_error="SMTPRecipientsRefused: 550 no such mailbox here")
        sent = _poison(event_id=event.id, recipient="fine@example.org", subject="Welcome", state="sent")
        db.session.add_all([good, sent])
        db.session.commit()
        good_id, sent_id = good.id, sent.id
    auth.login_as(organizer)

    page = client.get("/staff/e/summit/outbox").get_data(as_text=True)
    assert "1 mail could not be sent and will not be tried again by itself." in page
    failed_only = client.get("/staff/e/summit/outbox?state=failed").get_data(as_text=True)
    assert "fixed@example.org" in failed_only and "550 no such mailbox here" in failed_only
    assert "fine@example.org" not in failed_only
    assert f"/staff/e/summit/outbox/{good_id}/retry" in failed_only
    assert f"/staff/e/summit/outbox/{sent_id}/retry" not in page

    response = submit(client, f"/staff/e/summit/outbox/{good_id}/retry?state=failed", {},
                      page="/staff/e/summit/outbox?state=failed")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/e/summit/outbox?state=failed"
    response.close()  # the mail goes out once the response is done
    assert [m["To"] for m in mailbox.messages] == ["fixed@example.org"]
    with app.app_context():
        row = db.session.get(OutboundMail, good_id)
        assert row.state == "sent" and row.attempts == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.retry"))
        assert entry.subject == "fixed@example.org" and entry.actor_id == organizer.id
    page = client.get("/staff/e/summit/outbox?state=failed").get_data(as_text=True)
    assert "The mail to fixed@example.org is queued to be sent again." in page and "No failed mail." in page

    # A mail that has not failed is left alone.
    response = submit(client, f"/staff/e/summit/outbox/{sent_id}/retry", {}, page="/staff/e/summit/outbox")
    assert response.status_code == 303
    assert "This mail has not failed; it needs no retry." in client.get("/staff/e/summit/outbox").get_data(
        as_text=True)
    assert len(mailbox.messages) == 1


def test_only_organizers_of_the_event_retry_its_mail(app, client, auth, make_event, make_staff, mailbox):
    event = make_event()
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    with app.app_context():
        row = _poison(event_id=event.id, state="failed", last_error="550")
        db.session.add(row)
        db.session.commit()
        mail_id = row.id
    auth.login_as(make_staff("cora@example.org", event, roles=("lodging", "transport", "catering", "helpdesk")))
    token = csrf_token(client, "/account")
    assert client.post(f"/staff/e/summit/outbox/{mail_id}/retry", data={"csrf_token": token}).status_code == 403
    auth.login_as(make_staff("olga@example.org", other, roles=("organizer",)))
    assert client.post(f"/staff/e/other/outbox/{mail_id}/retry", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(OutboundMail, mail_id).state == "failed"
    assert mailbox.messages == []
