"""Pages loaded in place (hx-boost) behave as if loaded whole, in a real browser.

The badge reached by the boosted kiosk flow prints at 4 × 3 in; the kiosk's scan field takes
a typed confirmation code; a revoked or rate-limited kiosk says so on its own screen.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.checkin import devices
from portal.extensions import db
from portal.models import BadgePrint, KioskDevice, User
from tests.browser.accessibility import assert_accessible
from tests.browser.test_kiosk_journey import event, organizer, pair_kiosk  # noqa: F401 (fixtures)
from tests.test_kiosk import make_guest

pytestmark = pytest.mark.browser

POINTS_PER_INCH = 72
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in inches, from the PDF's media boxes."""
    return [(float(w) / POINTS_PER_INCH, float(h) / POINTS_PER_INCH) for w, h in MEDIA_BOX.findall(pdf)]


def scan_in(page, guest) -> None:
    page.keyboard.type(guest["ticket"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mr Wang Xiaoming")


def test_the_badge_reached_by_the_kiosk_flow_prints_at_4_by_3_inches(app, live_server, event, organizer, open_page):
    guest = make_guest(app, event)
    page = open_page()
    pair_kiosk(page, app, live_server, event.id, organizer)
    scan_in(page, guest)

    page.get_by_role("button", name="Print my badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_page_sizes(pdf) == [(4.0, 3.0)], "one card on one 4 × 3 in page"

    # "Print again" goes through the server, which logs a reprint, and prints the same card.
    page.get_by_role("button", name="Print again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your badge is printing")
    assert pdf_page_sizes(page.pdf(prefer_css_page_size=True)) == [(4.0, 3.0)]
    with app.app_context():
        prints = db.session.scalars(db.select(BadgePrint).where(BadgePrint.registration_id == guest["id"])
                                    .order_by(BadgePrint.id)).all()
        assert [p.reprint for p in prints] == [False, True]
    assert page.problems == []
