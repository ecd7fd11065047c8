"""What anyone can put in a URL or a form never answers 500: ids beyond any row, numbers in
the query string, dates outside the years the app deals in."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.extensions import db
from portal.models import Announcement, Event, Session, Survey, TransportLeg, Vehicle
from tests.factories import registration_form, submit
from tests.sessions import sign_in_new_account

# Past PostgreSQL's integer, past 64 bits, and far past both.
HUGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999")


@pytest.fixture
def people(app, make_event, make_staff):
    """An organizer (an admin: every staff page opens) and a registered guest, each with their own browser."""
    event = make_event()
    organizer = app.test_client()
    make_staff("root@example.org", admin=True)
    assert submit(organizer, "/login", {"email": "root@example.org",
                                        "password": "correct horse battery"}).status_code == 303
    guest = app.test_client()
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    sign_in_new_account(guest, "wang@example.org")
    assert submit(guest, "/e/summit/register", registration_form(category=str(delegate), language="en")).status_code == 303
    return event, organizer, guest


def _urls_with_an_id(app, value: str):
    """(access kind, method, URL) of every route that takes an id, the id set to `value`."""
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        url = rule.rule
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                part = value
            elif isinstance(converter, AnyConverter):
                part = sorted(converter.items)[0]
            elif name == "slug":
                part = "summit"
            else:
                part = {"fmt": "csv", "list_name": "answers"}.get(name, "x")
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", part, url)
        kind = app.view_functions[rule.endpoint].access_rule.kind
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield kind, method, url


@pytest.mark.parametrize("value", HUGE_IDS)
def test_an_id_no_row_can_have_is_a_404_on_every_route(app, people, value):
    _event, organizer, guest = people
    checked = 0
    for kind, method, url in _urls_with_an_id(app, value):
        client = guest if kind == "guest" else organizer
        response = client.get(url) if method == "GET" else client.post(url, data={})
        assert response.status_code == 404, (method, url, response.status_code)
        checked += 1
    assert checked > 60
    # The pages named in the report, by hand.
    assert organizer.get(f"/staff/e/summit/guests/{value}").status_code == 404
    assert guest.get(f"/e/summit/me/help/{value}").status_code == 404
    assert guest.get(f"/e/summit/agenda/{value}").status_code == 404


@pytest.mark.parametrize("url", [
    "/staff/e/summit/guests?page={n}", "/staff/e/summit/invitations?page={n}", "/staff/e/summit/outbox?page={n}",
    "/staff/e/summit/audit?page={n}", "/staff/e/summit/lodging/rooming?hotel={n}",
])
def test_a_number_in_the_query_string_beyond_any_row_is_a_404(people, url):
    _event, organizer, _guest = people
    for value in HUGE_IDS:
        assert organizer.get(url.format(n=value)).status_code == 404, url.format(n=value)
    # What a person may well type is still read, or ignored.
    for value in ("2", "-4", "abc", "²", "", "1.5"):
        assert organizer.get(url.format(n=value)).status_code == 200, url.format(n=value)


# -- Dates ---------------------------------------------------------------------------------------

def _event_settings(event):
    return {"name_en": "Future Summit", "name_zh": "未来峰会", "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(), "timezone": "Asia/Shanghai", "status": "published",
            "public_registration": "y", "privacy_notice_en": "Notice.", "privacy_notice_zh": "通知。"}


def _at(event, days=0, hour="10:00"):
    from datetime import timedelta

    return f"{(event.starts_on + timedelta(days=days)).isoformat()}T{hour}"


# (who posts, URL, the form's good data, the date field, the model whose rows must not change)
FORMS = {
    "transport": ("guest", "/e/summit/me/transport/departure",
                  lambda e: {"departure-mode": "flight", "departure-local_time": _at(e, 2, "18:00"),
                             "departure-station": "Hangzhou Xiaoshan", "departure-passengers": "1"},
                  "departure-local_time", TransportLeg),
    "vehicle": ("organizer", "/staff/e/summit/transport/vehicles",
                lambda e: {"label": "Van 1", "capacity": "6", "departs_at": _at(e)}, "departs_at", Vehicle),
    "session": ("organizer", "/staff/e/summit/agenda/sessions/new",
                lambda e: {"title_en": "Trade", "title_zh": "贸易", "kind": "panel", "visibility": "public",
                           "status": "scheduled", "room": "0", "track": "0", "starts_at": _at(e),
                           "ends_at": _at(e, 0, "11:00")}, "starts_at", Session),
    "announcement": ("organizer", "/staff/e/summit/announcements",
                     lambda e: {"level": "info", "text_en": "Lunch moved", "text_zh": "午餐改时间",
                                "ends_at": _at(e, 1)}, "ends_at", Announcement),
    "survey": ("organizer", "/staff/e/summit/surveys",
               lambda e: {"title_en": "Feedback", "title_zh": "反馈", "audience": "confirmed",
                          "opens_at": _at(e, 3)}, "opens_at", Survey),
    "settings": ("organizer", "/staff/e/summit/settings",
                 lambda e: {**_event_settings(e), "registration_closes_at": _at(e, -2)},
                 "registration_closes_at", Event),
    "event's first day": ("organizer", "/staff/e/summit/settings", _event_settings, "starts_on", Event),
}


def _rows(app, model):
    with app.app_context():
        if model is Event:
            return db.session.execute(select(Event.starts_on, Event.registration_closes_at)).all()
        return db.session.scalar(select(func.count()).select_from(model))


def _post(app, people, form, **changes):
    """Post `form`'s good data with `changes`, as the person it is for: (response, rows before, rows after)."""
    event, organizer, guest = people
    who, url, good, _field, model = FORMS[form]
    before = _rows(app, model)
    response = submit(guest if who == "guest" else organizer, url, {**good(event), **changes},
                      page="/e/summit/me/transport" if who == "guest" else None)
    return response, before, _rows(app, model)


