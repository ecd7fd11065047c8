"""Engine set-up for the two databases Concierge runs on.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys. A
request that may write (anything but GET, HEAD and OPTIONS, and any `flask`
command) begins its transactions with BEGIN IMMEDIATE, so concurrent writers
wait for the write lock up front instead of failing half-way with "database is
locked"; a read-only request begins deferred and never waits on a writer.
PostgreSQL needs none of this; row locks (SELECT ... FOR UPDATE) serialise the
capacity decisions there.

Writers also take a file lock beside the database before BEGIN IMMEDIATE and
hold it until COMMIT or ROLLBACK. SQLite's busy handler sleeps up to 100 ms
between tries, so with several workers a writer could sleep while the lock
stood free; polling the file lock every millisecond lets the next writer in at
once. The wait is bounded by WRITER_QUEUE_TIMEOUT_SECONDS, under gunicorn's
30 s worker timeout: behind a writer stuck in its transaction a request answers
the 503 page of "database is locked" rather than the worker being killed.
"""

import fcntl
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_SECONDS = 30
WRITER_QUEUE_TIMEOUT_SECONDS = 20
WRITER_QUEUE_POLL_SECONDS = 0.001
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
    """A SQLite connection whose write transactions hold a file lock beside the database.

    The lock is taken just before BEGIN IMMEDIATE (see `_begin_sqlite`) and let
    go once COMMIT or ROLLBACK has run.
    """

    _queue_fd: int | None = None
    _queued = False

    def open_queue(self, database_file: str) -> None:
        if database_file and database_file != ":memory:":
            self._queue_fd = os.open(database_file + "-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def wait_turn(self) -> None:
        """Take the writers' lock, or raise "database is locked" after WRITER_QUEUE_TIMEOUT_SECONDS."""
        if self._queue_fd is None or self._queued:
            return
        deadline = time.monotonic() + WRITER_QUEUE_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
                        f"database is locked: waited {WRITER_QUEUE_TIMEOUT_SECONDS:g} s behind another writer"),
                    ) from None
                time.sleep(WRITER_QUEUE_POLL_SECONDS)
        self._queued = True

    def leave_queue(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self):
        try:
            super().close()
        finally:
            self.leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


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
    if has_request_context() and request.method in READ_ONLY_METHODS:
        conn.exec_driver_sql("BEGIN")
        return
    dbapi_connection = conn.connection.dbapi_connection
    queued = isinstance(dbapi_connection, QueuedWriterConnection)
    if queued:
        dbapi_connection.wait_turn()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            dbapi_connection.leave_queue()
        raise


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


def one_of(column: str, values) -> str:
    """The SQL of a CHECK constraint that `column` holds one of `values` (plain words)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"
