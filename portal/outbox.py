"""The durable outbox.

`queue()` renders a mail in the recipient's language and adds it to the current
transaction, so it exists exactly when the change it reports was committed.
`deliver()` sends due mails: each row is first claimed by a conditional UPDATE
that only one sender can win, so two senders never send the same row; a failed
send is retried with exponential backoff until SMTP takes it.

One bad mail never stops the sender: a mail that cannot be built (a header
that would need a line break, say) or that SMTP refuses for good (a 5xx answer
to its sender, recipients or content) is marked failed with its reason, and
the sender goes on with the next. Organizers see failed mails on the event's
outbox page and can send one again (`retry`).

A sender that dies between SMTP accepting a message and recording it as sent
leaves the claim to expire; the row is then sent again with the same
Message-ID, which receiving servers and clients use to drop the duplicate.
"""

import base64
import json
import logging
import os
import secrets
import smtplib
import socket
import threading
from datetime import timedelta

from flask import current_app, g, has_request_context
from flask_babel import force_locale
from flask_mail import BadHeaderError, Message
from sqlalchemy import insert, or_, select, update

from portal.database import utcnow
from portal.extensions import db, mail
from portal.models import OutboundMail

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120
BASE_BACKOFF_SECONDS = 15


def queue(kind: str, recipient: str, template: str, language: str, *, event=None,
          inline: list[dict] | None = None, **context) -> OutboundMail:
    """Render `email/<template>.txt` and `.html` in `language` and add the mail to the outbox."""
    return add(compose(kind, recipient, template, language, event=event, inline=inline, **context))


def compose(kind: str, recipient: str, template: str, language: str, *, event=None,
            inline: list[dict] | None = None, **context) -> dict:
    """One mail rendered in `language`, as the values of its outbox row (nothing is added yet).

    The text template sets `subject`; `inline` holds images the HTML part shows by cid.
    """
    [mail] = compose_many(kind, template, language, [(recipient, context)], event=event, inline=inline)
    return mail


def compose_many(kind: str, template: str, language: str, mails: list[tuple[str, dict]], *, event=None,
                 inline: list[dict] | None = None) -> list[dict]:
    """compose() for many (recipient, context) pairs of one template and language, with the
    language and the templates looked up once (an import writes thousands)."""
    parts = json.dumps([
        {
            "cid": part["cid"],
            "mimetype": part["mimetype"],
            "filename": part["filename"],
            "data": base64.b64encode(part["data"]).decode("ascii"),
        }
        for part in inline or ()
    ])
    domain, now = _mail_domain(), utcnow()
    composed = []
    with _rendering_context(), force_locale(language):
        # Rendered by Jinja alone, without the pages' context processors: a mail is the same
        # whether a request, the CLI or the sender writes it.
        text = current_app.jinja_env.get_template(f"email/{template}.txt")
        html = current_app.jinja_env.get_template(f"email/{template}.html")
        for recipient, context in mails:
            context = {**context, "event": event, "language": language}
            module = text.make_module(context)
            # One line whatever a name or title in it holds: a line break would start a new header.
            subject = " ".join(str(getattr(module, "subject", "")).split())
            composed.append(dict(
                event_id=event.id if event is not None else None,
                kind=kind,
                recipient=recipient,
                subject=subject,
                body_text=str(module).strip() + "\n",
                body_html=html.render(subject=subject, **context),
                inline_parts=parts,
                message_id=f"<{secrets.token_hex(16)}@{domain}>",
                state="pending",
                attempts=0,
                last_error="",
                claimed_by="",
                created_at=now,
                next_attempt_at=now,
            ))
    return composed


def add(values: dict) -> OutboundMail:
    """Add one composed mail to the current transaction; this request sends it after the response."""
    message = OutboundMail(**values)
    db.session.add(message)
    db.session.flush()
    if has_request_context():
        g.setdefault("outbox_ids", []).append(message.id)
    return message


def add_many(mails: list[dict]) -> None:
    """Add composed mails with one bulk INSERT; this request sends the first MAIL_SEND_INLINE_MAX of them."""
    if not mails:
        return
    ids = db.session.scalars(insert(OutboundMail).returning(OutboundMail.id), mails).all()
    if has_request_context():
        g.setdefault("outbox_ids", []).extend(sorted(ids))


