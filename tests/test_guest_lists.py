"""Lists staff live in: the guest search, the guest list's columns and its export, the badge log."""

import csv
import html
import importlib.util
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEntry, Event, Registration, User
from portal import create_app
from portal.models.registration import phone_digits, search_key
from flask_migrate import downgrade, upgrade
from portal.privacy.erasure import erase_account
from portal.staff import search
from tests.factories import add_guests, app_config, csrf_token, new_kiosk, pair, scan, submit


@pytest.fixture
def organizer(make_staff, summit):
    return make_staff("olivia@example.org", summit, roles=("organizer",))


@pytest.fixture
def as_organizer(auth, organizer):
    auth.login_as(organizer)
    return organizer


@pytest.fixture
def desk(make_staff, summit):
    return make_staff("hana@example.org", summit, roles=("helpdesk",))


PEOPLE = [
    dict(prefix="salem", name_latin="Salem Al-Zoubi", name_original="سالم الزعبي", surname="Al-Zoubi",
         phone="+971 50 123 4567"),
    dict(prefix="wang", name_latin="Wang Xiaoming", name_original="王小明", surname="Wang", phone="+86 138 0000 1234"),
    dict(prefix="mueller", name_latin="Jürgen Müller-Lüdenscheidt", name_original="Jürgen Müller-Lüdenscheidt",
         surname="Müller-Lüdenscheidt", phone="+49 (30) 901820"),
    dict(prefix="obrien", name_latin="Siobhán O'Brien", name_original="Siobhán O'Brien", surname="O'Brien",
         phone="+353 1 555 0199"),
    dict(prefix="li", name_latin="Li Na", name_original="李娜", surname="Li", phone="+86 10 6552 9988"),
]


@pytest.fixture
def people(app, summit):
    ids = {}
    for person in PEOPLE:
        [ids[person["prefix"]]] = add_guests(app, summit, 1, **person)
    return ids


def found(client, term: str) -> set[str]:
    """The Latin names the guest list shows for `term`."""
    answer = client.get("/staff/e/summit/guests", query_string={"q": term}, headers={"HX-Request": "true"})
    assert answer.status_code == 200, term
    return {html.unescape(name) for name in
            re.findall(r'<a href="/staff/e/summit/guests/\d+">([^<]+)</a>', answer.get_data(as_text=True))}


@pytest.mark.parametrize("term, names", [
    ("Salem Zoubi", {"Salem Al-Zoubi"}),
    ("Zoubi Salem", {"Salem Al-Zoubi"}),
    ("al zoubi", {"Salem Al-Zoubi"}),
    ("al-Zoubi", {"Salem Al-Zoubi"}),
    ("AlZoubi", {"Salem Al-Zoubi"}),
    ("zoubi, salem", {"Salem Al-Zoubi"}),
    ("الزعبي", {"Salem Al-Zoubi"}),
    ("سالم الزعبي", {"Salem Al-Zoubi"}),
    ("王小明", {"Wang Xiaoming"}),
    ("小明", {"Wang Xiaoming"}),
    ("王 小明", {"Wang Xiaoming"}),
    ("Wang Xiaoming", {"Wang Xiaoming"}),
    ("Xiaoming Wang", {"Wang Xiaoming"}),
    ("wangxiaoming", {"Wang Xiaoming"}),
    ("xiao", {"Wang Xiaoming"}),
    ("ＷＡＮＧ", {"Wang Xiaoming"}),  # typed with a Chinese input method's full-width letters
    ("李娜", {"Li Na"}),
    ("娜", {"Li Na"}),
    ("Na Li", {"Li Na"}),
    ("muller ludenscheidt", {"Jürgen Müller-Lüdenscheidt"}),
    ("Müller Jürgen", {"Jürgen Müller-Lüdenscheidt"}),
    ("obrien", {"Siobhán O'Brien"}),
    ("O'Brien Siobhan", {"Siobhán O'Brien"}),
    ("+971", {"Salem Al-Zoubi"}),
    ("971 50", {"Salem Al-Zoubi"}),
    ("050-123 4567", {"Salem Al-Zoubi"}),  # dialled at home, with the trunk 0
    ("00971 50 123", {"Salem Al-Zoubi"}),  # dialled from abroad
    ("50-123-4567", {"Salem Al-Zoubi"}),
    ("(30) 901", {"Jürgen Müller-Lüdenscheidt"}),
    ("+86", {"Wang Xiaoming", "Li Na"}),
    ("salem wang", set()),
    ("Zoubi Xiaoming", set()),
])
def test_search_finds_a_guest_by_any_part_of_a_name_in_any_order_or_by_phone(client, as_organizer, people, term,
                                                                          names):
    assert found(client, term) == names


