"""The organizer's own guest categories."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Category
from tests.factories import registration_form, submit
from tests.sessions import sign_in_new_account


@pytest.fixture
def as_organizer(auth, make_staff, summit):
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    auth.login_as(organizer)
    return organizer


def category_form(**overrides):
    data = {"code": "sponsor", "name_en": "Sponsor", "name_zh": "赞助商", "colour": "#1D4E89",
            "position": "9", "open_to_public": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_organizer_adds_a_category_that_public_registrants_can_choose(app, client, as_organizer, summit):
    response = submit(client, "/staff/e/summit/categories", category_form())
    assert response.status_code == 303
    with app.app_context():
        sponsor = db.session.scalar(select(Category).where(Category.code == "sponsor"))
        assert (sponsor.name_zh, sponsor.colour, sponsor.open_to_public) == ("赞助商", "#1d4e89", True)
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "category.save"))
    guest = app.test_client()
    sign_in_new_account(guest, "wang@example.org")
    assert ">Sponsor</option>" in guest.get("/e/summit/register").get_data(as_text=True)
    response = submit(guest, "/e/summit/register", registration_form(category=str(sponsor.id)))
    assert response.status_code == 303


@pytest.mark.parametrize("field, value, message", [
    ("code", "vip", "already uses this code"),
    ("code", "Has Spaces", "lower-case letters"),
    ("colour", "blue", "such as #1d4e89"),
    ("name_zh", "", "Enter the Chinese name."),
    ("name_en", "x" * 101, "At most 100 characters."),
    ("position", "-1", "from 0 to 1000"),
])
def test_bad_category_input_is_named_and_nothing_is_saved(app, client, as_organizer, field, value, message):
    response = submit(client, "/staff/e/summit/categories", category_form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(select(Category.id).where(Category.code == "sponsor")) is None


def test_a_category_in_use_cannot_be_removed_but_an_unused_one_can(app, client, as_organizer, summit):
    delegate = next(c for c in summit.categories if c.code == "delegate")
    guest = app.test_client()
    sign_in_new_account(guest, "wang@example.org")
    submit(guest, "/e/summit/register", registration_form(category=str(delegate.id)))
    press = next(c for c in summit.categories if c.code == "press")
    for category in (delegate, press):
        submit(client, f"/staff/e/summit/categories/{category.id}/delete", {}, page="/staff/e/summit/categories")
    with app.app_context():
        codes = set(db.session.scalars(select(Category.code).where(Category.event_id == summit.id)))
    assert "delegate" in codes and "press" not in codes


def test_categories_are_for_organizers_of_that_event(app, client, auth, make_staff, make_event, summit):
    other = make_event(slug="other")
    coordinator = make_staff("cora@example.org", summit, roles=("lodging",))
    auth.login_as(coordinator)
    assert client.get("/staff/e/summit/categories").status_code == 403
    foreign = next(c for c in other.categories)
    organizer = make_staff("olga@example.org", summit, roles=("organizer",))
    auth.login_as(organizer)
    assert client.get(f"/staff/e/summit/categories/{foreign.id}").status_code == 404
