"""Each event's own look (colour, logo, cover, map) and the event home it gives guests."""

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from portal import look
from portal.checkin import devices
from portal.extensions import db
from portal.models import AuditEntry, Event, Room, Session, Speaker, User
from tests.factories import registration_form, submit
from tests.sessions import sign_in_new_account

ORGANIZER = "organizer@example.org"
LOOK = "/staff/e/summit/look"


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(EVENT_IMAGES_FOLDER=str(tmp_path / "event-images"))


@pytest.fixture
def organizer(app, client, make_event, make_staff, auth):
    event = make_event()
    auth.login_as(make_staff(ORGANIZER, event, roles=("organizer",)))
    return event


def _picture(width: int, height: int, colour=(29, 63, 110), kind: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, kind)
    return out.getvalue()


def _event(app) -> Event:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "summit"))
        db.session.expunge(event)
        return event


def _send(client, **data):
    files = {k: (io.BytesIO(v[0]), v[1]) for k, v in data.items() if isinstance(v, tuple)}
    fields = {k: v for k, v in data.items() if not isinstance(v, tuple)}
    return submit(client, LOOK, {**fields, **files}, content_type="multipart/form-data")


def _error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return match.group(1) if match else ""


@pytest.mark.parametrize("colour, reason", [
    ("#f0c040", "contrast"),  # a light yellow: white text on it cannot be read
    ("#1d3f6", "format"),
    ("navy", "format"),
])
def test_a_colour_white_text_cannot_be_read_on_is_refused_beside_the_field(app, client, organizer, colour, reason):
    response = _send(client, accent_colour=colour, wifi="Summit-Guest / harbour2027")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = _error(page, "accent_colour")
    assert ("4.5:1" in message) if reason == "contrast" else ("six hexadecimal digits" in message)
    assert f'value="{colour}"' in page  # what was typed stays in the field
    assert 'value="Summit-Guest / harbour2027"' in page
    event = _event(app)
    assert event.accent_colour == "" and event.wifi == ""  # nothing half-saved


def test_the_contrast_is_measured_as_wcag_defines_it():
    assert look.contrast_with_white("#000000") == pytest.approx(21.0)
    assert look.contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)
    assert look.contrast_with_white("#777777") < 4.5


def test_a_readable_colour_is_saved_and_styles_the_event_pages(app, client, organizer):
    response = _send(client, accent_colour="#1D3F6E")
    assert response.status_code == 303
    assert _event(app).accent_colour == "#1d3f6e"
    home = client.get("/e/summit/").get_data(as_text=True)
    (css_url,) = re.findall(r'<link rel="stylesheet" href="(/e/summit/look\.css[^"]*)"', home)
    css = client.get(css_url.replace("&amp;", "&"))
    assert css.mimetype == "text/css" and "--event-accent: #1d3f6e" in css.get_data(as_text=True)
    assert css.cache_control.max_age == 365 * 24 * 3600
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "event.look")) == "accent_colour"

    # Saved again unchanged: nothing changes, and the form shows what is stored.
    page = client.get(LOOK).get_data(as_text=True)
    assert 'value="#1d3f6e"' in page
    again = _send(client, accent_colour="#1d3f6e")
    assert again.status_code == 303
    assert "Nothing was changed." in client.get(LOOK).get_data(as_text=True)


def test_a_file_that_is_not_a_picture_is_refused(app, client, organizer):
    response = _send(client, logo=(b"%PDF-1.7 not a picture", "logo.png"), accent_colour="#1d3f6e")
    assert response.status_code == 422
    assert "PNG, JPEG, WebP or GIF" in _error(response.get_data(as_text=True), "logo")
    event = _event(app)
    assert event.logo_image == "" and event.accent_colour == ""


def test_a_huge_picture_is_refused(app, client, organizer):
    # A small file that opens into 48 million pixels.
    response = _send(client, cover=(_picture(8000, 6000), "cover.png"))
    assert response.status_code == 422
    assert "40 million pixels" in _error(response.get_data(as_text=True), "cover")
    assert _event(app).cover_image == ""


def test_a_file_over_three_megabytes_is_refused():
    with pytest.raises(look.ImageRefused) as refused:
        look.store_image(b"\x89PNG" + b"0" * look.MAX_BYTES, "logo")
    assert refused.value.reason == "too_large"


