"""Catering per meal: who is here at each meal from their journeys and hotel nights, diets, allergens, exports."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Meal, MealTime
from tests.factories import file_directly, file_leg, make_block, make_guest, state_needs, submit


@pytest.fixture
def party(app, summit):
    """Four confirmed guests who are here at different meals of the event's three days."""
    lands = make_guest(app, summit, "lands@example.org", name="Lands Late")       # day 0 16:30 .. day 2 10:00
    edge = make_guest(app, summit, "edge@example.org", name="Edge Case")          # day 0 12:30 .. day 2 12:30
    hotel = make_guest(app, summit, "hotel@example.org", name="Hotel Only")       # nights of day 1 .. day 2
    always = make_guest(app, summit, "always@example.org", name="Always Here")    # no dates: every meal
    make_guest(app, summit, "gone@example.org", name="Gone Guest", state="cancelled")
    file_leg(app, summit, lands, hour=16, minute=30)
    file_leg(app, summit, lands, direction="departure", day_offset=2, hour=10)
    file_leg(app, summit, edge, hour=12, minute=30)
    file_leg(app, summit, edge, direction="departure", day_offset=2, hour=12, minute=30)
    file_directly(app, summit, hotel, make_block(app, summit), check_in=summit.starts_on + timedelta(days=1),
                  check_out=summit.starts_on + timedelta(days=2))
    state_needs(app, lands.registration_id, "halal", [("peanuts", "anaphylactic")])
    state_needs(app, always.registration_id, "vegan", [("peanuts", "mild"), ("sesame", "severe")])
    state_needs(app, edge.registration_id, "none", [("peanuts", "anaphylactic")])
    return summit


def day(event, offset):
    return (event.starts_on + timedelta(days=offset)).isoformat()


def meal_csv(client, event, offset, meal):
    response = client.get(f"/staff/e/{event.slug}/catering/{day(event, offset)}/{meal}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{event.slug}-{day(event, offset)}-{meal}.csv"')
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def covers(rows) -> int:
    return int(next(r["Guests"] for r in rows if r["Kind"] == "All guests"))


def row_of(rows, kind, item, severity=""):
    return next(r for r in rows if (r["Kind"], r["Diet or allergen"], r["Severity"]) == (kind, item, severity))


@pytest.mark.parametrize(("offset", "meal", "expected"), [
    # Day 0: Always all day; Edge lands at 12:30, in time for lunch served at 12:30; Lands Late only for dinner.
    (0, "breakfast", 1), (0, "lunch", 2), (0, "dinner", 3),
    # Day 1: everyone, Hotel Only from their check-in day.
    (1, "breakfast", 4), (1, "lunch", 4), (1, "dinner", 4),
    # Day 2: Lands Late leaves at 10:00 (breakfast only); Edge leaves as lunch is served; Hotel Only all day.
    (2, "breakfast", 4), (2, "lunch", 2), (2, "dinner", 2),
])
def test_each_meal_counts_the_guests_here_by_then(client, coordinator, party, offset, meal, expected):
    assert covers(meal_csv(client, party, offset, meal)) == expected


def test_diets_and_allergens_are_counted_per_meal_with_severity_and_names(client, coordinator, party):
    lunch = meal_csv(client, party, 0, "lunch")
    assert row_of(lunch, "Diet", "Vegan")["Names"] == "Always Here"
    assert row_of(lunch, "Diet", "Halal")["Guests"] == "0"
    assert row_of(lunch, "Allergy", "Peanuts", "Mild")["Guests"] == "1"
    assert row_of(lunch, "Allergy", "Peanuts", "Anaphylactic")["Names"] == "Edge Case"
    dinner = meal_csv(client, party, 0, "dinner")
    assert row_of(dinner, "Diet", "Halal")["Names"] == "Lands Late"
    severe = row_of(dinner, "Allergy", "Peanuts", "Anaphylactic")
    assert severe["Guests"] == "2" and set(severe["Names"].split("; ")) == {"Lands Late", "Edge Case"}
    assert row_of(dinner, "Allergy", "Sesame", "Severe")["Guests"] == "1"
    assert "Gone Guest" not in str(dinner)
    # The page shows the same, meal by meal.
    page = client.get(f"/staff/e/summit/catering?day={day(party, 0)}").get_data(as_text=True)
    lunch_html = page.split('data-meal="lunch"')[1].split("</section>")[0]
    row = lunch_html.split('data-allergen="peanuts" data-severity="anaphylactic"')[1].split("</tr>")[0]
    assert '<td class="count">1</td>' in row and "Edge Case" in row and "Lands Late" not in row
    dinner_html = page.split('data-meal="dinner"')[1].split("</section>")[0]
    assert "Lands Late" in dinner_html and "(3 guests)" in dinner_html


def test_the_kitchens_files_per_meal_and_for_all_meals(app, client, coordinator, party):
    response = client.get(f"/staff/e/summit/catering/{day(party, 1)}/dinner.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    values = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert values[0] == ("Day", "Meal", "Served at", "Kind", "Diet or allergen", "Severity", "Guests", "Names")
    assert values[1][1:4] == ("Dinner", "19:00", "All guests") and values[1][6] == 4
    assert values[1][0].date() == party.starts_on + timedelta(days=1)
    everything = list(csv.DictReader(io.StringIO(
        client.get("/staff/e/summit/catering/counts.csv").get_data().decode("utf-8-sig"))))
    totals = {(r["Day"], r["Meal"]): r["Guests"] for r in everything if r["Kind"] == "All guests"}
    assert len(totals) == 9 and totals[(day(party, 0), "Breakfast")] == "1"
    guests = list(csv.DictReader(io.StringIO(
        client.get("/staff/e/summit/catering/guests.csv").get_data().decode("utf-8-sig"))))
    assert sorted(r["Guest"] for r in guests if r["Day"] == day(party, 0)) == ["Always Here", "Edge Case",
                                                                               "Lands Late"]
    for url in (f"{day(party, 0)}/supper.csv", f"{day(party, 9)}/lunch.csv", "not-a-day/lunch.csv",
                f"{day(party, 0)}/lunch.pdf", f"{day(party, 0)}/reception-999.xlsx"):
        assert client.get(f"/staff/e/summit/catering/{url}").status_code == 404, url
    with app.app_context():
        details = db.session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "sensitive.export")).all()
    assert f"catering {day(party, 1)} dinner" in details


