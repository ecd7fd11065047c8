"""Bulk mail to the guests of one hotel, of one arrival day or of one session, in a real browser without
JavaScript: each filter's count is confirmed before sending, the mails in the SMTP server go to that group
alone, and no filter offers dietary, medical or accessibility data."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import AgendaEntry
from tests.factories import (
    add_guest, at, file_leg, file_stay, make_session, make_small_block, sign_in_with_password,
)

pytestmark = pytest.mark.browser


def _wait_for(mailbox, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(mailbox.messages) < count:
        time.sleep(0.05)
    return sorted(m["To"] for m in mailbox.messages)


@pytest.mark.parametrize(("choose", "expected"), [
    (lambda page, event: page.get_by_label("Hotel").select_option(label="Lakeside Hotel"), ["ann@example.org"]),
    (lambda page, event: page.get_by_label("Arrival day").fill((event.starts_on + timedelta(days=1)).isoformat()),
     ["ben@example.org"]),
    (lambda page, event: page.get_by_label("Session").select_option(label="Closed-door roundtable"),
     ["ben@example.org", "cai@example.org"]),
], ids=["hotel", "arrival-day", "session"])
def test_the_organizer_mails_one_group_chosen_by_hotel_day_or_session(
        app, live_server, mailbox, make_event, make_staff, open_page, choose, expected):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    _, ann = add_guest(app, event, "ann@example.org", name="Ann Lee")
    _, ben = add_guest(app, event, "ben@example.org", name="Ben Ode")
    _, cai = add_guest(app, event, "cai@example.org", name="Cai Lun")
    file_stay(app, event, ann, make_small_block(app, event))
    file_leg(app, event, SimpleNamespace(registration_id=ann), hour=9)
    file_leg(app, event, SimpleNamespace(registration_id=ben), day_offset=1, hour=9)
    session_id = make_session(app, event, "Closed-door roundtable", at(event, 1, 14))
    with app.app_context():
        db.session.add_all([AgendaEntry(registration_id=ben, session_id=session_id),
                            AgendaEntry(registration_id=cai, session_id=session_id)])
        db.session.commit()

    page = open_page(java_script_enabled=False)
    sign_in_with_password(page, live_server, "boss@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("link", name="Mail to guests").click()
    # Groups by what a guest arranged, never by what they disclosed about their health.
    filters = page.locator("form select, form input[type=date]")
    names = filters.evaluate_all("fields => fields.map(f => f.name)")
    assert not any(word in name for name in names for word in ("diet", "allerg", "medical", "access")), names

    choose(page, event)
    page.get_by_label("Subject in English").fill("A note for you, {name}")
    page.get_by_label("Message in English").fill("Dear {name},\n\nSee you soon.")
    page.get_by_label("Subject in Chinese").fill("{name}，给您的通知")
    page.get_by_label("Message in Chinese").fill("尊敬的{name}：\n\n期待与您相见。")
    page.get_by_role("button", name="Preview").click()
    count = len(expected)
    expect(page.get_by_text(f"This mail goes to {count} guest{'s' if count > 1 else ''}.")).to_be_visible()
    assert mailbox.messages == []
    page.get_by_role("button", name=f"Send to {count} guest{'s' if count > 1 else ''}").click()
    expect(page.get_by_text(f"The mail is on its way to {count} guest{'s' if count > 1 else ''}.")).to_be_visible()
    assert _wait_for(mailbox, count) == expected
    assert page.problems == []
