"""The catering board: counts per diet and allergen for each meal day, the names behind them, exports."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from portal.extensions import db
from portal.models import Registration

from tests.factories import add_needs_guest, queries_for, state_needs


@pytest.fixture
def guests(app, summit):
    _, amira = add_needs_guest(app, summit, email="amira@example.org", name="Amira Haddad")
    _, ben = add_needs_guest(app, summit, email="ben@example.org", name="Ben Cohen")
    _, chen = add_needs_guest(app, summit, email="chen@example.org", name="Chen Jing")
    _, dana = add_needs_guest(app, summit, email="dana@example.org", name="Dana Cancelled", state="cancelled")
    state_needs(app, amira, "halal", [("peanuts", "anaphylactic"), ("milk", "mild")])
    state_needs(app, ben, "kosher", [("peanuts", "mild"), ("other", "severe", "Kiwi")])
    state_needs(app, dana, "vegan", [("peanuts", "anaphylactic")])
    return {"amira": amira, "ben": ben, "chen": chen, "dana": dana}


def test_the_board_counts_each_diet_and_allergen_with_names(client, coordinator, summit, guests):
    page = client.get("/staff/e/summit/catering").get_data(as_text=True)
    assert "3 confirmed guests." in page
    # Amira's halal and Ben's kosher, Chen who told us nothing; the cancelled guest eats nothing.
    assert '<tr data-diet="halal">' in page and "Amira Haddad (no pork gelatine)" in page
    assert "Dana" not in page
    row = page.split('data-allergen="peanuts" data-severity="anaphylactic"')[1].split("</tr>")[0]
    assert '<td class="count">1</td>' in row and "Amira Haddad" in row and "Ben" not in row
    row = page.split('data-allergen="other" data-severity="severe"')[1].split("</tr>")[0]
    assert "Ben Cohen (Kiwi)" in row
    row = page.split('<tr data-diet="not_stated">')[1].split("</tr>")[0]
    assert '<td class="count">1</td>' in row and "Chen Jing" in row
    # Every day of the event is a meal day and can be chosen.
    for offset in range(3):
        assert (summit.starts_on + timedelta(days=offset)).isoformat() in page
    other_day = summit.starts_on + timedelta(days=2)
    # The heading says the day in words, as the day tabs do, not as "2026-12-08".
    other_page = client.get(f"/staff/e/summit/catering?day={other_day.isoformat()}").get_data(as_text=True)
    assert f"Meals on {other_day:%A}, {other_day:%B} {other_day.day}, {other_day.year}" in other_page
    assert client.get("/staff/e/summit/catering?day=not-a-day").status_code == 200


def test_csv_and_excel_exports_hold_the_expected_rows(client, coordinator, summit, guests):
    response = client.get("/staff/e/summit/catering/counts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    first_day = summit.starts_on.isoformat()
    day_rows = [r for r in rows if r["Day"] == first_day and r["Meal"] == "Lunch"]
    assert len({r["Day"] for r in rows}) == 3
    by_item = {(r["Kind"], r["Diet or allergen"], r["Severity"]): r for r in day_rows}
    assert by_item[("Diet", "Halal", "")]["Guests"] == "1"
    assert by_item[("Diet", "Halal", "")]["Names"] == "Amira Haddad"
    assert by_item[("Diet", "Not stated", "")]["Names"] == "Chen Jing"
    assert by_item[("Allergy", "Peanuts", "Mild")]["Names"] == "Ben Cohen"
    assert by_item[("Allergy", "Peanuts", "Anaphylactic")]["Guests"] == "1"

    workbook = load_workbook(io.BytesIO(client.get("/staff/e/summit/catering/guests.xlsx").get_data()))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Day", "Guest", "Name in own script", "Diet", "Diet details", "Allergies")
    first = [row for row in values[1:] if row[0].date() == summit.starts_on]
    assert [row[1] for row in first] == ["Ben Cohen", "Amira Haddad", "Chen Jing"]
    assert first[1][3:] == ("Halal", "no pork gelatine", "Peanuts (Anaphylactic); Milk (Mild)")
    assert first[0][5] == "Peanuts (Mild); Kiwi (Severe)"
    assert len(values) == 1 + 3 * 3

    assert client.get("/staff/e/summit/catering/counts.pdf").status_code == 404
    assert client.get("/staff/e/summit/catering/everyone.csv").status_code == 404


def test_headers_follow_the_exporting_users_language(client, coordinator, guests):
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    response = client.get("/staff/e/summit/catering/counts.csv")
    header = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert header != "Day,Meal,Served at,Kind,Diet or allergen,Severity,Guests,Names"
    assert len(header.split(",")) == 8



def test_the_chinese_board_lists_names_and_asides_the_chinese_way(app, client, coordinator, summit, guests):
    _, wang = add_needs_guest(app, summit, email="wang@example.org", name="Wang Xiaoming")
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.id == wang).values(name_original="王小明"))
        db.session.commit()
    state_needs(app, wang, "kosher", [("peanuts", "mild"), ("other", "severe", "Kiwi")])
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    page = client.get("/staff/e/summit/catering").get_data(as_text=True)
    row = page.split('<tr data-diet="halal">')[1].split("</tr>")[0]
    assert '<span lang="en">Amira Haddad</span> （no pork gelatine）' in row
    row = page.split('<tr data-diet="kosher">')[1].split("</tr>")[0]
    assert ('<span lang="en">Ben Cohen</span>、<span lang="en">Wang Xiaoming</span> （王小明）'
            in row)
    row = page.split('data-allergen="other" data-severity="severe"')[1].split("</tr>")[0]
    assert "（Kiwi）、" in row and ", " not in row and "(" not in row
    # The kitchen's files stay plain text with ASCII punctuation, whatever the page's language.
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/e/summit/catering/counts.csv").get_data()
                                           .decode("utf-8-sig"))))
    assert any("Ben Cohen; Wang Xiaoming (王小明)" in r.values() for r in rows)
    workbook = load_workbook(io.BytesIO(client.get("/staff/e/summit/catering/guests.xlsx").get_data()))
    values = list(workbook.active.iter_rows(values_only=True))
    assert any(row[1:3] == ("Wang Xiaoming", "王小明") and row[5].startswith("花生") and "; " in row[5]
               for row in values[1:])



def test_queries_do_not_grow_with_guests(app, client, coordinator, summit):
    for i in range(3):
        _, rid = add_needs_guest(app, summit, email=f"a{i}@example.org", name=f"Early Guest{i}")
        state_needs(app, rid, "vegan", [("egg", "severe")])
    few = queries_for(app, client, "/staff/e/summit/catering")
    few_export = queries_for(app, client, "/staff/e/summit/catering/guests.xlsx")
    for i in range(30):
        _, rid = add_needs_guest(app, summit, email=f"b{i}@example.org", name=f"Late Guest{i}")
        state_needs(app, rid, "halal", [("fish", "mild"), ("soy", "anaphylactic")])
    many = queries_for(app, client, "/staff/e/summit/catering")
    many_export = queries_for(app, client, "/staff/e/summit/catering/guests.xlsx")
    assert len(few) == len(many), (few, many)
    assert len(few_export) == len(many_export)
    assert "Late Guest29" in client.get("/staff/e/summit/catering").get_data(as_text=True)
