"""Typography and language: fonts, Chinese punctuation, dates, forms of address, countries, names, "Room"."""

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

from portal import countries, dates
from portal.extensions import db
from portal.guests import addressing
from portal.models import Registration, Speaker
from tests.factories import (
    at, confirm_stay, file_stay, make_block, make_guest, make_registration, make_room, make_session, new_kiosk, pair,
    registration_form, scan, submit,
    wait_for_mail)
from tests.sessions import sign_in, sign_in_new_account

ROOT = Path(__file__).resolve().parent.parent
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w+\}")
HALF_WIDTH_BESIDE_HAN = re.compile(rf"[{HAN}][:,?!()]|[:,?!()][{HAN}]")


def chinese(client):
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"


# -- Fonts and letter-spacing -------------------------------------------------------------------

def _rules(css: str):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return re.findall(r"([^{}]+)\{([^{}]*)\}", css)


def test_the_font_stack_names_each_systems_chinese_face_and_loads_no_web_font():
    css = (ROOT / "static/css/app.css").read_text(encoding="utf-8")
    sans = re.search(r"--sans:([^;]+);", css).group(1)
    for face in ("PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"):
        assert f'"{face}"' in sans
    # A Latin system face comes before the Chinese ones, so Latin text keeps its own shapes.
    assert sans.index("Segoe UI") < sans.index("PingFang SC")
    for sheet in (ROOT / "static/css").glob("*.css"):
        assert "@font-face" not in sheet.read_text(encoding="utf-8"), sheet.name


@pytest.mark.parametrize("sheet", ["app.css", "badge.css", "kiosk.css"])
def test_every_letter_spaced_rule_is_set_solid_in_chinese(sheet):
    rules = _rules((ROOT / "static/css" / sheet).read_text(encoding="utf-8"))
    reset = {s.strip() for selectors, body in rules if re.search(r"letter-spacing:\s*normal", body)
             for s in selectors.split(",")}
    for selectors, body in rules:
        if not re.search(r"letter-spacing:\s*(?!normal)", body) or ":lang(zh)" in selectors:
            continue
        for selector in (s.strip() for s in selectors.split(",")):
            if selector in (".code", ".mono"):
                continue  # confirmation codes: Latin letters and digits, read out to the desk
            assert f":lang(zh) {selector}" in reset, selector


# -- Full-width punctuation -----------------------------------------------------------------------

def test_the_chinese_catalog_uses_full_width_punctuation_beside_chinese():
    with (ROOT / "translations/zh_Hans/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if text and HALF_WIDTH_BESIDE_HAN.search(PLACEHOLDER.sub("x", text)):
                found.append(text)
    assert found == []


def test_the_scan_finds_half_width_punctuation():
    assert HALF_WIDTH_BESIDE_HAN.search("姓名:王小明")
    assert HALF_WIDTH_BESIDE_HAN.search("房间(A厅)")
    assert not HALF_WIDTH_BESIDE_HAN.search(PLACEHOLDER.sub("x", "姓名：%(name)s（%(zone)s）"))



def _page_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))


@pytest.mark.parametrize("language, names, when, role", [
    ("zh_Hans", "阿米娜·哈达德、佐藤阳子", r"日星期. 09:00–10:00", "首席经济学家，河岸研究院"),
    ("en", "Amina Haddad, Yoko Sato", r"\d, 20\d\d, 09:00–10:00", "Chief Economist, Riverbank Research"),
])
def test_the_programme_lists_speakers_and_times_with_the_languages_punctuation(app, client, make_event, language,
                                                                              names, when, role):
    event = make_event()
    with app.app_context():
        amina = Speaker(event_id=event.id, name_en="Amina Haddad", name_zh="阿米娜·哈达德",
                        title_en="Chief Economist", title_zh="首席经济学家",
                        organization_en="Riverbank Research", organization_zh="河岸研究院")
        yoko = Speaker(event_id=event.id, name_en="Yoko Sato", name_zh="佐藤阳子")
        db.session.add_all([amina, yoko])
        db.session.commit()
        speakers = (amina.id, yoko.id)
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9), speakers=speakers, kind="keynote")
    with client.session_transaction() as session:
        session["lang"] = language
    for path in ("/e/summit/", "/e/summit/agenda", f"/e/summit/agenda/{session_id}"):
        text = _page_text(client.get(path).get_data(as_text=True))
        assert names in text or path.endswith(str(session_id)), path
        assert not HALF_WIDTH_BESIDE_HAN.search(text), (path, HALF_WIDTH_BESIDE_HAN.search(text))
    detail = _page_text(client.get(f"/e/summit/agenda/{session_id}").get_data(as_text=True))
    assert re.search(when, detail) and role in detail


