"""The desk's report: volume, response and resolution times, and satisfaction."""

import math
import statistics
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Ticket, TicketRating, User
from portal.models.helpdesk import CATEGORIES


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile: the smallest value with `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass
class ReportLine:
    """Figures for one category or one staff member."""

    key: str
    label: str
    tickets: int = 0
    first_responses: list[int] = field(default_factory=list)
    resolutions: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    @property
    def first_response_median(self):
        return int(statistics.median(self.first_responses)) if self.first_responses else None

    @property
    def first_response_p90(self):
        return percentile(self.first_responses, 0.9)

    @property
    def resolution_median(self):
        return int(statistics.median(self.resolutions)) if self.resolutions else None

    @property
    def resolution_p90(self):
        return percentile(self.resolutions, 0.9)

    @property
    def satisfaction(self):
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None


@dataclass
class Report:
    total: ReportLine
    by_category: list[ReportLine]
    by_staff: list[ReportLine]


def report(event: Event, category_labels: dict[str, str]) -> Report:
    """Volume, median and 90th-percentile first-response and resolution times (stopped periods
    excluded), and satisfaction, by category and by the staff member holding the ticket."""
    rows = db.session.execute(
        select(Ticket.id, Ticket.category, Ticket.assignee_id, Ticket.first_response_seconds,
               Ticket.resolution_seconds).where(Ticket.event_id == event.id)).all()
    scores: dict[int, list[int]] = {}
    for ticket_id, score in db.session.execute(
            select(TicketRating.ticket_id, TicketRating.score).join(Ticket, Ticket.id == TicketRating.ticket_id)
            .where(Ticket.event_id == event.id, TicketRating.score.is_not(None))).all():
        scores.setdefault(ticket_id, []).append(score)
    names = {u.id: u.display_name or u.email for u in db.session.scalars(
        select(User).where(User.id.in_({r.assignee_id for r in rows if r.assignee_id})))}

    total = ReportLine("all", _("All requests"))
    categories = {c: ReportLine(c, category_labels.get(c, c)) for c in CATEGORIES}
    staff: dict[int | None, ReportLine] = {}
    for row in rows:
        person = staff.setdefault(row.assignee_id, ReportLine(
            str(row.assignee_id or ""), names.get(row.assignee_id, _("Not assigned"))))
        for line in (total, categories[row.category], person):
            line.tickets += 1
            if row.first_response_seconds is not None:
                line.first_responses.append(row.first_response_seconds)
            if row.resolution_seconds is not None:
                line.resolutions.append(row.resolution_seconds)
            line.scores.extend(scores.get(row.id, []))
    return Report(total=total, by_category=[line for line in categories.values() if line.tickets],
                  by_staff=sorted(staff.values(), key=lambda line: (line.key == "", line.label.lower())))
