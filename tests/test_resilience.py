"""Faults: SMTP down with two senders, the server killed mid check-in, the database gone, backup and restore."""

import http.client
import os
import secrets
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from portal import create_app
from portal.auth.services import send_sign_in_link
from portal.database import utcnow
from portal.extensions import db
from portal.models import CheckIn, Event, OutboundMail, Registration, User
from tests.factories import app_config
from tests.sessions import sign_in_new_account
from tests.factories import (
    add_confirmed_guests, csrf_token, flask_command, flush_limiter_store, free_port, gunicorn, paired_kiosks,
    registration_form, RUNNING, scan_over_http, STAFF_PASSWORD, submit, wait_for,
)


# -- (a) SMTP down for a while, two senders ------------------------------------------------------

@pytest.mark.slow
def test_smtp_down_with_two_senders_loses_no_mail_and_sends_none_twice(make_app, database_uri, mailbox):
    app = make_app(MAIL_SEND_INLINE=False)
    with app.app_context():
        for n in range(20):
            db.session.add(User(email=f"waiting{n}@example.org", display_name=f"Waiting {n}"))
        db.session.commit()
    with app.test_request_context():
        for n in range(20):
            send_sign_in_link(f"waiting{n}@example.org")
        db.session.remove()

    # SMTP is down (nothing listens): both senders try, every mail stays queued for a retry.
    down = free_port()

    def sender(port: int, rounds: int) -> list[str]:
        outputs = []
        for _ in range(rounds):
            done = flask_command(database_uri, "send-mail", "--once", smtp_port=port)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
        return outputs

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: sender(down, 1), range(2)))
    assert mailbox.messages == []
    with app.app_context():
        rows = db.session.scalars(select(OutboundMail)).all()
        assert len(rows) == 20 and {r.state for r in rows} == {"pending"}
        assert all(r.attempts >= 1 and r.last_error for r in rows)
        # The backoff runs out: make every mail due again rather than wait its 15 s.
        db.session.execute(update(OutboundMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    # SMTP is back: the two senders race over the same rows, twice each.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: sender(mailbox.port, 2), range(2)))
    received = [m["Message-ID"] for m in mailbox.messages]
    assert len(received) == 20 and len(set(received)) == 20
    assert sorted(m["To"] for m in mailbox.messages) == sorted(f"waiting{n}@example.org" for n in range(20))
    with app.app_context():
        rows = db.session.scalars(select(OutboundMail)).all()
        assert {r.state for r in rows} == {"sent"}
        assert sorted(r.message_id for r in rows) == sorted(received)


# -- (b) the server killed in the middle of check-in load ----------------------------------------

@pytest.mark.slow
def test_a_server_killed_mid_check_in_keeps_every_check_in_it_confirmed(app, make_event, database_uri):
    flush_limiter_store()
    event = make_event()
    guests = add_confirmed_guests(app, event.id, 400)
    confirmed: list[str] = []
    stop_sending = threading.Event()

    with gunicorn(database_uri, workers=2) as port:
        kiosks = paired_kiosks(app, port, event.id, 4)
        queue = list(reversed([code for _id, code in guests]))
        lock = threading.Lock()

        def kiosk_loop(n: int) -> None:
            kiosk, token = kiosks[n]
            while not stop_sending.is_set():
                with lock:
                    if not queue:
                        return
                    code = queue.pop()
                try:
                    status, where = scan_over_http(kiosk, token, code)
                except (OSError, http.client.HTTPException):
                    return  # the server is gone, perhaps half-way through an answer
                if status == 303 and "/kiosk/welcome/" in where:
                    with lock:
                        confirmed.append(code)

        threads = [threading.Thread(target=kiosk_loop, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(confirmed) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        # SIGKILL the master and every worker at once, mid-request.
        os.killpg(RUNNING[port].pid, signal.SIGKILL)
        stop_sending.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(confirmed) >= 40

    # Restart on the same database: it serves, and holds every answered check-in.
    with gunicorn(database_uri, workers=2) as port:
        wait_for(port)
        with app.app_context():
            codes = set(db.session.scalars(
                select(Registration.ticket_code).join(CheckIn, CheckIn.registration_id == Registration.id)
                .where(Registration.event_id == event.id)).all())
    assert set(confirmed) <= codes
    if database_uri.startswith("sqlite"):
        with sqlite3.connect(database_uri.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- (c) the database unreachable ----------------------------------------------------------------

def test_an_unreachable_postgresql_gives_a_calm_503_and_healthz_says_so(mailbox):
    app = create_app(app_config("postgresql+psycopg://concierge@127.0.0.1:1/nothing?connect_timeout=2", mailbox.port))
    client = app.test_client()
    for url in ("/", "/e/summit/", "/e/summit/agenda"):
        page = client.get(url)
        assert page.status_code == 503, url
        body = page.get_data(as_text=True)
        assert "Traceback" not in body and "psycopg" not in body and "127.0.0.1" not in body
        assert "<html" in body.lower()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}
    with app.app_context():
        db.engine.dispose()


BROKEN_DATABASES = {
    # The SQLite file cannot be opened (a directory stands where the file was).
    "sqlite": lambda tmp_path: f"sqlite:///{(tmp_path / 'gone.sqlite3').mkdir() or tmp_path / 'gone.sqlite3'}",
    # A PostgreSQL server that refuses: nothing listens on the port.
    "postgresql": lambda tmp_path: f"postgresql+psycopg://concierge@127.0.0.1:{free_port()}/gone?connect_timeout=2",
}


@pytest.mark.parametrize("broken", BROKEN_DATABASES)
def test_signed_in_guests_and_staff_get_the_calm_503_when_the_database_is_gone(
        app, make_event, make_staff, mailbox, tmp_path, broken):
    event = make_event()
    make_staff("olivia@example.org", event, roles=("organizer",))
    staff, guest = app.test_client(), app.test_client()
    assert submit(staff, "/login", {"email": "olivia@example.org", "password": STAFF_PASSWORD}).status_code == 303
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    sign_in_new_account(guest, "wang@example.org")
    assert submit(guest, "/e/summit/register", registration_form(category=str(delegate))).status_code == 303
    token = csrf_token(guest, "/e/summit/me/help")

    # The same app, the same secret, the same signed-in browsers: the database is gone. An error the
    # app does not handle is a 500 page here, as in production, not an exception in the test.
    down = create_app(app_config(BROKEN_DATABASES[broken](tmp_path), mailbox.port,
                              SECRET_KEY=app.config["SECRET_KEY"], PROPAGATE_EXCEPTIONS=False))
    pages = {"staff": ("/staff/", "/staff/e/summit/guests", "/account", "/"),
             "guest": ("/e/summit/me", "/e/summit/me/needs", "/e/summit/", "/account")}
    for who, browser in (("staff", staff), ("guest", guest)):
        client = down.test_client()
        client.set_cookie("session", browser.get_cookie("session").value)
        for url in pages[who]:
            for headers in ({}, {"Accept-Language": "zh-CN"}, {"HX-Request": "true"}):
                page = client.get(url, headers=headers)
                body = page.get_data(as_text=True)
                assert page.status_code == 503, (who, url)
                assert "Internal Server Error" not in body and "Traceback" not in body
                assert "Temporarily unavailable" in body or "暂时无法访问" in body
    posted = client.post("/e/summit/me/help", data={"csrf_token": token, "category": "other",
                                                   "subject": "Umbrella", "message": "Lost it."})
    assert posted.status_code == 503 and "<h1>" in posted.get_data(as_text=True)
    with down.app_context():
        db.engine.dispose()


# -- (d) backup while serving, and restore -------------------------------------------------------

def _counts(uri: str) -> dict[str, int]:
    engine = create_engine(uri)
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        counts = {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}
    engine.dispose()
    return counts


@pytest.mark.slow
def test_backup_while_check_ins_are_written_then_restore_round_trips(app, make_event, make_staff, database_uri,
                                                                      tmp_path, mailbox):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    guests = add_confirmed_guests(app, event.id, 120)
    if not database_uri.startswith("sqlite"):
        done = flask_command(database_uri, "backup", str(tmp_path / "copy.sqlite3"), smtp_port=mailbox.port)
        assert done.returncode != 0 and "pg_dump" in done.stdout + done.stderr
        return

    # Check-ins keep being written while the backup runs.
    writing = threading.Event()
    stop_writing = threading.Event()

    def check_in_guests() -> int:
        from portal.checkin.services import check_in

        written = 0
        with app.app_context():
            event_row = db.session.get(Event, event.id)
            staff = db.session.get(User, desk.id)
            for registration_id, _code in guests:
                if stop_writing.is_set():
                    break
                check_in(event_row, registration_id, staff=staff, nonce=secrets.token_urlsafe(16))
                written += 1
                writing.set()
                time.sleep(0.005)
        return written

    with ThreadPoolExecutor(max_workers=1) as pool:
        writer = pool.submit(check_in_guests)
        writing.wait(timeout=30)
        backup = tmp_path / "backups" / "concierge-backup.sqlite3"
        done = flask_command(database_uri, "backup", str(backup), smtp_port=mailbox.port)
        stop_writing.set()
        writer.result(timeout=60)
    assert done.returncode == 0, done.stderr
    assert backup.exists() and "ok" in done.stdout

    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = _counts(f"sqlite:///{backup}")
    assert saved["registration"] == 120 and 1 <= saved["check_in"] <= 120
    # Every check-in in the copy came with its audit entry: a transaction is in whole or not at all.
    assert saved["audit_entry"] >= saved["check_in"]

    # Restore into a new database file and compare every table.
    restored = tmp_path / "restored" / "concierge.sqlite3"
    done = flask_command(f"sqlite:///{restored}", "restore", str(backup), smtp_port=mailbox.port)
    assert done.returncode == 0, done.stderr
    assert _counts(f"sqlite:///{restored}") == saved

    # A restore never overwrites a database that holds data, unless told to.
    done = flask_command(database_uri, "restore", str(backup), smtp_port=mailbox.port)
    assert done.returncode != 0 and "--force" in done.stdout + done.stderr