def test_the_organizer_adds_a_reception_the_board_counts(app, client, auth, make_staff, party):
    auth.login_as(make_staff("boss@example.org", party, roles=("organizer",)))
    page = "/staff/e/summit/catering/meals"
    offered = client.get(page)
    assert offered.status_code == 200
    # The days on offer are said in words, not as "2026-12-06".
    first = party.starts_on
    assert f'value="{first.isoformat()}">{first:%A}, {first:%B} {first.day}, {first.year}</option>' \
        in offered.get_data(as_text=True)
    form = {"day": day(party, 0), "served_at": "18:00", "name_en": "Welcome reception", "name_zh": "欢迎酒会"}
    for bad, message in (({"day": "2001-01-01"}, "Choose a day of the event."),
                         ({"name_en": "  "}, "Enter a name, e.g. Welcome reception."),
                         ({"served_at": "late"}, "Not a valid time value")):
        answer = submit(client, page, {**form, **bad})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 422 and message in text and 'aria-invalid="true"' in text, bad
    assert submit(client, page, form).status_code == 303
    again = submit(client, page, form)
    assert again.status_code == 422 and "already has a meal of this name" in again.get_data(as_text=True)
    with app.app_context():
        meal_id = db.session.scalar(select(Meal.id))
    key = f"reception-{meal_id}"
    rows = meal_csv(client, party, 0, key)
    # At 18:00 on the first day: Always, Edge and Lands Late (landed 16:30).
    assert covers(rows) == 3 and rows[0]["Meal"] == "Welcome reception"
    board = client.get(f"/staff/e/summit/catering?day={day(party, 0)}").get_data(as_text=True)
    assert board.index('data-meal="lunch"') < board.index(f'data-meal="{key}"') < board.index('data-meal="dinner"')
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    assert "欢迎酒会" in client.get(f"/staff/e/summit/catering?day={day(party, 0)}").get_data(as_text=True)
    assert submit(client, f"/staff/e/summit/catering/meals/{meal_id}/delete", {}, page=page).status_code == 303
    assert client.get(f"/staff/e/summit/catering/{day(party, 0)}/{key}.csv").status_code == 404


def test_a_coordinator_reads_the_board_but_does_not_set_the_meals(client, coordinator, party):
    assert client.get("/staff/e/summit/catering").status_code == 200
    assert client.get("/staff/e/summit/catering/meals").status_code == 403