@pytest.mark.parametrize("form", FORMS)
def test_the_good_form_is_saved(app, people, form):
    """The forms below are right but for the date: each one saves as it is."""
    response, before, after = _post(app, people, form)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert FORMS[form][4] is Event or after == before + 1


@pytest.mark.parametrize("url", [
    "/e/summit/agenda?track=²", "/e/summit/agenda?day=0001-01-01", "/e/summit/agenda?day=9999-12-31",
    "/e/summit/agenda?tz=%00", "/staff/e/summit/helpdesk?since=99999999999999999999999999",
    "/staff/e/summit/transport?window=" + "9" * 5000, "/staff/e/summit/catering?day=0001-01-01",
    "/e/summit/agenda/mine.ics?x=1",
])
def test_an_odd_query_value_is_answered_without_a_server_error(client, auth, make_event, make_staff, url):
    make_event()
    auth.login_as(make_staff("root@example.org", admin=True))
    assert client.get(url).status_code < 500


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T23:59", "2101-01-01T00:00"])
@pytest.mark.parametrize("form", FORMS)
def test_a_date_outside_the_years_is_an_error_beside_the_field(app, people, form, value):
    field = FORMS[form][3]
    if field == "starts_on":
        value = value[:10]
    response, before, after = _post(app, people, form, **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422, form
    assert "Enter a date between the years 1900 and 2100." in page or "belongs to the event" in page
    assert f'value="{value}"' in page  # what was typed is still there
    assert 'aria-invalid="true"' in page
    assert after == before


@pytest.mark.parametrize("form", [f for f in FORMS if f != "event's first day"])
def test_a_date_far_from_the_event_is_an_error_beside_the_field(app, people, form):
    """Within the years, but two years after the event: a typo, not a plan."""
    value = _at(people[0], 2 * 366)
    response, before, after = _post(app, people, form, **{FORMS[form][3]: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422, form
    assert "this belongs to the event&#39;s days" in page or "this belongs to the event's days" in page
    assert f'value="{value}"' in page
    assert after == before


# -- Names keep to one line ----------------------------------------------------------------------

def test_line_breaks_in_names_become_spaces_wherever_a_name_is_typed(app, client, make_event, make_staff, mailbox):
    from portal.models import Invitation, Registration, User
    from tests.factories import upload

    event = make_event()
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    sign_in_new_account(client, "wang@example.org")
    response = submit(client, "/e/summit/register", registration_form(
        category=str(delegate), name_original="王\r\n小明", name_latin="Wang\nXiaoming", surname="Wang\r\n",
        organization="Example\r\nBcc: x@evil.example", job_title="Chief\u2028Executive"))
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.execute(select(Registration.name_original, Registration.name_latin, Registration.surname,
                                           Registration.organization, Registration.job_title)).one()
    assert tuple(stored) == ("王 小明", "Wang Xiaoming", "Wang", "Example Bcc: x@evil.example", "Chief Executive")

    # The guest's own profile.
    profile = registration_form(name_original="王\n大明", surname="Wang")
    profile.pop("email"), profile.pop("consent")
    assert submit(client, "/e/summit/me/profile", profile).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Registration.name_original)) == "王 大明"

    # The account's name, which signs staff mail and greets the guest.
    assert submit(client, "/account", {"display_name": "Wang\r\nXiaoming", "language": "en"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.email == "wang@example.org")) == "Wang Xiaoming"

    # A quoted cell of an invitation file.
    organizer = app.test_client()
    make_staff("olivia@example.org", event, roles=("organizer",))
    submit(organizer, "/login", {"email": "olivia@example.org", "password": "correct horse battery"})
    assert upload(organizer, 'name,email,category,language\n"Smith,\r\nAnna",anna@example.org,vip,en\n').status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Invitation.name)) == "Smith, Anna"
