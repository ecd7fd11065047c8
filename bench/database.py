"""The benchmark's database: which one to use, and the large event migrated and written into it."""

import os
import time
from pathlib import Path


def database_url(workdir: Path) -> tuple[str, str]:
    """The DATABASE_URL to serve and the database's name for the results file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        return url, "postgresql"
    return f"sqlite:///{workdir / 'bench.sqlite3'}", "sqlite"


def build_event(env: dict, kind: str, sizes: dict) -> dict:
    """Migrate a fresh database, write the big event and a kiosk waiting to pair. Runs in this process."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from bench import seed
    from portal import create_app
    from portal.checkin import devices
    from portal.extensions import db
    from portal.models import Event, User

    app = create_app()
    with app.app_context():
        if kind == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        started = time.monotonic()
        built = seed.build(**sizes)
        seconds = time.monotonic() - started
        event = db.session.get(Event, built.event_id)
        organizer = db.session.scalar(select(User).where(User.email == seed.ORGANIZER))
        _device, pairing_code = devices.create_device(event, "Bench kiosk", "Hall A", organizer)
        db.session.commit()
        # Statistics for the planners, as a database that has been running would have them
        # (PostgreSQL's autovacuum analyses a bulk-loaded table only a while later).
        if kind == "sqlite":
            db.session.execute(text("PRAGMA optimize"))
        db.session.commit()
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return {"built": built, "pairing_code": pairing_code, "seconds": seconds}