def _rendering_context():
    """Mail rendered from the CLI still needs a request context for url_for."""
    if has_request_context():
        return _nullcontext()
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _mail_domain() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "concierge@localhost"
    address = sender[1] if isinstance(sender, tuple) else sender
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def due_ids(limit: int = 50) -> list[int]:
    now = utcnow()
    rows = db.session.scalars(
        select(OutboundMail.id)
        .where(
            OutboundMail.state == "pending",
            OutboundMail.next_attempt_at <= now,
            or_(OutboundMail.claimed_until.is_(None), OutboundMail.claimed_until < now),
        )
        .order_by(OutboundMail.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return list(rows)


def _claim(mail_id: int, worker: str) -> OutboundMail | None:
    now = utcnow()
    claimed = db.session.execute(
        update(OutboundMail)
        .where(
            OutboundMail.id == mail_id,
            OutboundMail.state == "pending",
            OutboundMail.next_attempt_at <= now,
            or_(OutboundMail.claimed_until.is_(None), OutboundMail.claimed_until < now),
        )
        .values(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            claimed_by=worker,
            attempts=OutboundMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    return db.session.get(OutboundMail, mail_id, populate_existing=True)


def _as_message(row: OutboundMail) -> Message:
    """The row as a mail ready to send; raises if it cannot be one (BadHeaderError, a broken part)."""
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html or None,
    )
    # Flask-Mail writes its own random Message-ID; as an extra header ours would be a
    # second one, and a resend after a crash could not be recognised as the same mail.
    message.msgId = row.message_id
    for part in json.loads(row.inline_parts or "[]"):
        message.attach(
            filename=part["filename"],
            content_type=part["mimetype"],
            data=base64.b64decode(part["data"]),
            disposition="inline",
            headers={"Content-ID": f"<{part['cid']}>"},
        )
    # Flask-Mail checks the headers only once connected; a mail that fails here fails before it costs a connection.
    if message.has_bad_headers():
        raise BadHeaderError("a header would span several lines")
    message.as_bytes()
    return message


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    """A 5xx answer about this mail's sender, recipients or content: no retry will change it.

    A 5xx at the greeting or to our credentials (SMTPConnectError, SMTPAuthenticationError)
    is about the server or our settings, not the mail: those are retried.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


def _finish(row_id: int, worker: str, **values) -> None:
    db.session.execute(
        update(OutboundMail)
        .where(OutboundMail.id == row_id, OutboundMail.claimed_by == worker)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    seconds = BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, current_app.config["MAIL_MAX_BACKOFF"]))


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def deliver(ids: list[int] | None = None, worker: str | None = None) -> dict[str, int]:
    """Send the given mails, or every due one; returns counts of sent, retried and failed."""
    worker = worker or worker_name()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for mail_id in ids if ids is not None else due_ids():
        row = _claim(mail_id, worker)
        if row is None:
            continue
        attempts = row.attempts
        try:
            message = _as_message(row)
        except Exception as error:  # noqa: BLE001 (whatever it is, this row will never build)
            log.error("mail %s cannot be built, marked failed: %s", mail_id, error)
            _finish(mail_id, worker, state="failed", last_error=_reason(error))
            counts["failed"] += 1
            continue
        db.session.rollback()  # hold no transaction open while talking to SMTP
        try:
            mail.send(message)
        except (OSError, smtplib.SMTPException) as error:
            if isinstance(error, smtplib.SMTPException) and _refused_for_good(error):
                log.error("mail %s refused for good: %s", mail_id, error)
                _finish(mail_id, worker, state="failed", last_error=_reason(error))
                counts["failed"] += 1
                continue
            log.warning("mail %s not sent (attempt %s): %s", mail_id, attempts, error)
            _finish(mail_id, worker, last_error=_reason(error), next_attempt_at=utcnow() + backoff(attempts))
            counts["retry"] += 1
        except Exception as error:  # noqa: BLE001 (not the network, not the server: this mail)
            log.exception("mail %s could not be sent, marked failed", mail_id)
            _finish(mail_id, worker, state="failed", last_error=_reason(error))
            counts["failed"] += 1
        else:
            _finish(mail_id, worker, state="sent", sent_at=utcnow(), last_error="")
            counts["sent"] += 1
    return counts


def retry(mail_id: int) -> bool:
    """Make a failed mail due again, in the current transaction; False when it had not failed.

    Once committed, the next sender takes it (this request's own, when MAIL_SEND_INLINE).
    """
    again = db.session.execute(
        update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.state == "failed")
        .values(state="pending", attempts=0, next_attempt_at=utcnow(), claimed_until=None, claimed_by="")
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if again and has_request_context():
        g.setdefault("outbox_ids", []).append(mail_id)
    return again


def deliver_after_response(response):
    """Send this request's mails once the response has gone out (MAIL_SEND_INLINE).

    Sending starts when the server has written the last byte of the body, or when
    it closes the response, whichever comes first: Werkzeug's development server
    skips close() when the browser resets the connection after a POST.
    """
    ids = g.pop("outbox_ids", None)
    if not ids or not current_app.config.get("MAIL_SEND_INLINE"):
        return response
    # A worker busy sending thousands of mails would outlive its timeout: `flask send-mail` takes the rest.
    ids = ids[:current_app.config["MAIL_SEND_INLINE_MAX"]]
    app = current_app._get_current_object()
    started = threading.Lock()

    def send():
        if not started.acquire(blocking=False):
            return
        with app.app_context():
            try:
                deliver(ids)
            except Exception:  # the worker retries whatever this misses
                log.exception("sending after the response failed")
            finally:
                db.session.remove()

    def body_then_send(body):
        yield from body
        send()

    if not response.direct_passthrough:
        response.response = body_then_send(response.response)
    response.call_on_close(send)
    return response