@pytest.mark.parametrize("language, expected", [
    ("zh_Hans", '<a href="#surname">姓氏（拉丁字母）</a>：请输入您的姓氏。'),
    ("en", '<a href="#surname">Family name in Latin letters</a>: Enter your family name.'),
])
def test_the_error_summary_puts_the_languages_colon_after_each_field(client, make_event, language, expected):
    event = make_event()
    sign_in_new_account(client, "wang@example.org")
    with client.session_transaction() as session:
        session["lang"] = language
    form = registration_form(category=str(next(c.id for c in event.categories if c.code == "delegate")), surname="")
    page = submit(client, "/e/summit/register", form).get_data(as_text=True)
    summary = page[page.index('class="error-summary"'):]
    assert expected in summary[:summary.index("</div>")]

def test_a_label_and_its_colon_follow_the_language(app):
    with app.test_request_context():
        with force_locale("zh_Hans"):
            assert render_template_string('{{ _("Hotel")|colon }}X') == "酒店：X"
            assert render_template_string('{{ _("required")|aside }}') == "（必答）"
        with force_locale("en"):
            assert render_template_string('{{ _("Hotel")|colon }}X') == "Hotel: X"
            assert render_template_string('{{ _("required")|aside }}') == "(required)"


# -- Dates and times ------------------------------------------------------------------------------

SHANGHAI = SimpleNamespace(zone=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("language, expected", [
    ("en", {"day": "June 3, 2025", "short": "Jun 3, 2025", "weekday": "Tuesday, June 3, 2025", "tab": "Tue, Jun 3",
            "clock": "14:05", "moment": "Jun 3, 2025, 14:05"}),
    ("zh_Hans", {"day": "2025年6月3日", "short": "2025年6月3日", "weekday": "2025年6月3日星期二", "tab": "6月3日周二",
                 "clock": "14:05", "moment": "2025年6月3日 14:05"}),
])
def test_each_purpose_has_one_format_per_language(app, language, expected):
    instant = datetime(2025, 6, 3, 6, 5, tzinfo=UTC)  # 14:05 in Shanghai
    with app.test_request_context(), force_locale(language):
        shown = {form: dates.day(date(2025, 6, 3), form) for form in ("day", "short", "weekday", "tab")}
        shown["clock"] = dates.clock(instant, SHANGHAI)
        shown["moment"] = dates.moment(instant, SHANGHAI)
        assert shown == expected
        assert dates.clock(time(9, 30)) == "09:30"
        assert dates.moment(instant, SHANGHAI, zone=True).endswith(
            "(China (Shanghai) Time)" if language == "en" else "（中国（上海）时间）")


def test_no_template_formats_dates_by_hand():
    for path in (ROOT / "templates").rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert "strftime" not in text and "|dateformat" not in text, path


def test_staff_pages_show_times_on_the_events_clock_with_its_zone(app, client, make_event, make_staff, auth):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    auth.login_staff("boss@example.org")
    guest = client.application.test_client()
    sign_in_new_account(guest, "wang@example.org")
    submit(guest, "/e/summit/register", registration_form(category=str(
        next(c.id for c in event.categories if c.code == "delegate"))))
    with app.app_context():
        registration = db.session.scalars(db.select(Registration)).one()
        registered = registration.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    page = client.get(f"/staff/e/summit/guests/{registration.id}").get_data(as_text=True)
    with app.test_request_context(), force_locale("en"):
        assert dates.moment(registered) in page
    # The time a kiosk pairing code stops working names the event's zone.
    response = submit(client, "/staff/e/summit/kiosks", {"name": "Hall A", "location": "Lobby"},
                      page="/staff/e/summit/kiosks")
    pairing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "(China (Shanghai) Time)" in pairing


# -- Forms of address -----------------------------------------------------------------------------

PROFESSOR = SimpleNamespace(honorific="Prof", name_original="王小明", name_latin="Wang Xiaoming", surname="Wang")
EXCELLENCY = SimpleNamespace(honorific="HE", name_original="John Williams", name_latin="John Williams",
                             surname="Williams")
NO_TITLE = SimpleNamespace(honorific="", name_original="王小明", name_latin="Wang Xiaoming", surname="Wang")


def test_a_greeting_carries_the_form_of_address_in_each_language(app):
    with app.test_request_context():
        with force_locale("zh_Hans"):
            assert addressing.greeting(PROFESSOR) == "尊敬的王小明教授："
            assert addressing.greeting(NO_TITLE) == "尊敬的王小明："
            assert addressing.welcome(PROFESSOR) == "欢迎您，王小明教授"
            assert addressing.greeting(EXCELLENCY) == "尊敬的John Williams阁下："
        with force_locale("en"):
            assert addressing.greeting(PROFESSOR) == "Dear Prof. Wang,"
            assert addressing.greeting(NO_TITLE) == "Dear Wang Xiaoming,"
            assert addressing.welcome(PROFESSOR) == "Welcome, Prof. Wang Xiaoming"
            # An Excellency is named in full and greeted as such.
            assert addressing.greeting(EXCELLENCY) == "Your Excellency,"
            assert addressing.addressed_name(EXCELLENCY) == "H.E. John Williams"
            # In HTML the Chinese name is marked as Chinese on an English page.
            assert addressing.addressed_name(SimpleNamespace(**{**vars(PROFESSOR), "honorific": ""}), markup=True) == \
                "Wang Xiaoming"
            assert str(addressing.in_own_language("王小明")) == '<span lang="zh">王小明</span>'


def test_mails_and_my_trip_greet_with_the_form_of_address(app, client, make_event, mailbox):
    event = make_event()
    sign_in_new_account(client, "wang@example.org", language="zh_Hans")
    chinese(client)
    form = registration_form(category=str(next(c.id for c in event.categories if c.code == "delegate")))
    form.update(honorific="Prof", name_original="王小明", name_latin="Wang Xiaoming", surname="Wang", language="zh_Hans")
    response = submit(client, "/e/summit/register", form)
    assert response.status_code == 303
    response.close()  # the mail goes out once the response is closed
    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "欢迎您，王小明教授" in trip
    mail = wait_for_mail(mailbox, "wang@example.org", lambda m: True)
    assert "尊敬的王小明教授：" in mail.get_body(("plain",)).get_content()


# -- Countries and regions ------------------------------------------------------------------------

def test_the_country_list_holds_real_countries_only():
    for language in ("en", "zh_Hans"):
        codes = {code for code, _name in countries.countries(language)}
        assert {"CN", "FR", "HK", "TW", "XK"} <= codes
        assert not codes & {"XA", "XB", "ZZ", "EU", "EZ", "UN", "QO"}
        assert len(codes) == 250  # ISO 3166-1 and Kosovo


def test_chinese_names_are_sorted_by_pinyin_and_english_ones_ignore_accents():
    zh = [name for _code, name in countries.countries("zh_Hans")]
    assert zh[0] == "阿尔巴尼亚"  # a'erbaniya
    assert zh.index("智利") < zh.index("中非共和国") < zh.index("中国")  # zhi4li4 < zhong1fei1 < zhong1guo2
    assert zh.index("澳大利亚") < zh.index("巴西") < zh.index("法国") < zh.index("日本")
    en = [name for _code, name in countries.countries("en")]
    assert en.index("Åland Islands") < en.index("Albania")
    assert en.index("Côte d’Ivoire") < en.index("Croatia")


def test_the_registration_form_offers_the_list_in_pinyin_order(client, make_event):
    make_event()
    sign_in_new_account(client, "wang@example.org")
    chinese(client)
    page = client.get("/e/summit/register").get_data(as_text=True)
    select = page[page.index('name="country"'):]
    select = select[:select.index("</select>")]
    assert "伪地区" not in select and "未知地区" not in select and "欧元区" not in select
    assert select.index(">阿尔巴尼亚<") < select.index(">中国<")


def test_each_language_in_a_language_list_is_marked_as_itself(client, make_event):
    make_event()
    sign_in_new_account(client, "wang@example.org")
    page = client.get("/e/summit/register").get_data(as_text=True)
    select = page[page.index('name="language"'):]
    select = select[:select.index("</select>")]
    assert re.search(r'<option lang="zh-Hans"[^>]*>中文</option>', select), select
    assert re.search(r'<option lang="en"[^>]*>English</option>', select), select


# -- "Room", by what it is ------------------------------------------------------------------------

def test_a_hotel_room_and_a_meeting_room_are_told_apart_in_chinese(app, client, make_event):
    event = make_event()
    block_id = make_block(app, event)
    guest = make_guest(app, event, "guest@example.org")
    request_id = file_stay(app, event, guest.registration_id, block_id)
    confirm_stay(app, event, request_id)
    room = make_room(app, event)
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9), room=room)
    sign_in(client, guest.user_id)
    chinese(client)
    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "<dt>客房</dt>" in trip
    session = client.get(f"/e/summit/agenda/{session_id}").get_data(as_text=True)
    assert "<dt>会议室</dt>" in session


