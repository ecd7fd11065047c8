"""Bulk mail in a real browser: the organizer picks a group, writes in both languages, previews the mail as
real guests receive it, confirms the count and sends; each guest finds their own version in the mail
server. Then a no-JavaScript browser does the same through plain form posts."""

import time

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Registration
from tests.browser.accessibility import assert_accessible
from tests.factories import sign_in_with_password
from tests.factories import add_guest

pytestmark = pytest.mark.browser


def _wait_for(mailbox, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(mailbox.messages) < count:
        time.sleep(0.05)
    assert len(mailbox.messages) == count, [m["To"] for m in mailbox.messages]


@pytest.mark.parametrize("java_script", [True, False], ids=["htmx", "no-js"])
def test_the_organizer_previews_confirms_the_count_and_sends(app, live_server, mailbox, make_event, make_staff,
                                                             open_page, java_script):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    _, wang = add_guest(app, event, "wang@example.org", language="zh_Hans", name="Wang Xiaoming")
    add_guest(app, event, "ann@example.org", name="Ann Lee")
    add_guest(app, event, "vip@example.org", category="vip", name="Vera Ip")
    with app.app_context():
        registration = db.session.get(Registration, wang)
        registration.name_original, registration.honorific = "王小明", "Mr"
        code = registration.confirmation_code
        db.session.commit()

    page = open_page(java_script_enabled=java_script)
    sign_in_with_password(page, live_server, "boss@example.org")
    page.goto(live_server(f"/staff/e/{event.slug}/"))
    page.get_by_role("link", name="Mail to guests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail to guests")
    if java_script:  # axe runs as a script in the page
        assert_accessible(page)

    page.get_by_label("Category").select_option(label="Delegate")
    page.get_by_label("Subject in English").fill("Your shuttle, {name}")
    page.get_by_label("Message in English").fill("Dear {name},\n\nShow the code {code} to the driver.\n{link}")
    page.get_by_label("Subject in Chinese").fill("{name}，您的班车")
    page.get_by_label("Message in Chinese").fill("尊敬的{name}：\n\n请向司机出示确认码 {code}。\n{link}")
    page.get_by_role("button", name="Preview").click()

    # The mail as a real guest of each language receives it, and the count to confirm.
    preview = page.locator(".mail-preview")
    expect(preview.get_by_text("王小明先生，您的班车")).to_be_visible()
    expect(preview.get_by_text(f"请向司机出示确认码 {code}。", exact=False)).to_be_visible()
    expect(preview.get_by_text("Your shuttle, Ann Lee")).to_be_visible()
    expect(page.get_by_text("This mail goes to 2 guests.")).to_be_visible()
    if java_script:  # axe runs as a script in the page
        assert_accessible(page)
    assert mailbox.messages == []

    page.get_by_role("button", name="Send to 2 guests").click()
    expect(page.get_by_text("The mail is on its way to 2 guests.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    _wait_for(mailbox, 2)
    chinese = mailbox.to("wang@example.org")[0]
    assert chinese["Subject"] == "王小明先生，您的班车"
    body = chinese.get_body(("plain",)).get_content()
    assert f"请向司机出示确认码 {code}。" in body and live_server("/e/summit/me") in body
    english = mailbox.to("ann@example.org")[0]
    assert english["Subject"] == "Your shuttle, Ann Lee"
    assert mailbox.to("vip@example.org") == []
    assert not page.problems, page.problems
