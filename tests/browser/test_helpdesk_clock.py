"""The help-desk queue's clocks move on in the browser between polls: a request about to miss its
first-response target turns overdue by itself, and no poll turns it back."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Ticket
from tests.factories import raise_ticket, signed_in_page

pytestmark = pytest.mark.browser


def is_poll(response) -> bool:
    return "/staff/e/summit/helpdesk?since=" in response.url


def test_a_clock_turns_overdue_by_itself_and_no_poll_turns_it_back(
        app, live_server, make_event, make_staff, open_page):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    raise_ticket(app, event, subject="Shuttle missing")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        # A normal request is due within the hour: this one has 7 seconds left.
        ticket.created_at = utcnow() - timedelta(minutes=60) + timedelta(seconds=7)
        db.session.commit()

    page = signed_in_page(app, live_server, open_page(), desk.id)
    polls = []
    page.on("response", lambda response: is_poll(response) and polls.append(response))
    page.goto(live_server("/staff/e/summit/helpdesk"))
    row = page.locator('tr[data-ticket="H-001"]')
    expect(row).to_contain_text("0 min left")
    expect(row).not_to_have_class(re.compile(r"\bticket-overdue\b"))
    expect(row.locator("strong.ticket-overdue-label")).to_have_text("overdue by 0 min", timeout=12_000)
    expect(row).to_have_class(re.compile(r"\bticket-overdue\b"))

    # Each poll brings the queue as the server renders it now: overdue too, never the clock put back.
    for _ in range(100):
        if len(polls) >= 3:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert [p.status for p in polls[:3]] == [200, 200, 200]
    assert all(p.headers.get("cache-control") == "no-store" for p in polls[:3])
    assert row.locator("strong.ticket-overdue-label").inner_text() == "overdue by 0 min"
    assert "ticket-overdue" in row.get_attribute("class").split()

    # Reloaded, the page comes from the server again, never from the browser's cache.
    with page.expect_response(lambda response: response.url.endswith("/helpdesk")) as reloaded:
        page.reload()
    assert not reloaded.value.request.all_headers().get("if-none-match")
    assert reloaded.value.headers.get("cache-control") == "no-store"
    expect(page.locator('tr[data-ticket="H-001"] strong.ticket-overdue-label')).to_have_text(
        "overdue by 0 min", timeout=2_000)
    assert page.problems == []
