"""An organizer gives the event its look in a real browser, and guests see it."""


import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.sessions import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(EVENT_IMAGES_FOLDER=str(tmp_path / "event-images"))


def test_an_organizer_sets_colour_and_logo_and_the_event_home_shows_them(
        app, live_server, make_event, make_staff, open_page, tmp_path):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    staff = open_page()
    client = app.test_client()
    sign_in(client, organizer.id)
    staff.context.add_cookies([{"name": "session", "value": client.get_cookie("session").value,
                                "url": live_server.url}])
    staff.goto(live_server("/staff/e/summit/"))
    staff.get_by_role("link", name="Look", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Look and practical information")
    assert_accessible(staff)

    # A light colour: refused beside the field, what was typed kept, the page still accessible.
    colour = staff.get_by_label("Accent colour")
    colour.fill("#f0c040")
    staff.get_by_label("Wi-Fi").fill("Summit-Guest / harbour2027")
    staff.get_by_role("button", name="Save").click()
    expect(staff.locator("#accent_colour-error")).to_contain_text("4.5:1")
    expect(colour).to_have_value("#f0c040")
    expect(staff.get_by_label("Wi-Fi")).to_have_value("Summit-Guest / harbour2027")
    assert_accessible(staff)

    # A readable colour and a logo: saved.
    logo = tmp_path / "logo.png"
    Image.new("RGB", (600, 200), (29, 78, 137)).save(logo)
    colour.fill("#1d4e89")
    staff.get_by_label("Logo", exact=True).set_input_files(str(logo))
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("The look and practical information are saved.")).to_be_visible()
    expect(staff.get_by_role("img", name="The current Logo")).to_be_visible()

    # A guest's view: the logo and name in the header, the colour on the main button.
    guest = open_page(locale="zh-CN")
    guest.goto(live_server("/e/summit/"))
    expect(guest.locator(".site-header .brand-logo")).to_be_visible()
    expect(guest.locator(".site-header .brand")).to_contain_text("未来峰会")
    register = guest.get_by_role("link", name="注册")
    expect(register).to_have_css("background-color", "rgb(29, 78, 137)")
    assert_accessible(guest)
    # Boosted to the programme, then home by the header's event link: the colour comes along with the page.
    guest.get_by_role("link", name="议程").first.click()
    expect(guest).to_have_url(live_server("/e/summit/agenda"))
    guest.locator(".site-header .brand").click()
    expect(guest).to_have_url(live_server("/e/summit/"))
    expect(guest.get_by_role("link", name="注册")).to_have_css("background-color", "rgb(29, 78, 137)")
    assert staff.problems == [] and guest.problems == []
