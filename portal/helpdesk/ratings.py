"""The guest's rating of a resolved ticket: the signed link mailed on resolving, and the rating it records."""

import secrets
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal import outbox
from portal.auth.tokens import token_hash
from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk.tickets import MAX_MESSAGE, TicketError
from portal.models import Ticket, TicketRating

RATING_SALT = "ticket-rating"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=RATING_SALT)


def send_rating_link(ticket: Ticket, now: datetime) -> None:
    """Mail the guest a link to rate the ticket just resolved (queued in the caller's transaction)."""
    # The link is signed, so a made-up one is refused before the database is asked,
    # and only its hash is stored, so the database alone cannot rate for anyone.
    token = _serializer().dumps(secrets.token_urlsafe(24))
    ticket_rating = TicketRating(token_hash=token_hash(token), created_at=now)
    ticket_rating.ticket = ticket
    db.session.add(ticket_rating)
    outbox.queue("ticket_resolved", ticket.recipient, "ticket_resolved", ticket.language,
                 event=ticket.event, ticket=ticket, token=token)


def rating_for(token: str) -> TicketRating | None:
    """The rating a link is for, if the link is genuine."""
    try:
        _serializer().loads(token or "")
    except BadSignature:
        return None
    return db.session.scalar(select(TicketRating).where(TicketRating.token_hash == token_hash(token))
                             .options(joinedload(TicketRating.ticket)))


def rate(token: str, score: int, comment: str = "", now: datetime | None = None) -> TicketRating:
    """Record the guest's rating once; a second use raises TicketError("already-rated"). Commits."""
    now = now or utcnow()
    found = rating_for(token)
    if found is None:
        raise TicketError("bad-link")
    if not 1 <= int(score) <= 5:
        raise TicketError("bad-score")
    used = db.session.execute(
        update(TicketRating).where(TicketRating.id == found.id, TicketRating.rated_at.is_(None))
        .values(score=int(score), comment=(comment or "").strip()[:MAX_MESSAGE], rated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        db.session.rollback()
        raise TicketError("already-rated")
    db.session.commit()
    db.session.refresh(found)
    return found
