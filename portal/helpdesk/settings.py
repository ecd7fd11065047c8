"""What the organizer sets up for the desk: canned replies and the first-response targets."""

from sqlalchemy import select

from portal import audit
from portal.database import utcnow
from portal.extensions import db
from portal.models import CannedReply, Event, ResponseTarget, User
from portal.models.helpdesk import PRIORITIES


def canned_replies(event: Event) -> list[CannedReply]:
    return list(db.session.scalars(
        select(CannedReply).where(CannedReply.event_id == event.id).order_by(CannedReply.title_en)))


def save_canned_reply(event: Event, canned: CannedReply | None, values: dict, actor: User) -> CannedReply:
    """Create or update a canned reply. Commits."""
    if canned is None:
        canned = CannedReply(event_id=event.id)
        db.session.add(canned)
    for name, value in values.items():
        setattr(canned, name, value)
    canned.updated_at = utcnow()
    audit.record(event, actor, "helpdesk.canned_reply", subject=values.get("title_en", ""))
    db.session.commit()
    return canned


def delete_canned_reply(event: Event, canned: CannedReply, actor: User) -> None:
    audit.record(event, actor, "helpdesk.canned_reply_deleted", subject=canned.title_en)
    db.session.delete(canned)
    db.session.commit()


def save_targets(event: Event, minutes: dict[str, int], actor: User) -> None:
    """Set the first-response target of each priority. Commits."""
    existing = {t.priority: t for t in db.session.scalars(
        select(ResponseTarget).where(ResponseTarget.event_id == event.id))}
    for priority, value in minutes.items():
        row = existing.get(priority) or ResponseTarget(event_id=event.id, priority=priority)
        row.first_response_minutes = value
        db.session.add(row)
    audit.record(event, actor, "helpdesk.targets",
                 detail=", ".join(f"{p}: {minutes[p]}" for p in PRIORITIES if p in minutes))
    db.session.commit()
