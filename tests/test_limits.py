"""Rate limits keyed on what is attacked: an address, a guest, a kiosk; a generous ceiling per network
address for a venue behind one Wi-Fi; counts shared by every worker through Redis; and a limited
request says so where the answer was expected."""

import logging
import secrets

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import OutboundMail, Ticket
from tests.factories import app_config
from tests.factories import csrf_token, make_block, make_guest, STAFF_PASSWORD, stay_form, submit
from tests.sessions import sign_in

TOO_MANY = "Too many attempts"


def _from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _password(client, email: str, password: str):
    return client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": email,
                                       "password": password})


def test_wrong_passwords_are_counted_per_address_whatever_network_they_come_from(make_app, make_staff):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_ADDRESS_RATE_LIMIT="3 per minute")
    make_staff("desk@example.org", admin=True)
    answers = [_password(_from(app.test_client(), f"198.51.100.{n}"), "desk@example.org", "guess").status_code
               for n in range(4)]
    assert answers == [422, 422, 422, 429]
    # The account is held for now, even against the right password; the page says why.
    held = _password(_from(app.test_client(), "198.51.100.9"), "desk@example.org", STAFF_PASSWORD)
    assert held.status_code == 429
    html = held.get_data(as_text=True)
    assert TOO_MANY in html and "Please wait a minute and try again." in html
    # Another account is not held.
    make_staff("other@example.org", admin=True)
    assert _password(_from(app.test_client(), "198.51.100.9"), "other@example.org", STAFF_PASSWORD).status_code == 303


def test_links_asked_for_one_address_count_on_every_page_that_mails_them(make_app, make_event, mailbox):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_ADDRESS_RATE_LIMIT="3 per minute")
    make_event()
    answers = []
    for n in range(4):
        client = _from(app.test_client(), f"203.0.113.{n}")
        if n % 2:
            response = submit(client, "/e/summit/register/link", {"email": "victim@example.org"},
                              page="/e/summit/register")
        else:
            response = submit(client, "/login", {"email": "Victim@Example.org"})
        response.close()
        answers.append(response.status_code)
    assert answers == [303, 303, 303, 429]
    with app.app_context():
        # The registration page mailed its link; /login mails only addresses with an account.
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 1


def test_a_whole_venue_behind_one_address_signs_in_without_being_held(make_app, make_event, mailbox):
    app = make_app(RATELIMIT_ENABLED=True)
    make_event()
    venue = "192.0.2.10"
    for n in range(40):  # forty guests at the registration desk's Wi-Fi, within a minute
        client = _from(app.test_client(), venue)
        response = submit(client, "/e/summit/register/link", {"email": f"guest{n}@example.org"},
                          page="/e/summit/register")
        response.close()
        assert response.status_code == 303, n


def test_one_network_address_still_has_a_ceiling(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_IP_RATE_LIMIT="5 per minute")
    make_event()
    client = _from(app.test_client(), "192.0.2.99")
    answers = []
    for n in range(6):
        response = submit(client, "/login", {"email": f"someone{n}@example.org"})
        answers.append(response.status_code)
    assert answers == [303] * 5 + [429]
    assert client.get("/login").status_code == 200  # reading the page is never limited


def test_help_requests_are_limited_per_guest(make_app, make_event, mailbox):
    app = make_app(RATELIMIT_ENABLED=True, HELP_REQUEST_RATE_LIMIT="2 per minute")
    event = make_event()
    ana, ben = app.test_client(), app.test_client()
    sign_in(ana, make_guest(app, event, "ana@example.org").user_id)
    sign_in(ben, make_guest(app, event, "ben@example.org").user_id)

    def ask(client, n):
        response = submit(client, "/e/summit/me/help", {"category": "lodging", "subject": f"Cold room {n}",
                                                        "message": "The heating does not work."})
        response.close()
        return response

    assert [ask(ana, n).status_code for n in range(2)] == [303, 303]
    limited = ask(ana, 3)
    assert limited.status_code == 429 and TOO_MANY in limited.get_data(as_text=True)
    # A reply counts too: each one mails the desk.
    reply = submit(ana, "/e/summit/me/help/1", {"message": "Anyone?"}, page="/e/summit/me/help")
    assert reply.status_code == 429
    # Reading is not limited, and another guest has an allowance of their own.
    assert ana.get("/e/summit/me/help").status_code == 200
    assert ask(ben, 1).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 3


