"""The kiosk's live side: idle settings, the no-script refresh, the notice strip and emergency takeover."""

import html
import re
import time

import pytest

from portal.agenda import announcements
from portal.database import utcnow
from portal.extensions import db
from portal.models import Event, User
from tests.factories import make_registration, scan

IDLE, COUNTDOWN = 5, 3


@pytest.fixture
def app(make_app):
    """Short idle settings, as a venue (or a browser test) may set them."""
    return make_app(KIOSK_IDLE_SECONDS=IDLE, KIOSK_COUNTDOWN_SECONDS=COUNTDOWN)


def post(app, event, organizer, level="info", text_en="Coffee in the foyer.", text_zh="咖啡在前厅。"):
    with app.app_context():
        return announcements.post(
            db.session.get(Event, event.id), db.session.get(User, organizer.id), level=level, text_en=text_en,
            text_zh=text_zh, starts_at=utcnow(), ends_at=None).id


def end(app, event, organizer, announcement_id):
    with app.app_context():
        announcements.end(db.session.get(Event, event.id), db.session.get(User, organizer.id), announcement_id)


def poll(client, shown="", strip=True):
    """A poll from a page that shows the emergencies `shown` and, with the strip, no notice yet."""
    query = f"?shown={shown}" + ("&strip=1&notices=" if strip else "")
    return client.get("/kiosk/announcements" + query, headers={"HX-Request": "true"})


def fallback_url(text: str) -> str:
    return html.unescape(re.search(r'<noscript><meta http-equiv="refresh" content="\d+;url=([^"]+)"', text).group(1))


# -- Idle settings -------------------------------------------------------------------------------

def test_the_idle_timings_are_settings_for_the_timer_and_the_fallback(app, kiosk):
    guest = make_registration(app, kiosk.event)
    text = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"]).get_data(as_text=True)
    assert f'data-idle-seconds="{IDLE}"' in text and f'data-warning-seconds="{COUNTDOWN}"' in text
    assert f'<span id="idle-count">{COUNTDOWN}</span>' in text
    # The no-script reload comes no later than the idle reset would.
    assert f'http-equiv="refresh" content="{IDLE + COUNTDOWN};url=/kiosk/refresh' in text


def test_the_defaults_are_45_and_20_seconds(make_app):
    config = make_app().config
    assert (config["KIOSK_IDLE_SECONDS"], config["KIOSK_COUNTDOWN_SECONDS"]) == (45, 20)


def test_without_script_a_page_reloads_itself_until_idle_then_starts_over(app, kiosk):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    refresh = fallback_url(kiosk.get(welcome_url).get_data(as_text=True))
    since = re.search(r"since=(\d+)", refresh).group(1)
    back = kiosk.get(refresh)
    assert back.status_code == 303 and back.headers["Location"] == f"{welcome_url}?since={since}"
    again = kiosk.get(back.headers["Location"]).get_data(as_text=True)
    assert "Wang Xiaoming" in again
    # The reloaded page keeps counting from when it was first shown.
    assert f"since={since}" in fallback_url(again)

    idle = refresh.replace(f"since={since}", f"since={int(time.time()) - IDLE - COUNTDOWN}")
    over = kiosk.get(idle)
    assert over.status_code == 303 and over.headers["Location"] == "/kiosk/"
    with kiosk.session_transaction() as session:
        assert "kiosk_visit" not in session
    assert kiosk.get(welcome_url).headers["Location"] == "/kiosk/"


@pytest.mark.parametrize("target", ["//evil.example/kiosk/", "https://evil.example/", "/staff/", "/kiosk/../staff",
                                    "/kiosk/" + "a" * 500, ""])
def test_the_refresh_goes_nowhere_but_a_kiosk_page(kiosk, target):
    answer = kiosk.get("/kiosk/refresh", query_string={"next": target, "since": str(int(time.time())), "shown": ""})
    assert answer.status_code == 303 and answer.headers["Location"] == "/kiosk/"


@pytest.mark.parametrize("since", ["", "abc", "9" * 40, "-5", "0"])
def test_a_malformed_since_counts_from_now(kiosk, since):
    answer = kiosk.get("/kiosk/refresh", query_string={"next": "/kiosk/find", "since": since, "shown": ""})
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/kiosk/find?since=")


def test_an_unpaired_browser_gets_no_announcements(app, organizer):
    post(app, organizer.event, organizer, text_en="Members only")
    stranger = app.test_client()
    assert stranger.get("/kiosk/announcements", headers={"HX-Request": "true"}).status_code == 403
    assert stranger.get("/kiosk/refresh?next=/kiosk/").headers["Location"] == "/kiosk/pair"


