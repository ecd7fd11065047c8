"""Help-desk metrics on a frozen clock: first-response and resolution times leave out the periods
a ticket waited on the guest (pending) or stood resolved; medians, 90th percentiles, satisfaction, CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.helpdesk import metrics, services
from portal.helpdesk.ratings import rate
from portal.helpdesk.settings import save_targets
from portal.helpdesk.tickets import Clock, clock, targets_for
from portal.models import Event, Ticket, TicketRating, User

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
NOTE = "Internal only: VIP complained about the driver"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def people(make_staff, event):
    return (make_staff("desk@example.org", event, roles=("helpdesk",)),
            make_staff("boss@example.org", event, roles=("organizer",)))


def open_at(event_id, minutes, category="lodging", **values) -> Ticket:
    return services.raise_ticket(db.session.get(Event, event_id), category=category, subject="s", body="b",
                                 source="desk", name="Guest", email="guest@example.org", now=at(minutes), **values)


def test_the_clock_stops_while_pending_and_while_resolved(app, event, people):
    desk = people[0]
    with app.test_request_context(method="POST"):
        staff = db.session.get(User, desk.id)
        ticket = open_at(event.id, 0)
        targets = targets_for(db.session.get(Event, event.id))
        assert clock(ticket, targets, at(10)) == Clock("running", 50 * 60)
        services.change_state(ticket, "pending", staff, now=at(10))
        # Waiting on the guest: the time left stays where it was.
        assert clock(ticket, targets, at(35)) == Clock("stopped", 50 * 60)
        services.guest_reply(ticket, None, "Here is my room number", now=at(40))
        assert ticket.state == "open" and ticket.pending_seconds == 30 * 60
        services.reply(ticket, staff, "Fixed, please check.", now=at(45))
        assert ticket.first_response_seconds == 15 * 60
        assert clock(ticket, targets, at(200)) == Clock("answered", 15 * 60)
        services.change_state(ticket, "resolved", staff, now=at(60))
        assert ticket.resolution_seconds == 30 * 60
        # The guest writes again 40 minutes later: reopened, and the resolved period is not counted.
        services.guest_reply(ticket, None, "Still broken", now=at(100))
        assert (ticket.state, ticket.resolution_seconds, ticket.resolved_at) == ("open", None, None)
        services.reply(ticket, staff, "Sent a technician.", then="resolved", now=at(110))
        assert ticket.resolution_seconds == (110 - 30 - 40) * 60
        assert ticket.first_response_seconds == 15 * 60  # the first response stays the first


def test_an_overdue_ticket_and_organizer_targets(app, event, people):
    with app.test_request_context(method="POST"):
        row = db.session.get(Event, event.id)
        save_targets(row, {"urgent": 2, "high": 15, "normal": 60, "low": 240},
                              db.session.get(User, people[1].id))
        ticket = open_at(event.id, 0, category="medical")
        assert ticket.priority == "urgent"
        assert clock(ticket, targets_for(row), at(5)) == Clock("overdue", 3 * 60)


@pytest.mark.parametrize("minutes, median_seconds, p90_seconds", [
    ([1], 60, 60), ([1, 2], 90, 120), (list(range(1, 11)), 330, 540), (list(range(1, 21)), 630, 1080)])
def test_median_and_90th_percentile(minutes, median_seconds, p90_seconds):
    line = metrics.ReportLine("x", "x", first_responses=[m * 60 for m in reversed(minutes)])
    assert line.first_response_median == median_seconds
    assert line.first_response_p90 == p90_seconds  # nearest rank
    assert metrics.ReportLine("y", "y").first_response_p90 is None


def make_history(app, event, people):
    """Three lodging and two transport tickets, answered and resolved at known times, two rated."""
    desk, boss = people
    with app.test_request_context(method="POST"):
        staff = {"desk": db.session.get(User, desk.id), "boss": db.session.get(User, boss.id)}
        plan = [  # category, who, first response after, pending minutes, resolved after
            ("lodging", "desk", 5, 0, 20),
            ("lodging", "desk", 10, 30, 70),
            ("lodging", "boss", 30, 0, 40),
            ("transport", "boss", 2, 0, 10),
            ("transport", "desk", 8, 10, 50),
        ]
        for start, (category, who, first, pending, resolved) in zip(range(0, 500, 100), plan):
            ticket = open_at(event.id, start, category=category)
            services.take(ticket, staff[who], now=at(start + 1))
            if pending:
                services.change_state(ticket, "pending", staff[who], now=at(start + 1))
                services.guest_reply(ticket, None, "answer", now=at(start + 1 + pending))
            services.reply(ticket, staff[who], NOTE, internal=True, now=at(start + first + pending))
            services.reply(ticket, staff[who], "public answer", now=at(start + first + pending))
            services.change_state(ticket, "resolved", staff[who], now=at(start + resolved))
        ratings = db.session.scalars(select(TicketRating).order_by(TicketRating.id)).all()
        assert len(ratings) == 5
    return ratings


def test_report_by_category_and_staff(app, event, people):
    make_history(app, event, people)
    with app.test_request_context(method="POST"):
        tokens = []
        # Rate two tickets through their real links: the links are signed, so make fresh ones.
        for number, score in ((1, 5), (4, 3)):
            ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
            services.guest_reply(ticket, None, "one more thing", now=at(900))
            services.change_state(ticket, "resolved", db.session.get(User, people[0].id), now=at(900))
            from portal.models import OutboundMail
            mail = db.session.scalars(select(OutboundMail).order_by(OutboundMail.id.desc())).first()
            token = mail.body_text.split("/help/rate/")[1].split()[0].split("?")[0]
            tokens.append(token)
            rate(token, score)
        report = metrics.report(db.session.get(Event, event.id), {"lodging": "Lodging", "transport": "Transport"})
    lodging = next(line for line in report.by_category if line.key == "lodging")
    transport = next(line for line in report.by_category if line.key == "transport")
    assert lodging.tickets == 3 and transport.tickets == 2
    assert sorted(lodging.first_responses) == [5 * 60, 10 * 60, 30 * 60]  # pending left out
    assert lodging.first_response_median == 10 * 60 and lodging.first_response_p90 == 30 * 60
    assert transport.first_response_median == 5 * 60  # (2 + 8) / 2
    assert report.total.tickets == 5 and report.total.satisfaction == 4.0
    desk_line = next(line for line in report.by_staff if line.label == "desk")
    assert desk_line.tickets == 3 and desk_line.scores == [5]


def test_the_metrics_page_and_csv_hold_figures_never_notes(app, client, auth, event, people):
    make_history(app, event, people)
    auth.login_staff("boss@example.org")
    page = client.get("/staff/e/summit/helpdesk/metrics").get_data(as_text=True)
    assert "By category" in page and "By staff member" in page and "Lodging" in page
    response = client.get("/staff/e/summit/helpdesk/metrics.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert "VIP complained" not in text and "public answer" not in text
    rows = list(csv.reader(io.StringIO(text)))
    lodging = next(r for r in rows if r[1] == "Lodging")
    assert lodging[2] == "3" and lodging[3] == "10.0" and lodging[4] == "30.0"
    assert client.get("/staff/e/summit/helpdesk/metrics.pdf").status_code == 404
