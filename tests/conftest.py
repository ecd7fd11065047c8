"""Fixtures in the flaskr manner, on real databases and a real SMTP server.

Every test runs on SQLite; with TEST_DATABASE_URL set (CI sets it) the same
tests run on PostgreSQL instead. The schema always comes from the migrations.
"""

import os
import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.database import database_uri as portal_database_uri, engine_options
from portal.extensions import db, limiter
from portal.models import Category, Event, StaffPermission, StaffRole, User
from tests.factories import STAFF_PASSWORD, AuthActions, MailSink, app_config, free_port, new_kiosk, pair, zone_at_noon

# CI replays the same examples on every run, so a red build always reproduces;
# on a laptop each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_collection_modifyitems(items):
    """Every browser test is slow too."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def smtp_server():
    sink = MailSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.messages.clear()
    smtp_server.refuse = False
    return smtp_server


class TestDatabase:
    """The run's one migrated database, emptied before each test that uses it.

    Only tables that hold rows are emptied, children before parents, and ids start
    again at 1; a TRUNCATE of every table took seconds on PostgreSQL.
    On SQLite the search index follows registration through its triggers.
    """

    def __init__(self, uri: str):
        self.uri = uri
        self.engine = create_engine(uri, **engine_options(uri))
        self.tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        self._filled = " UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in self.tables)

    def empty(self) -> None:
        with self.engine.begin() as conn:
            filled = set(conn.exec_driver_sql(self._filled).scalars())
            for name in self.tables:
                if name in filled:
                    conn.exec_driver_sql(f'DELETE FROM "{name}"')
            # SQLite's ids (no AUTOINCREMENT) follow the largest one left, so they start again by themselves.
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "SELECT setval(quote_ident(sequencename)::regclass, 1, false) FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL")

    def close(self) -> None:
        self.engine.dispose()


# Where the run's SQLite file goes when the machine has a memory disk: the same WAL file,
# locks and pragmas, without the disk's write latency on each of the run's thousands of commits.
MEMORY_DISK = Path("/dev/shm")


@pytest.fixture(scope="session")
def sqlite_folder(tmp_path_factory):
    if not MEMORY_DISK.is_dir():
        yield tmp_path_factory.mktemp("database")
        return
    folder = Path(tempfile.mkdtemp(prefix="concierge-tests-", dir=MEMORY_DISK))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def test_database(sqlite_folder, smtp_server):
    """Migrate once per run: a SQLite file, or the PostgreSQL test database (TEST_DATABASE_URL)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        uri = portal_database_uri(url, "")
    else:
        uri = f"sqlite:///{sqlite_folder / 'concierge.sqlite3'}"
    app = create_app(app_config(uri, smtp_server.port))
    with app.app_context():
        if url:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        db.engine.dispose()
    database = TestDatabase(uri)
    yield database
    database.close()


@pytest.fixture
def database_uri(test_database):
    """The test database's URI; every table is empty when the test starts."""
    test_database.empty()
    return test_database.uri