def test_the_logo_is_resized_stored_and_shown_in_the_header_and_the_mail(app, client, organizer, mailbox, tmp_path):
    response = _send(client, logo=(_picture(1200, 600, mode="RGBA", colour=(29, 63, 110, 0)), "logo.png"),
                     cover=(_picture(3000, 2000, kind="JPEG"), "cover.jpg"))
    assert response.status_code == 303
    event = _event(app)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", event.logo_image)
    assert re.fullmatch(r"[0-9a-f]{32}\.webp", event.cover_image)
    with Image.open(tmp_path / "event-images" / event.logo_image) as stored:
        assert stored.size == (320, 160) and stored.mode == "RGBA"
    with Image.open(tmp_path / "event-images" / event.cover_image) as stored:
        assert stored.size == (1350, 900) and stored.format == "WEBP"

    guest = app.test_client()
    home = guest.get("/e/summit/").get_data(as_text=True)
    logo_url = f"/e/summit/images/{event.logo_image}"
    header = home[home.index('<header class="site-header">'):home.index("</header>")]
    assert f'src="{logo_url}"' in header and "Future Summit" in header
    assert f'src="/e/summit/images/{event.cover_image}"' in home
    with guest.get(f"/e/summit/images/{event.cover_image}") as served:
        assert served.mimetype == "image/webp"
    with guest.get(logo_url) as served:
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.cache_control.max_age == 365 * 24 * 3600 and served.cache_control.immutable
    # Only the event's own images, by their stored names.
    assert guest.get("/e/summit/images/" + "0" * 32 + ".png").status_code == 404
    assert guest.get("/e/summit/images/..%2Fconfig.py").status_code == 404

    # So does the kiosk's bar.
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.email == ORGANIZER))
        _, code = devices.create_device(db.session.get(Event, event.id), "Hall A", "North entrance", boss)
    kiosk = app.test_client()
    assert submit(kiosk, "/kiosk/pair", {"code": code}).status_code == 303
    start = kiosk.get("/kiosk/").get_data(as_text=True)
    bar = start[start.index('<header class="kiosk-bar">'):start.index("</header>")]
    assert f'src="{logo_url}"' in bar and "Future Summit" in bar

    # The guest's confirmation mail carries the logo too.
    sign_in_new_account(guest, "wang@example.org")
    delegate = next(c.id for c in organizer.categories if c.code == "delegate")
    submit(guest, "/e/summit/register", registration_form(category=str(delegate), language="en")).close()
    (message,) = mailbox.to("wang@example.org")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'src="http://localhost{logo_url}"' in html and "Future Summit" in html

    # Removed: gone from the pages.
    assert _send(client, remove_logo="y").status_code == 303
    assert _event(app).logo_image == ""
    assert logo_url not in guest.get("/e/summit/").get_data(as_text=True)
    assert guest.get(logo_url).status_code == 404


def _programme(app):
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "summit"))
        zone = ZoneInfo(event.timezone)
        at = datetime.combine(event.starts_on, time(9), tzinfo=zone)
        hall = Room(event_id=event.id, name_en="Grand Ballroom", name_zh="宴会大厅")
        speaker = Speaker(event_id=event.id, name_en="Amina Haddad", name_zh="阿米娜·哈达德",
                          title_en="Chief Economist", title_zh="首席经济学家",
                          organization_en="Riverbank Research", organization_zh="河岸研究院")
        keynote = Session(event_id=event.id, title_en="Opening keynote: trade after the storm",
                          title_zh="开幕主旨演讲：风暴之后的贸易", kind="keynote", room=hall,
                          starts_at=at, ends_at=at + timedelta(hours=1), speakers=[speaker])
        closed = Session(event_id=event.id, title_en="Ministers' closed roundtable", title_zh="部长闭门圆桌",
                         kind="keynote", visibility="invitation", starts_at=at, ends_at=at + timedelta(hours=1))
        db.session.add_all([hall, speaker, keynote, closed])
        event.getting_there_en = "Metro line 2 to Riverside Station, exit 3."
        event.getting_there_zh = "乘地铁2号线至滨江站3号口。"
        event.wifi = "Summit-Guest / harbour2027"
        event.dress_code_en = "Business attire"
        event.dress_code_zh = "商务正装"
        event.contacts_en = "Guest services: +86 21 5555 0100"
        event.contacts_zh = "嘉宾服务：+86 21 5555 0100"
        db.session.commit()
        return keynote.id


@pytest.mark.parametrize("language, expected", [
    ("en", ("Programme highlights", "Opening keynote: trade after the storm", "Amina Haddad", "Chief Economist",
            "Practical information", "Metro line 2 to Riverside Station", "Business attire",
            "Guest services", "Summit-Guest / harbour2027", "Register")),
    ("zh_Hans", ("精彩议程", "开幕主旨演讲：风暴之后的贸易", "阿米娜·哈达德", "首席经济学家",
                 "实用信息", "乘地铁2号线至滨江站3号口", "商务正装", "嘉宾服务", "Summit-Guest / harbour2027", "注册")),
])
def test_the_event_home_shows_highlights_speakers_and_practical_information(app, client, make_event, language,
                                                                            expected):
    make_event()
    session_id = _programme(app)
    with client.session_transaction() as session:
        session["lang"] = language
    page = client.get("/e/summit/").get_data(as_text=True)
    for text in expected:
        assert text in page, text
    assert f'href="/e/summit/agenda/{session_id}"' in page
    assert 'href="/e/summit/agenda"' in page
    assert "部长闭门圆桌" not in page and "Ministers' closed roundtable" not in page  # not for the public


def test_a_registered_guest_is_sent_on_to_my_trip(app, client, make_event):
    event = make_event()
    sign_in_new_account(client, "wang@example.org")
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    submit(client, "/e/summit/register", registration_form(category=str(delegate))).close()
    page = client.get("/e/summit/").get_data(as_text=True)
    assert 'href="/e/summit/me"' in page and 'href="/e/summit/register"' not in page


def test_an_event_without_a_look_keeps_the_house_header(app, client, make_event):
    make_event()
    page = client.get("/e/summit/").get_data(as_text=True)
    assert "look.css" not in page and "Practical information" not in page
    assert 'class="brand brand-event" href="/e/summit/"' in page


def test_a_photo_is_stored_upright_and_without_its_metadata(app):
    photo = Image.new("RGB", (400, 200), (29, 63, 110))
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: to be rotated a quarter turn
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif)
    with app.app_context():
        name = look.store_image(out.getvalue(), "cover")
        with Image.open(f"{look.images_folder()}/{name}") as stored:
            assert stored.size == (200, 400)
            assert not stored.getexif()