# -- The notice strip ----------------------------------------------------------------------------

def test_notices_show_as_a_strip_on_the_start_screen_only(app, kiosk, organizer, make_event):
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    post(app, kiosk.event, organizer, level="important", text_en="Lunch moves to the garden.")
    post(app, other, organizer, text_en="Not this event.")
    start = kiosk.get("/kiosk/").get_data(as_text=True)
    assert "Lunch moves to the garden." in start and "Not this event." not in start
    assert 'hx-trigger="every 10s"' in start and "strip=1" in start
    guest = make_registration(app, kiosk.event)
    welcome = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"]).get_data(as_text=True)
    assert "Lunch moves" not in welcome and 'hx-trigger="every 10s"' in welcome
    # The strip refreshes itself: a new notice arrives, an ended one leaves.
    later = post(app, kiosk.event, organizer, text_en="Shuttles every 20 minutes.")
    fragment = poll(kiosk)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert "Shuttles every 20 minutes." in text and "Lunch moves" in text
    end(app, kiosk.event, organizer, later)
    assert "Shuttles" not in poll(kiosk).get_data(as_text=True)
    assert "Shuttles" not in poll(kiosk, strip=False).get_data(as_text=True)


def kiosk_poll_url(text: str) -> str:
    return html.unescape(re.search(r'id="kiosk-poll" hidden hx-get="([^"]+)"', text).group(1))


def region(text: str, name: str) -> tuple[str, str] | None:
    """The opening tag's attributes and the content of the kiosk's region `name` (urgent, notices)."""
    found = re.search(rf'<div id="kiosk-{name}"([^>]*)>(.*?)</div>', text, re.S)
    return (found.group(1), found.group(2)) if found else None