@pytest.fixture(scope="session")
def session_app(test_database, smtp_server):
    """The one app of the run; tests take it through `app`, which resets what a test may change."""
    app = create_app(app_config(test_database.uri, smtp_server.port))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(database_uri, mailbox):
    """Apps of their own, for the tests that need other settings, on the test database.

    Their connections are closed after the test: an engine left to the garbage
    collector makes psycopg warn at a random later moment, which the strict
    warning filter would pin on an innocent test.
    """
    made = []

    def make(smtp_port: int | None = None, **extra):
        app = create_app(app_config(database_uri, smtp_port or mailbox.port, **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(session_app, database_uri, mailbox):
    """The app; like flaskr, no context stays pushed, so each request gets its own session.

    Tests read the database inside a short `with app.app_context():`. A test may
    change `app.config`; the settings are put back after it. What requests keep
    in the app between them (`app.extensions` entries added after start-up, such
    as the announcements a worker holds for a few seconds) starts empty, like the
    database.
    """
    app = session_app
    config = dict(app.config)
    extensions = set(app.extensions)
    # One limiter serves every app; an app of a test's own with other limits re-configured it.
    limiter.init_app(app)
    yield app
    for name in set(app.extensions) - extensions:
        del app.extensions[name]
    app.config.clear()
    app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def staff_password_hash():
    """The test staff's password hash: made once, and cheap to check.

    Every sign-in with a password checks the hash, and the app's scrypt takes
    0.1–0.6 s each on a shared machine. werkzeug reads the method from the hash
    itself, so these accounts check in milliseconds; passwords the app sets
    itself keep its real cost (tests/test_accounts.py asserts it).
    """
    return generate_password_hash(STAFF_PASSWORD, method="pbkdf2:sha256:1000")


def _detached(obj, *relationships):
    """The object with its columns and the named relationships loaded, free of any session."""
    db.session.refresh(obj)
    for name in relationships:
        getattr(obj, name)
    db.session.expunge_all()
    return obj


@pytest.fixture
def make_event(app):
    def make(**values) -> Event:
        today = date.today()
        defaults = dict(
            slug="summit", name_en="Future Summit", name_zh="未来峰会",
            starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=32),
            timezone="Asia/Shanghai", venue_en="West Lake Conference Centre", venue_zh="西湖会议中心",
            status="published", public_registration=True, capacity=None,
            privacy_notice_en="We use your details to organise your attendance.",
            privacy_notice_zh="我们仅为安排您的参会使用您的信息。",
        )
        defaults.update(values)
        with app.app_context():
            event = Event(**defaults)
            event.categories = Category.defaults()
            db.session.add(event)
            db.session.commit()
            return _detached(event, "categories")

    return make


@pytest.fixture
def make_staff(app, staff_password_hash):
    def make(email: str, event: Event | None = None, roles=(), admin=False) -> User:
        with app.app_context():
            user = User(email=email, display_name=email.split("@")[0], password_hash=staff_password_hash,
                        is_admin=admin)
            db.session.add(user)
            db.session.flush()
            for role in roles:
                db.session.add(StaffRole(user_id=user.id, event_id=event.id, role=role))
            db.session.commit()
            return _detached(user, "roles")

    return make


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def event(make_event):
    zone = zone_at_noon()
    today = datetime.now(ZoneInfo(zone)).date()
    return make_event(timezone=zone, starts_on=today, ends_on=today + timedelta(days=2))


@pytest.fixture
def summit(make_event):
    """The default event: Future Summit, a month from now, in Shanghai."""
    return make_event()


@pytest.fixture
def coordinator(auth, make_staff, summit):
    """The summit's catering coordinator, signed in on `client`."""
    user = make_staff("cora@example.org", summit, roles=("catering",))
    auth.login_as(user)
    return user


@pytest.fixture
def desk(make_staff, event):
    """A help-desk member of the test's `event`."""
    user = make_staff("desk@example.org", event, roles=("helpdesk",))
    user.event = event
    return user


@pytest.fixture
def kiosk(app, client, organizer):
    """A client that is a paired kiosk of the organizer's event."""
    device_id, code = new_kiosk(app, organizer.event, organizer)
    response = pair(client, code)
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"
    client.device_id = device_id
    client.event = organizer.event
    return client


@pytest.fixture
def organizer(make_event, make_staff):
    event = make_event()
    user = make_staff("boss@example.org", event, roles=("organizer",))
    user.event = event
    return user


@pytest.fixture
def team(app, make_event, make_staff):
    """The help desk's people: an organizer, two desk staff (one may read medical notes), a coordinator."""
    event = make_event()
    people = {
        "organizer": make_staff("boss@example.org", event, roles=("organizer",)),
        "desk": make_staff("desk@example.org", event, roles=("helpdesk",)),
        "medic": make_staff("medic@example.org", event, roles=("helpdesk",)),
        "coordinator": make_staff("coord@example.org", event, roles=("lodging", "transport", "catering")),
    }
    with app.app_context():
        db.session.add(StaffPermission(user_id=people["medic"].id, event_id=event.id, permission="medical"))
        db.session.commit()
    return event, people
