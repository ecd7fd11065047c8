"""The app as a whole: configuration, schema, page-or-fragment, headers, failure pages."""

from functools import partial

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

import portal
from portal import InsecureConfiguration, create_app
from portal.extensions import db
from portal.staff.search import include_in_comparison
from tests.factories import app_config


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_in_comparison})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_connections_are_configured(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            assert connection.dialect.driver == "psycopg"
            return
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_production_refuses_the_development_secret(monkeypatch, tmp_path):
    # An instance folder of its own: the checkout's instance/config.py (made by
    # `make run`) holds a real key and would hide the refusal.
    monkeypatch.setattr(portal, "Flask", partial(Flask, instance_path=str(tmp_path / "instance")))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    with pytest.raises(InsecureConfiguration):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert create_app().config["SECRET_KEY"] == "k" * 40


def test_every_response_varies_on_hx_request(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_boosted_navigation_gets_the_whole_page(client):
    boosted = client.get("/login", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 200
    assert "<html" in boosted.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "cdn" not in headers["Content-Security-Policy"]


def test_unknown_page_is_a_calm_404(client):
    response = client.get("/e/nothing-here/")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unreachable_database_gives_a_503_page_and_healthz_says_so(tmp_path, mailbox):
    app = create_app(app_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", mailbox.port))
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "sqlite" not in text.lower()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"


def test_healthz_when_all_is_well(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", ["/e/summit/agenda?q=%00", "/e/%00/", "/login?next=%00"])
def test_a_nul_character_gets_a_calm_400_on_every_database(client, make_event, url):
    make_event()
    response = client.get(url)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_changes_nothing(app, client, make_event):
    from sqlalchemy import func, select

    from portal.models import Registration
    from tests.factories import registration_form, submit

    event = make_event()
    category = next(c for c in event.categories if c.open_to_public)
    response = submit(client, "/e/summit/register",
                      registration_form(name_original="Wang\x00", category=str(category.id)))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_cookies_are_secure_when_served_over_https(make_app, client):
    app = make_app(BASE_URL="https://guests.example.org", PROXY_COUNT=1)
    secure = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in secure.headers["Set-Cookie"] and "HttpOnly" in secure.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in secure.headers
    plain = client.get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]