# -- Names in another script ----------------------------------------------------------------------

def test_a_chinese_name_on_an_english_page_is_marked_chinese(app, client, make_event, make_staff, auth):
    event = make_event()
    make_staff("boss@example.org", event, roles=("organizer",))
    guest = client.application.test_client()
    sign_in_new_account(guest, "wang@example.org")
    form = registration_form(category=str(next(c.id for c in event.categories if c.code == "delegate")))
    form.update(name_original="王小明", name_latin="Wang Xiaoming")
    assert submit(guest, "/e/summit/register", form).status_code == 303
    assert '<span lang="zh">王小明</span>' in guest.get("/e/summit/me").get_data(as_text=True)
    auth.login_staff("boss@example.org")
    with app.app_context():
        registration_id = db.session.scalars(db.select(Registration.id)).one()
    page = client.get(f"/staff/e/summit/guests/{registration_id}").get_data(as_text=True)
    assert '<h1><span lang="zh">王小明</span>' in page


def test_the_kiosk_welcomes_with_the_form_of_address_in_chinese(app, client, make_event, make_staff):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    _, code = new_kiosk(app, event, organizer)
    assert pair(client, code).status_code == 303
    guest = make_registration(app, event, honorific="Prof", language="zh_Hans")
    chinese(client)
    response = scan(client, guest["ticket"])
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "欢迎您，王小明教授" in page