def test_an_htmx_request_past_a_limit_gets_a_message_to_swap_in(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True, HELP_REQUEST_RATE_LIMIT="1 per minute")
    event = make_event()
    guest = app.test_client()
    sign_in(guest, make_guest(app, event, "ana@example.org").user_id)
    token = csrf_token(guest, "/e/summit/me/help")
    data = {"csrf_token": token, "category": "lodging", "subject": "Cold", "message": "Heating."}
    guest.post("/e/summit/me/help", data=data).close()
    fragment = guest.post("/e/summit/me/help", data=data, headers={"HX-Request": "true", "HX-Target": "x"})
    assert fragment.status_code == 429
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'role="alert"' in body and TOO_MANY in body
    # base.html tells htmx to swap a 429, as it does a 422.
    page = guest.get("/e/summit/me/help").get_data(as_text=True)
    assert '{"code": "429", "swap": true}' in page


def test_roommate_invitations_are_limited_per_guest(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True, ROOMMATE_RATE_LIMIT="2 per minute")
    event = make_event()
    block_id = make_block(app, event)
    guest = app.test_client()
    sign_in(guest, make_guest(app, event, "ana@example.org").user_id)
    mate = make_guest(app, event, "mate@example.org")
    answers = [submit(guest, "/e/summit/me/lodging", stay_form(event, block_id, occupancy="2",
                                                              roommate_email=mate.email)).status_code
               for _ in range(3)]
    assert 429 not in answers[:2] and answers[2] == 429
    # Saving the stay without naming anyone is not counted.
    assert submit(guest, "/e/summit/me/lodging", stay_form(event, block_id)).status_code != 429


def test_several_workers_with_the_memory_store_warn_at_start_up(database_uri, smtp_server, monkeypatch, caplog):
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with caplog.at_level(logging.WARNING):
        app = create_app(app_config(database_uri, smtp_server.port, RATELIMIT_ENABLED=True))
    assert any("RATE LIMITS ARE NOT SHARED" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        shared = create_app(app_config(database_uri, smtp_server.port, RATELIMIT_ENABLED=True,
                                    RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/13"))
    assert not any("RATE LIMITS ARE NOT SHARED" in r.getMessage() for r in caplog.records)
    for made in (app, shared):
        with made.app_context():
            db.engine.dispose()


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the shared Redis, removed afterwards."""
    import redis

    prefix = f"concierge-test-{secrets.token_hex(6)}"
    yield prefix
    client = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.mark.slow
def test_two_servers_sharing_redis_share_the_count(app, make_staff, database_uri, redis_prefix):
    from bench.browser import Browser
    from tests.factories import gunicorn

    make_staff("desk@example.org", admin=True)
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "RATELIMIT_KEY_PREFIX": redis_prefix,
                "SIGN_IN_ADDRESS_RATE_LIMIT": "3 per minute"}
    with gunicorn(database_uri, workers=1, **settings) as first, \
            gunicorn(database_uri, workers=1, **settings) as second:
        answers = []
        for n in range(6):  # alternately to each server, as a load balancer would
            browser = Browser(first if n % 2 else second)
            token = browser.csrf("/login")
            status, _headers, _body = browser.request(
                "POST", "/login", {"csrf_token": token, "email": "desk@example.org", "password": "guess"})
            answers.append(status)
    assert answers == [422, 422, 422, 429, 429, 429]
