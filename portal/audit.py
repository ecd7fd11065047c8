"""The audit log: staff actions and every staff view or export of sensitive data.

`record` adds an entry to the current transaction, so it lands with the change
it records. `record_read` audits a read of sensitive data, kept whatever the
page does next.
"""

from flask import has_request_context, request
from sqlalchemy.orm import Session

from portal.database import READ_ONLY_METHODS
from portal.extensions import db
from portal.models import AuditEntry


def _entry(event, actor, action: str, subject: str, detail: str) -> AuditEntry:
    return AuditEntry(
        event_id=event.id if event is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action, subject=subject[:200], detail=detail,
    )


def record(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Add an entry to the current transaction; it lands with the change it records."""
    db.session.add(_entry(event, actor, action, subject, detail))


def record_read(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Audit a read of sensitive data, committed at once in a read-only request.

    A read-only request holds a read transaction (on SQLite a deferred BEGIN that
    must not turn into a write), so the entry goes through its own short
    transaction. Inside a write request it joins the request's transaction.
    """
    if not (has_request_context() and request.method in READ_ONLY_METHODS):
        record(event, actor, action, subject, detail)
        return
    with Session(db.engine) as session:
        session.add(_entry(event, actor, action, subject, detail))
        session.commit()
