"""The outbox: mail survives an SMTP outage and is never sent twice."""

import threading
from collections import Counter
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from portal import outbox
from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundMail, Registration
from tests.conftest import MailSink, free_port, registration_form, submit
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
