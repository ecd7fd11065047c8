"""The staff console: events, settings, guests, decisions, the outbox, and who may do what."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import request
from markupsafe import escape
from sqlalchemy import func, select, text

from portal.database import utcnow
from portal.extensions import db
from portal.staff import search
from portal.staff.forms import GuestSearchForm
from portal.models import AuditEntry, Category, Event, OutboundMail, Registration, RegistrationChange, StaffRole
from tests.factories import add_guests, counting_queries, csrf_token, queries_for, submit


@pytest.fixture
def organizer(make_staff, summit):
    return make_staff("olivia@example.org", summit, roles=("organizer",))


@pytest.fixture
def as_organizer(auth, organizer):
    auth.login_as(organizer)
    return organizer


def act(client, url, data, page):
    """Post a staff action; closing the response lets its mail go out, as the server does."""
    response = submit(client, url, data, page=page)
    response.close()
    return response


def state_of(app, registration_id):
    with app.app_context():
        return db.session.get(Registration, registration_id).state


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


# -- Index and events ------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client, summit):
    response = client.get("/staff/e/summit/guests")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/staff/e/summit/guests")


def test_index_lists_only_my_events(client, auth, make_event, make_staff):
    summit = make_event()
    make_event(slug="forum", name_en="Autumn Forum", name_zh="秋季论坛")
    helper = make_staff("hana@example.org", summit, roles=("helpdesk",))
    auth.login_as(helper)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Future Summit" in page and "/staff/e/summit/" in page
    assert "Autumn Forum" not in page
    assert "New event" not in page
    assert client.get("/staff/events/new").status_code == 403


def test_admin_sees_every_event_and_new_event(client, auth, make_event, make_staff):
    make_event()
    make_event(slug="forum", name_en="Autumn Forum", name_zh="秋季论坛")
    auth.login_as(make_staff("root@example.org", admin=True))
    page = client.get("/staff/").get_data(as_text=True)
    assert "Future Summit" in page and "Autumn Forum" in page
    assert "/staff/events/new" in page


def event_form(**overrides):
    data = {
        "slug": "gala-2027", "name_en": "Spring Gala", "name_zh": "春季晚会",
        "starts_on": "2027-04-10", "ends_on": "2027-04-11", "timezone": "Europe/Paris",
        "venue_en": "Grand Palais", "venue_zh": "大皇宫", "capacity": "300",
        "approval_required": "y", "public_registration": "y",
        "registration_opens_at": "2027-01-10T09:00", "registration_closes_at": "2027-04-01T18:00",
        "changes_close_at": "2027-04-05T12:00", "status": "draft",
        "privacy_notice_en": "We use your details to organise your visit.", "privacy_notice_zh": "我们仅为安排您的参会使用您的信息。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_an_event_and_becomes_its_organizer(app, client, auth, make_staff):
    admin = make_staff("root@example.org", admin=True)
    auth.login_as(admin)
    response = submit(client, "/staff/events/new", event_form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/e/gala-2027/"
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "gala-2027"))
        assert event.name_zh == "春季晚会" and event.capacity == 300 and event.approval_required
        # 09:00 in Paris in January is 08:00 UTC.
        assert event.registration_opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
        assert [c.code for c in event.categories] == ["vip", "speaker", "delegate", "press"]
        roles = db.session.scalars(select(StaffRole.role).where(StaffRole.event_id == event.id,
                                                                 StaffRole.user_id == admin.id)).all()
        assert roles == ["organizer"]
    assert "event.create" in audit_actions(app)
    assert "Spring Gala" in client.get("/staff/e/gala-2027/").get_data(as_text=True)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"timezone": "Mars/Olympus"}, "Enter a time zone such as Asia/Shanghai"),
    ({"slug": "Not A Slug"}, "Use lower-case letters, digits and hyphens"),
    ({"slug": "summit"}, "Another event already uses this short name."),
    ({"ends_on": "2027-04-01"}, "The last day cannot be before the first day."),
    ({"registration_closes_at": "2027-01-01T00:00"}, "Registration must close after it opens."),
    ({"name_zh": ""}, "Enter the Chinese name."),
    ({"name_en": "x" * 201}, "At most 200 characters."),
    ({"capacity": "-3"}, "Enter a whole number of places"),
    ({"status": "deleted"}, "Not a valid choice"),
    ({"starts_on": "tomorrow"}, "Not a valid date value"),
])
def test_new_event_rejects_bad_input(app, client, auth, make_staff, summit, overrides, message):
    auth.login_as(make_staff("root@example.org", admin=True))
    response = submit(client, "/staff/events/new", event_form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Grand Palais"' in page  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_organizer_edits_settings(app, client, as_organizer, summit):
    page = client.get("/staff/e/summit/settings").get_data(as_text=True)
    assert 'value="Future Summit"' in page
    data = event_form(slug=None, name_en="Future Summit 2027", capacity="", timezone="Asia/Shanghai",
                      status="published")
    response = submit(client, "/staff/e/summit/settings", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/e/summit/settings"
    with app.app_context():
        event = db.session.get(Event, summit.id)
        assert event.slug == "summit"  # fixed once guests hold links
        assert event.name_en == "Future Summit 2027" and event.capacity is None
        assert event.changes_close_at == datetime(2027, 4, 5, 4, 0, tzinfo=UTC)
    # The stored instant is shown again in the event's clock.
    assert 'value="2027-04-05T12:00"' in client.get("/staff/e/summit/settings").get_data(as_text=True)
    assert "event.update" in audit_actions(app)


def test_more_places_go_to_the_waitlist_in_order(app, client, mailbox, as_organizer, summit):
    add_guests(app, summit, 2, prefix="in")
    waiting = add_guests(app, summit, 3, state="waitlisted", prefix="wait")
    data = event_form(slug=None, capacity="4", timezone="Asia/Shanghai", status="published")
    response = act(client, "/staff/e/summit/settings", data, page="/staff/e/summit/settings")
    assert response.status_code == 303
    assert [state_of(app, r) for r in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert sorted(m["To"] for m in mailbox.messages) == ["wait0@example.org", "wait1@example.org"]


def test_settings_errors_keep_the_input(app, client, as_organizer, summit):
    response = submit(client, "/staff/e/summit/settings", event_form(slug=None, timezone="Nowhere/Special",
                                                                     name_en="Renamed"))
    assert response.status_code == 422
    assert 'value="Renamed"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, summit.id).name_en == "Future Summit"


def test_overview_counts_registrations_by_state(app, client, as_organizer, summit):
    add_guests(app, summit, 3, prefix="yes")
    add_guests(app, summit, 2, state="waitlisted", prefix="wait")
    add_guests(app, summit, 1, state="pending", prefix="ask")
    page = client.get("/staff/e/summit/").get_data(as_text=True)
    assert '<span class="stat-number">6</span>' in page
    assert '<span class="stat-number" data-state="confirmed">3</span>' in page
    assert '<span class="stat-number" data-state="waitlisted">2</span>' in page
    assert '<span class="stat-number" data-state="cancelled">0</span>' in page
    assert "1 registration awaits your decision." in page


# -- Guest list ------------------------------------------------------------------------------------

def test_guest_search_looks_in_every_name_field(app, client, as_organizer, summit):
    [wang] = add_guests(app, summit, 1, prefix="wang", name_original="王小明", name_latin="Wang Xiaoming",
                        surname="Wang", organization="Zhejiang Holdings")
    add_guests(app, summit, 3, prefix="smith", organization="Acme 100% Ltd")
    with app.app_context():
        code = db.session.get(Registration, wang).confirmation_code
    for term in ("王小", "xiaoMING", "WANG", "wang0@EXAMPLE", "zhejiang", code.lower()):
        page = client.get("/staff/e/summit/guests", query_string={"q": term}).get_data(as_text=True)
        assert "Wang Xiaoming" in page, term
        assert "Smith 1" not in page, term
    # LIKE wildcards in the search are taken literally.
    assert "Smith 0" in client.get("/staff/e/summit/guests?q=100%25").get_data(as_text=True)
    assert "Smith 0" not in client.get("/staff/e/summit/guests?q=1_0").get_data(as_text=True)
    assert "No guest matches" in client.get("/staff/e/summit/guests?q=nobody").get_data(as_text=True)


def _found(client, term: str) -> str:
    answer = client.get("/staff/e/summit/guests", query_string={"q": term}, headers={"HX-Request": "true"})
    assert answer.status_code == 200, term
    return answer.get_data(as_text=True)


def test_guest_search_follows_renames_and_removals(app, client, as_organizer, summit):
    [first, second] = add_guests(app, summit, 2, prefix="guest")
    with app.app_context():
        renamed = db.session.get(Registration, first)
        renamed.name_latin = renamed.name_original = "Okonkwo Adaeze"
        removed = db.session.get(Registration, second)
        db.session.delete(removed)
        db.session.commit()
    assert "Okonkwo Adaeze" in _found(client, "konkwo")
    assert "Guest 0" not in _found(client, "guest 0")
    assert "Guest 1" not in _found(client, "guest 1")
    # The next registration can take the removed one's id: the old name must not find it.
    [newcomer] = add_guests(app, summit, 1, prefix="later", name_latin="Lindqvist Maja")
    assert "Lindqvist Maja" not in _found(client, "guest 1")
    assert "Lindqvist Maja" in _found(client, "lindqvist")


# Hyphens and apostrophes are part of how a name is written, not of what it is: "-wang" and "wang'" find Wang.
@pytest.mark.parametrize("term, found", [('"wang', False), ("wang*", False), ("NEAR(wang", False),
                                         ("wang OR smith", False), ("wang'", True), ("^wang", False),
                                         ("w\\ang", False), ("a:b", False), ("-wang", True), ("(", False),
                                         ("王", False), ("wang%", False), ("wang_", False), ("%", False)])
def test_guest_search_takes_any_typing_literally(app, client, as_organizer, summit, term, found):
    add_guests(app, summit, 1, prefix="wang", name_latin="Wang Xiaoming")
    page = _found(client, term)
    assert ("Wang Xiaoming" in page) == found


def test_guest_search_is_answered_from_the_trigram_index(app, summit):
    with app.app_context():
        # The search's condition alone: on PostgreSQL only the trigram index can serve it.
        query = select(Registration.id).where(search.matches("xiaoming"))
        connection = db.session.connection()
        compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
        if connection.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "VIRTUAL TABLE INDEX" in plan and "registration_search" in plan
        else:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
            assert search.POSTGRESQL_INDEX in plan, plan
        db.session.rollback()


def test_guest_list_filters_by_state_and_category(app, client, as_organizer, summit):
    add_guests(app, summit, 2, prefix="press", category="press")
    add_guests(app, summit, 2, prefix="vip", category="vip", state="pending")
    page = client.get("/staff/e/summit/guests?category=press").get_data(as_text=True)
    assert "Press 0" in page and "Vip 0" not in page
    page = client.get("/staff/e/summit/guests?state=pending").get_data(as_text=True)
    assert "Vip 1" in page and "Press 1" not in page
    assert "2 guests match." in page
    page = client.get("/staff/e/summit/guests?state=pending&category=press").get_data(as_text=True)
    assert "No guest matches" in page
    # A hand-edited filter is ignored, never a 500.
    response = client.get("/staff/e/summit/guests?state=bogus&category=nope&page=-4")
    assert response.status_code == 200
    assert "4 guests." in response.get_data(as_text=True)


def test_guest_list_pages(app, client, as_organizer, summit):
    app.config["GUESTS_PER_PAGE"] = 5
    add_guests(app, summit, 12)
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert "Page 1 of 3" in page and page.count('class="state-confirmed"') == 5
    assert "/staff/e/summit/guests?page=2" in page
    page = client.get("/staff/e/summit/guests?page=3").get_data(as_text=True)
    assert page.count('class="state-confirmed"') == 2
    assert client.get("/staff/e/summit/guests?page=99").status_code == 200


def test_guest_list_queries_do_not_grow_with_guests(app, client, as_organizer, summit):
    add_guests(app, summit, 5, prefix="first", category="vip")
    few = queries_for(app, client, "/staff/e/summit/guests")
    add_guests(app, summit, 55, prefix="more", category="press")
    many = queries_for(app, client, "/staff/e/summit/guests")
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert page.count('class="state-confirmed"') == 50 and "Press" in page and "VIP" in page
    assert len(few) == len(many), (few, many)


def test_htmx_search_gets_only_the_rows_and_a_boosted_request_the_page(app, client, as_organizer, summit):
    add_guests(app, summit, 2)
    fragment = client.get("/staff/e/summit/guests?q=guest+1", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in body and "Guest 1" in body and "Guest 0" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/staff/e/summit/guests?q=guest+1", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    page = client.get("/staff/e/summit/guests?q=guest+1").get_data(as_text=True)
    # The search works without JS: a GET form with a button, the same URL pushed by htmx.
    assert '<form method="get" action="/staff/e/summit/guests"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page and 'hx-push-url="true"' in page
    assert 'value="guest 1"' in page


def test_htmx_search_rows_show_each_guest_and_cost_the_same_for_2_or_40_matches(app, client, as_organizer, summit):
    [first, _] = add_guests(app, summit, 2, prefix="wang", name_original="王小明", category="press")
    add_guests(app, summit, 3, prefix="smith")
    with app.app_context():
        code = db.session.get(Registration, first).confirmation_code
    url, htmx = "/staff/e/summit/guests?q=wang", {"HX-Request": "true"}
    with counting_queries(app) as few, client.get(url, headers=htmx) as response:
        body = response.get_data(as_text=True)
    assert "2 guests match." in body and "Smith" not in body
    row = body[body.index(f'<a href="/staff/e/summit/guests/{first}">'):]
    row = row[:row.index("</tr>")]
    for shown in ("Wang 0", '<span class="quiet"><span lang="zh">王小明</span></span>', "wang0@example.org", "Example Holdings", "Press",
                  "Confirmed", code):
        assert shown in row, shown
    add_guests(app, summit, 38, prefix="wangmore", category="vip", state="waitlisted")
    with counting_queries(app) as many, client.get(url, headers=htmx) as response:
        body = response.get_data(as_text=True)
    assert "40 guests match." in body and "VIP" in body and "On the waiting list" in body
    assert len(few) == len(many), (few, many)
    submit(client, "/language", {"lang": "zh_Hans", "next": "/"}, page="/")
    body = client.get(url, headers=htmx).get_data(as_text=True)
    assert "候补中" in body and "媒体" in body


@pytest.mark.parametrize("organization", ['O\'Brien & <Sons> "Ltd"', "Wang & Sons <b>"])
def test_guest_rows_escape_what_guests_typed(app, client, as_organizer, summit, organization):
    add_guests(app, summit, 2, prefix="wang", name_original="<i>王</i>", organization=organization)
    body = client.get("/staff/e/summit/guests?q=wang", headers={"HX-Request": "true"}).get_data(as_text=True)
    shown = str(escape(organization))
    assert body.count(f"<td>{shown}</td>") == 2 and "<Sons>" not in body and "<b>" not in body
    assert body.count('<span class="quiet"><span lang="zh">&lt;i&gt;王&lt;/i&gt;</span></span>') == 2 and "<i>" not in body


@pytest.mark.parametrize("query, expected", [
    ("", ("", "", "")), ("q=wang", ("wang", "", "")), ("q=" + "a" * 101, ("a" * 100, "", "")),
    ("q=" + " " * 120, (" " * 120, "", "")), ("q=a&q=b", ("a", "", "")), ("state=confirmed", ("", "confirmed", "")),
    ("state=bogus", ("", "", "")), ("state=%20", ("", " ", "")), ("state=", ("", "", "")),
    ("state=confirmed&state=bogus", ("", "confirmed", "")), ("category=press", ("", "", "press")),
    ("category=PRESS", ("", "", "")), ("category=nope", ("", "", "")), ("category=%20%20", ("", "", "  ")),
    ("category=", ("", "", "")), ("q=%20wang%20&state=pending&category=vip", (" wang ", "pending", "vip")),
    ("page=2", ("", "", "")),
])
def test_search_filters_ignore_what_the_form_refuses(app, query, expected):
    """A filter that fails validation (a hand-edited URL) is ignored rather than refused; a long search is cut.

    Blank values pass as typed: the search is normalised later, and a blank state or category filters nothing.
    """
    with app.test_request_context(f"/?{query}"):
        form = GuestSearchForm(request.args, categories=[type("C", (), {"code": c, "name": c})
                                                         for c in ("delegate", "press", "vip")])
        form.validate()
        assert form.filters() == expected


# -- Guest detail and edit -------------------------------------------------------------------------

def test_guest_detail_shows_profile_history_and_mail(app, client, as_organizer, summit, mailbox):
    [rid] = add_guests(app, summit, 1)
    act(client, f"/staff/e/summit/guests/{rid}/resend", {}, page=f"/staff/e/summit/guests/{rid}")
    page = client.get(f"/staff/e/summit/guests/{rid}").get_data(as_text=True)
    assert "guest0@example.org" in page and "Example Holdings" in page and "China" in page
    assert "the guest" in page  # who made the first change
    assert '<span class="badge">Confirmed</span>' in page
    with app.app_context():
        subject = db.session.scalar(select(OutboundMail.subject).where(OutboundMail.recipient == "guest0@example.org"))
    assert subject in page


def test_guest_detail_in_chinese(app, client, as_organizer, summit):
    [rid] = add_guests(app, summit, 1)
    submit(client, "/language", {"lang": "zh_Hans", "next": "/"}, page="/")
    page = client.get(f"/staff/e/summit/guests/{rid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "中国" in html and "未来峰会" in html and "代表" in html


def test_a_registration_of_another_event_is_not_found(app, client, auth, make_event, make_staff):
    summit = make_event()
    forum = make_event(slug="forum")
    [other] = add_guests(app, forum, 1)
    auth.login_as(make_staff("olivia@example.org", summit, roles=("organizer",)))
    assert client.get(f"/staff/e/summit/guests/{other}").status_code == 404
    assert client.get(f"/staff/e/summit/guests/{other}/edit").status_code == 404
    token = csrf_token(client, "/staff/e/summit/guests")
    response = client.post(f"/staff/e/summit/guests/{other}/cancel", data={"csrf_token": token, "cancel-reason": "x"})
    assert response.status_code == 404
    assert state_of(app, other) == "confirmed"


def test_staff_edit_a_guest(app, client, as_organizer, summit):
    [rid] = add_guests(app, summit, 1)
    with app.app_context():
        press = db.session.scalar(select(Category.id).where(Category.event_id == summit.id, Category.code == "press"))
    url = f"/staff/e/summit/guests/{rid}/edit"
    data = {"honorific": "Dr", "name_original": "李雷", "name_latin": "Li Lei", "surname": "Li",
            "organization": "New Org", "job_title": "", "country": "CN", "phone": "+86 139 0000 0000",
            "language": "zh_Hans", "category": str(press)}
    response = submit(client, url, data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/e/summit/guests/{rid}"
    with app.app_context():
        registration = db.session.get(Registration, rid)
        assert (registration.name_latin, registration.category_id, registration.language) == ("Li Lei", press, "zh_Hans")
        detail = db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "registration.edit"))
        assert "name_latin" in detail and "category" in detail


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name_latin", "李雷", "Use Latin letters"),
    ("organization", "x" * 201, "At most 200 characters."),
    ("category", "999999", "Not a valid choice"),
    ("category", "abc", "Invalid Choice"),
    ("phone", "call me", "Enter a phone number such as"),
])
def test_staff_edit_rejects_bad_input(app, client, as_organizer, summit, field, value, message):
    [rid] = add_guests(app, summit, 1)
    data = {"honorific": "", "name_original": "Kept Name", "name_latin": "Kept Name", "surname": "Name",
            "organization": "Org", "job_title": "", "country": "CN", "phone": "+86 139 0000 0000",
            "language": "en", "category": "1", field: value}
    response = submit(client, f"/staff/e/summit/guests/{rid}/edit", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.get(Registration, rid).name_original == "Guest 0"


# -- Decisions -------------------------------------------------------------------------------------

def test_approve_confirms_and_tells_the_guest(app, client, auth, make_event, make_staff, mailbox):
    gala = make_event(slug="gala", approval_required=True)
    [rid] = add_guests(app, gala, 1, state="pending")
    auth.login_as(make_staff("olivia@example.org", gala, roles=("organizer",)))
    url = f"/staff/e/gala/guests/{rid}"
    assert "Approve" in client.get(url).get_data(as_text=True)
    response = act(client, f"{url}/approve", {"approve-reason": ""}, page=url)
    assert response.status_code == 303 and response.headers["Location"] == url
    assert state_of(app, rid) == "confirmed"
    assert "registration.approve" in audit_actions(app)
    assert "The registration is now: Confirmed." in client.get(url).get_data(as_text=True)
    [mail] = mailbox.to("guest0@example.org")
    assert mail.get_body(("html",)) is not None


def test_decline_needs_a_reason(app, client, as_organizer, summit, mailbox):
    [rid] = add_guests(app, summit, 1, state="pending")
    url = f"/staff/e/summit/guests/{rid}"
    response = act(client, f"{url}/decline", {"decline-reason": "  "}, page=url)
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    assert state_of(app, rid) == "pending"

    response = act(client, f"{url}/decline", {"decline-reason": "The room is for ministers only."}, page=url)
    assert response.status_code == 303 and response.headers["Location"] == url
    with app.app_context():
        registration = db.session.get(Registration, rid)
        assert registration.state == "declined"
        assert registration.decision_reason == "The room is for ministers only."
    assert "registration.decline" in audit_actions(app)
    page = client.get(url).get_data(as_text=True)
    assert "The room is for ministers only." in page and "olivia" in page
    [mail] = mailbox.to("guest0@example.org")
    assert "The room is for ministers only." in mail.get_body(("plain",)).get_content()


def test_a_refused_transition_is_explained(app, client, as_organizer, summit):
    [rid] = add_guests(app, summit, 1, state="declined")
    url = f"/staff/e/summit/guests/{rid}"
    response = act(client, f"{url}/approve", {}, page=url)
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "cannot be changed that way" in page
    assert state_of(app, rid) == "declined"


def test_staff_cancel_frees_a_place_for_the_waitlist(app, client, auth, make_event, make_staff, mailbox):
    summit = make_event(capacity=1)
    auth.login_as(make_staff("olivia@example.org", summit, roles=("organizer",)))
    [confirmed] = add_guests(app, summit, 1, prefix="first")
    [waiting] = add_guests(app, summit, 1, state="waitlisted", prefix="second")
    url = f"/staff/e/summit/guests/{confirmed}"
    response = act(client, f"{url}/cancel", {"cancel-reason": ""}, page=url)
    assert response.status_code == 422
    assert "Give a reason for cancelling." in response.get_data(as_text=True)
    assert state_of(app, confirmed) == "confirmed"

    response = act(client, f"{url}/cancel", {"cancel-reason": "Asked by phone"}, page=url)
    assert response.status_code == 303
    assert (state_of(app, confirmed), state_of(app, waiting)) == ("cancelled", "confirmed")
    assert "registration.cancel" in audit_actions(app)
    with app.app_context():
        reason = db.session.scalar(select(RegistrationChange.reason).where(
            RegistrationChange.registration_id == confirmed, RegistrationChange.to_state == "cancelled"))
        assert reason == "Asked by phone"
    assert mailbox.to("first0@example.org") and mailbox.to("second0@example.org")


def test_resend_confirmation_mails_the_guest_again(app, client, as_organizer, summit, mailbox):
    [rid] = add_guests(app, summit, 1)
    url = f"/staff/e/summit/guests/{rid}"
    response = act(client, f"{url}/resend", {}, page=url)
    assert response.status_code == 303
    assert "The mail is on its way to guest0@example.org." in client.get(url).get_data(as_text=True)
    assert len(mailbox.to("guest0@example.org")) == 1
    assert "registration.resend" in audit_actions(app)


# -- Roles -----------------------------------------------------------------------------------------

ORGANIZER_ONLY_PAGES = ["/staff/e/summit/settings", "/staff/e/summit/invitations",
                        "/staff/e/summit/invitations/import", "/staff/e/summit/outbox"]


@pytest.mark.parametrize("role", ["lodging", "transport", "catering", "helpdesk"])
def test_coordinator_and_helpdesk_see_guests_but_not_organizer_pages(app, client, auth, make_staff, summit, role):
    [rid] = add_guests(app, summit, 1, state="pending")
    auth.login_as(make_staff(f"{role}@example.org", summit, roles=(role,)))
    assert client.get("/staff/e/summit/").status_code == 200
    assert client.get("/staff/e/summit/guests").status_code == 200
    page = client.get(f"/staff/e/summit/guests/{rid}")
    assert page.status_code == 200
    assert "Approve" not in page.get_data(as_text=True)
    for url in ORGANIZER_ONLY_PAGES:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/staff/e/summit/guests")
    for action, data in (("approve", {}), ("decline", {"decline-reason": "no"}), ("cancel", {"cancel-reason": "no"})):
        response = client.post(f"/staff/e/summit/guests/{rid}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 403, action
    assert state_of(app, rid) == "pending"
    # The help desk corrects details and resends; a coordinator only looks.
    expected = 200 if role == "helpdesk" else 403
    edit_page = client.get(f"/staff/e/summit/guests/{rid}/edit")
    assert edit_page.status_code == expected
    response = client.post(f"/staff/e/summit/guests/{rid}/resend", data={"csrf_token": token})
    assert response.status_code == (303 if role == "helpdesk" else 403)
    # Nobody but the organizer changes who a guest is: the help desk cannot make anyone a VIP.
    assert 'name="category"' not in edit_page.get_data(as_text=True)
    with app.app_context():
        vip = db.session.scalar(select(Category.id).where(Category.event_id == summit.id, Category.code == "vip"))
        before = db.session.get(Registration, rid).category_id
    response = client.post(f"/staff/e/summit/guests/{rid}/edit", data={
        "csrf_token": token, "honorific": "", "name_original": "Guest Zero", "name_latin": "Guest Zero", "surname": "Guest",
        "organization": "Example Holdings", "job_title": "", "country": "CN", "phone": "+86 139 0000 1111",
        "language": "en", "category": str(vip)})
    assert response.status_code == (303 if role == "helpdesk" else 403)
    with app.app_context():
        registration = db.session.get(Registration, rid)
        assert registration.category_id == before
        assert registration.phone == ("+86 139 0000 1111" if role == "helpdesk" else "+86 138 0000 0000")


def test_roles_for_one_event_open_nothing_of_another(app, client, auth, make_event, make_staff):
    summit = make_event()
    make_event(slug="forum")
    auth.login_as(make_staff("olivia@example.org", summit, roles=("organizer",)))
    assert client.get("/staff/e/summit/").status_code == 200
    for url in ("/staff/e/forum/", "/staff/e/forum/guests", "/staff/e/forum/settings", "/staff/e/forum/outbox",
                "/staff/e/forum/invitations/import"):
        assert client.get(url).status_code == 403, url
    assert client.get("/staff/e/nowhere/").status_code == 404


def test_subnav_shows_what_the_role_allows(app, client, auth, make_staff, summit, organizer):
    auth.login_as(organizer)
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert 'aria-current="page">Guests<' in page and "/staff/e/summit/outbox" in page
    auth.login_as(make_staff("cora@example.org", summit, roles=("catering",)))
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert "/staff/e/summit/outbox" not in page and "/staff/e/summit/settings" not in page


# -- Outbox ----------------------------------------------------------------------------------------

def test_outbox_lists_the_events_mail(app, client, as_organizer, summit, mailbox):
    [rid] = add_guests(app, summit, 1)
    act(client, f"/staff/e/summit/guests/{rid}/resend", {}, page=f"/staff/e/summit/guests/{rid}")
    mailbox.refuse = True
    [second] = add_guests(app, summit, 1, prefix="later")
    act(client, f"/staff/e/summit/guests/{second}/resend", {}, page=f"/staff/e/summit/guests/{second}")
    page = client.get("/staff/e/summit/outbox").get_data(as_text=True)
    assert "guest0@example.org" in page and "later0@example.org" in page
    assert "Sent" in page and "Retrying" in page and "451" in page
    assert "2 messages." in page


def test_a_mail_on_its_first_attempt_is_not_shown_as_retried(app, client, as_organizer, summit):
    with app.app_context():
        # As the inline sender leaves it while the SMTP exchange is under way: claimed, one attempt, no error.
        db.session.add(OutboundMail(event_id=summit.id, kind="x", recipient="first@example.org", subject="Hello",
                                    body_text="x", message_id="<first@example.org>", attempts=1,
                                    claimed_until=utcnow() + timedelta(seconds=60), claimed_by="inline"))
        db.session.commit()
    page = client.get("/staff/e/summit/outbox").get_data(as_text=True)
    assert "first@example.org" in page and "Retrying" not in page and "Waiting" in page
