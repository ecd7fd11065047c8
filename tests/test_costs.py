"""The cost view: budget lines the organizer enters against lodging, transport and catering as counted."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, BudgetLine, LodgingRequest, Meal, MealRate, Vehicle
from tests.factories import add_guest, csrf_token, make_block, organizer_client, submit
from tests.sessions import sign_in


def figures(html: str) -> dict[str, str]:
    return {name: value.strip() for name, value in re.findall(r'data-figure="([^"]+)">([^<]*)<', html)}


def _stay(app, event, registration_id, block_id, nights):
    with app.app_context():
        db.session.add(LodgingRequest(event_id=event.id, registration_id=registration_id, block_id=block_id,
                                      check_in=event.starts_on, check_out=event.starts_on + timedelta(days=nights),
                                      state="confirmed", holds_rooms=True))
        db.session.commit()


def _vehicle(app, event, label, rate=None, currency="CNY"):
    with app.app_context():
        db.session.add(Vehicle(event_id=event.id, label=label, capacity=6,
                               rate=Decimal(rate) if rate else None, currency=currency))
        db.session.commit()


def _reception(app, event, day):
    with app.app_context():
        meal = Meal(event_id=event.id, day=day, served_at=time(18, 0), name_en="Gala dinner", name_zh="晚宴")
        db.session.add(meal)
        db.session.commit()
        return meal.id


def _rates(client, event, **values):
    url = f"/staff/e/{event.slug}/costs"
    token = csrf_token(client, url)
    return client.post(f"{url}/meal-rates", data={"rates-csrf_token": token, "rates-currency": "CNY",
                                                  **{f"rates-{k}": v for k, v in values.items()}})


def _line(client, event, category, label, amount, currency="CNY"):
    return submit(client, f"/staff/e/{event.slug}/costs",
                  {"category": category, "label": label, "amount": amount, "currency": currency})


def test_after_the_event_budget_meets_actual_cost_without_the_no_shows(app, make_event, make_staff):
    # Two days that are over: yesterday and the day before.
    event = make_event(starts_on=date.today() - timedelta(days=2), ends_on=date.today() - timedelta(days=1))
    arrived = datetime.combine(event.starts_on, time(1, 0), tzinfo=UTC)
    _u, ana = add_guest(app, event, "ana@example.org", checked_in=arrived)
    _u, ben = add_guest(app, event, "ben@example.org", checked_in=arrived)
    _u, cai = add_guest(app, event, "cai@example.org")  # confirmed, never came: a no-show
    add_guest(app, event, "dee@example.org", state="cancelled", checked_in=None)
    organizer_block = make_block(app, event, first_offset=0, nights=2, rate="800.00")
    guest_block = make_block(app, event, first_offset=0, nights=2, rate="999.00", payer="guest")
    _stay(app, event, ana, organizer_block, 2)  # 2 × 800 = 1,600
    _stay(app, event, cai, guest_block, 2)      # the guest pays: not the organizer's cost
    _vehicle(app, event, "Van 1", "500.00")
    _vehicle(app, event, "Van 2", "300.00")
    _vehicle(app, event, "Coach", None)         # no rate yet: named as missing
    reception = _reception(app, event, event.starts_on)
    staff = organizer_client(app, event, make_staff)

    assert _rates(staff, event, breakfast="50", lunch="100.00", dinner="150.5",
                  **{f"reception_{reception}": "200"}).status_code == 303
    for category, label, amount in (("lodging", "Rooms for speakers", "2000"), ("transport", "Cars", "1000.00"),
                                    ("catering", "Meals", "1000"), ("catering", "Coffee breaks", "500"),
                                    ("venue", "Main hall", "5000")):
        assert _line(staff, event, category, label, amount).status_code == 303

    html = staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True)
    shown = figures(html)
    assert (shown["budget-CNY-lodging"], shown["actual-CNY-lodging"], shown["difference-CNY-lodging"]) == (
        "2,000.00", "1,600.00", "400.00")
    assert (shown["budget-CNY-transport"], shown["actual-CNY-transport"], shown["difference-CNY-transport"]) == (
        "1,000.00", "800.00", "200.00")
    # Ana and Ben at six meals (50 + 100 + 150.50 a day, two days) and the gala: 2 × 801 = 1,602; Cai not counted.
    assert (shown["budget-CNY-catering"], shown["actual-CNY-catering"], shown["difference-CNY-catering"]) == (
        "1,500.00", "1,602.00", "-102.00")
    assert shown["budget-CNY-venue"] == "5,000.00" and "not counted" in html
    assert shown["difference-CNY-venue"] == ""
    assert (shown["budget-CNY"], shown["actual-CNY"], shown["difference-CNY"]) == (
        "9,500.00", "4,002.00", "5,498.00")
    assert "No-shows (confirmed, never checked in): 1." in html
    assert "Coach" in re.search(r'data-testid="missing-rates">(.*?)</div>', html, re.S).group(1)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id)))
        assert {"budget.line", "budget.meal_rates"} <= actions
        assert db.session.scalar(select(MealRate.per_head).where(MealRate.meal == "dinner")) == Decimal("150.50")


def test_before_the_event_ends_every_confirmed_guest_is_counted(app, make_event, make_staff):
    event = make_event(starts_on=date.today() + timedelta(days=10), ends_on=date.today() + timedelta(days=11))
    add_guest(app, event, "ana@example.org")
    add_guest(app, event, "ben@example.org")
    staff = organizer_client(app, event, make_staff)
    assert _rates(staff, event, breakfast="40").status_code == 303
    html = staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True)
    shown = figures(html)
    # Two guests × two breakfasts × 40, with no catering budget yet: 0 − 160.
    assert (shown["budget-CNY-catering"], shown["actual-CNY-catering"], shown["difference-CNY-catering"]) == (
        "0.00", "160.00", "-160.00")
    assert "No-shows are counted once the event has ended" in html
    assert "Lunch" in re.search(r'data-testid="missing-rates">(.*?)</div>', html, re.S).group(1)


def test_currencies_are_never_added_together(app, make_event, make_staff):
    event = make_event()
    _vehicle(app, event, "Limousine", "120.00", currency="USD")
    staff = organizer_client(app, event, make_staff)
    assert _line(staff, event, "transport", "Cars", "1000", currency="cny").status_code == 303
    shown = figures(staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True))
    assert (shown["budget-CNY-transport"], shown["actual-CNY-transport"]) == ("1,000.00", "0.00")
    assert (shown["budget-USD-transport"], shown["actual-USD-transport"]) == ("0.00", "120.00")


@pytest.mark.parametrize("field, value, message", [
    ("amount", "-5", "Enter an amount from 0 to 1,000,000,000."),
    ("amount", "12.345", "Use at most two decimals"),
    ("amount", "NaN", "Enter an amount from 0"),
    ("amount", "12,5x", "Not a valid decimal value."),
    ("amount", "", "Enter the amount budgeted"),
    ("label", "", "Say what the budget is for."),
    ("currency", "yuan", "Enter a three-letter currency code"),
    ("category", "bribes", "Not a valid choice"),
])
def test_a_wrong_budget_line_is_refused_beside_its_field(app, make_event, make_staff, field, value, message):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    data = {"category": "venue", "label": "Main hall", "amount": "5000", "currency": "CNY", field: value}
    response = submit(staff, f"/staff/e/{event.slug}/costs", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    kept = {k: v for k, v in data.items() if k not in (field, "category")}
    for typed in kept.values():
        assert f'value="{typed}"' in html
    with app.app_context():
        assert db.session.scalars(select(BudgetLine)).all() == []


def test_a_wrong_meal_rate_changes_nothing(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    assert _rates(staff, event, breakfast="30").status_code == 303
    response = _rates(staff, event, breakfast="45", lunch="-1")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="rates-lunch-error">Enter an amount from 0 to 10,000,000.<', html)
    assert 'value="45"' in html
    with app.app_context():
        assert db.session.scalars(select(MealRate.per_head)).all() == [Decimal("30.00")]


def test_a_budget_line_can_be_removed(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    _line(staff, event, "venue", "Main hall", "5000")
    with app.app_context():
        line_id = db.session.scalar(select(BudgetLine.id))
    response = submit(staff, f"/staff/e/{event.slug}/costs/lines/{line_id}/delete", {},
                      page=f"/staff/e/{event.slug}/costs")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(BudgetLine)).all() == []


def test_the_cost_view_is_the_organizers_alone(app, make_event, make_staff):
    event = make_event()
    coordinator = make_staff("coord@example.org", event, roles=("lodging", "transport", "catering", "helpdesk"))
    client = app.test_client()
    sign_in(client, coordinator.id)
    assert client.get(f"/staff/e/{event.slug}/costs").status_code == 403
    token = csrf_token(client, "/account")  # a real token: the refusal is the role's, not the form's
    assert client.post(f"/staff/e/{event.slug}/costs", data={"csrf_token": token, "category": "venue",
                                                              "label": "x", "amount": "1"}).status_code == 403
    assert client.post(f"/staff/e/{event.slug}/costs/meal-rates",
                       data={"rates-csrf_token": token, "rates-breakfast": "1"}).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(BudgetLine)).all() == []


@pytest.mark.parametrize("rate, status", [("650.00", 303), ("-1", 422), ("abc", 422), ("", 303)])
def test_a_vehicle_carries_its_hire_rate(app, make_event, make_staff, rate, status):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    response = submit(staff, f"/staff/e/{event.slug}/transport/vehicles",
                      {"label": "Van 9", "capacity": "6", "rate": rate, "currency": "CNY"})
    assert response.status_code == status
    with app.app_context():
        stored = db.session.scalars(select(Vehicle.rate)).all()
    assert stored == ([] if status == 422 else [Decimal(rate) if rate else None])


def test_a_budget_line_can_be_changed_and_a_wrong_change_keeps_it(app, make_event, make_staff):
    event = make_event()
    other = make_event(slug="other", name_en="Other")
    staff = organizer_client(app, event, make_staff)
    _line(staff, event, "venue", "Main hall", "5000")
    with app.app_context():
        line_id = db.session.scalar(select(BudgetLine.id))
    url = f"/staff/e/{event.slug}/costs/lines/{line_id}"
    page = staff.get(url).get_data(as_text=True)
    assert 'value="Main hall"' in page and 'value="5000.00"' in page
    refused = submit(staff, url, {"category": "venue", "label": "Main hall", "amount": "abc", "currency": "CNY"})
    assert refused.status_code == 422 and 'id="amount-error"' in refused.get_data(as_text=True)
    assert submit(staff, url, {"category": "equipment", "label": "Screens", "amount": "750.5",
                               "currency": "CNY"}).status_code == 303
    with app.app_context():
        line = db.session.get(BudgetLine, line_id)
        assert (line.category, line.label, line.amount) == ("equipment", "Screens", Decimal("750.50"))
    # Another event's URL never reaches this line.
    assert staff.get(f"/staff/e/{other.slug}/costs/lines/{line_id}").status_code in (403, 404)


def test_a_wrong_budget_line_still_shows_the_stored_meal_rates(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    assert _rates(staff, event, breakfast="30").status_code == 303
    page = staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True)
    shown = re.compile(r'<input[^>]*name="rates-breakfast"[^>]*value="30.00"')
    assert shown.search(page)
    refused = _line(staff, event, "venue", "", "10")
    assert refused.status_code == 422
    assert shown.search(refused.get_data(as_text=True))


def test_a_vehicle_without_a_currency_is_in_yuan(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    assert submit(staff, f"/staff/e/{event.slug}/transport/vehicles",
                  {"label": "Van 9", "capacity": "6", "rate": "300"}).status_code == 303
    with app.app_context():
        assert db.session.execute(select(Vehicle.rate, Vehicle.currency)).one() == (Decimal("300.00"), "CNY")


def test_the_cost_view_speaks_chinese(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    _line(staff, event, "venue", "主会场", "5000")
    with staff.session_transaction() as session:
        session["lang"] = "zh_Hans"
    page = staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True)
    assert "预算与费用" in page and "会场合计" in page and "添加预算项" in page
    assert "主会场" in page and "活动结束后才统计未到场人数" in page


def test_the_quantity_beside_a_total_is_in_the_languages_parentheses(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    _vehicle(app, event, "Van 1", rate="500")
    with staff.session_transaction() as session:
        session["lang"] = "zh_Hans"
    page = staff.get(f"/staff/e/{event.slug}/costs").get_data(as_text=True)
    assert "（1 辆车）" in page and "(1 辆车)" not in page
