"""Agenda times in the event's zone, with the guest's own zone beside them on request."""

import re

import pytest

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.factories import at, counting_queries, hold, make_guest, make_session


@pytest.fixture
def event(make_event):
    return make_event()  # Asia/Shanghai, UTC+8


def local(text: str) -> list[str]:
    return re.findall(r'<span class="local-time">\(([^<]*)\)</span>', text)


def test_times_are_in_the_events_zone_unless_the_guest_asks(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9), minutes=90)
    page = client.get(f"/e/{event.slug}/agenda").get_data(as_text=True)
    assert "09:00" in page and "10:30" in page and local(page) == []
    assert 'name="tz"' in page and '<option value="event" selected>' in page

    # Shanghai 09:00 is Paris 03:00 in summer or 02:00 in winter: whatever the date, the same instant.
    paris = client.get(f"/e/{event.slug}/agenda?tz=Europe/Paris")
    text = paris.get_data(as_text=True)
    assert paris.status_code == 200
    start = at(event, 0, 9).astimezone(ZoneInfo("Europe/Paris"))
    expected = f"Europe/Paris: {start:%H:%M}–{start + timedelta(minutes=90):%H:%M}"
    assert local(text) == [expected]
    assert "09:00" in text  # the event's time still leads
    assert '<option value="Europe/Paris" selected>' in text


def test_the_choice_is_remembered_and_can_be_dropped(app, client, auth, event):
    guest = make_guest(app, event, "remember@example.org")
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    hold(app, guest, session_id)
    auth.login_as(guest)
    client.get(f"/e/{event.slug}/agenda?tz=America/New_York")
    # The same choice on My agenda, on the session's page and in the htmx fragment, with no parameter.
    mine = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    assert len(local(mine)) == 1 and local(mine)[0].startswith("America/New York: ")
    # New York is 12 or 13 hours behind: the evening before, so the date is shown too.
    assert re.match(r"America/New York: \w+ \d+, \d{4}, \d\d:00–\d\d:00", local(mine)[0])
    detail = client.get(f"/e/{event.slug}/agenda/{session_id}").get_data(as_text=True)
    assert "America/New York: " in detail
    fragment = client.get(f"/e/{event.slug}/agenda?q=opening", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "America/New York: " in fragment.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["agenda_tz"] == "America/New_York"
    dropped = client.get(f"/e/{event.slug}/me/agenda?tz=event").get_data(as_text=True)
    assert local(dropped) == []
    with client.session_transaction() as session:
        assert "agenda_tz" not in session


def test_the_events_own_zone_adds_nothing(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9))
    assert local(client.get(f"/e/{event.slug}/agenda?tz=Asia/Shanghai").get_data(as_text=True)) == []


def test_a_zone_outside_the_common_list_is_offered_once_chosen(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9))
    text = client.get(f"/e/{event.slug}/agenda?tz=America/Argentina/Buenos_Aires").get_data(as_text=True)
    assert '<option value="America/Argentina/Buenos_Aires" selected>' in text
    assert local(text)[0].startswith("America/Argentina/Buenos Aires: ")


def test_the_other_filters_are_kept_by_the_zone_form(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9), kind="keynote")
    text = client.get(f"/e/{event.slug}/agenda?kind=keynote&q=opening").get_data(as_text=True)
    form = text[text.index('class="search-bar zone-form"'):]
    form = form[:form.index("</form>")]
    assert '<input type="hidden" name="kind" value="keynote">' in form
    assert '<input type="hidden" name="q" value="opening">' in form


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/" + "x" * 200, "europe/paris",
                                 "<script>", " ", "Local", "posixrules/../UTC"])
def test_a_bad_zone_is_refused_beside_the_select_and_nothing_is_remembered(app, client, auth, event, bad):
    guest = make_guest(app, event, "bad@example.org")
    auth.login_as(guest)
    client.get(f"/e/{event.slug}/agenda?tz=Europe/Paris")
    for path in (f"/e/{event.slug}/agenda", f"/e/{event.slug}/me/agenda"):
        answer = client.get(path, query_string={"tz": bad})
        text = answer.get_data(as_text=True)
        if bad.strip() == "":
            assert answer.status_code == 200  # empty means "the event's zone only"
            continue
        assert answer.status_code == 422, path
        assert "This is not a time zone we know." in text and 'aria-invalid="true"' in text
    with client.session_transaction() as session:
        assert session.get("agenda_tz") in (None, "Europe/Paris")


def test_the_local_time_costs_no_query(app, client, event):
    for hour in range(9, 15):
        make_session(app, event, f"Talk {hour}", at(event, 0, hour))
    client.get(f"/e/{event.slug}/agenda")
    with counting_queries(app) as plain:
        client.get(f"/e/{event.slug}/agenda?tz=event")
    with counting_queries(app) as paris:
        client.get(f"/e/{event.slug}/agenda?tz=Europe/Paris")
    assert len(paris) == len(plain)


def test_a_chinese_page_names_the_zones_in_chinese(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9), minutes=90)
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    text = client.get(f"/e/{event.slug}/agenda?tz=Asia/Tokyo").get_data(as_text=True)
    start = at(event, 0, 9).astimezone(ZoneInfo("Asia/Tokyo"))
    assert local(text.replace("（", "(").replace("）", ")")) == [
        f"日本时间：{start:%H:%M}–{start + timedelta(minutes=90):%H:%M}"]
    assert '<option value="Asia/Tokyo" selected>日本时间</option>' in text
    assert '<option value="Asia/Hong_Kong">中国香港特别行政区时间</option>' in text
    assert "Asia/Tokyo<" not in text and "Asia/Hong Kong" not in text


def test_a_chinese_page_joins_the_other_days_date_and_time_without_a_comma(app, client, event):
    make_session(app, event, "Opening keynote", at(event, 0, 9))
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    text = client.get(f"/e/{event.slug}/agenda?tz=America/New_York").get_data(as_text=True)
    # 09:00 in Shanghai is the evening before in New York.
    shown = local(text.replace("（", "(").replace("）", ")"))
    assert len(shown) == 1 and re.fullmatch(r"美国\(纽约\)时间：\d{4}年\d+月\d+日 \d\d:00–\d\d:00", shown[0]), shown