def test_notices_are_said_politely_and_refilled_only_when_they_change(app, kiosk, organizer):
    """The strip is a polite live region (role="status"), there from the first load; its poll gets 204
    while the notices are the same, else their new content alone, never the region itself."""
    post(app, kiosk.event, organizer, level="important", text_en="Lunch moves to the garden.")
    start = kiosk.get("/kiosk/").get_data(as_text=True)
    attributes, content = region(start, "notices")
    assert 'role="status"' in attributes and "Lunch moves to the garden." in content
    assert region(start, "urgent") == (' role="alert"', "")
    url = kiosk_poll_url(start)
    assert kiosk.get(url, headers={"HX-Request": "true"}).status_code == 204

    post(app, kiosk.event, organizer, text_en="Shuttles every 20 minutes.")
    answer = kiosk.get(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    attributes, content = region(text, "notices")
    assert 'hx-swap-oob="innerHTML"' in attributes and "Shuttles" in content and "Lunch moves" in content
    assert "role=" not in text and region(text, "urgent") is None
    assert kiosk_poll_url(text) != url
    assert kiosk.get(kiosk_poll_url(text), headers={"HX-Request": "true"}).status_code == 204

    # A page without the strip keeps its polite region empty; its poll only watches for emergencies.
    guest = make_registration(app, kiosk.event)
    welcome = kiosk.get(scan(kiosk, guest["ticket"]).headers["Location"]).get_data(as_text=True)
    assert region(welcome, "notices") == (' role="status"', "")
    assert kiosk.get(kiosk_poll_url(welcome), headers={"HX-Request": "true"}).status_code == 204


def test_a_start_screen_from_before_the_live_region_loads_anew(app, kiosk, organizer):
    """A kiosk left on the start screen across an upgrade polls as it did (no `notices`): it has no
    region to refill, so it reloads, and shows the new notice."""
    post(app, kiosk.event, organizer)
    answer = kiosk.get("/kiosk/announcements?shown=&strip=1", headers={"HX-Request": "true"})
    assert answer.status_code == 204 and answer.headers["HX-Refresh"] == "true"
    assert "HX-Refresh" not in kiosk.get("/kiosk/announcements?shown=", headers={"HX-Request": "true"}).headers


def test_the_strip_speaks_the_kiosks_language(app, kiosk, organizer):
    post(app, kiosk.event, organizer)
    with kiosk.session_transaction() as session:
        session["lang"] = "zh_Hans"
    assert "咖啡在前厅。" in kiosk.get("/kiosk/").get_data(as_text=True)


# -- Emergencies ---------------------------------------------------------------------------------

EMERGENCY_EN = "Fire alarm: leave by the east exit."
EMERGENCY_ZH = "火警：请从东门撤离。"


def test_an_emergency_takes_over_every_kiosk_page(app, kiosk, organizer):
    guest = make_registration(app, kiosk.event)
    welcome_url = scan(kiosk, guest["ticket"]).headers["Location"]
    emergency = post(app, kiosk.event, organizer, level="emergency", text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH)
    for path in ("/kiosk/", "/kiosk/find", "/kiosk/help", "/kiosk/language", welcome_url,
                 welcome_url.replace("/welcome/", "/badge/")):
        answer = kiosk.get(path)
        if answer.status_code == 303:  # the visit has no page to show
            answer = kiosk.get(answer.headers["Location"])
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        assert EMERGENCY_EN in text and EMERGENCY_ZH in text, path
        assert 'class="kiosk kiosk-emergency"' in text and 'data-idle-when="never"' in text
        # Nothing of the guest, and nothing to scan or type.
        assert "Wang" not in text and "王小明" not in text and "<form" not in text, path
        assert f"shown={emergency}" in text
    # The strip does not repeat it.
    assert EMERGENCY_EN not in poll(kiosk, shown=str(emergency)).get_data(as_text=True)


def test_the_takeover_is_the_one_assertive_region(app, kiosk, organizer):
    """On the emergency screen its own role="alert" says it, from the page's first load; no second one."""
    post(app, kiosk.event, organizer)
    post(app, kiosk.event, organizer, level="emergency", text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH)
    text = kiosk.get("/kiosk/").get_data(as_text=True)
    assert text.count('role="alert"') == 1
    assert re.search(r'<section class="kiosk-emergency-screen" role="alert"', text)
    assert region(text, "notices") == (' role="status"', "") and "Coffee" not in text
    assert kiosk.get(kiosk_poll_url(text), headers={"HX-Request": "true"}).status_code == 204


def test_a_new_emergency_ends_the_visit_at_the_next_poll(app, kiosk, organizer):
    guest = make_registration(app, kiosk.event)
    scan(kiosk, guest["ticket"])
    assert poll(kiosk, shown="").status_code == 200
    emergency = post(app, kiosk.event, organizer, level="emergency", text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH)
    answer = poll(kiosk, shown="")
    assert answer.status_code == 204 and answer.headers["HX-Redirect"] == "/kiosk/"
    with kiosk.session_transaction() as session:
        assert "kiosk_visit" not in session
    # A page already showing it keeps polling quietly: nothing changed, nothing sent.
    answer = poll(kiosk, shown=str(emergency), strip=False)
    assert answer.status_code == 204 and "HX-Redirect" not in answer.headers
    # Without htmx (no script): the refresh sends it to the start screen, which shows the takeover.
    plain = kiosk.get("/kiosk/refresh", query_string={"next": "/kiosk/", "since": str(int(time.time())), "shown": ""})
    assert plain.headers["Location"] == "/kiosk/"
    assert EMERGENCY_EN in kiosk.get("/kiosk/").get_data(as_text=True)


def test_ending_the_emergency_restores_the_start_screen(app, kiosk, organizer):
    emergency = post(app, kiosk.event, organizer, level="emergency", text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH)
    shown = str(emergency)
    takeover = kiosk.get("/kiosk/").get_data(as_text=True)
    assert f"shown={shown}" in fallback_url(takeover)
    end(app, kiosk.event, organizer, emergency)
    answer = poll(kiosk, shown=shown)
    assert answer.status_code == 204 and answer.headers["HX-Redirect"] == "/kiosk/"
    plain = kiosk.get(fallback_url(takeover))
    assert plain.status_code == 303 and plain.headers["Location"] == "/kiosk/"
    start = kiosk.get("/kiosk/").get_data(as_text=True)
    assert EMERGENCY_EN not in start and "kiosk-emergency" not in start
    assert 'name="ticket"' in start and "shown=&amp;" in start


def test_an_emergency_of_another_event_leaves_this_kiosk_alone(app, kiosk, organizer, make_event):
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    post(app, other, organizer, level="emergency", text_en=EMERGENCY_EN, text_zh=EMERGENCY_ZH)
    assert EMERGENCY_EN not in kiosk.get("/kiosk/").get_data(as_text=True)
    assert poll(kiosk, shown="").status_code == 200


def test_a_poll_outside_htmx_goes_to_the_start(kiosk):
    answer = kiosk.get("/kiosk/announcements?shown=")
    assert answer.status_code == 303 and answer.headers["Location"] == "/kiosk/"
