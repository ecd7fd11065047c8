"""Engine set-up for the two databases Concierge runs on.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys. Its write
transactions begin with BEGIN IMMEDIATE so that concurrent writers queue on the
write lock instead of failing half-way with "database is locked"; reads (a GET,
HEAD or OPTIONS request) begin deferred so they never wait on a writer.
PostgreSQL needs none of this; row locks (SELECT ... FOR UPDATE) serialise the
capacity decisions there.

Writers queue on a file lock beside the database before BEGIN IMMEDIATE, held
until COMMIT or ROLLBACK. SQLite's own busy handler polls with sleeps that grow
to 100 ms, so under many workers a writer could sleep while the lock stood
free; the kernel wakes a writer waiting on the file lock as soon as it is let
go. The busy timeout still covers anything that writes without this queue.

A writer waits in the queue for at most WRITER_QUEUE_TIMEOUT_SECONDS, less than
gunicorn's 30 s worker timeout: behind a writer that is stuck in its
transaction, a request answers the 503 page of any "database is locked", and a
`flask` command stops with that error, rather than the worker being killed or
the command hanging. The bound is an alarm signal, which Python delivers to the
main thread only; gunicorn's sync workers and `flask` commands run there. A
writer on another thread (gthread workers, tests) waits without bound, as
before.

A POST that reads a good deal before it writes (a kiosk scan) can say so with
`read_first`: its first transaction begins deferred, and `end_reading()` closes
it, so the write lock is held only for the writing.
"""

import fcntl
import os
import signal
import sqlite3
import threading
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from flask import g, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_SECONDS = 30
WRITER_QUEUE_TIMEOUT_SECONDS = 20
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def database_uri(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URI for DATABASE_URL, or the SQLite file in instance/."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'concierge.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; psycopg 3 is the driver here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(uri: str) -> dict:
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "factory": QueuedWriterConnection}}
    return {"pool_pre_ping": True}


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on a file lock beside the database.

    The lock is taken just before BEGIN IMMEDIATE (see `_begin_sqlite`) and let
    go once COMMIT or ROLLBACK has run, whichever thread or process holds it.
    """

    _queue_fd: int | None = None
    _queued = False

    def open_queue(self, database_file: str) -> None:
        if database_file and database_file != ":memory:":
            self._queue_fd = os.open(database_file + "-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def wait_turn(self) -> None:
        if self._queue_fd is None or self._queued:
            return
        try:
            fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _wait_for_lock(self._queue_fd, WRITER_QUEUE_TIMEOUT_SECONDS)
        self._queued = True

    def _leave_queue(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self):
        try:
            super().close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


class _OutOfTime(Exception):
    pass


class _Alarm:
    # Raise only while a wait is under way: a late alarm, run after the lock came, does nothing.
    armed = False


def _out_of_time(_signum, _frame):
    if _Alarm.armed:
        raise _OutOfTime


def _wait_for_lock(fd: int, seconds: float) -> None:
    """Take the exclusive lock on `fd`, waiting at most `seconds` on the main thread."""
    if threading.current_thread() is not threading.main_thread():
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    try:
        try:
            _Alarm.armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _Alarm.armed = False
        except _OutOfTime:
            # The alarm may come just after the lock did. Locking again through the same
            # descriptor succeeds at once if it is ours, and fails if it never came.
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OperationalError(
                    "BEGIN IMMEDIATE", None,
                    sqlite3.OperationalError(f"database is locked: waited {seconds:g} s behind another writer"),
                ) from None
    finally:
        _Alarm.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _database_file(dbapi_connection: sqlite3.Connection) -> str:
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.open_queue(_database_file(dbapi_connection))
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    reading = has_request_context() and (request.method in READ_ONLY_METHODS or g.get("reading_first", False))
    if reading:
        conn.exec_driver_sql("BEGIN")
        return
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.wait_turn()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection._leave_queue()
        raise


def read_first(view):
    """This POST view reads before it writes: its first transaction begins deferred on SQLite.

    The view must call `end_reading()` before its first write.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.reading_first = True
        try:
            return view(*args, **kwargs)
        finally:
            g.reading_first = False

    return wrapped


def commit_keeping_loaded() -> None:
    """Commit, and keep what the session loaded readable without another query.

    After an ordinary commit every loaded object is expired, and reading one of
    its attributes begins a new transaction: on a POST over SQLite, a second
    wait for the write lock.
    """
    from portal.extensions import db

    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def end_reading() -> None:
    """Close the read transaction of a `read_first` view; what it loaded stays loaded.

    The next statement begins a write transaction (BEGIN IMMEDIATE on SQLite).
    """
    commit_keeping_loaded()
    g.reading_first = False


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on both databases (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
