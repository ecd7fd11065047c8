"""`flask backup FILE` and `flask restore FILE`: a consistent copy of the SQLite database, and back.

The copy uses SQLite's online backup API (sqlite3.Connection.backup) in one
step: it reads a single snapshot under WAL, so the site keeps serving and
writing while it runs, and the copy holds each transaction whole or not at
all. It is written beside the target and renamed into place once its integrity
check passes, so a failed backup never leaves a half-written file under the
target's name. PostgreSQL has its own tool for this: pg_dump.
"""

import os
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from portal.extensions import db


def _sqlite_path() -> Path | None:
    """The database file when the app runs on SQLite, else None."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory database cannot be backed up.")
    return Path(url.database)


def _refuse_postgresql(action: str) -> None:
    click.echo(f"This database is PostgreSQL: use pg_dump (and pg_restore) to {action} it, "
               "e.g. pg_dump --format=custom --file=concierge.dump \"$DATABASE_URL\".")
    sys.exit(2)


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into a new file beside `target`, check it, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writer = sqlite3.connect(partial)
    try:
        reader.backup(writer)  # all pages in one step: one snapshot, writers carry on under WAL
    finally:
        writer.close()
        reader.close()
    verdict = _integrity(partial)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {verdict}")
    os.replace(partial, target)


def _row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        # Table names come from the database's own catalogue, never from a request.
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # nosec B608
                for name in names}


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(target: Path) -> None:
    """Copy the SQLite database to TARGET while the site keeps serving."""
    source = _sqlite_path()
    if source is None:
        _refuse_postgresql("back up")
    if not source.exists():
        raise click.ClickException(f"There is no database at {source}.")
    db.engine.dispose()  # this process holds nothing open while copying
    _copy(source, target)
    counts = _row_counts(target)
    click.echo(f"Backup of {source} written to {target}: integrity ok, {len(counts)} tables, "
               f"{sum(counts.values())} rows.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore(source: Path, force: bool) -> None:
    """Restore the SQLite database from a backup made by `flask backup` (stop the site first)."""
    target = _sqlite_path()
    if target is None:
        _refuse_postgresql("restore")
    if _integrity(source) != "ok":
        raise click.ClickException(f"{source} is not a sound SQLite database.")
    db.engine.dispose()
    if target.exists() and any(_row_counts(target).values()) and not force:
        raise click.ClickException(f"{target} already holds data; stop the site and add --force to replace it.")
    for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    _copy(source, target)
    counts = _row_counts(target)
    click.echo(f"Restored {target} from {source}: {len(counts)} tables, {sum(counts.values())} rows.")
