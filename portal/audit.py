"""The audit log: staff actions and every staff view or export of sensitive data."""

from sqlalchemy import insert

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEntry


def record(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Add an entry to the current transaction; it lands with the change it records."""
    db.session.add(AuditEntry(
        event_id=event.id if event is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action, subject=subject, detail=detail,
    ))


# Built once: every kiosk scan writes one.
_INSERT = insert(AuditEntry.__table__)


def record_now(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Write an entry at once, in the current transaction, with one INSERT: for the busiest paths."""
    db.session.connection().execute(_INSERT, {
        "event_id": event.id if event is not None else None,
        "actor_id": actor.id if actor is not None else None,
        "action": action, "subject": subject, "detail": detail, "at": utcnow(),
    })