def test_the_organizer_sets_the_meal_times_and_the_counts_follow(app, client, auth, make_staff, party):
    auth.login_as(make_staff("boss@example.org", party, roles=("organizer",)))
    page = "/staff/e/summit/catering/meals"
    shown = client.get(page).get_data(as_text=True)
    assert 'value="07:30"' in shown and 'value="12:30"' in shown and 'value="19:00"' in shown
    times = {"times-breakfast": "07:00", "times-lunch": "12:00", "times-dinner": "19:30"}
    # A time missing or out of order is a message beside its field; what was typed stays, nothing is stored.
    for bad, field, message in (({"times-lunch": ""}, "times-lunch", "Enter the time it is served."),
                                ({"times-dinner": "11:00"}, "times-dinner", "must come in that order"),
                                ({"times-breakfast": "soon"}, "times-breakfast", "Not a valid time value")):
        answer = submit(client, f"{page}/times", {**times, **bad}, page=page)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 422, bad
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', text), bad
        assert 'value="19:30"' in text or field == "times-dinner"
    with app.app_context():
        assert db.session.scalar(select(MealTime)) is None
    assert covers(meal_csv(client, party, 0, "lunch")) == 2
    assert submit(client, f"{page}/times", times, page=page).status_code == 303
    # Lunch is now at 12:00 every day: on day 0 Edge Case (landing 12:30) misses it; on day 2 they are still here.
    assert meal_csv(client, party, 0, "lunch")[0]["Served at"] == "12:00"
    assert covers(meal_csv(client, party, 0, "lunch")) == 1
    assert covers(meal_csv(client, party, 2, "lunch")) == 3
    assert meal_csv(client, party, 1, "breakfast")[0]["Served at"] == "07:00"
    board = client.get(f"/staff/e/summit/catering?day={day(party, 0)}").get_data(as_text=True)
    assert "19:30" in board.split('data-meal="dinner"')[1].split("</section>")[0]
    with app.app_context():
        assert {(row.meal, row.served_at.strftime("%H:%M")) for row in db.session.scalars(select(MealTime))} == {
            ("breakfast", "07:00"), ("lunch", "12:00"), ("dinner", "19:30")}
        assert db.session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "catering.meal_time")
                                  .order_by(AuditEntry.id)).all() == ["breakfast", "lunch", "dinner"]
    # Saving the same times again changes nothing.
    submit(client, f"{page}/times", times, page=page)
    with app.app_context():
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "catering.meal_time")).all()) == 3


def test_the_organizer_moves_a_reception_and_the_caterer_may_not(app, client, auth, make_staff, party):
    organizer = make_staff("boss@example.org", party, roles=("organizer",))
    auth.login_as(organizer)
    page = "/staff/e/summit/catering/meals"
    form = {"day": day(party, 0), "served_at": "15:00", "name_en": "Tea reception", "name_zh": "茶歇酒会"}
    assert submit(client, page, form).status_code == 303
    with app.app_context():
        meal_id = db.session.scalar(select(Meal.id))
    edit = f"{page}/{meal_id}"
    assert f'href="{edit}"' in client.get(page).get_data(as_text=True)
    assert 'value="15:00"' in client.get(edit).get_data(as_text=True)
    # At 15:00 Lands Late (landing 16:30) is not here yet; moved to 17:00, they are.
    assert covers(meal_csv(client, party, 0, f"reception-{meal_id}")) == 2
    bad = submit(client, edit, {**form, "served_at": ""}, page=edit)
    assert bad.status_code == 422 and "Enter the time it is served." in bad.get_data(as_text=True)
    assert submit(client, edit, {**form, "served_at": "17:00"}, page=edit).status_code == 303
    assert covers(meal_csv(client, party, 0, f"reception-{meal_id}")) == 3
    auth.login_as(make_staff("cook@example.org", party, roles=("catering",)))
    assert client.get(edit).status_code == 403
    assert submit(client, edit, {**form, "served_at": "09:00"}, page="/staff/e/summit/catering").status_code == 403
    assert submit(client, f"{page}/times", {"times-breakfast": "05:00", "times-lunch": "12:00",
                                            "times-dinner": "19:00"}, page="/staff/e/summit/catering").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(MealTime)) is None
        assert db.session.get(Meal, meal_id).served_at.hour == 17
    assert client.get(f"/staff/e/summit/catering/meals/{meal_id + 1000}").status_code == 403
    auth.login_as(organizer)
    assert client.get(f"/staff/e/summit/catering/meals/{meal_id + 1000}").status_code == 404
