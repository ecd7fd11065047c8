"""An urgent help request reaches a console page that is already open: the strip polls and shows it,
naming a medical request without its details to help-desk staff without the medical permission."""

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.helpdesk import services
from portal.models import Event, Registration
from tests.browser.accessibility import assert_accessible
from tests.factories import sign_in_with_password
from tests.factories import add_guest

pytestmark = pytest.mark.browser


def test_a_medical_request_shows_on_an_open_console_page(app, live_server, mailbox, make_event, make_staff,
                                                        open_page):
    event = make_event()
    make_staff("desk@example.org", event, roles=("helpdesk",))
    _, registration_id = add_guest(app, event, "ann@example.org", name="Ann Lee")

    page = open_page()
    sign_in_with_password(page, live_server, "desk@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/guests"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guests")
    # The announcement strip's live region is always there (empty); the desk's alert is not, yet.
    desk_alerts = page.locator("#desk-alerts")
    expect(desk_alerts.get_by_role("alert")).to_have_count(0)

    # As a POST does: the write transaction begins at once (a GET's read would have to upgrade on SQLite).
    with app.test_request_context(method="POST"):
        services.raise_ticket(db.session.get(Event, event.id), category="medical", subject="Chest pain",
                              body="Please come.", source="portal",
                              registration=db.session.get(Registration, registration_id))

    alert = desk_alerts.get_by_role("alert")
    expect(alert).to_contain_text("Medical request H-001", timeout=15_000)
    expect(alert).not_to_contain_text("Chest pain")
    assert_accessible(page)
    alert.get_by_role("link", name="Medical request H-001").click()
    expect(page).to_have_url(live_server(f"/staff/e/{event.slug}/helpdesk/1"))
    assert not page.problems, page.problems