def test_a_name_search_with_a_number_never_looks_in_the_phone(app, client, as_organizer, summit):
    add_guests(app, summit, 2, prefix="guest", phone="+86 131 1111 1111")
    # "Guest 1" is a name and its number; guest 0's phone full of 1s does not make it match.
    assert found(client, "guest 1") == {"Guest 1"}
    assert found(client, "1111") == {"Guest 0", "Guest 1"}


def test_the_search_follows_a_correction_at_the_desk(app, client, auth, desk, summit, people):
    auth.login_as(desk)
    url = f"/staff/e/summit/guests/{people['salem']}/edit"
    page = client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update(name_latin="Salim Al-Zu'bi", surname="Al-Zu'bi", phone="+971 4 222 3333",
                  name_original="سالم الزعبي", honorific="", organization="", job_title="", language="en",
                  country="AE")
    response = submit(client, url, fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert found(client, "salim alzubi") == {"Salim Al-Zu'bi"}
    assert found(client, "Salem Zoubi") == set()
    assert found(client, "971 4 222") == {"Salim Al-Zu'bi"}
    assert found(client, "971 50") == set()


def test_the_check_in_desk_searches_the_same_way(client, auth, desk, people):
    auth.login_as(desk)
    page = client.get("/staff/e/summit/check-in", query_string={"q": "Zoubi Salem"}).get_data(as_text=True)
    assert "Salem Al-Zoubi" in page and "Wang Xiaoming" not in page
    page = client.get("/staff/e/summit/check-in", query_string={"q": "+86 138"}).get_data(as_text=True)
    assert "Wang Xiaoming" in page and "Salem Al-Zoubi" not in page


def test_the_migration_folds_names_as_the_model_does():
    path = Path(__file__).parents[1] / "migrations" / "versions" / "0023_guest_search.py"
    spec = importlib.util.spec_from_file_location("guest_search_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for person in PEOPLE:
        fields = dict(person, email=f"{person['prefix']}@Example.org", organization="Ex-Ample Ltd.",
                      confirmation_code="AB2-CD3")
        row = type("Row", (), {name: fields.get(name, "") for name in migration.FIELDS})
        assert migration._key(row) == search_key(fields)
        assert migration._digits(row) == phone_digits(fields["phone"])


def test_the_migration_indexes_the_guests_already_registered(tmp_path, smtp_server):
    """On a SQLite database of its own: guests stored before 0021 are found after it, and it goes back down."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'before.sqlite3'}", smtp_server.port))
    with app.app_context():
        upgrade(revision="0022_meal_times")
        # The event and the account as the models make them (0023 changes neither); the registration by hand.
        db.session.add(Event(id=1, slug="summit", name_en="S", name_zh="S", starts_on=date(2030, 1, 1),
                             ends_on=date(2030, 1, 2), timezone="UTC", venue_en="", venue_zh="", status="published"))
        db.session.add(User(id=1, email="salem@example.org", display_name="Salem"))
        db.session.flush()
        db.session.execute(text(
            "INSERT INTO registration (id, event_id, user_id, state, name_original, name_latin, surname, honorific, "
            "organization, job_title, country, phone, email, language, consent_at, ticket_code, confirmation_code, "
            "decision_reason, created_at, updated_at, admitted_over_capacity) VALUES (1, 1, 1, 'confirmed', "
            "'سالم الزعبي', 'Salem Al-Zoubi', 'Al-Zoubi', '', '', '', 'AE', '+971 50 123 4567', 'salem@example.org', "
            "'en', '2029-01-01 00:00:00', 't', 'ABCD2345', '', '2029-01-01 00:00:00', '2029-01-01 00:00:00', 0)"))
        db.session.commit()
        upgrade(revision="heads")
        for term in ("Zoubi Salem", "alzoubi", "+971 50", "الزعبي"):
            assert db.session.scalars(select(Registration.id).where(search.matches(term))).all() == [1], term
        db.session.rollback()
        downgrade(revision="0022_meal_times")
        assert db.session.execute(text("SELECT rowid FROM registration_search WHERE registration_search "
                                       "MATCH '\"zoubi\"'")).scalars().all() == [1]
        db.session.rollback()
        db.engine.dispose()


# -- The guest list's columns and its export ------------------------------------------------------

def _waitlist(app, summit, names):
    ids = add_guests(app, summit, len(names), prefix="waiting", state="waitlisted")
    with app.app_context():
        start = utcnow() - timedelta(hours=5)
        for offset, (registration_id, name) in enumerate(zip(ids, names)):
            registration = db.session.get(Registration, registration_id)
            registration.name_latin = registration.name_original = name
            registration.waitlisted_at = start + timedelta(minutes=offset)
        db.session.commit()
    return ids


def test_the_list_shows_when_each_guest_registered_and_their_place_on_the_waiting_list(app, client, as_organizer,
                                                                                       summit):
    add_guests(app, summit, 1, prefix="here")
    _waitlist(app, summit, ["Ada Waits", "Bo Waits", "Cy Waits"])
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert "<th scope=\"col\">Registered on</th>" in page and "<th scope=\"col\">Waiting list</th>" in page
    rows = {name: row for name, row in re.findall(r'>([^<]+)</a>(.*?)</tr>', page, re.S)}
    assert "No. 1" in rows["Ada Waits"] and "No. 3" in rows["Cy Waits"] and "No." not in rows["Here 0"]
    # A search shows each guest's place in the whole list, not in the search's results.
    page = client.get("/staff/e/summit/guests", query_string={"q": "cy waits"}).get_data(as_text=True)
    assert "No. 3" in page and "No. 1" not in page
    assert re.search(r"<td class=\"nowrap\">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d</td>", rows["Here 0"])


def _export_links(page: str) -> dict[str, str]:
    return {fmt: link.replace("&amp;", "&") for link, fmt in re.findall(
        r'href="(/staff/e/summit/guests\.(csv|xlsx)[^"]*)"', page)}


def test_the_export_holds_exactly_the_rows_the_filters_show_on_every_page(app, client, auth, desk, summit):
    app.config["GUESTS_PER_PAGE"] = 2
    add_guests(app, summit, 3, prefix="press", category="press")
    add_guests(app, summit, 2, prefix="vip", category="vip")
    _waitlist(app, summit, ["Ada Press", "Bo Other"])
    auth.login_as(desk)
    page = client.get("/staff/e/summit/guests", query_string={"q": "press", "category": "delegate"}).get_data(
        as_text=True)
    # Only Ada (a delegate on the waiting list) is a delegate with "press" in her name.
    links = _export_links(page)
    assert set(links) == {"csv", "xlsx"} and "q=press" in links["csv"] and "category=delegate" in links["csv"]
    page = client.get("/staff/e/summit/guests", query_string={"q": "press"}).get_data(as_text=True)
    assert "4 guests match." in page and "Press 2" not in page  # on page 2
    links = _export_links(page)
    answer = client.get(links["csv"])
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in answer.headers["Cache-Control"]
    assert 'filename="summit-guests.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert sorted(r["Name (Latin)"] for r in rows) == ["Ada Press", "Press 0", "Press 1", "Press 2"]
    ada = next(r for r in rows if r["Name (Latin)"] == "Ada Press")
    assert ada["Waiting-list position"] == "1" and ada["State"] == "On the waiting list"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", ada["Registered on"])
    assert ada["Phone"] == "+86 138 0000 0000" and ada["E-mail"] == "waiting0@example.org"
    assert ada["Language"] == "English"  # the language's name in the reader's language, not "en"
    assert {r["Waiting-list position"] for r in rows if r["Name (Latin)"] != "Ada Press"} == {""}
    with app.app_context():
        codes = set(db.session.scalars(select(Registration.confirmation_code)))
        entries = db.session.execute(
            select(AuditEntry.action, AuditEntry.subject, AuditEntry.detail, AuditEntry.actor_id)
            .where(AuditEntry.action == "guests.export")).all()
    assert not any(code in answer.get_data(as_text=True) for code in codes)  # a code opens a kiosk check-in
    assert entries == [("guests.export", "q=press", "csv, 4 rows", desk.id)]


def test_the_excel_export_keeps_dates_and_numbers_and_speaks_the_readers_language(app, client, as_organizer, summit):
    ada, _bo = _waitlist(app, summit, ["Ada Waits", "Bo Waits"])
    with app.app_context():
        db.session.get(Registration, ada).language = "zh_Hans"
        db.session.commit()
    submit(client, "/language", {"lang": "zh_Hans", "next": "/"}, page="/")
    answer = client.get("/staff/e/summit/guests.xlsx", query_string={"state": "waitlisted"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    headers = [cell.value for cell in sheet[1]]
    assert "候补位次" in headers and "登记时间" in headers and "姓名（拉丁字母）" in headers
    position, registered = headers.index("候补位次"), headers.index("登记时间")
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(row[position] for row in values) == [1, 2]
    assert all(row[registered].year >= 2026 for row in values)
    # Each guest's language, named in the reader's: 中文 for Ada, 英文 for Bo, never "zh_Hans" or "en".
    language = headers.index("语言")
    assert sorted(row[language] for row in values) == sorted(["中文", "英文"])
    with app.app_context():
        detail = db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "guests.export"))
    assert detail == "xlsx, 2 rows"


@pytest.mark.parametrize("role, expected", [("organizer", 200), ("helpdesk", 200), ("lodging", 403),
                                           ("transport", 403), ("catering", 403)])
def test_who_may_export_the_guest_list(app, client, auth, make_staff, summit, role, expected):
    add_guests(app, summit, 1)
    auth.login_as(make_staff(f"{role}@example.org", summit, roles=(role,)))
    assert client.get("/staff/e/summit/guests.csv").status_code == expected
    page = client.get("/staff/e/summit/guests").get_data(as_text=True)
    assert bool(_export_links(page)) == (expected == 200)
    assert client.get("/staff/e/summit/guests.pdf").status_code == 404


def test_a_hand_edited_export_link_is_filtered_as_the_list_is(app, client, as_organizer, summit):
    add_guests(app, summit, 2)
    answer = client.get("/staff/e/summit/guests.csv", query_string={"state": "bogus", "category": "nope",
                                                                    "q": "x" * 300})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows == []  # the 100 "x" the form keeps match no one; the bad filters are ignored


# -- Badge prints and reprints -------------------------------------------------------------------

@pytest.fixture
def kiosk(app, organizer, summit):
    device_id, code = new_kiosk(app, summit, organizer, name="Hall A")
    kiosk_client = app.test_client()
    assert pair(kiosk_client, code).status_code == 303
    return kiosk_client


def test_every_print_and_reprint_shows_with_where_and_by_whom(app, client, auth, kiosk, desk, summit):
    [guest_id] = add_guests(app, summit, 1, prefix="wang", name_latin="Wang Xiaoming", name_original="王小明")
    with app.app_context():
        ticket = db.session.get(Registration, guest_id).ticket_code
    welcome_url = scan(kiosk, ticket).headers["Location"]
    welcome = kiosk.get(welcome_url).get_data(as_text=True)
    badge_url = welcome_url.replace("/welcome/", "/badge/")
    # The kiosk's print button is a form posted to the server, which logs each print.
    assert f'action="{badge_url}"' in welcome and 'method="post"' in welcome
    kiosk.post(badge_url, data={"csrf_token": csrf_token(kiosk, welcome_url)})
    again = kiosk.get(badge_url).get_data(as_text=True)
    assert f'<form method="post" action="{badge_url}"' in again and "Print again" in again
    kiosk.post(badge_url, data={"csrf_token": csrf_token(kiosk, badge_url)})

    auth.login_as(desk)
    staff_badge = f"/staff/e/summit/guests/{guest_id}/badge"
    assert submit(client, staff_badge, {}).status_code == 303

    guest_page = client.get(f"/staff/e/summit/guests/{guest_id}").get_data(as_text=True)
    log = guest_page[guest_page.index('data-testid="guest-arrival"'):]
    assert "Badge printed 3 times, last" in log and "by hana at the desk." in log.replace("Hana", "hana")
    entries = re.findall(r"<li>(.*?)</li>", log[log.index('class="plain badge-log"'):].split("</ol>")[0], re.S)
    assert len(entries) == 3
    assert "first print" in entries[0] and "at kiosk Hall A (North entrance)" in entries[0]
    assert "reprint" in entries[1] and "at kiosk Hall A" in entries[1]
    assert "reprint" in entries[2] and "at the desk" in entries[2]

    desk_page = client.get("/staff/e/summit/check-in", query_string={"q": "王小明"}).get_data(as_text=True)
    cell = desk_page[desk_page.index(f'data-testid="desk-badge-{guest_id}"'):].split("</td>")[0]
    assert "Badge printed 3 times, last" in cell and "at the desk" in cell and "Hall A" in cell
    assert f'href="{staff_badge}"' in cell


def test_a_double_click_on_log_the_print_logs_one_print(app, client, auth, kiosk, desk, summit):
    [guest_id] = add_guests(app, summit, 1, prefix="wang")
    with app.app_context():
        scan(kiosk, db.session.get(Registration, guest_id).ticket_code)
    auth.login_as(desk)
    staff_badge = f"/staff/e/summit/guests/{guest_id}/badge"
    token = csrf_token(client, staff_badge)
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', client.get(staff_badge).get_data(as_text=True)).group(1)
    for _ in range(2):
        assert client.post(staff_badge, data={"csrf_token": token, "nonce": nonce}).status_code == 303
    page = client.get(staff_badge).get_data(as_text=True)
    assert "Printed 1 time." in page and "Log a reprint" in page
    # A nonce that is not one of ours logs nothing, and is no error.
    assert client.post(staff_badge, data={"csrf_token": token, "nonce": "<script>"}).status_code == 303
    assert "Printed 1 time." in client.get(staff_badge).get_data(as_text=True)


def test_a_guest_never_printed_says_so_at_the_desk(app, client, auth, desk, summit):
    [guest_id] = add_guests(app, summit, 1, prefix="wang")
    auth.login_as(desk)
    desk_page = client.get("/staff/e/summit/check-in", query_string={"q": "wang"}).get_data(as_text=True)
    assert "No badge printed." in desk_page[desk_page.index(f'data-testid="desk-badge-{guest_id}"'):]


@pytest.mark.parametrize("term", ["Zoubi Salem", "王小明 wang", "+971 50", "xiaoming"])
def test_every_search_is_answered_from_the_trigram_index(app, summit, term):
    with app.app_context():
        query = select(Registration.id).where(search.matches(term))
        connection = db.session.connection()
        compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
        if connection.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "VIRTUAL TABLE INDEX" in plan and search.SQLITE_INDEX in plan, plan
        else:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
            assert search.POSTGRESQL_INDEX in plan, plan
        db.session.rollback()


def test_an_erased_guest_is_no_longer_found_by_their_old_name_or_phone(app, client, as_organizer, people):
    with app.app_context():
        registration = db.session.get(Registration, people["salem"])
        erase_account(registration.user)
    assert found(client, "Salem Zoubi") == set() and found(client, "+971 50") == set()
    with app.app_context():
        key = db.session.get(Registration, people["salem"]).search_key
    assert "zoubi" not in key and "salem" not in key


def test_the_desk_badge_page_lists_every_print(app, client, auth, desk, summit):
    [guest_id] = add_guests(app, summit, 1, prefix="wang")
    auth.login_as(desk)
    client.post(f"/staff/e/summit/check-in/{guest_id}",
                data={"csrf_token": csrf_token(client, "/staff/e/summit/check-in")})
    badge = f"/staff/e/summit/guests/{guest_id}/badge"
    assert "Badge prints" not in client.get(badge).get_data(as_text=True)
    for _ in range(2):
        assert submit(client, badge, {}).status_code == 303
    page = client.get(badge).get_data(as_text=True)
    assert "Printed 2 times." in page and "Badge printed 2 times, last" in page
    assert page.count("at the desk") == 3  # the summary, then each of the two prints
