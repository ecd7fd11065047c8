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


# Seconds the request has left when the queue is rendered: still "0 min left", and more than a page
# load takes on a loaded machine, so the page shows it before it runs out.
LEAD = 10
# Each queue answer the page swapped in, and the clock as the page shows it right after that swap.
RECORD_SWAPS = """() => {
  window.swapped = [];
  document.addEventListener("htmx:afterSettle", event => {
    const xhr = event.detail && event.detail.xhr;
    if (!xhr || !xhr.responseURL.includes("/helpdesk?since=") || window.swapped.some(s => s.xhr === xhr)) return;
    const row = document.querySelector('tr[data-ticket="H-001"]');
    const label = row && row.querySelector("strong.ticket-overdue-label");
    window.swapped.push({xhr, label: label ? label.textContent : null, row: row ? row.className : ""});
  });
}"""


def is_poll(response) -> bool:
    return "/staff/e/summit/helpdesk?since=" in response.url


def test_a_clock_turns_overdue_by_itself_and_no_poll_turns_it_back(
        app, live_server, make_event, make_staff, open_page):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    raise_ticket(app, event, subject="Shuttle missing")
    page = signed_in_page(app, live_server, open_page(), desk.id)
    polls = []
    page.on("response", lambda response: is_poll(response) and polls.append(response))
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        # A normal request is due within the hour: this one has a few seconds left.
        ticket.created_at = utcnow() - timedelta(minutes=60) + timedelta(seconds=LEAD)
        db.session.commit()
    page.goto(live_server("/staff/e/summit/helpdesk"))
    row = page.locator('tr[data-ticket="H-001"]')
    expect(row).to_contain_text("0 min left")
    expect(row).not_to_have_class(re.compile(r"\bticket-overdue\b"))
    # It runs out, and the page's clock (moved every 2 s) says so.
    expect(row.locator("strong.ticket-overdue-label")).to_have_text("overdue by 0 min", timeout=(LEAD + 5) * 1000)
    expect(row).to_have_class(re.compile(r"\bticket-overdue\b"))

    # Each poll brings the queue as the server renders it now: overdue too, never the clock put back.
    page.evaluate(RECORD_SWAPS)
    # The queue polls every 5 s: two more answers take up to 10 s.
    page.wait_for_function("() => window.swapped.length >= 2", timeout=15_000)
    assert [p.status for p in polls[:3]] == [200, 200, 200]
    assert all(p.headers.get("cache-control") == "no-store" for p in polls[:3])
    for label, row_class in page.evaluate("window.swapped.map(s => [s.label, s.row])"):
        assert label == "overdue by 0 min" and "ticket-overdue" in row_class.split(), (label, row_class)

    # Reloaded, the page comes from the server again, never from the browser's cache.
    with page.expect_response(lambda response: response.url.endswith("/helpdesk")) as reloaded:
        page.reload()
    assert not reloaded.value.request.all_headers().get("if-none-match")
    assert reloaded.value.headers.get("cache-control") == "no-store"
    expect(page.locator('tr[data-ticket="H-001"] strong.ticket-overdue-label')).to_have_text(
        "overdue by 0 min", timeout=2_000)
    assert page.problems == []
