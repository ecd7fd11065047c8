"""The console's queue: the tickets a set of filters picks, and the open ones per priority."""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.helpdesk.tickets import ACTIVE
from portal.models import Event, Ticket, User


@dataclass(frozen=True)
class Filters:
    state: str = "active"  # active, all, or one state
    category: str = ""
    priority: str = ""
    assignee: str = ""  # "", "me", "none", or a user id


PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4)
QUEUE_LIMIT = 200


def queue(event: Event, filters: Filters, me: User) -> list[Ticket]:
    """The tickets the filters pick, most urgent first; one query whatever their number."""
    query = select(Ticket).where(Ticket.event_id == event.id).options(joinedload(Ticket.assignee))
    if filters.state == "active":
        query = query.where(Ticket.state.in_(ACTIVE))
    elif filters.state != "all":
        query = query.where(Ticket.state == filters.state)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.assignee == "me":
        query = query.where(Ticket.assignee_id == me.id)
    elif filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        query = query.where(Ticket.assignee_id == int(filters.assignee))
    return list(db.session.scalars(query.order_by(PRIORITY_RANK, Ticket.created_at, Ticket.id).limit(QUEUE_LIMIT)))


def open_counts(event: Event) -> dict[str, int]:
    """Active tickets per priority, for the console's overview."""
    return dict(db.session.execute(
        select(Ticket.priority, func.count()).where(Ticket.event_id == event.id, Ticket.state.in_(ACTIVE))
        .group_by(Ticket.priority)).all())
