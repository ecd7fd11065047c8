"""Engine set-up for the two databases Concierge runs on.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys. Its write
transactions begin with BEGIN IMMEDIATE so that concurrent writers queue on the
write lock instead of failing half-way with "database is locked"; reads (a GET,
HEAD or OPTIONS request) begin deferred so they never wait on a writer.
PostgreSQL needs none of this; row locks (SELECT ... FOR UPDATE) serialise the
capacity decisions there.
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_SECONDS = 30
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
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in READ_ONLY_METHODS
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


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
